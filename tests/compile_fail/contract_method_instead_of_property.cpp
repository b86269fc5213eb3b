// expect: missing_required_property<hierarchy_contract, m::children, bad_hierarchy>
// A member function where a property is required is a missing property.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

#include <memory>
#include <vector>

namespace m {
CEP_MEMBER(children);
}  // namespace m

struct hierarchy_contract : cep::contract<"hierarchy", cep::property<m::children>> {};

struct good_hierarchy {
    std::shared_ptr<std::vector<int>> children = std::make_shared<std::vector<int>>();
};
struct bad_hierarchy {  // children is a method
    std::vector<int> nodes;
    const std::vector<int>& children() const { return nodes; }
};

int main() {
    static_assert(cep::check_contract<hierarchy_contract, good_hierarchy>());
#ifdef CEP_COMPILE_FAIL
    static_assert(cep::check_contract<hierarchy_contract, bad_hierarchy>());
#endif
}
