// expect: invalid path/query literal: '\*' must be a whole segment
// An enzyme's query literal is checked like any other.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct resize {
    static constexpr cep::name name = "resize";
#ifdef CEP_COMPILE_FAIL
    static constexpr auto query = "/signals/image*"_query;
#else
    static constexpr auto query = "/signals/image/*"_query;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<resize>::ok);

int main() {}
