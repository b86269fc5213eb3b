// expect: missing_required_method<cep::queue_contract, cep::members::select_next_message
// A swapped kernel part is checked against its default contract: the diagnostic names the contract and the
// missing member.
#include <cep/dispatch.hpp>
#include <cep/kernel.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

using namespace cep::literals;

struct noop {
    static constexpr cep::name name = "noop";
    static constexpr auto query = "/signals/x"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

// A queue that forgot one method of the queue contract.
struct my_queue {
    cep::beat_queue storage;  // does the work
    void push(const cep::queued_impulse& item) { storage.push(item); }
    [[nodiscard]] std::size_t pending(cep::beat_number at) const { return storage.pending(at); }
    void take(cep::beat_number at, std::vector<cep::queued_impulse>& out) { storage.take(at, out); }
    void defer(cep::beat_number at, std::span<const cep::queued_impulse> items) { storage.defer(at, items); }
    void advance() { storage.advance(); }
#ifndef CEP_COMPILE_FAIL
    std::optional<cep::impulse> select_next_message() { return storage.select_next_message(); }
#endif
    [[nodiscard]] bool has_messages_to_process() const { return storage.has_messages_to_process(); }
    [[nodiscard]] cep::queue_status get_queue_status() const { return storage.get_queue_status(); }
    cep::beat_queue* queue_manager = &storage;
    cep::beat_queue* queue = &storage;
};

struct my_kernel : cep::default_kernel {
    using queue = my_queue;
};

int main() {
    cep::heartbeat<cep::enzyme_registry<noop>, cep::bound_then_matched, my_kernel> hb;
    hb.register_all();
    return hb.enqueue("/signals/x"_path) && hb.step() ? 0 : 1;
}
