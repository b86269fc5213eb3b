// expect: cep::enzyme_registry::index_of<E>\(\): E is not registered in this registry
// register_enzyme<E>(), bind<E>(), tombstone<E>(), unbind<E>() and enzyme<E>() take an enzyme of the heartbeat's
// registry only.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct archive {
    static constexpr cep::name name = "archive";
    static constexpr auto query = "/signals/archive"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

int main() {
    cep::heartbeat<cep::enzyme_registry<audit>> hb;
#ifdef CEP_COMPILE_FAIL
    hb.register_enzyme<archive>();
#else
    hb.register_enzyme<audit>();
#endif
    return hb.step() ? 0 : 1;
}
