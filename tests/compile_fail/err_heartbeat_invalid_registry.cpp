// expect: duplicate_enzyme_name<
// expect: cep::heartbeat: the enzyme registry is not valid \(see the errors above\)
// A heartbeat over a registry whose enzymes conform but do not fit together (here two share a name): the
// registry's own diagnostic, then the heartbeat's.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct audit_again {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name name = "audit";
#else
    static constexpr cep::name name = "audit_again";
#endif
    static constexpr auto query = "/signals/audit"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

int main() {
    cep::heartbeat<cep::enzyme_registry<audit, audit_again>> hb;
    hb.register_all();
    return hb.step() ? 0 : 1;
}
