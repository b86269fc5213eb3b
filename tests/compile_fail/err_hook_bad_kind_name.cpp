// expect: invalid name literal: a name may contain only ASCII letters, digits
// A kind (like uses_contract and depends_on) is a name: cep::name_constant checks it.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"my store">> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"my_store">> good{};
#endif
}
