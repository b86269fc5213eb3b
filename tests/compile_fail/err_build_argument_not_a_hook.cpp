// expect: cep::build: every argument must be a cep::hook<Facet, Options...>
// cep::build_plan takes hooks only.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
#ifdef CEP_COMPILE_FAIL
    using bad = cep::build_plan<cep::default_contract_registry, cep::hook<store_facet, cep::kind<"store">>, cache_facet>; static_assert(bad::hook_count == 2);
#else
    using good = cep::build_plan<cep::default_contract_registry, cep::hook<store_facet, cep::kind<"store">>>; static_assert(good::hook_count == 1);
#endif
}
