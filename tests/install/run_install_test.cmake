# Install-and-consume test, run by CTest through `cmake -P`:
#   1. cmake --install <BUILD_DIR> --prefix <WORK_DIR>/prefix
#   2. check that the installed tree has the umbrella header and the package files
#   3. configure (same generator and compiler), build and run tests/install/consumer against that prefix
#   4. check that the consumer found the installed package and prints the expected version
#
# Required -D variables: BUILD_DIR WORK_DIR CONSUMER_DIR EXPECTED_VERSION CMAKE_GENERATOR CXX_COMPILER
# Optional: MAKE_PROGRAM CXX_FLAGS CONFIG INSTALL_CMAKEDIR (default share/cmake/cep)
cmake_minimum_required(VERSION 3.21)

foreach(var IN ITEMS BUILD_DIR WORK_DIR CONSUMER_DIR EXPECTED_VERSION CMAKE_GENERATOR CXX_COMPILER)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_install_test.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT DEFINED INSTALL_CMAKEDIR OR INSTALL_CMAKEDIR STREQUAL "")
    set(INSTALL_CMAKEDIR "share/cmake/cep")
endif()
if(NOT DEFINED CONFIG OR CONFIG STREQUAL "")
    set(CONFIG "Debug")
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/consumer-build")

# Prints the explanation verbatim (message(FATAL_ERROR) would re-wrap tool output), then fails.
function(fail)
    set(msg "")
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 0 ${last})          # not ${ARGN}: that would drop the ';' inside the arguments
        string(APPEND msg "${ARGV${i}}")
    endforeach()
    message(NOTICE "FAILED: install test: ${msg}")
    message(FATAL_ERROR "install test failed (see above)")
endfunction()

function(run step)
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
        string(JOIN " " cmd ${ARGN})
        fail("${step} failed (${rc}).\nCommand:\n  ${cmd}\nOutput:\n${out}")
    endif()
    set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# 1. install
run("cmake --install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${prefix}" --config "${CONFIG}")

# 2. the installed tree
set(missing)
foreach(file IN ITEMS
        "include/cep/cep.hpp"
        "include/cep/version.hpp"
        "${INSTALL_CMAKEDIR}/cepConfig.cmake"
        "${INSTALL_CMAKEDIR}/cepConfigVersion.cmake"
        "${INSTALL_CMAKEDIR}/cepTargets.cmake")
    if(NOT EXISTS "${prefix}/${file}")
        string(APPEND missing "\n  ${file}")
    endif()
endforeach()
if(missing)
    file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
    string(REPLACE ";" "\n  " installed "${installed}")
    fail("missing from the installed tree ${prefix}:${missing}\n"
        "Installed files:\n  ${installed}")
endif()

# 3. the consumer project
set(configure_args
    -S "${CONSUMER_DIR}" -B "${consumer_build}" -G "${CMAKE_GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
if(DEFINED MAKE_PROGRAM AND NOT MAKE_PROGRAM STREQUAL "")
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(DEFINED CXX_FLAGS AND NOT CXX_FLAGS STREQUAL "")
    list(APPEND configure_args "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}")
endif()
run("configuring the consumer" "${CMAKE_COMMAND}" ${configure_args})
run("building the consumer" "${CMAKE_COMMAND}" --build "${consumer_build}" --config "${CONFIG}")

# It must have used the package we just installed, not some other cep on the machine.
file(STRINGS "${consumer_build}/CMakeCache.txt" cep_dir_line REGEX "^cep_DIR:")
string(REGEX REPLACE "^cep_DIR:[A-Z]+=" "" cep_dir "${cep_dir_line}")
file(REAL_PATH "${prefix}/${INSTALL_CMAKEDIR}" expected_dir)
if(EXISTS "${cep_dir}")
    file(REAL_PATH "${cep_dir}" cep_dir)
endif()
if(NOT cep_dir STREQUAL expected_dir)
    fail("the consumer found cep in '${cep_dir}', expected '${expected_dir}'")
endif()

# 4. run it
find_program(consumer_exe cep_consumer
    PATHS "${consumer_build}" "${consumer_build}/${CONFIG}" NO_DEFAULT_PATH NO_CACHE)
if(NOT consumer_exe)
    fail("built consumer executable not found under ${consumer_build}")
endif()
run("running the consumer" "${consumer_exe}")
string(STRIP "${last_output}" last_output)
string(REPLACE "." "\\." version_regex "${EXPECTED_VERSION}")
if(NOT last_output MATCHES "cep ${version_regex}")
    fail("the consumer printed '${last_output}', expected 'cep ${EXPECTED_VERSION}'")
endif()
message(STATUS "OK: installed to ${prefix}; consumer built and printed: ${last_output}")
