// The harness shared by every benchmark executable: medians of repetitions with their spread, cep and baseline
// repetitions interleaved (so drift on a noisy machine hits both sides alike), a global allocation counter
// (operator new is replaced in every executable that includes this), the enzyme bodies both sides call, and one
// row format: a human table by default, tab-separated fields with --rows (what scripts/bench collects).
#pragma once

// g++ 12 at -O2/-O3 flags free() on memory from the replaced operator new below as a mismatch once both are
// inlined; they are a matching pair (malloc/free), so the warning is off for the benchmarks that include this.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <cep/cep.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace bench {

inline std::atomic<std::size_t> allocations{0};

struct figure {
    double median = 0;
    double min = 0;
    double max = 0;
};

// A figure that is a count, not a timing (allocations): no spread.
inline figure exact(double value) { return {value, value, value}; }

struct options {
    bool rows = false;  // tab-separated rows for scripts/bench
    int repetitions = 9;
};

inline options& settings() {
    static options o;
    return o;
}

// --rows: machine rows; --reps N: repetitions (at least 9 is the rule; fewer only to try things out).
inline void init(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--rows") == 0) settings().rows = true;
        if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) settings().repetitions = std::atoi(argv[++i]);
    }
    if (settings().repetitions < 1) settings().repetitions = 1;
}

inline figure summarise(std::vector<double> samples) {
    std::sort(samples.begin(), samples.end());
    return {samples[samples.size() / 2], samples.front(), samples.back()};
}

// One call of `rep()` is one repetition doing `ops` operations; the figure is ns per operation. One repetition
// is run first as a warm-up and not counted.
template <class Rep>
figure measure(double ops, Rep&& rep) {
    rep();
    std::vector<double> samples;
    for (int r = 0; r < settings().repetitions; ++r) {
        const auto start = std::chrono::steady_clock::now();
        rep();
        const auto stop = std::chrono::steady_clock::now();
        samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
    }
    return summarise(std::move(samples));
}

// cep and baseline repetitions alternate, after a warm-up of each.
template <class CepRep, class BaseRep>
std::pair<figure, figure> compare(double ops, CepRep&& cep_rep, BaseRep&& base_rep) {
    cep_rep();
    base_rep();
    std::vector<double> a, b;
    for (int r = 0; r < settings().repetitions; ++r) {
        auto start = std::chrono::steady_clock::now();
        cep_rep();
        auto stop = std::chrono::steady_clock::now();
        a.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
        start = std::chrono::steady_clock::now();
        base_rep();
        stop = std::chrono::steady_clock::now();
        b.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
    }
    return {summarise(std::move(a)), summarise(std::move(b))};
}

// Any number of sides, their repetitions in turn (a, b, c, a, b, c, ...) after a warm-up of each: a baseline
// measured apart from cep drifts apart from it on this VM (by hand, the same scenario measured 40 ns in one run
// and 86 ns in the next).
template <class... Reps>
std::array<figure, sizeof...(Reps)> alternate(double ops, Reps&&... reps) {
    (reps(), ...);
    std::array<std::vector<double>, sizeof...(Reps)> samples;
    for (int r = 0; r < settings().repetitions; ++r) {
        std::size_t k = 0;
        const auto time_one = [&](auto& rep) {
            const auto start = std::chrono::steady_clock::now();
            rep();
            const auto stop = std::chrono::steady_clock::now();
            samples[k++].push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
        };
        (time_one(reps), ...);
    }
    std::array<figure, sizeof...(Reps)> figures;
    for (std::size_t k = 0; k < samples.size(); ++k) figures[k] = summarise(std::move(samples[k]));
    return figures;
}

// The same with an untimed `setup()` before each repetition of either side (state a repetition consumes).
template <class CepSetup, class CepRep, class BaseSetup, class BaseRep>
std::pair<figure, figure> compare_setup(double ops, CepSetup&& cep_setup, CepRep&& cep_rep, BaseSetup&& base_setup,
                                        BaseRep&& base_rep) {
    cep_setup();
    cep_rep();
    base_setup();
    base_rep();
    std::vector<double> a, b;
    for (int r = 0; r < settings().repetitions; ++r) {
        cep_setup();
        auto start = std::chrono::steady_clock::now();
        cep_rep();
        auto stop = std::chrono::steady_clock::now();
        a.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
        base_setup();
        start = std::chrono::steady_clock::now();
        base_rep();
        stop = std::chrono::steady_clock::now();
        b.push_back(std::chrono::duration<double, std::nano>(stop - start).count() / ops);
    }
    return {summarise(std::move(a)), summarise(std::move(b))};
}

// Allocations made by `f()`, divided by `ops`.
template <class F>
double allocations_per(double ops, F&& f) {
    const auto before = allocations.load(std::memory_order_relaxed);
    f();
    return static_cast<double>(allocations.load(std::memory_order_relaxed) - before) / ops;
}

// scenario, cep figure, baseline name, baseline figure; ratio = cep / baseline (medians).
inline void row(const std::string& scenario, figure cep, const std::string& baseline, figure base) {
    const double ratio = base.median != 0 ? cep.median / base.median : 0.0;
    if (settings().rows) {
        std::printf("%s\t%.3f\t%.3f\t%.3f\t%s\t%.3f\t%.3f\t%.3f\t%.3f\n", scenario.c_str(), cep.median, cep.min,
                    cep.max, baseline.c_str(), base.median, base.min, base.max, ratio);
    } else {
        std::printf("%-52s %10.2f [%9.2f..%9.2f]  %-34s %10.2f [%9.2f..%9.2f]  %6.2f\n", scenario.c_str(),
                    cep.median, cep.min, cep.max, baseline.c_str(), base.median, base.min, base.max, ratio);
    }
    std::fflush(stdout);
}

// A row with no baseline (printed as "-", ratio 0 in the rows format).
inline void row_alone(const std::string& scenario, figure cep) { row(scenario, cep, "-", figure{}); }

// A row for something that could not be measured (the reason goes in the baseline column).
inline void row_unavailable(const std::string& scenario, const std::string& why) {
    if (settings().rows)
        std::printf("%s\tnan\tnan\tnan\t%s\tnan\tnan\tnan\tnan\n", scenario.c_str(), why.c_str());
    else
        std::printf("%-52s not available: %s\n", scenario.c_str(), why.c_str());
    std::fflush(stdout);
}

template <class T>
inline void keep(T&& value) {
    asm volatile("" : : "g"(&value) : "memory");
}

// ---------------------------------------------------------------------------------------------------------------
// The work every enzyme does, and the baselines call: one volatile add in a function the compiler may not inline,
// so no side can fold the calls away or merge them.
inline volatile std::uint64_t sink = 0;

[[gnu::noinline]] inline int body(int i) {
    sink = sink + static_cast<std::uint64_t>(i);
    return 0;
}

// "w0000".."w9999": enzyme names from an index.
template <int I>
constexpr cep::fixed_string<5> label() {
    cep::fixed_string<5> s{};
    s.chars[0] = 'w';
    s.chars[1] = static_cast<char>('0' + I / 1000 % 10);
    s.chars[2] = static_cast<char>('0' + I / 100 % 10);
    s.chars[3] = static_cast<char>('0' + I / 10 % 10);
    s.chars[4] = static_cast<char>('0' + I % 10);
    return s;
}

// Enzyme I: a read-only enzyme for /signals/tick (Tick) or /signals/idle (registered but never matched by the
// scenarios' impulses) whose call operator calls body(I).
template <int I, bool Tick = true>
struct work {
    static constexpr cep::fixed_string<5> label_text = label<I>();  // the name refers to static storage
    static constexpr cep::name name = label_text;
    static constexpr auto query = [] {
        using namespace cep::literals;
        if constexpr (Tick)
            return "/signals/tick"_query;
        else
            return "/signals/idle"_query;
    }();
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        body(I);
        return cep::status::success;
    }
};

// Binds every enzyme of the registry whose index is in [from, to) on `cell`, with propagate.
template <class Heartbeat>
void bind_range(Heartbeat& hb, const cep::path& cell, std::size_t from, std::size_t to,
                const auto& names) {
    for (std::size_t i = from; i < to; ++i) hb.bind(cell, names[i], cep::propagate).value();
}

// The enzyme indices I of an agenda, in execution order (names are "w<I>"): the order the floor calls body(I) in.
// Registrations and bindings count from the next beat boundary, so this runs an empty beat first; it stops the
// program when the agenda does not have `expected` enzymes (a scenario that measures less work than it claims).
template <class Heartbeat>
std::vector<int> order_of(Heartbeat& hb, const cep::path& signal, const cep::path& target, std::size_t expected) {
    hb.step();
    std::vector<int> order;
    for (std::string_view n : hb.agenda(signal, target)) order.push_back(std::atoi(std::string(n.substr(1)).c_str()));
    if (order.size() != expected) {
        std::fprintf(stderr, "bench: the agenda of %s -> %s has %zu enzymes, not %zu\n", signal.str().c_str(),
                     target.str().c_str(), order.size(), expected);
        std::exit(1);
    }
    return order;
}

// Baseline (b), what users write by hand: signal text -> the functions to call, in the order they were added
// (the user orders them by hand), and a per-beat vector queue. The queue holds pointers to the caller's paths
// rather than copies, so the baseline pays no allocation per impulse: the cheapest form of it.
struct by_hand {
    using function = std::function<int(const cep::path&, const cep::path&)>;
    std::unordered_map<std::string, std::vector<function>> table;
    std::vector<std::pair<const cep::path*, const cep::path*>> queue;

    void add(const cep::path& signal, function f) { table[signal.str()].push_back(std::move(f)); }
    // body(i) for each i of `order`, under `signal`.
    void add_bodies(const cep::path& signal, const std::vector<int>& order) {
        for (int i : order) add(signal, [i](const cep::path&, const cep::path&) { return body(i); });
    }
    void enqueue(const cep::path& signal, const cep::path& target) { queue.emplace_back(&signal, &target); }
    void step() {
        for (const auto& [signal, target] : queue) {
            const auto it = table.find(signal->str());
            if (it == table.end()) continue;
            for (const auto& f : it->second) f(*signal, *target);
        }
        queue.clear();
    }
};

// Baseline (c), the integer-keyed map the issue quotes for scale: (b) keyed by the signal's interned id instead of
// its text, with plain function pointers: std::unordered_map<std::uint32_t, std::vector<call>> and a per-beat vector
// queue of id pairs. Like (b), no single run per pair, no staging, no retries.
struct by_ids {
    struct call {
        int (*function)(std::uint32_t signal, std::uint32_t target, int argument);
        int argument;
    };
    std::unordered_map<std::uint32_t, std::vector<call>> table;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> queue;

    static int call_body(std::uint32_t, std::uint32_t, int i) { return body(i); }
    void add_bodies(std::uint32_t signal, const std::vector<int>& order) {
        for (int i : order) table[signal].push_back(call{&call_body, i});
    }
    void enqueue(std::uint32_t signal, std::uint32_t target) { queue.emplace_back(signal, target); }
    void step() {
        for (const auto& [signal, target] : queue) {
            const auto it = table.find(signal);
            if (it == table.end()) continue;
            for (const auto& c : it->second) c.function(signal, target, c.argument);
        }
        queue.clear();
    }
};

// Baseline (a), the floor: the same bodies called directly in the resolved order, no queue, no lookup.
inline void floor_impulse(const std::vector<int>& order) {
    for (int i : order) body(i);
}

// The targets of successive beats: the same `per_beat` targets every beat (memo hits from the second beat on), or
// the next `per_beat` targets of a long list each beat (every impulse a pair never seen before).
struct beat_targets {
    const std::vector<cep::path>* targets = nullptr;
    std::size_t per_beat = 0;
    bool fresh = false;
    std::size_t cursor = 0;

    // The first target of the next beat's run of `per_beat` consecutive targets.
    const cep::path* next() {
        if (!fresh) return targets->data();
        if (cursor + per_beat > targets->size()) {
            std::fprintf(stderr, "bench: ran out of fresh targets (%zu)\n", targets->size());
            std::abort();
        }
        const cep::path* first = targets->data() + cursor;
        cursor += per_beat;
        return first;
    }
};

// Paths <prefix>/t0 .. t<n-1>.
inline std::vector<cep::path> numbered(const cep::path& prefix, std::size_t n) {
    std::vector<cep::path> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        // Appended, not "t" + to_string(i): g++ 12 -O3 reports a false -Wrestrict on the insert that spelling makes.
        std::string name = "t";
        name += std::to_string(i);
        out.push_back(prefix / name);
    }
    return out;
}

// How many fresh targets a scenario of `beats` beats of `per_beat` impulses per repetition uses: the warm-ups, the
// repetitions and one allocation count.
inline std::size_t fresh_needed(std::size_t beats, std::size_t per_beat) {
    return static_cast<std::size_t>(settings().repetitions + 3) * beats * per_beat;
}

// Impulses per beat in the dispatch scenarios: each a distinct (signal, target) pair.
constexpr std::size_t per_beat = 256;

// cep, the floor and by-hand over the same beats; returns the three figures in ns per impulse.
struct trio {
    bench::figure cep, floor, by_hand;
};

template <class Heartbeat, class Enqueue>
inline trio run(Heartbeat& hb, Enqueue enqueue, const cep::path& signal, bench::beat_targets& cep_targets,
         bench::beat_targets base_targets, std::size_t beats, const std::vector<int>& order) {
    bench::by_hand hand;
    hand.add_bodies(signal, order);
    bench::beat_targets floor_targets = base_targets;
    const double impulses = static_cast<double>(beats * per_beat);
    auto cep_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            const cep::path* first = cep_targets.next();
            for (std::size_t i = 0; i < per_beat; ++i) enqueue(first + i);
            hb.step();
        }
    };
    auto floor_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            const cep::path* first = floor_targets.next();
            for (std::size_t i = 0; i < per_beat; ++i) {
                bench::keep(first[i]);
                bench::floor_impulse(order);
            }
        }
    };
    auto hand_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            const cep::path* first = base_targets.next();
            for (std::size_t i = 0; i < per_beat; ++i) hand.enqueue(signal, first[i]);
            hand.step();
        }
    };
    const auto [c, f, h] = bench::alternate(impulses, cep_rep, floor_rep, hand_rep);
    return {c, f, h};
}

}  // namespace bench

// Counting replacement of the global allocation functions.
// Every replaceable form that a sanitizer's runtime could otherwise pair with its own: all of them allocate with
// malloc and free with free, so new/delete always match.
void* operator new(std::size_t size) {
    bench::allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    bench::allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
