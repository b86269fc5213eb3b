// expect: missing_required_property<cep::enzyme_contract<cep::access::read_write>, cep::enzyme_members::query, ?forgetful ?>
// expect: missing_required_method<cep::enzyme_contract<cep::access::read_write>, cep::enzyme_members::call_operator, ?forgetful ?>
// A type registered as an enzyme without a query and without a call operator: both are named.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct complete {
    static constexpr cep::name name = "complete";
    static constexpr auto query = "/signals/x"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct forgetful {
    static constexpr cep::name name = "forgetful";
};

static_assert(cep::enzyme_registry<complete>::ok);
#ifdef CEP_COMPILE_FAIL
static_assert(cep::enzyme_registry<complete, forgetful>::ok);
#endif

int main() {}
