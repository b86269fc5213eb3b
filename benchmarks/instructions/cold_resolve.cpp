// Instruction counts (scripts/instructions): the cold-resolve beats of bench_dispatch_hot_path, alone. 16 enzymes,
// 4 bound at each of /a, /a/b, /a/b/c, /a/b/c/d; every impulse a new target below /a/b/c/d. Arguments: path (the
// table keeps every target), transient (/a/b/c/d a transient root) or ids (the targets interned before the
// beats), then the beats (256 impulses each), then "setup" to stop before the beats.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <cstdlib>
#include <string_view>
#include <vector>

using namespace cep::literals;

template <int... Is>
auto registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<bench::work<Is>...>;
using sixteen = decltype(registry_of(std::make_integer_sequence<int, 16>{}));

int main(int argc, char** argv) {
    const std::string_view mode = argc > 1 ? argv[1] : "transient";
    const int beats = argc > 2 ? std::atoi(argv[2]) : 200;
    const bool setup_only = argc > 3 && std::string_view(argv[3]) == "setup";
    cep::heartbeat<sixteen> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    bench::bind_range(hb, "/a"_path, 0, 4, sixteen::names);
    bench::bind_range(hb, "/a/b"_path, 4, 8, sixteen::names);
    bench::bind_range(hb, "/a/b/c"_path, 8, 12, sixteen::names);
    bench::bind_range(hb, "/a/b/c/d"_path, 12, 16, sixteen::names);
    if (mode == "transient") hb.make_transient_root("/a/b/c/d"_path).value();
    const cep::path signal = "/signals/tick"_path;
    const auto targets = bench::numbered("/a/b/c/d"_path, 256 * static_cast<std::size_t>(beats));
    std::vector<cep::path_id> target_ids;
    if (mode == "ids")
        for (const auto& t : targets) target_ids.push_back(hb.tree().paths().intern(t));
    const auto signal_id = hb.tree().paths().intern(signal);
    if (setup_only) return 0;
    std::size_t k = 0;
    for (int b = 0; b < beats; ++b) {
        for (int i = 0; i < 256; ++i, ++k) {
            if (mode == "ids")
                (void)hb.enqueue(signal_id, target_ids[k]);
            else
                (void)hb.enqueue(signal, targets[k]);
        }
        hb.step();
    }
}
