// expect: missing_required_method<
// A facet without a method its contract requires: the diagnostic names the contract, the member and the facet.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

#include <cstddef>

namespace m {
CEP_MEMBER(select_next_message);
CEP_MEMBER(pending);
}  // namespace m

struct queue_contract
    : cep::contract<"queue", cep::method<m::select_next_message, int()>, cep::property<m::pending>> {};

struct good_queue {
    std::size_t pending = 0;
    int select_next_message() { return 0; }
};
struct bad_queue {
    std::size_t pending = 0;
};

int main() {
    static_assert(cep::check_contract<queue_contract, good_queue>());
#ifdef CEP_COMPILE_FAIL
    static_assert(cep::check_contract<queue_contract, bad_queue>());
#endif
}
