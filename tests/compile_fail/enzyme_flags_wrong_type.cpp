// expect: an enzyme's flags must be static constexpr cep::enzyme_flags flags
// Descriptor flags are a cep::enzyme_flags value, not a number.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct pay {
    static constexpr cep::name name = "pay";
    static constexpr auto query = "/signals/pay"_query;
#ifdef CEP_COMPILE_FAIL
    static constexpr int flags = 1;
#else
    static constexpr cep::enzyme_flags flags = cep::enzyme_flags::no_retry;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::check_enzyme<pay>());

int main() {}
