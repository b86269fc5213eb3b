// expect: duplicate_contract_name<cep::detail::kind_name<'q', 'u', 'e', 'u', 'e'>, queue_contract, other_queue_contract>
// Two contracts with the same name in one registry do not compile; the diagnostic names the name and both types.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>

namespace m {
CEP_MEMBER(enqueue);
CEP_MEMBER(push);
}  // namespace m

struct queue_contract : cep::contract<"queue", cep::method<m::enqueue, void(int)>> {};
struct other_queue_contract : cep::contract<"queue", cep::method<m::push, void(int)>> {};
struct stack_contract : cep::contract<"stack", cep::method<m::push, void(int)>> {};

int main() {
    static_assert(cep::contract_registry<queue_contract, stack_contract>::size == 2);
#ifdef CEP_COMPILE_FAIL
    static_assert(cep::contract_registry<queue_contract, other_queue_contract>::size == 2);
#endif
}
