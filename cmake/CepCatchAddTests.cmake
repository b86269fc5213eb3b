# Test discovery for Catch2 v2 executables, used in place of Catch2's CatchAddTests.cmake: tests/CMakeLists.txt
# points catch_discover_tests() at this script (variable _CATCH_DISCOVER_TESTS_SCRIPT), which runs it after each
# link with `cmake -D... -P`. Differences from Catch2 v2.13's own script:
#   - TEST_PREFIX keeps its trailing blank ("area: "; `cmake -D` strips it, so a prefix ending in ':' gets it back)
#   - test case names may contain ';', '[', ']', ',', '\' and '"': each is one CTest test that runs exactly it
#   - every test runs with `-w NoTests`, so a name that matches nothing fails instead of passing silently
# Supported arguments: TEST_EXECUTABLE TEST_EXECUTOR TEST_WORKING_DIR TEST_SPEC TEST_EXTRA_ARGS TEST_PROPERTIES
# TEST_PREFIX TEST_SUFFIX TEST_LIST CTEST_FILE (TEST_REPORTER and TEST_OUTPUT_* are not supported).
cmake_minimum_required(VERSION 3.21)
include("${CMAKE_CURRENT_LIST_DIR}/CepTextLines.cmake")

foreach(unsupported IN ITEMS TEST_REPORTER TEST_OUTPUT_DIR TEST_OUTPUT_PREFIX TEST_OUTPUT_SUFFIX)
    if(NOT "${${unsupported}}" STREQUAL "")
        message(FATAL_ERROR "CepCatchAddTests.cmake: ${unsupported} is not supported")
    endif()
endforeach()
if(NOT EXISTS "${TEST_EXECUTABLE}")
    message(FATAL_ERROR "CepCatchAddTests.cmake: test executable '${TEST_EXECUTABLE}' does not exist")
endif()

set(prefix "${TEST_PREFIX}")
if(prefix MATCHES ":$")
    string(APPEND prefix " ")
endif()

# `[==[text]==]` with enough '=' that text cannot close it.
function(_cep_bracket out_var text)
    set(eq "=")
    while(text MATCHES "\\]${eq}\\]")
        string(APPEND eq "=")
    endwhile()
    set(${out_var} "[${eq}[${text}]${eq}]" PARENT_SCOPE)
endfunction()

# Fixed part of every test's command line, as CMake bracket arguments.
set(exe_args "")
foreach(arg IN LISTS TEST_EXECUTOR)
    _cep_bracket(quoted "${arg}")
    string(APPEND exe_args " ${quoted}")
endforeach()
_cep_bracket(quoted "${TEST_EXECUTABLE}")
string(APPEND exe_args " ${quoted}")
set(extra_args " -w NoTests")
foreach(arg IN LISTS TEST_EXTRA_ARGS)
    _cep_bracket(quoted "${arg}")
    string(APPEND extra_args " ${quoted}")
endforeach()
set(properties "")
if(NOT "${TEST_WORKING_DIR}" STREQUAL "")
    _cep_bracket(quoted "${TEST_WORKING_DIR}")
    string(APPEND properties " WORKING_DIRECTORY ${quoted}")
endif()
foreach(arg IN LISTS TEST_PROPERTIES)
    _cep_bracket(quoted "${arg}")
    string(APPEND properties " ${quoted}")
endforeach()

# The test case names, one per line (stderr is left on the console: sanitizer reports stay visible).
execute_process(
    COMMAND ${TEST_EXECUTOR} "${TEST_EXECUTABLE}" ${TEST_SPEC} --list-test-names-only
    OUTPUT_VARIABLE output
    RESULT_VARIABLE result
    WORKING_DIRECTORY "${TEST_WORKING_DIR}")
if(NOT result MATCHES "^[0-9]+$")
    message(FATAL_ERROR "CepCatchAddTests.cmake: running '${TEST_EXECUTABLE}' failed: ${result}\n${output}")
endif()

set(script "")
set(names "")
set(count 0)
cep_split_lines(lines "${output}")
foreach(line IN LISTS lines)
    cep_decode_line(line)
    if(line STREQUAL "")
        continue()
    endif()
    # Catch2 v2 quotes names that start with '#'.
    if(line MATCHES "^\"(#.*)\"$")
        set(line "${CMAKE_MATCH_1}")
    endif()
    # Escape the characters that Catch's test-spec parser treats specially.
    set(spec "${line}")
    foreach(char IN ITEMS "\\" "," "[" "]" "\"" "~")
        string(REPLACE "${char}" "\\${char}" spec "${spec}")
    endforeach()
    _cep_bracket(ctest_name "${prefix}${line}${TEST_SUFFIX}")
    _cep_bracket(spec "${spec}")
    string(APPEND script "add_test(${ctest_name}${exe_args} ${spec}${extra_args})\n")
    if(NOT properties STREQUAL "")
        string(APPEND script "set_tests_properties(${ctest_name} PROPERTIES${properties})\n")
    endif()
    string(REPLACE ";" "\\;" listed "${prefix}${line}${TEST_SUFFIX}")
    list(APPEND names "${listed}")
    math(EXPR count "${count} + 1")
endforeach()
if(count EQUAL 0)
    message(WARNING "CepCatchAddTests.cmake: '${TEST_EXECUTABLE}' contains no tests")
endif()
if(NOT "${TEST_LIST}" STREQUAL "")
    _cep_bracket(quoted "${names}")
    string(APPEND script "set(${TEST_LIST} ${quoted})\n")
endif()
file(WRITE "${CTEST_FILE}" "${script}")
