// expect: declared_read_write
// A read-only enzyme's context has no mutating operations: a write does not compile.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct inspect {
    static constexpr cep::name name = "inspect";
    static constexpr auto query = "/signals/image"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context& ctx) {
        const bool seen = ctx.find("/data/assets"_path).has_value();
#ifdef CEP_COMPILE_FAIL
        (void)ctx.put_text("/data/assets/seen"_path, "yes");
#endif
        return seen ? cep::status::success : cep::status::retry;
    }
};

static_assert(cep::enzyme_registry<inspect>::ok);

int main() {}
