// expect: enzyme_match_is_not_a_match_policy<audit, int>
// An enzyme whose match type is not a match policy.
#include <cep/dispatch.hpp>

#include <string_view>

using namespace cep::literals;

struct audit {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    using match = int;
#else
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    using match = cep::prefix;
#endif
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

int main() {
    cep::heartbeat<cep::enzyme_registry<audit>> hb;
    hb.register_all();
    return hb.step() ? 0 : 1;
}
