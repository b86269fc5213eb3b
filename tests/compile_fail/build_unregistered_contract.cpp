// expect: facet_contract_not_registered<cep::detail::kind_name<'w', 'o', 'r', 'k', 'e', 'r'>, cep::detail::kind_name<'w', 'o', 'r', 'k'>, ?worker ?>
// A hook names a contract that the build's registry does not have (the default registry has router, queue,
// processor, listeners, hierarchy and scheduler).
#include <cep/build.hpp>

struct worker {};

int main() {
    constexpr cep::hook<worker, cep::kind<"worker">> use_worker{};
    [[maybe_unused]] auto ok = cep::build(use_worker);
#ifdef CEP_COMPILE_FAIL
    constexpr cep::hook<worker, cep::kind<"worker">, cep::uses_contract<"work">> use_contracted{};
    [[maybe_unused]] auto bad = cep::build(use_contracted);
#endif
}
