// expect: missing_required_method<scheduler_contract, m::pause_processing, bad_scheduler>
// expect: missing_required_method<scheduler_contract, m::resume_processing, bad_scheduler>
// expect: missing_required_property<scheduler_contract, m::scheduler, bad_scheduler>
// Every missing member is reported, not only the first: two methods and a property here.
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>

#include <cstddef>

namespace m {
CEP_MEMBER(process);
CEP_MEMBER(pause_processing);
CEP_MEMBER(resume_processing);
CEP_MEMBER(scheduler);
}  // namespace m

struct scheduler_contract
    : cep::contract<"scheduler", cep::method<m::process, std::size_t(std::size_t)>,
                    cep::method<m::pause_processing, void()>, cep::method<m::resume_processing, void()>,
                    cep::property<m::scheduler>> {};

struct loop {};
struct good_scheduler {
    loop* scheduler = nullptr;
    bool paused = false;
    std::size_t process(std::size_t budget) { return paused ? 0 : budget; }
    void pause_processing() { paused = true; }
    void resume_processing() { paused = false; }
};
struct bad_scheduler {  // only process
    std::size_t process(std::size_t budget) { return budget; }
};

int main() {
    good_scheduler good;
    cep::enforce<scheduler_contract>(good);
#ifdef CEP_COMPILE_FAIL
    bad_scheduler bad;
    cep::enforce<scheduler_contract>(bad);
#endif
}
