// expect: cep::hook<Facet, Options...>: a hook needs exactly one cep::kind<.*> option
// A hook without a kind (or with two).
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<store_facet, cep::overwrite> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, cep::overwrite> good{};
#endif
}
