// Instruction counts (scripts/instructions): baseline (b) of the cold-resolve rows, alone: the same 16 bodies in a
// map<string, vector<function>> keyed by the signal's text, every impulse a new target. Arguments: the beats (256
// impulses each), then "setup" to stop before the beats.
#include "bench_util.hpp"

#include <cstdlib>
#include <string_view>
#include <vector>

using namespace cep::literals;

int main(int argc, char** argv) {
    const int beats = argc > 1 ? std::atoi(argv[1]) : 200;
    const bool setup_only = argc > 2 && std::string_view(argv[2]) == "setup";
    bench::by_hand hand;
    const cep::path signal = "/signals/tick"_path;
    std::vector<int> order;
    for (int i = 0; i < 16; ++i) order.push_back(i);
    hand.add_bodies(signal, order);
    const auto targets = bench::numbered("/a/b/c/d"_path, 256 * static_cast<std::size_t>(beats));
    if (setup_only) return 0;
    std::size_t k = 0;
    for (int b = 0; b < beats; ++b) {
        for (int i = 0; i < 256; ++i, ++k) hand.enqueue(signal, targets[k]);
        hand.step();
    }
}
