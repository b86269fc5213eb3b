// expect: missing_required_property<queue_contract, m::queue_manager, bad_queue>
// A facet without a property its contract requires: the diagnostic names the contract, the property and the facet.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

#include <deque>
#include <memory>

namespace m {
CEP_MEMBER(enqueue);
CEP_MEMBER(queue_manager);
}  // namespace m

struct manager {};
struct queue_contract
    : cep::contract<"queue", cep::method<m::enqueue, void(int)>, cep::property<m::queue_manager>> {};

struct good_queue {
    std::shared_ptr<manager> queue_manager;
    std::deque<int> items;
    void enqueue(int i) { items.push_back(i); }
};
struct bad_queue {  // the manager is missing
    std::deque<int> items;
    void enqueue(int i) { items.push_back(i); }
};

int main() {
    static_assert(cep::check_contract<queue_contract, good_queue>());
#ifdef CEP_COMPILE_FAIL
    static_assert(cep::check_contract<queue_contract, bad_queue>());
#endif
}
