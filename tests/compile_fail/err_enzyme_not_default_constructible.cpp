// expect: enzyme_is_not_default_constructible<
// A heartbeat holds one instance of each enzyme type of its registry, built with E().
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct counter {
    static constexpr cep::name name = "counter";
    static constexpr auto query = "/signals/count"_query;
#ifdef CEP_COMPILE_FAIL
    explicit counter(int start) : seen(start) {}
#else
    counter() = default;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) {
        ++seen;
        return cep::status::success;
    }
    int seen = 0;
};

int main() {
    cep::heartbeat<cep::enzyme_registry<counter>> hb;
    hb.register_all();
    return hb.step() ? 0 : 1;
}
