// expect-gcc: use of deleted function .*cep::context<Access>::operator=.*Access = cep::access::read_only
// expect-clang: overload resolution selected deleted operator '='
// Every invocation of a beat gets the same context object: an enzyme may copy it, not repoint it for the others.
#include <cep/dispatch.hpp>

using namespace cep::literals;

struct inspect {
    static constexpr cep::name name = "inspect";
    static constexpr auto query = "/signals/image"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::read_context* other = nullptr;
    cep::status operator()(const cep::impulse_ref&, cep::read_context& ctx) {
        cep::read_context copy = ctx;  // copying is fine
#ifdef CEP_COMPILE_FAIL
        if (other != nullptr) ctx = *other;
#endif
        return copy.find("/data/assets"_path) ? cep::status::success : cep::status::retry;
    }
};

static_assert(cep::enzyme_registry<inspect>::ok);

int main() {}
