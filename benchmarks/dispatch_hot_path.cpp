// The per-impulse hot path: enqueue + step of beats of impulses, in ns per impulse, against baselines run in the
// same process: (a) the floor, a hand-written loop calling the same enzyme bodies directly in the resolved order;
// (b) what users write by hand, an unordered_map<string, vector<function>> keyed by signal text with a per-beat
// vector queue. Scenarios: memo hit with 4 enzymes per impulse (ledger off, ledger on), and a cold resolve for
// every impulse (distinct targets, 16 enzymes registered, bindings on a 4-deep chain).
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

using namespace cep::literals;

namespace {

volatile std::uint64_t sink;  // what every enzyme body does: one volatile add

template <int I>
struct work {
    static constexpr cep::fixed_string<3> label = [] {
        cep::fixed_string<3> s{};
        s.chars[0] = 'w';
        s.chars[1] = static_cast<char>('0' + I / 10);
        s.chars[2] = static_cast<char>('0' + I % 10);
        return s;
    }();
    static constexpr cep::name name = label;
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        sink = sink + I;
        return cep::status::success;
    }
};

template <int... Is>
auto registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<work<Is>...>;
using four = decltype(registry_of(std::make_integer_sequence<int, 4>{}));
using sixteen = decltype(registry_of(std::make_integer_sequence<int, 16>{}));

int direct(int i) {
    sink = sink + static_cast<std::uint64_t>(i);
    return 0;
}

constexpr std::size_t per_beat = 256;

template <class Registry>
void bind_all(cep::heartbeat<Registry>& hb, const cep::path& at) {
    for (auto name : Registry::names) hb.bind(at, name, cep::propagate).value();
}

}  // namespace

int main() {
    const cep::path signal = "/signals/tick"_path;
    std::vector<cep::path> targets;
    for (std::size_t i = 0; i < 64; ++i) targets.push_back(cep::path("/env/fs/projects") / ("p" + std::to_string(i)));

    // ---- memo hit, 4 enzymes, ledger off / on ----
    auto memo_hit = [&](bool ledger) {
        cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = ledger});
        hb.register_all();
        bind_all(hb, cep::path("/env"));
        for (int warm = 0; warm < 4; ++warm) {
            for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal, targets[i % targets.size()]);
            hb.step();
        }
        return bench::measure(ledger ? 8 : 64, 9, [&](std::size_t beats) {
                   for (std::size_t b = 0; b < beats; ++b) {
                       for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal, targets[i % targets.size()]);
                       hb.step();
                   }
               });
    };
    auto per_impulse = [](bench::figure f) {
        return bench::figure{f.median_ns / per_beat, f.min_ns / per_beat, f.max_ns / per_beat};
    };
    const auto cep_off = per_impulse(memo_hit(false));
    const auto cep_on = per_impulse(memo_hit(true));

    // The same with ids interned once (what a hot producer does).
    bench::figure cep_ids{};
    {
        cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = false});
        hb.register_all();
        bind_all(hb, cep::path("/env"));
        const auto signal_id = hb.tree().paths().intern(signal);
        std::vector<cep::path_id> target_ids;
        for (const auto& t : targets) target_ids.push_back(hb.tree().paths().intern(t));
        for (int warm = 0; warm < 4; ++warm) {
            for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal_id, target_ids[i % target_ids.size()]);
            hb.step();
        }
        cep_ids = per_impulse(bench::measure(64, 9, [&](std::size_t beats) {
            for (std::size_t b = 0; b < beats; ++b) {
                for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal_id, target_ids[i % target_ids.size()]);
                hb.step();
            }
        }));
    }

    // (a) the floor: the same four bodies called directly, per impulse.
    const auto floor = per_impulse(bench::measure(64, 9, [&](std::size_t beats) {
        for (std::size_t b = 0; b < beats; ++b)
            for (std::size_t i = 0; i < per_beat; ++i) {
                direct(0);
                direct(1);
                direct(2);
                direct(3);
            }
    }));

    // (b) by hand: signal text -> vector of std::function, a per-beat queue of (signal, target) strings.
    std::unordered_map<std::string, std::vector<std::function<int(const std::string&, const std::string&)>>> table;
    for (int i = 0; i < 4; ++i) table[signal.str()].push_back([i](const std::string&, const std::string&) {
        return direct(i);
    });
    std::vector<std::pair<std::string, std::string>> queue;
    const auto by_hand = per_impulse(bench::measure(64, 9, [&](std::size_t beats) {
        for (std::size_t b = 0; b < beats; ++b) {
            for (std::size_t i = 0; i < per_beat; ++i)
                queue.emplace_back(signal.str(), targets[i % targets.size()].str());
            for (const auto& [s, t] : queue) {
                const auto it = table.find(s);
                if (it != table.end())
                    for (const auto& f : it->second) f(s, t);
            }
            queue.clear();
        }
    }));

    // ---- cold resolve: every impulse a new (signal, target) pair; 16 enzymes, bindings 4 deep ----
    cep::heartbeat<sixteen> cold(cep::heartbeat_policy{.ensure_directories = false});
    cold.register_all();
    bind_all(cold, cep::path("/a"));
    bind_all(cold, cep::path("/a/b"));
    bind_all(cold, cep::path("/a/b/c"));
    bind_all(cold, cep::path("/a/b/c/d"));
    std::vector<cep::path> fresh;
    constexpr std::size_t cold_impulses = 1 << 14;
    for (std::size_t i = 0; i < cold_impulses * 10; ++i) fresh.push_back(cep::path("/a/b/c/d") / std::to_string(i));
    std::size_t next = 0;
    const auto cep_cold = bench::measure(per_beat, 9, [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) (void)cold.enqueue(signal, fresh[next++ % fresh.size()]);
        cold.step();
    });
    const auto cep_cold_per = cep_cold;  // measure() already divides by the impulses of the beat
    table[signal.str()].clear();
    for (int i = 0; i < 16; ++i) table[signal.str()].push_back([i](const std::string&, const std::string&) {
        return direct(i);
    });
    const auto by_hand_16 = per_impulse(bench::measure(16, 9, [&](std::size_t beats) {
        for (std::size_t b = 0; b < beats; ++b) {
            for (std::size_t i = 0; i < per_beat; ++i) queue.emplace_back(signal.str(), fresh[i].str());
            for (const auto& [s, t] : queue) {
                const auto it = table.find(s);
                if (it != table.end())
                    for (const auto& f : it->second) f(s, t);
            }
            queue.clear();
        }
    }));

    std::printf("cep dispatch hot path (ns per impulse, median of 9; ratio = cep / baseline)\n");
    bench::row("memo hit, 4 enzymes, ledger off", cep_off, "(a) direct calls (floor)", floor);
    bench::row("memo hit, 4 enzymes, ledger off", cep_off, "(b) map<string,function>", by_hand);
    bench::row("memo hit, ids interned once", cep_ids, "(a) direct calls (floor)", floor);
    bench::row("memo hit, ids interned once", cep_ids, "(b) map<string,function>", by_hand);
    bench::row("memo hit, 4 enzymes, ledger on", cep_on, "same, ledger off", cep_off);
    bench::row("cold resolve, 16 enzymes, 4-deep", cep_cold_per, "(b) map<string,function>", by_hand_16);
    return 0;
}
