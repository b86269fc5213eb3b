// expect: cep::hook<Facet, Options...>: the facet type must be default-constructible
// A facet is default-constructed by the subsystem; wire facets together in init().
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};
struct needs_cache {
    explicit needs_cache(cache_facet&) {}
};
int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<needs_cache, cep::kind<"store">> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">> good{};
#endif
}
