// expect: the kernel's queue part needs push\(queued_impulse\), pending\(beat\), take
// A swapped kernel part must also offer what the heartbeat calls on it (cep::kernel_queue here): the diagnostic
// lists those operations.
#include <cep/dispatch.hpp>
#include <cep/kernel.hpp>

#include <span>

using namespace cep::literals;

struct noop {
    static constexpr cep::name name = "noop";
    static constexpr auto query = "/signals/x"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

#ifdef CEP_COMPILE_FAIL
// Satisfies the queue contract (it is a beat_queue) but hides defer() behind a different signature.
struct my_queue : cep::beat_queue {
    void defer(int) {}
};
#else
struct my_queue : cep::beat_queue {};
#endif

struct my_kernel : cep::default_kernel {
    using queue = my_queue;
};

int main() {
    cep::heartbeat<cep::enzyme_registry<noop>, cep::bound_then_matched, my_kernel> hb;
    hb.register_all();
    return hb.enqueue("/signals/x"_path) && hb.step() ? 0 : 1;
}
