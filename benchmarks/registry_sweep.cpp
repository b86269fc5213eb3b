// Registry size sweep: 16, 64, 256 and CEP_BENCH_SWEEP_MAX (1024) enzymes registered, 16 of them matching the
// impulses' signal and bound 4 per level on a 4-deep target chain (the others are for /signals/idle), every impulse
// a new (signal, target) pair: the cold-resolve cost should not grow with the registry. Then the same with the
// other enzymes also bound on the chain's root (they are gathered from the chain, then fail the signal match).
// Each group runs twice: with every new target kept by the path table, and with the targets below a transient
// root (the table stays small, so what is left is the resolve the sweep is about).
// The sizes' repetitions alternate (16, 64, 256, 1024, by hand, 16, ...), so a flatness ratio compares runs taken
// at the same time; run one after the other, the same size measured from 0.5x to 2x itself on this VM.
// The 1024-enzyme registry makes this the slowest benchmark to compile (about 45 s with g++ -O3, 1.3 GB).
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <string>
#include <vector>

#ifndef CEP_BENCH_SWEEP_MAX
#define CEP_BENCH_SWEEP_MAX 1024
#endif
static_assert(CEP_BENCH_SWEEP_MAX > 256, "the sweep's largest registry comes after 16, 64 and 256");

using namespace cep::literals;

namespace {

template <int... Is>
auto sweep_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<bench::work<Is, (Is < 16)>...>;
template <int Size>
using sweep_registry = decltype(sweep_of(std::make_integer_sequence<int, Size>{}));

constexpr std::size_t beats = 16;
constexpr double impulses = static_cast<double>(beats * bench::per_beat);
const cep::path signal = "/signals/tick"_path;

// One size's heartbeat, bound as above, with targets of its own (every impulse a pair it has not seen).
template <int Size>
struct sweep_case {
    using registry = sweep_registry<Size>;
    cep::heartbeat<registry> hb{cep::heartbeat_policy{.ensure_directories = false}};
    std::vector<cep::path> fresh;
    bench::beat_targets targets;
    std::vector<int> order;

    sweep_case(const cep::path& root, bool bind_idle, bool transient)
        : fresh(bench::numbered(root / "b" / "c" / "d", bench::fresh_needed(beats, bench::per_beat))),
          targets{&fresh, bench::per_beat, true} {
        hb.register_all();
        bench::bind_range(hb, root, 0, 4, registry::names);
        bench::bind_range(hb, root / "b", 4, 8, registry::names);
        bench::bind_range(hb, root / "b" / "c", 8, 12, registry::names);
        bench::bind_range(hb, root / "b" / "c" / "d", 12, 16, registry::names);
        if (bind_idle) bench::bind_range(hb, root, 16, registry::size, registry::names);
        if (transient) hb.make_transient_root(root / "b" / "c" / "d").value();
        order = bench::order_of(hb, signal, root / "b" / "c" / "d" / "probe", 16);
    }
    void rep() {
        for (std::size_t b = 0; b < beats; ++b) {
            const cep::path* first = targets.next();
            for (std::size_t i = 0; i < bench::per_beat; ++i) (void)hb.enqueue(signal, first[i]);
            hb.step();
        }
    }
};

void group(const cep::path& root, bool bind_idle, bool transient) {
    sweep_case<16> small(root, bind_idle, transient);
    sweep_case<64> mid(root, bind_idle, transient);
    sweep_case<256> large(root, bind_idle, transient);
    sweep_case<CEP_BENCH_SWEEP_MAX> largest(root, bind_idle, transient);
    // Baseline (b) over targets of its own, in the order cep resolved.
    const auto hand_targets = bench::numbered(root / "b" / "c" / "d", bench::fresh_needed(beats, bench::per_beat));
    bench::beat_targets hand_next{&hand_targets, bench::per_beat, true};
    bench::by_hand hand;
    hand.add_bodies(signal, small.order);
    auto hand_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            const cep::path* first = hand_next.next();
            for (std::size_t i = 0; i < bench::per_beat; ++i) hand.enqueue(signal, first[i]);
            hand.step();
        }
    };
    const auto figures = bench::alternate(
        impulses, [&] { small.rep(); }, [&] { mid.rep(); }, [&] { large.rep(); }, [&] { largest.rep(); }, hand_rep);
    const int sizes[] = {16, 64, 256, CEP_BENCH_SWEEP_MAX};
    const std::string what = std::string(bind_idle ? " registered+bound" : " registered");
    const std::string where = transient ? ", transient" : "";
    for (std::size_t k = 0; k < 4; ++k)
        bench::row("cold resolve, " + std::to_string(sizes[k]) + what + " (16 matched)" + where, figures[k],
                   "(b) map<string,function>", figures[4]);
    for (std::size_t k = 1; k < 4; ++k)
        bench::row("flatness: " + std::to_string(sizes[k]) + what + " vs 16" + where, figures[k], "cep, 16" + what,
                   figures[0]);
}

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    for (const bool transient : {false, true})
        for (const bool bind_idle : {false, true})
            group(cep::path(bind_idle ? "/bound" : "/a"), bind_idle, transient);
    return 0;
}
