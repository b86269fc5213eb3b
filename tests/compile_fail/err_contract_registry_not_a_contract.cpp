// expect: contract_registry<...>: every argument must be a contract type \(cep::contract<...>\)
// A contract registry holds contract types only.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>

namespace m {
CEP_MEMBER(push);
}  // namespace m

struct queue_contract : cep::contract<"queue", cep::method<m::push, void(int)>> {};
struct not_a_contract {};

#ifdef CEP_COMPILE_FAIL
using registry = cep::contract_registry<queue_contract, not_a_contract>;
#else
using registry = cep::contract_registry<queue_contract>;
#endif

int main() { return registry::size == 0 ? 1 : 0; }
