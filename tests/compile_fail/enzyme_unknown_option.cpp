// expect: an option is a match policy \(cep::exact, cep::prefix, ...\), cep::runs_before<...>, cep::runs_after<...> or cep::with_flags<...>
// cep::enzyme<...> rejects an option it does not know (here a cep::enzymes<...> list written by mistake).
#include <cep/dispatch.hpp>

cep::status work(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
cep::status other(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }

using first = cep::enzyme<"first", "/signals/x", &work>;
#ifdef CEP_COMPILE_FAIL
using second = cep::enzyme<"second", "/signals/x", &other, cep::enzymes<first>>;
#else
using second = cep::enzyme<"second", "/signals/x", &other, cep::runs_after<first>>;
#endif

static_assert(cep::enzyme_registry<first, second>::ok);

int main() {}
