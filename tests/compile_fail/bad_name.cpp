// expect: cep_name_error_a_name_must_start_with_an_ascii_letter_or_underscore
// A cep::name made from a literal is checked by its consteval constructor; the rejected call names the rule.
#include <cep/core/name.hpp>

int main() {
    [[maybe_unused]] constexpr cep::name ok = "resize_image";
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::name bad = "9lives";
#endif
}
