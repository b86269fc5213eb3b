// expect: missing_required_method<cep::processor_contract, cep::members::process_immediately, cep::facet_of<cep::detail::kind_name<'p', 'r', 'o', 'c', 'e', 's', 's', 'o', 'r'>, ?lazy_processor ?>
// expect: missing_required_method<cep::processor_contract, cep::members::process_tick, cep::facet_of<
// In a build, contract diagnostics name the facet's kind and type; every missing member is reported.
#include <cep/build.hpp>

struct processor {
    bool accept(const cep::impulse&) { return true; }
    cep::status process_message(const cep::impulse&) { return cep::status::success; }
    std::size_t process_tick() { return 0; }
    cep::status process_immediately(const cep::impulse&) { return cep::status::success; }
};
struct lazy_processor {
    bool accept(const cep::impulse&) { return true; }
    cep::status process_message(const cep::impulse&) { return cep::status::success; }
};

int main() {
    constexpr cep::hook<processor, cep::kind<"processor">, cep::uses_contract<"processor">> use_processor{};
    [[maybe_unused]] auto ok = cep::build(use_processor);
#ifdef CEP_COMPILE_FAIL
    constexpr cep::hook<lazy_processor, cep::kind<"processor">, cep::uses_contract<"processor">> use_lazy{};
    [[maybe_unused]] auto bad = cep::build(use_lazy);
#endif
}
