// expect: missing_facet_dependency<
// expect: cep::build: the build is not valid \(the errors above name the culprits\)
// A subsystem over an invalid plan (here a facet requires a kind no hook provides): the plan's own diagnostic
// names the culprit, then the subsystem's static_assert says the build is not valid.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
    constexpr cep::hook<store_facet, cep::kind<"store">, cep::depends_on<"cache">> use_store{};
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] auto bad = cep::build(use_store);
#else
    constexpr cep::hook<cache_facet, cep::kind<"cache">> use_cache{};
    [[maybe_unused]] auto good = cep::build(use_store, use_cache);
#endif
}
