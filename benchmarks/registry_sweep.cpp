// Registry size sweep: 16, 64, 256 and CEP_BENCH_SWEEP_MAX (1024) enzymes registered, 16 of them matching the
// impulses' signal and bound 4 per level on a 4-deep target chain (the others are for /signals/idle), every impulse
// a new (signal, target) pair: the cold-resolve cost should not grow with the registry. Then the same with the
// other enzymes also bound on the chain's root (they are gathered from the chain, then fail the signal match).
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

template <int Size>
bench::figure sweep(const cep::path& root, bool bind_idle, bench::figure* by_hand) {
    using registry = sweep_registry<Size>;
    const cep::path signal = "/signals/tick"_path;
    const auto fresh = bench::numbered(root / "b" / "c" / "d", bench::fresh_needed(beats, bench::per_beat));
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    bench::bind_range(hb, root, 0, 4, registry::names);
    bench::bind_range(hb, root / "b", 4, 8, registry::names);
    bench::bind_range(hb, root / "b" / "c", 8, 12, registry::names);
    bench::bind_range(hb, root / "b" / "c" / "d", 12, 16, registry::names);
    if (bind_idle) bench::bind_range(hb, root, 16, registry::size, registry::names);
    const auto order = bench::order_of(hb, signal, root / "b" / "c" / "d" / "probe", 16);
    bench::beat_targets cold{&fresh, bench::per_beat, true};
    const auto r = bench::run(hb, [&](const cep::path* t) { (void)hb.enqueue(signal, *t); }, signal, cold,
                              bench::beat_targets{&fresh, bench::per_beat, true}, beats, order);
    const std::string label = "cold resolve, " + std::to_string(Size) + (bind_idle ? " registered+bound" : " registered") +
                              " (16 matched)";
    bench::row(label, r.cep, "(b) map<string,function>", r.by_hand);
    if (by_hand) *by_hand = r.by_hand;
    return r.cep;
}

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    for (const bool bind_idle : {false, true}) {
        const cep::path root(bind_idle ? "/bound" : "/a");
        const auto small = sweep<16>(root, bind_idle, nullptr);
        const auto mid = sweep<64>(root, bind_idle, nullptr);
        const auto large = sweep<256>(root, bind_idle, nullptr);
        const auto largest = sweep<CEP_BENCH_SWEEP_MAX>(root, bind_idle, nullptr);
        const std::string what = bind_idle ? " registered+bound" : " registered";
        bench::row("flatness: 64" + what + " vs 16", mid, "cep, 16" + what, small);
        bench::row("flatness: 256" + what + " vs 16", large, "cep, 16" + what, small);
        bench::row("flatness: " + std::to_string(CEP_BENCH_SWEEP_MAX) + what + " vs 16", largest, "cep, 16" + what,
                   small);
    }
    return 0;
}
