// expect: the enzyme's operator\(\) must return a cep::status
// expect: a required property is missing
// expect-clang: missing_required_property<cep::enzyme_properties_contract, cep::enzyme_members::query, crop>
// An enzyme with two faults, a call operator returning int and no query: the targeted diagnostic of the operator
// does not hide the missing property (every missing member is still named).
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct crop {
    static constexpr cep::name name = "crop";
#ifdef CEP_COMPILE_FAIL
    int operator()(const cep::impulse_ref&, cep::write_context&) { return 0; }
#else
    static constexpr auto query = "/signals/image"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
#endif
};

static_assert(cep::enzyme_registry<crop>::ok);

int main() {}
