// The per-impulse hot path: enqueue + step of beats of impulses, in ns per impulse, against the baselines run in
// the same process on the same work: (a) the floor, the same enzyme bodies called directly in the resolved order;
// (b) by hand, an unordered_map<string, vector<std::function>> keyed by signal text with a per-beat vector queue.
// Every impulse of a beat is a distinct (signal, target) pair, since cep runs each pair's agenda at most once per
// beat: repeated pairs would let cep skip work the baselines do.
//
// Scenarios: memo hit with 4 enzymes (ledger off; ids interned once, also phase by phase; ledger on), cold
// resolve with 16 enzymes bound on a 4-deep target chain (without and with a before/after chain among them; by
// path, with the targets interned ahead, and by path below a transient root, with the path ids each heartbeat
// holds at the end), a retry-heavy beat; allocations per impulse on memo hits (must be 0) and cold resolves
// (amortized).
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <span>
#include <vector>

using namespace cep::literals;

namespace {

template <int... Is>
auto registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<bench::work<Is>...>;
using four = decltype(registry_of(std::make_integer_sequence<int, 4>{}));
using sixteen = decltype(registry_of(std::make_integer_sequence<int, 16>{}));

// Chain enzyme I runs before I + 1 (a before/after chain of 16: half say `before`, half say `after`).
template <int I>
struct chained;
template <int I>
struct chained_order {
    using before = cep::enzymes<>;
    using after = cep::enzymes<>;
};
template <int I>
    requires(I < 15 && I % 2 == 0)
struct chained_order<I> {
    using before = cep::enzymes<chained<I + 1>>;
    using after = cep::enzymes<>;
};
template <int I>
    requires(I > 0 && I % 2 == 1)
struct chained_order<I> {
    using before = cep::enzymes<>;
    using after = cep::enzymes<chained<I - 1>>;
};
template <int I>
struct chained : bench::work<I> {
    using before = typename chained_order<I>::before;
    using after = typename chained_order<I>::after;
};
// Registered in reverse, so the resolver has to reorder all of them.
template <int... Is>
auto chain_registry_of(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<chained<15 - Is>...>;
using sixteen_chained = decltype(chain_registry_of(std::make_integer_sequence<int, 16>{}));

// The flaky enzyme of the retry-heavy beat: asks for a retry on the first run for a target, succeeds on the re-run.
std::vector<std::uint8_t> flaky_state(1 << 20);  // indexed by the target's path id (cep) or list index (baselines)
inline bool flaky_run(std::size_t key) {
    bench::body(3);
    flaky_state[key] ^= 1;
    return flaky_state[key] != 0;  // true: retry
}
struct flaky {
    static constexpr cep::name name = "w0003";
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        return flaky_run(impulse.target.id().value) ? cep::status::retry : cep::status::success;
    }
};
using retrying = cep::enzyme_registry<bench::work<0>, bench::work<1>, bench::work<2>, flaky>;

using bench::per_beat;
using bench::run;

// Where a memo hit's time goes: beats of enqueues by ids, each phase timed on its own (a clock read between
// phases, five per beat of 256 impulses), against the floor. The execute phase alone holds the floor's work (the
// same calls) plus the agenda loop. Out of line: inlined into main with every other scenario, the enqueue loop
// kept its counter in memory and took twice as long.
template <class Heartbeat, class FloorRep>
[[gnu::noinline]] void memo_phase_rows(Heartbeat& hb, cep::path_id signal_id, const std::vector<cep::path_id>& ids,
                                       std::size_t beats, FloorRep& floor_rep) {
    using clock = std::chrono::steady_clock;
    const double impulses = static_cast<double>(beats * ids.size());
    const auto per_impulse = [&](clock::duration d) {
        return std::chrono::duration<double, std::nano>(d).count() / impulses;
    };
    std::vector<double> enqueue_ns, resolve_ns, execute_ns, commit_ns, floor_ns;
    for (int r = -1; r < bench::settings().repetitions; ++r) {  // r = -1: a warm-up
        clock::duration in_enqueue{}, in_resolve{}, in_execute{}, in_commit{};
        for (std::size_t b = 0; b < beats; ++b) {
            const auto t0 = clock::now();
            for (const auto id : ids) (void)hb.enqueue(signal_id, id);
            const auto t1 = clock::now();
            hb.resolve_agenda();  // begins the beat too
            const auto t2 = clock::now();
            hb.execute_agenda();
            const auto t3 = clock::now();
            hb.stage_commit();
            const auto t4 = clock::now();
            in_enqueue += t1 - t0;
            in_resolve += t2 - t1;
            in_execute += t3 - t2;
            in_commit += t4 - t3;
        }
        const auto f0 = clock::now();
        floor_rep();
        const auto floor_time = clock::now() - f0;
        if (r < 0) continue;
        enqueue_ns.push_back(per_impulse(in_enqueue));
        resolve_ns.push_back(per_impulse(in_resolve));
        execute_ns.push_back(per_impulse(in_execute));
        commit_ns.push_back(per_impulse(in_commit));
        floor_ns.push_back(per_impulse(floor_time));
    }
    const auto floor_figure = bench::summarise(floor_ns);
    const std::string floor_name = "(a) direct calls (floor)";
    bench::row("memo hit, ids interned: enqueue phase", bench::summarise(enqueue_ns), floor_name, floor_figure);
    bench::row("memo hit, ids interned: begin + resolve phases", bench::summarise(resolve_ns), floor_name,
               floor_figure);
    bench::row("memo hit, ids interned: execute phase", bench::summarise(execute_ns), floor_name, floor_figure);
    bench::row("memo hit, ids interned: commit phase", bench::summarise(commit_ns), floor_name, floor_figure);
}

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    const cep::path signal = "/signals/tick"_path;

    // ---- memo hit, 4 enzymes bound on /env: the same 256 distinct pairs every beat ----
    const auto hot_targets = bench::numbered("/env/fs/projects"_path, per_beat);
    const bench::beat_targets hot{&hot_targets, per_beat, false};
    {
        cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = false});
        hb.register_all();
        bench::bind_range(hb, "/env"_path, 0, 4, four::names);
        const auto order = bench::order_of(hb, signal, hot_targets[0], 4);
        constexpr std::size_t beats = 64;
        bench::beat_targets hot_cep = hot;
        const auto by_path = run(hb, [&](const cep::path* t) { (void)hb.enqueue(signal, *t); }, signal, hot_cep, hot,
                                 beats, order);
        bench::row("memo hit, 4 enzymes, ledger off", by_path.cep, "(a) direct calls (floor)", by_path.floor);
        bench::row("memo hit, 4 enzymes, ledger off", by_path.cep, "(b) map<string,function>", by_path.by_hand);

        // The same with ids interned once (what a hot producer does): no text hashed per impulse. The loop reads
        // the ids themselves, as such a producer does. (Until session 27 it went through run(), whose callback
        // takes a path: mapping each path back to its id added about 1.5 ns per impulse to the cep side, 12.0 ns
        // against 10.4-10.7 ns for the same beats enqueued straight from the ids.)
        const auto signal_id = hb.tree().paths().intern(signal);
        std::vector<cep::path_id> ids;
        for (const auto& t : hot_targets) ids.push_back(hb.tree().paths().intern(t));
        const double memo_impulses = static_cast<double>(beats * per_beat);
        const auto by_id = [&] {
            bench::by_hand hand;
            hand.add_bodies(signal, order);
            auto cep_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b) {
                    for (const auto id : ids) (void)hb.enqueue(signal_id, id);
                    hb.step();
                }
            };
            auto floor_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b)
                    for (const auto id : ids) {
                        bench::keep(id);
                        bench::floor_impulse(order);
                    }
            };
            auto hand_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b) {
                    for (const auto& t : hot_targets) hand.enqueue(signal, t);
                    hand.step();
                }
            };
            const auto [c, f, h] = bench::alternate(memo_impulses, cep_rep, floor_rep, hand_rep);
            return bench::trio{c, f, h};
        }();
        bench::row("memo hit, 4 enzymes, ids interned", by_id.cep, "(a) direct calls (floor)", by_id.floor);
        bench::row("memo hit, 4 enzymes, ids interned", by_id.cep, "(b) map<string,function>", by_id.by_hand);
        {
            // The same beats, each beat's impulses enqueued as one span (enqueue(signal, span of targets)).
            auto cep_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b) {
                    (void)hb.enqueue(signal_id, std::span<const cep::path_id>(ids));
                    hb.step();
                }
            };
            auto floor_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b)
                    for (const auto id : ids) {
                        bench::keep(id);
                        bench::floor_impulse(order);
                    }
            };
            const auto [c, f] = bench::compare(memo_impulses, cep_rep, floor_rep);
            bench::row("memo hit, 4 enzymes, ids interned, one span a beat", c, "(a) direct calls (floor)", f);
        }

        // For scale, (c): the same ids into an integer-keyed map of function pointers, and that map against the
        // floor (what a keyed dispatch costs with none of cep's rules).
        {
            bench::by_ids hand;
            hand.add_bodies(signal_id.value, order);
            const double impulses = static_cast<double>(beats * per_beat);
            auto cep_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b) {
                    for (const auto id : ids) (void)hb.enqueue(signal_id, id);
                    hb.step();
                }
            };
            auto hand_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b) {
                    for (const auto id : ids) hand.enqueue(signal_id.value, id.value);
                    hand.step();
                }
            };
            auto floor_rep = [&] {
                for (std::size_t b = 0; b < beats; ++b)
                    for (const auto id : ids) {
                        bench::keep(id);
                        bench::floor_impulse(order);
                    }
            };
            const auto [c, h] = bench::compare(impulses, cep_rep, hand_rep);
            const auto [h2, f] = bench::compare(impulses, hand_rep, floor_rep);
            bench::row("memo hit, 4 enzymes, ids interned", c, "(c) map<id,function pointer>", h);
            bench::row("(c) map<id,function pointer>, 4 calls", h2, "(a) direct calls (floor)", f);

            memo_phase_rows(hb, signal_id, ids, beats, floor_rep);
        }

        const double allocs = bench::allocations_per(static_cast<double>(16 * per_beat), [&] {
            for (int b = 0; b < 16; ++b) {
                for (const auto& t : hot_targets) (void)hb.enqueue(signal, t);
                hb.step();
            }
        });
        bench::row("memo hit, ledger off [allocs/impulse]", bench::exact(allocs), "target: 0", bench::exact(0));
        const double id_allocs = bench::allocations_per(static_cast<double>(16 * per_beat), [&] {
            for (int b = 0; b < 16; ++b) {
                for (const auto id : ids) (void)hb.enqueue(signal_id, id);
                hb.step();
            }
        });
        bench::row("memo hit, ids interned [allocs/impulse]", bench::exact(id_allocs), "target: 0", bench::exact(0));

        // ---- ledger on vs off: the same memo-hit beats, with the ledger written ----
        cep::heartbeat<four> ledger(cep::heartbeat_policy{.ensure_directories = true});
        ledger.register_all();
        bench::bind_range(ledger, "/env"_path, 0, 4, four::names);
        (void)bench::order_of(ledger, signal, hot_targets[0], 4);
        constexpr std::size_t ledger_beats = 8;
        const double impulses = static_cast<double>(ledger_beats * per_beat);
        auto on = [&] {
            for (std::size_t b = 0; b < ledger_beats; ++b) {
                for (const auto& t : hot_targets) (void)ledger.enqueue(signal, t);
                ledger.step();
            }
        };
        auto off = [&] {
            for (std::size_t b = 0; b < ledger_beats; ++b) {
                for (const auto& t : hot_targets) (void)hb.enqueue(signal, t);
                hb.step();
            }
        };
        // A new heartbeat's first beats (8 a repetition): the ledger's window (keep_beats, 256) is still filling,
        // so its buffers grow and the process takes new pages from the system (about 3 page faults a beat here),
        // which ledger off, on a heartbeat that has run for a while, no longer does.
        const auto [first_on, first_off] = bench::compare(impulses, on, off);
        bench::row("memo hit, ledger on, a new heartbeat", first_on, "cep, ledger off", first_off);
        // Steady state: past beat 2000, several retention windows, so the ledger reuses the buffers of the beats
        // it removes (every new digit of the beat number lengthens its lines once; docs/performance.md, session
        // 10). Both sides warm: the comparison the target is about.
        while (ledger.beat() < 2000) on();
        const auto [ledger_on, ledger_off] = bench::compare(impulses, on, off);
        bench::row("memo hit, 4 enzymes, ledger on", ledger_on, "cep, ledger off", ledger_off);
        const double ledger_allocs = bench::allocations_per(impulses, on);
        bench::row("memo hit, ledger on [allocs/impulse]", bench::exact(ledger_allocs), "cep, ledger off",
                   bench::exact(allocs));
    }

    // ---- cold resolve: every impulse a pair never seen; 16 enzymes, 4 bound at each level of /a/b/c/d ----
    constexpr std::size_t cold_beats = 16;
    const auto fresh = bench::numbered("/a/b/c/d"_path, bench::fresh_needed(cold_beats, per_beat));
    auto cold = [&]<class Registry>(const char* label, Registry*) {
        const auto registered_and_bound = [](cep::heartbeat<Registry>& h) {
            h.register_all();
            bench::bind_range(h, "/a"_path, 0, 4, Registry::names);
            bench::bind_range(h, "/a/b"_path, 4, 8, Registry::names);
            bench::bind_range(h, "/a/b/c"_path, 8, 12, Registry::names);
            bench::bind_range(h, "/a/b/c/d"_path, 12, 16, Registry::names);
        };
        cep::heartbeat<Registry> hb(cep::heartbeat_policy{.ensure_directories = false});
        registered_and_bound(hb);
        const auto order = bench::order_of(hb, signal, "/a/b/c/d/probe"_path, 16);
        bench::beat_targets cep_targets{&fresh, per_beat, true};
        const auto r = run(hb, [&](const cep::path* t) { (void)hb.enqueue(signal, *t); }, signal, cep_targets,
                           bench::beat_targets{&fresh, per_beat, true}, cold_beats, order);
        const std::size_t ids_after_run = hb.tree().paths().size();
        bench::row(std::string(label), r.cep, "(a) direct calls (floor)", r.floor);
        bench::row(std::string(label), r.cep, "(b) map<string,function>", r.by_hand);
        // Amortized over whole beats of new pairs (interning the new target included).
        const double allocs = bench::allocations_per(static_cast<double>(cold_beats * per_beat), [&] {
            for (std::size_t b = 0; b < cold_beats; ++b) {
                const cep::path* first = cep_targets.next();
                for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal, first[i]);
                hb.step();
            }
        });
        bench::row(std::string(label) + " [allocs/impulse]", bench::exact(allocs), "-", bench::exact(0));

        // The same pairs never seen, with the targets interned before the timing (what a producer that interns its
        // paths once does): resolution alone, without interning a new path per impulse.
        const auto unseen = bench::numbered(cep::path("/a/b/c/d/ids"), bench::fresh_needed(cold_beats, per_beat));
        std::vector<cep::path_id> unseen_ids;
        unseen_ids.reserve(unseen.size());
        for (const auto& t : unseen) unseen_ids.push_back(hb.tree().paths().intern(t));
        const auto signal_id = hb.tree().paths().intern(signal);
        bench::beat_targets id_targets{&unseen, per_beat, true};
        const auto by_id = run(
            hb, [&](const cep::path* t) { (void)hb.enqueue(signal_id, unseen_ids[static_cast<std::size_t>(t - unseen.data())]); },
            signal, id_targets, bench::beat_targets{&unseen, per_beat, true}, cold_beats, order);
        bench::row(std::string(label) + ", ids interned", by_id.cep, "(b) map<string,function>", by_id.by_hand);

        // The same by path, the targets below a transient root: ids nothing uses any more are released between
        // beats and their slots reused, so the path table stays small (and in cache) however many targets come.
        cep::heartbeat<Registry> ht(cep::heartbeat_policy{.ensure_directories = false});
        registered_and_bound(ht);
        ht.make_transient_root("/a/b/c/d"_path).value();
        (void)bench::order_of(ht, signal, "/a/b/c/d/probe"_path, 16);
        bench::beat_targets transient_targets{&fresh, per_beat, true};
        const auto transient = run(ht, [&](const cep::path* t) { (void)ht.enqueue(signal, *t); }, signal,
                                   transient_targets, bench::beat_targets{&fresh, per_beat, true}, cold_beats, order);
        bench::row(std::string(label) + ", transient", transient.cep, "(b) map<string,function>", transient.by_hand);
        bench::row(std::string(label) + " [path ids held]", bench::exact(static_cast<double>(ht.tree().paths().size())),
                   "not transient", bench::exact(static_cast<double>(ids_after_run)));
        return r.cep;
    };
    cold("cold resolve, 16 enzymes, 4-deep bindings", static_cast<sixteen*>(nullptr));
    cold("cold resolve, 16 enzymes, before/after chain", static_cast<sixteen_chained*>(nullptr));

    // ---- retry-heavy: 1 of 4 enzymes asks for a retry on every first run; each beat re-runs the previous beat's ----
    {
        // Two sets of 256 targets, alternating beats: a target comes back two beats later, after its re-run.
        const auto targets = bench::numbered("/env/jobs"_path, 2 * per_beat);
        cep::heartbeat<retrying> hb(cep::heartbeat_policy{.ensure_directories = false});
        hb.register_all();
        bench::bind_range(hb, "/env"_path, 0, 4, retrying::names);
        const auto order = bench::order_of(hb, signal, targets[0], 4);
        constexpr std::size_t beats = 64;
        const double impulses = static_cast<double>(beats * per_beat);
        std::size_t cep_beat = 0;
        auto cep_rep = [&] {
            for (std::size_t b = 0; b < beats; ++b, ++cep_beat) {
                const cep::path* first = targets.data() + (cep_beat % 2) * per_beat;
                for (std::size_t i = 0; i < per_beat; ++i) (void)hb.enqueue(signal, first[i]);
                hb.step();
            }
        };
        // The baselines keep the flaky state apart from cep's (offset keys) and run re-runs after the beat's queue.
        constexpr std::size_t base_key = 1 << 19;
        struct pending {
            const cep::path* target;
        };
        std::vector<pending> due, next;
        std::size_t floor_beat = 0;
        auto floor_rep = [&] {
            for (std::size_t b = 0; b < beats; ++b, ++floor_beat) {
                const cep::path* first = targets.data() + (floor_beat % 2) * per_beat;
                for (std::size_t i = 0; i < per_beat; ++i)
                    for (int e : order) {
                        if (e != 3) {
                            bench::body(e);
                        } else if (flaky_run(base_key + static_cast<std::size_t>(first + i - targets.data()))) {
                            next.push_back({first + i});
                        }
                    }
                for (const auto& p : due) (void)flaky_run(base_key + static_cast<std::size_t>(p.target - targets.data()));
                due.swap(next);
                next.clear();
            }
        };
        using function = bench::by_hand::function;
        std::unordered_map<std::string, std::vector<function>> table;
        for (int e : order)
            table[signal.str()].push_back(e == 3 ? function([&](const cep::path&, const cep::path& t) {
                return flaky_run(2 * base_key + static_cast<std::size_t>(&t - targets.data())) ? 1 : 0;
            })
                                                  : function([e](const cep::path&, const cep::path&) {
                                                        return bench::body(e);
                                                    }));
        std::vector<std::pair<const cep::path*, const cep::path*>> queue;
        std::vector<std::pair<const function*, const cep::path*>> hand_due, hand_next;
        std::size_t hand_beat = 0;
        auto hand_rep = [&] {
            for (std::size_t b = 0; b < beats; ++b, ++hand_beat) {
                const cep::path* first = targets.data() + (hand_beat % 2) * per_beat;
                for (std::size_t i = 0; i < per_beat; ++i) queue.emplace_back(&signal, first + i);
                for (const auto& [s, t] : queue) {
                    const auto it = table.find(s->str());
                    if (it == table.end()) continue;
                    for (const auto& f : it->second)
                        if (f(*s, *t) != 0) hand_next.emplace_back(&f, t);
                }
                queue.clear();
                for (const auto& [f, t] : hand_due) (void)(*f)(signal, *t);
                hand_due.swap(hand_next);
                hand_next.clear();
            }
        };
        const auto [c, f, h] = bench::alternate(impulses, cep_rep, floor_rep, hand_rep);
        bench::row("retry-heavy beat, 4 enzymes, 1 retries once", c, "(a) direct calls + retry list", f);
        bench::row("retry-heavy beat, 4 enzymes, 1 retries once", c, "(b) map<string,function> + list", h);
        const double allocs = bench::allocations_per(impulses, cep_rep);
        bench::row("retry-heavy beat [allocs/impulse]", bench::exact(allocs), "target: 0", bench::exact(0));
    }
    return 0;
}
