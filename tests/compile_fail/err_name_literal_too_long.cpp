// expect: invalid name literal: a name is at most 64 characters long
// A _name literal (cep::name_constant) of 65 characters: a static_assert states the rule.
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"_name;
#else
    [[maybe_unused]] constexpr auto good = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn"_name;
#endif
}
