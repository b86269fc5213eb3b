// expect: missing_required_method<router_contract, m::route, bad_router>
// A data member where a method is required is a missing method, even when it can be called like one.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

#include <cstddef>
#include <functional>
#include <string_view>

namespace m {
CEP_MEMBER(route);
}  // namespace m

struct router_contract : cep::contract<"router", cep::method<m::route, std::size_t(std::string_view)>> {};

struct good_router {
    std::size_t route(std::string_view signal) { return signal.size(); }
};
struct bad_router {  // route is a std::function member, not a member function
    std::function<std::size_t(std::string_view)> route = [](std::string_view signal) { return signal.size(); };
};

int main() {
    static_assert(cep::check_contract<router_contract, good_router>());
#ifdef CEP_COMPILE_FAIL
    static_assert(cep::check_contract<router_contract, bad_router>());
#endif
}
