// expect: enzyme_order_names_unregistered_enzyme<resize, ?thumbnail_cache ?>
// An enzyme's before/after names an enzyme type that the registry does not have.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct thumbnail_cache {
    static constexpr cep::name name = "thumbnail_cache";
    static constexpr auto query = "/signals/image"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct resize {
    static constexpr cep::name name = "resize";
    static constexpr auto query = "/signals/image"_query;
    using before = cep::enzymes<thumbnail_cache>;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<resize, thumbnail_cache>::ok);
#ifdef CEP_COMPILE_FAIL
static_assert(cep::enzyme_registry<resize>::ok);
#endif

int main() {}
