// expect: cep_name_error_a_name_may_contain_only_letters_digits_underscore_dash_dot_colon
// A verb is a cep::name: a literal with a space (or a '/') does not compile.
#include <cep/ops/names.hpp>

int main() {
    [[maybe_unused]] constexpr cep::ops::verb ok = "image:resize";
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::ops::verb bad = "image/resize";
#endif
}
