// expect: cep_ops_error_a_mode_must_be_opm_direct_or_opm_states
// An operation mode is opm:direct or opm:states.
#include <cep/ops/names.hpp>

int main() {
    [[maybe_unused]] constexpr cep::ops::mode ok = "opm:states";
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr cep::ops::mode bad = "opm:stateful";
#endif
}
