// expect: cep_ops_error_a_state_must_be_ist_colon_followed_by_name_characters
// An operation state made from a literal is checked by its consteval constructor: "ist:" and name characters.
#include <cep/ops/names.hpp>

int main() {
    [[maybe_unused]] constexpr cep::ops::state ok = "ist:resized";
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::ops::state bad = "resized";
#endif
}
