// expect: cep_name_error_a_name_may_contain_only_letters_digits_underscore_dash_dot_colon
#include <cep/core/name.hpp>

int main() {
    [[maybe_unused]] constexpr cep::name ok = "ist:run";
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::name bad = "resize image";
#endif
}
