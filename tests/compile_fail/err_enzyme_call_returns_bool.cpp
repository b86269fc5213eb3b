// expect: the enzyme's operator\(\) must return a cep::status \(cep::status::success, cep::status::retry, \.\.\.\), not another type
// expect-clang: enzyme_call_operator_does_not_return_status<resize>
// An enzyme whose call operator takes the right arguments but returns a bool: the diagnostic names the return
// type, not a missing method.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct resize {
    static constexpr cep::name name = "resize";
    static constexpr auto query = "/signals/image"_query;
#ifdef CEP_COMPILE_FAIL
    bool operator()(const cep::impulse_ref&, cep::write_context&) { return true; }
#else
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
#endif
};

static_assert(cep::enzyme_registry<resize>::ok);

int main() {}
