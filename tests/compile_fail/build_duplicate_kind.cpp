// expect: duplicate_facet_kind<cep::detail::kind_name<'q', 'u', 'e', 'u', 'e'>, ?first_queue, ?second_queue ?>
// expect: mark the later one cep::overwrite
// Two hooks of one kind: the second must say cep::overwrite.
#include <cep/build.hpp>

struct first_queue {};
struct second_queue {};

int main() {
    constexpr cep::hook<first_queue, cep::kind<"queue">> use_first{};
    constexpr cep::hook<second_queue, cep::kind<"queue">, cep::overwrite> use_replacement{};
    [[maybe_unused]] auto ok = cep::build(use_first, use_replacement);
#ifdef CEP_COMPILE_FAIL
    constexpr cep::hook<second_queue, cep::kind<"queue">> use_second{};
    [[maybe_unused]] auto bad = cep::build(use_first, use_second);
#endif
}
