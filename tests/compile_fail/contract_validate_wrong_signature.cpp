// expect: the contract declares validate\(\), but Contract::validate\(const Facet&\) cannot be called
// A validate() that cannot take a const Facet& is a mistake, reported at compile time rather than skipped.
#include <cep/contract/contract.hpp>

#include <stdexcept>

namespace m {
CEP_MEMBER(ping);
}

struct pinger {
    int ping() { return 1; }
};

struct checked : cep::contract<"checked", cep::method<m::ping, int()>> {
    static void validate(const pinger&) {}
};
#ifdef CEP_COMPILE_FAIL
struct mistyped : cep::contract<"mistyped", cep::method<m::ping, int()>> {
    static void validate(pinger&) { throw std::logic_error("never reached"); }
};
#endif

int main() {
    pinger p;
    cep::enforce<checked>(p);
#ifdef CEP_COMPILE_FAIL
    cep::enforce<mistyped>(p);
#endif
}
