// expect: the enzyme's operator\(\) takes a cep::read_context, but its access is read_write \(the default\): declare static constexpr cep::access access = cep::access::read_only;
// expect-clang: enzyme_takes_read_context_but_access_is_read_write<audit>
// An enzyme whose call operator takes a read context but that does not declare read-only access: the diagnostic
// names the missing declaration, not a missing method.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals"_query;
#ifndef CEP_COMPILE_FAIL
    static constexpr cep::access access = cep::access::read_only;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<audit>::ok);

int main() {}
