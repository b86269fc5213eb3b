// expect: facet_dependency_cycle<cep::detail::kind_name<'a'>, cep::detail::kind_name<'b'>, cep::detail::kind_name<'c'>, cep::detail::kind_name<'a'> ?>
// expect: the facets' dependencies form a cycle
// A dependency cycle is reported as its path: a requires b, b requires c, c requires a. The facet d, which depends
// on the cycle without being on it, is not part of the path.
#include <cep/build.hpp>

struct fa {};
struct fb {};
struct fc {};
struct fd {};

int main() {
    constexpr cep::hook<fd, cep::kind<"d">, cep::depends_on<"a">> use_d{};
    constexpr cep::hook<fa, cep::kind<"a">, cep::depends_on<"b">> use_a{};
    constexpr cep::hook<fb, cep::kind<"b">, cep::depends_on<"c">> use_b{};
    constexpr cep::hook<fc, cep::kind<"c">> use_c{};
    [[maybe_unused]] auto ok = cep::build(use_d, use_a, use_b, use_c);
#ifdef CEP_COMPILE_FAIL
    constexpr cep::hook<fc, cep::kind<"c">, cep::depends_on<"a">> use_c_back{};
    [[maybe_unused]] auto bad = cep::build(use_d, use_a, use_b, use_c_back);
#endif
}
