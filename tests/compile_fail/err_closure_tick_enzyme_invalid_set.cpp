// expect: duplicate_facet_handler<
// expect: cep::closure::tick_enzyme: the handler set is not valid \(see the errors above\)
// The closure enzyme over a handler set that is not valid (here two handlers for one (facet, context) key).
#include <cep/closure.hpp>

namespace closure = cep::closure;

cep::status write_audit(const closure::facet_job&, closure::store&) { return cep::status::success; }
using audit = closure::facet_handler<"audit_log", "edit", &write_audit>;
#ifdef CEP_COMPILE_FAIL
using audit_again = closure::facet_handler<"audit_log", "edit", &write_audit, closure::facet_policy{}>;
struct audit_twice : audit_again {};
#else
struct audit_twice : closure::facet_handler<"audit_log", "review", &write_audit> {};
#endif

using handlers = closure::handler_set<audit, audit_twice>;
using tick = closure::tick_enzyme<handlers>;

int main() { return tick::name.size() == 0 ? 1 : 0; }
