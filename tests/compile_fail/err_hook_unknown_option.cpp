// expect: cep::hook<Facet, Options...>: options are cep::kind<.*>, cep::uses_contract<.*>, cep::depends_on<.*> and cep::overwrite
// A hook option that is none of kind, uses_contract, depends_on, overwrite. (The static_assert is reached for a
// type with a foreign option_tag; a plain type without one fails earlier, with "no type named 'option_tag'":
// see docs/errors.md.)
#include <cep/build.hpp>

struct store_facet {};
struct cache_facet {};
struct foreign_option {
    using option_tag = int;
};

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">, foreign_option> bad{};
#else
    [[maybe_unused]] cep::hook<store_facet, cep::kind<"store">> good{};
#endif
}
