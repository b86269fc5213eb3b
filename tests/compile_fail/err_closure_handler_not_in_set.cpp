// expect: cep::closure::handler_set::handler<H>\(\): H is not in this handler set
// handler<H>() returns the instance of a handler of the set; any other type does not compile.
#include <cep/closure.hpp>

namespace closure = cep::closure;

cep::status write_audit(const closure::facet_job&, closure::store&) { return cep::status::success; }
using audit = closure::facet_handler<"audit_log", "edit", &write_audit>;
using notify = closure::facet_handler<"notify", "edit", &write_audit>;

int main() {
    closure::handler_set<audit> handlers;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] auto& h = handlers.handler<notify>();
#else
    [[maybe_unused]] auto& h = handlers.handler<audit>();
#endif
}
