// expect: cep_name_error_a_name_is_at_most_64_characters_long
// A cep::name of 65 characters (at most 64).
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::name bad = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
#else
    [[maybe_unused]] constexpr cep::name good = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";
#endif
}
