// Instruction counts (scripts/instructions): the memo-hit beats of bench_dispatch_hot_path, alone. 4 enzymes bound
// on /env, 256 targets seen before, `beats` beats. Arguments: path|ids, then the beats (0: the setup alone), then
// `ledger` for the same beats with the ledger on, or `span` for each beat's ids enqueued as one span.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

using namespace cep::literals;

template <int... Is>
auto registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<bench::work<Is>...>;
using four = decltype(registry_of(std::make_integer_sequence<int, 4>{}));

int main(int argc, char** argv) {
    const bool by_ids = argc > 1 && std::string_view(argv[1]) == "ids";
    const int beats = argc > 2 ? std::atoi(argv[2]) : 2000;
    const bool ledger = argc > 3 && std::string_view(argv[3]) == "ledger";
    const bool as_span = argc > 3 && std::string_view(argv[3]) == "span";
    cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = ledger});
    hb.register_all();
    bench::bind_range(hb, "/env"_path, 0, 4, four::names);
    const cep::path signal = "/signals/tick"_path;
    const auto targets = bench::numbered("/env/fs/projects"_path, 256);
    std::vector<cep::path_id> target_ids;
    for (const auto& t : targets) target_ids.push_back(hb.tree().paths().intern(t));
    const auto signal_id = hb.tree().paths().intern(signal);
    for (int b = 0; b < beats; ++b) {
        if (as_span) {
            (void)hb.enqueue(signal_id, std::span<const cep::path_id>(target_ids));
        } else if (by_ids) {
            for (const auto t : target_ids) (void)hb.enqueue(signal_id, t);
        } else {
            for (const auto& t : targets) (void)hb.enqueue(signal, t);
        }
        hb.step();
    }
}
