// expect: Contract is not a contract type \(derive it from cep::contract<
// check_contract<C, F>() with a C that is not a contract (not derived from cep::contract<"name", ...>).
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

namespace m {
CEP_MEMBER(push);
}  // namespace m

struct queue_contract : cep::contract<"queue", cep::method<m::push, void(int)>> {};
struct not_a_contract {};
struct my_queue {
    void push(int) {}
};

#ifdef CEP_COMPILE_FAIL
static_assert(cep::check_contract<not_a_contract, my_queue>());
#else
static_assert(cep::check_contract<queue_contract, my_queue>());
#endif

int main() {}
