# The compile-time budget of the umbrella header, as a deterministic test (cmake -P).
#
# Wall-clock compile times swing by 30% on a shared machine, so a timed test would be flaky. What the compiler
# builds does not swing: clang's -print-stats reports the bytes its AST context allocated, which depends only on
# the compiler, the headers and the flags. This script compiles (-fsyntax-only) a file that only includes
# <cep/cep.hpp> and one that only includes <range/v3/all.hpp>, and fails when
#     AST bytes(cep) > BUDGET * AST bytes(range-v3).
# The ratio tracks compile time: the session-12 headers measured 89.2 MB against range-v3's 62.9 MB (1.42) and
# compiled in 1.02-1.43x range-v3's time; the session-13 ones 45.8 MB (0.73) and 0.60-0.70x (docs/performance.md).
#
# Inputs (-D): CXX (a clang++), CEP_INCLUDE, RANGE_INCLUDES ('|'-separated, may be empty), WORK_DIR, BUDGET (a ratio, e.g.
# 0.80).
cmake_minimum_required(VERSION 3.21)

foreach(var CXX CEP_INCLUDE WORK_DIR BUDGET)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "check_budget.cmake: -D${var}=... is required")
    endif()
endforeach()

file(MAKE_DIRECTORY "${WORK_DIR}")
file(WRITE "${WORK_DIR}/cep_alone.cpp" "#include <cep/cep.hpp>\nint main() {}\n")
file(WRITE "${WORK_DIR}/range_v3_alone.cpp" "#include <range/v3/all.hpp>\nint main() {}\n")

set(include_flags "-I${CEP_INCLUDE}")
string(REPLACE "|" ";" range_includes "${RANGE_INCLUDES}")
foreach(dir IN LISTS range_includes)
    list(APPEND include_flags "-isystem" "${dir}")
endforeach()

# ast_bytes(<source> <out-var>): the largest "Bytes used: N" line of -print-stats (the AST context's allocator;
# the other allocators reported are two orders of magnitude smaller).
function(ast_bytes source out)
    execute_process(
        COMMAND "${CXX}" -std=c++20 -fsyntax-only ${include_flags} -Xclang -print-stats "${source}"
        RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "compiling ${source} failed (${rc}):\n${stderr}")
    endif()
    string(REGEX MATCHALL "Bytes used: [0-9]+" lines "${stdout}${stderr}")
    set(largest 0)
    foreach(line IN LISTS lines)
        string(REGEX REPLACE "Bytes used: " "" n "${line}")
        if(n GREATER largest)
            set(largest ${n})
        endif()
    endforeach()
    # A compiler that printed no statistics (not clang, or another format) must not pass by reading zero.
    if(largest LESS 1000000)
        message(FATAL_ERROR "no AST statistics read from ${CXX} -Xclang -print-stats for ${source} "
                            "(largest 'Bytes used' figure: ${largest})")
    endif()
    set(${out} ${largest} PARENT_SCOPE)
endfunction()

ast_bytes("${WORK_DIR}/cep_alone.cpp" cep_bytes)
ast_bytes("${WORK_DIR}/range_v3_alone.cpp" range_bytes)

# Ratios in thousandths: CMake's math() is integer only.
math(EXPR ratio_milli "${cep_bytes} * 1000 / ${range_bytes}")
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)$" budget_ok "${BUDGET}")
if(NOT budget_ok)
    message(FATAL_ERROR "BUDGET must be a decimal ratio such as 0.80, not '${BUDGET}'")
endif()
string(SUBSTRING "${CMAKE_MATCH_2}000" 0 3 budget_fraction)
math(EXPR budget_milli "${CMAKE_MATCH_1} * 1000 + ${budget_fraction}")
math(EXPR ratio_whole "${ratio_milli} / 1000")
math(EXPR ratio_rest "${ratio_milli} % 1000 + 1000")  # 1000..1999: its last three digits, zero-padded
string(SUBSTRING "${ratio_rest}" 1 3 ratio_rest)
math(EXPR cep_kb "${cep_bytes} / 1024")
math(EXPR range_kb "${range_bytes} / 1024")

string(CONCAT summary "AST of <cep/cep.hpp> alone: ${cep_kb} KiB; of <range/v3/all.hpp> alone: ${range_kb} KiB; "
            "ratio ${ratio_whole}.${ratio_rest}; budget ${BUDGET}")
if(ratio_milli GREATER budget_milli)
    message(FATAL_ERROR "compile budget exceeded: ${summary}.\n"
                        "The umbrella header makes the compiler build more than the budget allows. Find what grew "
                        "(clang++ -ftime-trace, docs/performance.md 'Compile time') before raising the budget.")
endif()
message(STATUS "compile budget kept: ${summary}")
