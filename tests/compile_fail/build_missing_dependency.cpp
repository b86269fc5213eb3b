// expect: missing_facet_dependency<cep::detail::kind_name<'p', 'r', 'o', 'c', 'e', 's', 's', 'o', 'r'>, cep::detail::kind_name<'q', 'u', 'e', 'u', 'e'>, ?processor_facet ?>
// A facet requires a kind that no hook provides.
#include <cep/build.hpp>

struct processor_facet {};
struct queue_facet {};

int main() {
    constexpr cep::hook<processor_facet, cep::kind<"processor">, cep::depends_on<"queue">> use_processor{};
    constexpr cep::hook<queue_facet, cep::kind<"queue">> use_queue{};
    [[maybe_unused]] auto ok = cep::build(use_processor, use_queue);
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] auto bad = cep::build(use_processor);
#endif
}
