// expect: enzyme_order_cycle<cep::detail::kind_name<'r', 'e', 's', 'i', 'z', 'e'>, cep::detail::kind_name<'t', 'a', 'g'>, cep::detail::kind_name<'s', 't', 'o', 'r', 'e'>, cep::detail::kind_name<'r', 'e', 's', 'i', 'z', 'e'> ?>
// expect: constraints form a cycle
// before/after constraints that form a cycle are reported as the cycle's path: resize runs before tag, tag before
// store, and store (through its after list) would have to run before resize.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct tag;
struct store;

struct resize {
    static constexpr cep::name name = "resize";
    static constexpr auto query = "/signals/image"_query;
    using before = cep::enzymes<tag>;
#ifdef CEP_COMPILE_FAIL
    using after = cep::enzymes<store>;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct tag {
    static constexpr cep::name name = "tag";
    static constexpr auto query = "/signals/image"_query;
    using before = cep::enzymes<store>;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct store {
    static constexpr cep::name name = "store";
    static constexpr auto query = "/signals/image"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<resize, tag, store>::ok);

int main() {}
