// Path depth sweep: targets 2, 8 and 32 segments deep, 4 enzymes bound on the first segment, for memo hits (the
// same 256 pairs every beat) and cold resolves (every impulse a new pair), in ns per impulse against the floor and
// the by-hand dispatcher fed the same paths. Enqueueing by path text hashes the whole target, and a cold resolve
// walks its ancestor chain, so both grow with depth; the baselines only hash the signal.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <string>
#include <vector>

using namespace cep::literals;

namespace {

template <int... Is>
auto registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<bench::work<Is>...>;
using four = decltype(registry_of(std::make_integer_sequence<int, 4>{}));

// /s1/s2/.../s<depth - 1>: the parent of the targets, which are one segment deeper.
cep::path parent_of_depth(std::size_t depth) {
    cep::path p("/s1");
    for (std::size_t d = 2; d < depth; ++d) p = p / ("s" + std::to_string(d));
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    const cep::path signal = "/signals/tick"_path;
    constexpr std::size_t beats = 8;
    for (const std::size_t depth : {std::size_t{2}, std::size_t{8}, std::size_t{32}}) {
        const cep::path parent = parent_of_depth(depth);
        const auto hot_targets = bench::numbered(parent, bench::per_beat);
        const auto fresh = bench::numbered(parent / "fresh", bench::fresh_needed(beats, bench::per_beat));
        cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = false});
        hb.register_all();
        bench::bind_range(hb, "/s1"_path, 0, 4, four::names);
        const auto order = bench::order_of(hb, signal, hot_targets[0], 4);
        const auto enqueue = [&](const cep::path* t) { (void)hb.enqueue(signal, *t); };
        const std::string label = "depth " + std::to_string(depth);

        bench::beat_targets hot{&hot_targets, bench::per_beat, false};
        const auto memo = bench::run(hb, enqueue, signal, hot, hot, beats * 8, order);
        bench::row(label + ", memo hit, 4 enzymes", memo.cep, "(a) direct calls (floor)", memo.floor);
        bench::row(label + ", memo hit, 4 enzymes", memo.cep, "(b) map<string,function>", memo.by_hand);

        bench::beat_targets cold{&fresh, bench::per_beat, true};
        const auto miss = bench::run(hb, enqueue, signal, cold, bench::beat_targets{&fresh, bench::per_beat, true},
                                     beats, order);
        bench::row(label + ", cold resolve, 4 enzymes", miss.cep, "(a) direct calls (floor)", miss.floor);
        bench::row(label + ", cold resolve, 4 enzymes", miss.cep, "(b) map<string,function>", miss.by_hand);
    }
    return 0;
}
