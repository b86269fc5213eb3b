// expect: invalid name literal: a name must not be empty
// The _name literal (a name carried in a type) states the rule in a static_assert.
#include <cep/core/name.hpp>

using namespace cep::literals;

int main() {
    [[maybe_unused]] constexpr auto ok = "opm:direct"_name;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = ""_name;
#endif
}
