# Warning flags for cep's own targets (tests, examples, benchmarks, doc snippets). Never put on the INTERFACE
# target `cep`: users choose their own warnings.
include_guard(GLOBAL)

option(CEP_WARNINGS_AS_ERRORS "Build cep's own tests/examples/benchmarks with -Werror" ON)

# The flags, also used by the header self-containment checks (see CepHeaderChecks.cmake).
set(CEP_WARNING_FLAGS -Wall -Wextra -Wpedantic)
if(CEP_WARNINGS_AS_ERRORS)
    list(APPEND CEP_WARNING_FLAGS -Werror)
endif()

# cep_target_warnings(<target>...)
function(cep_target_warnings)
    foreach(target IN LISTS ARGN)
        if(CMAKE_CXX_COMPILER_ID MATCHES "^(GNU|Clang|AppleClang)$")
            target_compile_options(${target} PRIVATE ${CEP_WARNING_FLAGS})
        elseif(CMAKE_CXX_COMPILER_ID STREQUAL "MSVC")
            target_compile_options(${target} PRIVATE /W4 /permissive- $<$<BOOL:${CEP_WARNINGS_AS_ERRORS}>:/WX>)
        endif()
    endforeach()
endfunction()
