// expect: cep::hook<Facet, Options...>: at most one cep::uses_contract<.*> option
// A hook names one contract at most.
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, cep::uses_contract<"queue">, cep::uses_contract<"router">> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, cep::uses_contract<"queue">> good{};
#endif
}
