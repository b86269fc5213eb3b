// expect: cep::subsystem::get<Facet>\(\): the subsystem must hold exactly one facet of this type
// get<Facet>() with a facet type that two kinds share (or none has): use get<"kind">().
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};
constexpr cep::hook<store_facet, cep::kind<"a">> use_a{};
constexpr cep::hook<store_facet, cep::kind<"b">> use_b{};
int main() {
#ifdef CEP_COMPILE_FAIL
    auto system = cep::build(use_a, use_b); [[maybe_unused]] auto& bad = system.get<store_facet>();
#else
    auto system = cep::build(use_a, use_b); [[maybe_unused]] auto& good = system.get<"b">();
#endif
}
