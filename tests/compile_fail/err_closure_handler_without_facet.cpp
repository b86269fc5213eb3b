// expect: facet_handler_needs_a_facet_tag<handler>
// expect: cep::closure::handler_set: every type must be a facet handler \(see above\)
// A facet handler without its facet tag.
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct handler {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#else
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#endif
};

static_assert(closure::handler_set<handler>::ok);

int main() {}
