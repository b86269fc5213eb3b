// expect: facet_handler_needs_a_context_tag<forgetful>
// A facet handler without its context tag: the handler set names the type and the missing member.
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct forgetful {
    static constexpr cep::name facet = "audit_log";
#ifndef CEP_COMPILE_FAIL
    static constexpr cep::name context = "edit";
#endif
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
};

static_assert(closure::handler_set<forgetful>::ok);

int main() {}
