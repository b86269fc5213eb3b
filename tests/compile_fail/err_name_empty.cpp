// expect: cep_name_error_a_name_must_not_be_empty
// A cep::name from an empty literal: the rejected call (consteval constructor) names the rule.
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::name bad = "";
#else
    [[maybe_unused]] constexpr cep::name good = "x";
#endif
}
