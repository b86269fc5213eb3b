// expect: the kernel's scheduler part needs admit\(std::size_t\), plan_retry\(attempts, beat\)
// A swapped kernel part must offer what the heartbeat calls on it (cep::kernel_scheduler): the diagnostic lists those
// operations. Here the scheduler part hides one of them behind another signature.
#include <cep/dispatch.hpp>
#include <cep/kernel.hpp>

using namespace cep::literals;

struct noop {
    static constexpr cep::name name = "noop";
    static constexpr auto query = "/signals/x"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

#ifdef CEP_COMPILE_FAIL
struct my_part : cep::beat_scheduler {
    void configure_retry(int) {}
};
#else
struct my_part : cep::beat_scheduler {};
#endif

struct my_kernel : cep::default_kernel {
    using scheduler = my_part;
};

int main() {
    cep::heartbeat<cep::enzyme_registry<noop>, cep::bound_then_matched, my_kernel> hb;
    hb.register_all();
    return hb.enqueue("/signals/x"_path) && hb.step() ? 0 : 1;
}
