// expect: facet_handler_policy_is_not_a_facet_policy<handler>
// A facet handler's policy must be a cep::closure::facet_policy.
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct handler {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    static constexpr int policy = 3;
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#else
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    static constexpr closure::facet_policy policy{};
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#endif
};

static_assert(closure::handler_set<handler>::ok);

int main() {}
