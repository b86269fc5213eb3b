// expect: cep::subsystem::get<.?"kind.?">\(\): this subsystem has no facet of that kind
// get<"kind">() names a kind the subsystem does not have.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};
constexpr cep::hook<store_facet, cep::kind<"store">> use_store{};
int main() {
#ifdef CEP_COMPILE_FAIL
    auto system = cep::build(use_store); [[maybe_unused]] auto& bad = system.get<"cache">();
#else
    auto system = cep::build(use_store); [[maybe_unused]] auto& good = system.get<"store">();
#endif
}
