// expect: invalid name literal: a name must start with an ASCII letter or '_'
// A _name literal that starts with a digit.
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "9lives"_name;
#else
    [[maybe_unused]] constexpr auto good = "_9lives"_name;
#endif
}
