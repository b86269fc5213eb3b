// expect: duplicate_enzyme_name<cep::detail::kind_name<'a', 'u', 'd', 'i', 't'>, ?audit, ?audit_again ?>
// Two enzymes of one registry with the same name.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct audit_again {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals/db"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct audit_db {
    static constexpr cep::name name = "audit_db";
    static constexpr auto query = "/signals/db"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<audit, audit_db>::ok);
#ifdef CEP_COMPILE_FAIL
static_assert(cep::enzyme_registry<audit, audit_again>::ok);
#endif

int main() {}
