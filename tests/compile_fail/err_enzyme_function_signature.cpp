// expect: cep::enzyme<name, query, &function>: the function must be
// cep::enzyme<...> from a plain function: it must take (const cep::impulse_ref&, cep::read_context&) or
// (..., cep::write_context&) and return a cep::status.
#include <cep/dispatch.hpp>

cep::status audit_ok(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
int audit_bad(int) { return 0; }

#ifdef CEP_COMPILE_FAIL
using audit = cep::enzyme<"audit", "/signals/audit", &audit_bad>;
#else
using audit = cep::enzyme<"audit", "/signals/audit", &audit_ok>;
#endif

static_assert(cep::check_enzyme<audit>());

int main() {}
