# Runs the build's C++ compiler on one file and judges the result. Used by CTest through `cmake -P`:
#
#   cmake -DCEP_CHECK_ENV=<generated env file> -DMODE=<mode> -DSOURCE=<file.cpp> [-DHEADER_ROOT=<dir>]
#         [-DEXTRA_FLAGS=<flags>] -P run_compile_check.cmake
#
# Modes:
#   compile-fail  compile with -DCEP_COMPILE_FAIL; pass only if the compiler fails and every applicable
#                 `// expect:` / `// expect-gcc:` / `// expect-clang:` regex of SOURCE matches its output
#   compile       compile; pass if it succeeds (control run of a compile-fail case)
#   header        compile with the project's warning flags (-Werror); pass if it succeeds
#   umbrella      run the preprocessor with -M; pass if every *.hpp under HEADER_ROOT is among the dependencies
#
# The compiler runs with LC_ALL=C, so diagnostics use plain ASCII quotes ('foo', not ‘foo’), without colours.
cmake_minimum_required(VERSION 3.21)

include("${CMAKE_CURRENT_LIST_DIR}/CepTextLines.cmake")

# Prints the explanation verbatim (message(FATAL_ERROR) would re-wrap the compiler output), then fails.
function(_cep_check_fail)
    set(msg "")
    math(EXPR last "${ARGC} - 1")
    foreach(i RANGE 0 ${last})          # not ${ARGN}: that would drop the ';' inside the arguments
        string(APPEND msg "${ARGV${i}}")
    endforeach()
    message(NOTICE "FAILED: ${msg}")
    message(FATAL_ERROR "check failed (see above)")
endfunction()

foreach(var IN ITEMS CEP_CHECK_ENV MODE SOURCE)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        _cep_check_fail("run_compile_check.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT EXISTS "${SOURCE}")
    _cep_check_fail("run_compile_check.cmake: no such file: ${SOURCE}")
endif()
include("${CEP_CHECK_ENV}")

# ---------------------------------------------------------------------------------------------------------------
# Command line: compiler, the build's CMAKE_CXX_FLAGS, C++20, cep's include dir with -I, dependencies' include
# dirs with -isystem (except the compiler's implicit ones: repeating /usr/include breaks #include_next).
set(cmd "${CEP_CXX}")
separate_arguments(user_flags UNIX_COMMAND "${CEP_CXX_FLAGS}")
list(APPEND cmd ${user_flags} -std=c++20 -fdiagnostics-color=never)
if(DEFINED EXTRA_FLAGS)
    separate_arguments(extra_flags UNIX_COMMAND "${EXTRA_FLAGS}")
    list(APPEND cmd ${extra_flags})
endif()
if(CEP_CXX_ID STREQUAL "GNU")
    list(APPEND cmd -fmessage-length=0)
endif()

macro(_cep_normal_dir var)
    cmake_path(NORMAL_PATH ${var})
    string(REGEX REPLACE "(.)/$" "\\1" ${var} "${${var}}")
endmacro()
set(seen_dirs)
foreach(dir IN LISTS CEP_IMPLICIT_INCLUDE_DIRS)
    _cep_normal_dir(dir)
    list(APPEND seen_dirs "${dir}")
endforeach()
set(project_dir "${CEP_PROJECT_INCLUDE_DIR}")
_cep_normal_dir(project_dir)
list(APPEND cmd "-I${project_dir}")
list(APPEND seen_dirs "${project_dir}")
foreach(dir IN LISTS CEP_INCLUDE_DIRS)
    _cep_normal_dir(dir)
    if(NOT dir IN_LIST seen_dirs)
        list(APPEND seen_dirs "${dir}")
        list(APPEND cmd -isystem "${dir}")
    endif()
endforeach()

if(MODE STREQUAL "compile-fail")
    list(APPEND cmd -fsyntax-only -DCEP_COMPILE_FAIL)
elseif(MODE STREQUAL "compile")
    list(APPEND cmd -fsyntax-only)
elseif(MODE STREQUAL "header")
    list(APPEND cmd -fsyntax-only ${CEP_WARNING_FLAGS})
elseif(MODE STREQUAL "umbrella")
    if(NOT DEFINED HEADER_ROOT)
        _cep_check_fail("run_compile_check.cmake: MODE=umbrella needs -DHEADER_ROOT=<dir>")
    endif()
    list(APPEND cmd -M)
else()
    _cep_check_fail("run_compile_check.cmake: unknown MODE '${MODE}'")
endif()
list(APPEND cmd "${SOURCE}")

set(ENV{LC_ALL} C)
set(ENV{LANG} C)
unset(ENV{GCC_COLORS})

string(JOIN " " cmd_text ${cmd})
if(MODE STREQUAL "umbrella")
    # Keep the dependency list (stdout) apart from diagnostics.
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
else()
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
endif()
if(NOT rc MATCHES "^[0-9]+$")
    _cep_check_fail("could not run the compiler (${rc}):\n  ${cmd_text}")
endif()

# ---------------------------------------------------------------------------------------------------------------
if(MODE STREQUAL "compile" OR MODE STREQUAL "header")
    if(NOT rc EQUAL 0)
        _cep_check_fail("${SOURCE} does not compile (exit code ${rc}).\n"
            "Command:\n  ${cmd_text}\nCompiler output:\n${out}")
    endif()
    message(STATUS "OK: compiles cleanly: ${SOURCE}")
    return()
endif()

# ---------------------------------------------------------------------------------------------------------------
if(MODE STREQUAL "umbrella")
    if(NOT rc EQUAL 0)
        _cep_check_fail("the preprocessor failed on ${SOURCE} (exit code ${rc}).\n"
            "Command:\n  ${cmd_text}\nOutput:\n${err}")
    endif()
    file(REAL_PATH "${HEADER_ROOT}" root)
    string(REPLACE "\\\n" " " out "${out}")          # join line continuations
    string(REPLACE "\\ " "\\040" out "${out}")       # escaped spaces inside file names
    string(REGEX MATCHALL "[^ \t\r\n]+" tokens "${out}")
    set(reached)
    foreach(token IN LISTS tokens)
        if(NOT token MATCHES "/cep/" OR token MATCHES ":$")
            continue()
        endif()
        string(REPLACE "\\040" " " token "${token}")
        file(REAL_PATH "${token}" real)
        list(APPEND reached "${real}")
    endforeach()
    file(GLOB_RECURSE headers LIST_DIRECTORIES false "${root}/*.hpp")
    list(SORT headers)
    set(missing)
    foreach(header IN LISTS headers)
        if(NOT header IN_LIST reached)
            file(RELATIVE_PATH rel "${root}/.." "${header}")
            string(APPEND missing "\n  ${rel}")
        endif()
    endforeach()
    if(missing)
        _cep_check_fail("headers under ${root} not reachable from the umbrella header "
            "(include them from cep/cep.hpp or from a header it includes):${missing}")
    endif()
    list(LENGTH headers n)
    message(STATUS "OK: all ${n} headers are reachable from the umbrella header")
    return()
endif()

# ---------------------------------------------------------------------------------------------------------------
# MODE compile-fail
if(rc EQUAL 0)
    _cep_check_fail("${SOURCE} compiled with -DCEP_COMPILE_FAIL, but it must fail to compile.\n"
        "Command:\n  ${cmd_text}\nCompiler output:\n${out}")
endif()

if(CEP_CXX_ID STREQUAL "GNU")
    set(compiler_tag "gcc")
elseif(CEP_CXX_ID MATCHES "Clang")
    set(compiler_tag "clang")
else()
    set(compiler_tag "${CEP_CXX_ID}")
endif()

file(READ "${SOURCE}" text)
cep_split_lines(lines "${text}")
set(n_expect 0)
set(n_checked 0)
set(line_no 0)
set(failures "")
foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    cep_decode_line(line)
    if(NOT line MATCHES "^[ \t]*//[ \t]*expect(-[A-Za-z]+)?:(.*)$")
        continue()
    endif()
    set(kind "${CMAKE_MATCH_1}")
    string(STRIP "${CMAKE_MATCH_2}" regex)
    math(EXPR n_expect "${n_expect} + 1")
    if(NOT kind STREQUAL "" AND NOT kind STREQUAL "-gcc" AND NOT kind STREQUAL "-clang")
        string(APPEND failures "\n  line ${line_no}: unknown directive 'expect${kind}' (use expect, expect-gcc, expect-clang)")
        continue()
    endif()
    if(regex STREQUAL "")
        string(APPEND failures "\n  line ${line_no}: empty regex")
        continue()
    endif()
    if(NOT kind STREQUAL "" AND NOT kind STREQUAL "-${compiler_tag}")
        continue()
    endif()
    math(EXPR n_checked "${n_checked} + 1")
    if(NOT out MATCHES "${regex}")
        string(APPEND failures "\n  line ${line_no}: expect${kind}: ${regex}")
    endif()
endforeach()

if(n_expect EQUAL 0)
    string(APPEND failures "\n  no '// expect: <regex>' line in the file: say which diagnostic is expected")
endif()
if(NOT failures STREQUAL "")
    _cep_check_fail("${SOURCE} failed to compile as expected, but the diagnostics do not match.\n"
        "Command:\n  ${cmd_text}\nCompiler output:\n${out}\n"
        "Failed expectations (${compiler_tag}):${failures}")
endif()
message(STATUS "OK: fails to compile as expected; ${n_checked} regex(es) matched (${compiler_tag})")
