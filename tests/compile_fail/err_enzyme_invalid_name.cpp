// expect: enzyme_name_is_not_a_valid_name<audit>
// expect: cep::enzyme_registry: every type must be an enzyme \(see above\)
// An enzyme whose name is plain text that breaks cep::name's rules (a cep::name member would not compile at all).
#include <cep/dispatch.hpp>

#include <string_view>

using namespace cep::literals;

struct audit {
#ifdef CEP_COMPILE_FAIL
    static constexpr std::string_view name = "audit log";
    static constexpr auto query = "/signals/audit"_query;
#else
    static constexpr std::string_view name = "audit_log";
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
