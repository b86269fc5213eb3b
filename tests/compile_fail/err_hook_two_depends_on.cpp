// expect: cep::hook<Facet, Options...>: list all dependencies in one cep::depends_on<...> option
// Dependencies go into one depends_on.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, cep::depends_on<"cache">, cep::depends_on<"log">> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, cep::depends_on<"cache", "log">> good{};
#endif
}
