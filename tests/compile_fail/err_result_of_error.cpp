// expect: result<error> is ambiguous
// cep::result<cep::error> could not tell a value from an error: use cep::result<void> or another value type.
#include <cep/core/error.hpp>

int main() {
#ifdef CEP_COMPILE_FAIL
    cep::result<cep::error> r = cep::error{cep::errc::cell_not_found, "x"};
#else
    cep::result<int> r = cep::error{cep::errc::cell_not_found, "x"};
#endif
    return r.has_value() ? 1 : 0;
}
