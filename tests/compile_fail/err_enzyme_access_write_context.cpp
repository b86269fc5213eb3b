// expect: the enzyme declares access read_only, but its operator\(\) takes a cep::write_context: take a cep::read_context
// expect-clang: enzyme_takes_write_context_but_access_is_read_only<thumbnail>
// An enzyme that declares read-only access but whose call operator takes a write context: the diagnostic names the
// conflict, not a missing method.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct thumbnail {
    static constexpr cep::name name = "thumbnail";
    static constexpr auto query = "/signals/image"_query;
#ifdef CEP_COMPILE_FAIL
    static constexpr cep::access access = cep::access::read_only;
#endif
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};

static_assert(cep::enzyme_registry<thumbnail>::ok);

int main() {}
