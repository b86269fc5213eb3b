// expect: enzyme_query_is_not_a_query_literal<audit>
// An enzyme whose query is plain text, not a query literal ("..."_query).
#include <cep/dispatch.hpp>

#include <string_view>

using namespace cep::literals;

struct audit {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name name = "audit";
    static constexpr std::string_view query = "/signals/audit";
#else
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
#endif
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

int main() {
    cep::heartbeat<cep::enzyme_registry<audit>> hb;
    hb.register_all();
    return hb.step() ? 0 : 1;
}
