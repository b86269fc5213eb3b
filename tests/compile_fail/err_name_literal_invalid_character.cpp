// expect: invalid name literal: a name may contain only ASCII letters, digits, '_', '-', '\.' and ':'
// A _name literal with a character outside the name alphabet ('/').
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "image/resize"_name;
#else
    [[maybe_unused]] constexpr auto good = "image:resize"_name;
#endif
}
