// expect: enzyme_order_is_not_an_enzymes_list<audit, int>
// An enzyme whose before (or after) is not cep::enzymes<...>.
#include <cep/dispatch.hpp>

#include <string_view>

using namespace cep::literals;

struct audit {
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    using before = int;
#else
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/audit"_query;
    using before = cep::enzymes<>;
#endif
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

int main() {
    cep::heartbeat<cep::enzyme_registry<audit>> hb;
    hb.register_all();
    return hb.step() ? 0 : 1;
}
