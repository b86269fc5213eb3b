# cep_add_header_checks(<include-root>)
#
# For every <include-root>/cep/**/*.hpp: a CTest test `header:<path as included>` (e.g. header:cep/core/path.hpp)
# that compiles a generated translation unit including the header twice (self-contained + include guard) with
# -fsyntax-only -std=c++20 and the project's warning flags (-Werror). Plus `header:reachable-from-umbrella`: every
# header must be among the dependencies (-M) of a TU including <cep/cep.hpp>. Label `headers`.
include_guard(GLOBAL)
include("${CMAKE_CURRENT_LIST_DIR}/CepCompileCheck.cmake")

function(cep_add_header_checks include_root)
    cep_compile_check_env(env)
    set(out_dir "${PROJECT_BINARY_DIR}/header_checks")
    file(GLOB_RECURSE headers CONFIGURE_DEPENDS LIST_DIRECTORIES false "${include_root}/cep/*.hpp")
    list(SORT headers)
    set(tests)
    foreach(header IN LISTS headers)
        file(RELATIVE_PATH rel "${include_root}" "${header}")
        set(tu "${out_dir}/${rel}.cpp")
        file(CONFIGURE OUTPUT "${tu}" CONTENT
             "// Generated: the header must be self-contained and guarded against double inclusion.\n#include <@rel@>\n#include <@rel@>\n"
             @ONLY)
        add_test(NAME "header:${rel}"
            COMMAND "${CMAKE_COMMAND}" "-DCEP_CHECK_ENV=${env}" -DMODE=header "-DSOURCE=${tu}"
                    -P "${CEP_COMPILE_CHECK_RUNNER}")
        list(APPEND tests "header:${rel}")
    endforeach()

    set(tu "${out_dir}/reachable-from-umbrella.cpp")
    file(CONFIGURE OUTPUT "${tu}" CONTENT "#include <cep/cep.hpp>\n")
    add_test(NAME "header:reachable-from-umbrella"
        COMMAND "${CMAKE_COMMAND}" "-DCEP_CHECK_ENV=${env}" -DMODE=umbrella "-DSOURCE=${tu}"
                "-DHEADER_ROOT=${include_root}/cep" -P "${CEP_COMPILE_CHECK_RUNNER}")
    list(APPEND tests "header:reachable-from-umbrella")

    # The umbrella and a literal under -fsanitize=undefined: g++ 12 rejected string_view::find() in the path
    # literals' constant evaluation there, so no program including cep compiled in a UBSan build.
    set(tu "${out_dir}/umbrella-under-ubsan.cpp")
    file(CONFIGURE OUTPUT "${tu}" CONTENT
         "#include <cep/cep.hpp>\nusing namespace cep::literals;\nconst auto& under_ubsan = \"/a/b\"_path;\n")
    add_test(NAME "header:umbrella-under-ubsan"
        COMMAND "${CMAKE_COMMAND}" "-DCEP_CHECK_ENV=${env}" -DMODE=header "-DSOURCE=${tu}"
                "-DEXTRA_FLAGS=-fsanitize=undefined" -P "${CEP_COMPILE_CHECK_RUNNER}")
    list(APPEND tests "header:umbrella-under-ubsan")
    set_tests_properties(${tests} PROPERTIES LABELS headers)
endfunction()
