// expect: contract_not_registered<cep::detail::kind_name<'n', 'o', 'p', 'e'>, cep::contract_registry<
// Looking up a contract name that no contract in the registry has does not compile; the name is spelled out.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>

#include <type_traits>

namespace m {
CEP_MEMBER(enqueue);
CEP_MEMBER(process_tick);
}  // namespace m

struct queue_contract : cep::contract<"queue", cep::method<m::enqueue, void(int)>> {};
struct processor_contract : cep::contract<"processor", cep::method<m::process_tick, int()>> {};
using registry = cep::contract_registry<queue_contract, processor_contract>;

int main() {
    static_assert(std::is_same_v<registry::find<"queue">, queue_contract>);
#ifdef CEP_COMPILE_FAIL
    using missing = registry::find<"nope">;
    static_assert(!std::is_void_v<missing>);
#endif
}
