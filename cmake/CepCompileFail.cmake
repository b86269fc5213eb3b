# cep_add_compile_fail_test(<file.cpp>)
#
# Registers two CTest tests (label `compile-fail`) for a compile-fail case:
#   compile-fail:<stem>          compiled with -DCEP_COMPILE_FAIL; passes only if the compiler FAILS and every
#                                applicable regex of the file matches the compiler output (stdout+stderr)
#   compile-fail:<stem>:control  compiled without the macro; must compile
#
# Case file format: the offending code is guarded by `#ifdef CEP_COMPILE_FAIL`; expectations are comment lines
# (anywhere in the file, conventionally at the top), one CMake regex each, leading/trailing blanks stripped:
#   // expect: <regex>          must match with any compiler
#   // expect-gcc: <regex>      must match when the compiler is g++
#   // expect-clang: <regex>    must match when the compiler is clang++
# At least one expect line is required. The compiler is the build's CMAKE_CXX_COMPILER, run with -fsyntax-only
# -std=c++20 and LC_ALL=C (plain ASCII quotes in diagnostics).
include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/CepCompileCheck.cmake")

function(cep_add_compile_fail_test file)
    get_filename_component(source "${file}" ABSOLUTE)
    get_filename_component(stem "${source}" NAME_WLE)
    cep_compile_check_env(env)
    add_test(NAME "compile-fail:${stem}"
        COMMAND "${CMAKE_COMMAND}" "-DCEP_CHECK_ENV=${env}" -DMODE=compile-fail "-DSOURCE=${source}"
                -P "${CEP_COMPILE_CHECK_RUNNER}")
    add_test(NAME "compile-fail:${stem}:control"
        COMMAND "${CMAKE_COMMAND}" "-DCEP_CHECK_ENV=${env}" -DMODE=compile "-DSOURCE=${source}"
                -P "${CEP_COMPILE_CHECK_RUNNER}")
    set_tests_properties("compile-fail:${stem}" "compile-fail:${stem}:control" PROPERTIES LABELS compile-fail)
endfunction()
