// expect: facet_handler_is_not_default_constructible<handler>
// A handler set holds one default-constructed instance of each handler.
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct handler {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    explicit handler(int) {}
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#else
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    handler() = default;
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
#endif
};

static_assert(closure::handler_set<handler>::ok);

int main() {}
