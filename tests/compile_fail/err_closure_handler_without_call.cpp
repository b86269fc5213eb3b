// expect: facet_handler_needs_a_call_operator<handler>
// A facet handler whose call operator does not take (const facet_job&, store&) and return a cep::status.
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct handler {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(int) { return cep::status::success; }
#else
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#endif
};

static_assert(closure::handler_set<handler>::ok);

int main() {}
