// Instruction counts (scripts/instructions): baseline (a), the floor of the memo-hit rows: the same 4 bodies called
// directly, per impulse. Argument: the impulses (0: the setup alone).
#include "bench_util.hpp"

#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    const int impulses = argc > 1 ? std::atoi(argv[1]) : 512000;
    const std::vector<int> order{0, 1, 2, 3};
    for (int k = 0; k < impulses; ++k) bench::floor_impulse(order);
}
