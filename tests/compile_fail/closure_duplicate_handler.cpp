// expect: duplicate_facet_handler<cep::detail::kind_name<'n', 'o', 't', 'i', 'f', 'y'>, ?cep::detail::kind_name<'e', 'd', 'i', 't'>, ?notify_editors, ?notify_again ?>
// Two facet handlers of one handler set with the same (facet, context) key. The same facet for another context
// tag is fine (the control).
#include <cep/closure.hpp>

namespace closure = cep::closure;

struct notify_editors {
    static constexpr cep::name facet = "notify";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
};
struct notify_commenters {
    static constexpr cep::name facet = "notify";
    static constexpr cep::name context = "comment";
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
};
struct notify_again {
    static constexpr cep::name facet = "notify";
    static constexpr cep::name context = "edit";
    static constexpr closure::facet_policy policy{.max_attempts = 5};
    cep::status operator()(const closure::facet_job&, closure::store&) { return cep::status::success; }
};

static_assert(closure::handler_set<notify_editors, notify_commenters>::ok);
#ifdef CEP_COMPILE_FAIL
static_assert(closure::handler_set<notify_editors, notify_commenters, notify_again>::ok);
#endif

int main() {}
