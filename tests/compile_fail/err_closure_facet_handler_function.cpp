// expect: cep::closure::facet_handler<facet, context, &function>: the function must be
// cep::closure::facet_handler<...> from a plain function: it must be
// cep::status f(const cep::closure::facet_job&, cep::closure::store&).
#include <cep/closure.hpp>

namespace closure = cep::closure;

cep::status write_audit(const closure::facet_job&, closure::store&) { return cep::status::success; }
void write_audit_wrong(int) {}

#ifdef CEP_COMPILE_FAIL
using audit = closure::facet_handler<"audit_log", "edit", &write_audit_wrong>;
#else
using audit = closure::facet_handler<"audit_log", "edit", &write_audit>;
#endif

static_assert(closure::handler_set<audit>::ok);

int main() {}
