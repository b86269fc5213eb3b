// Steady state allocates nothing per impulse: with the ledger off and the agenda memoised, enqueue + step of a
// beat of impulses makes no heap allocation. (This executable counts every operator new.)
#include <cep/dispatch.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace {
std::atomic<std::size_t> allocation_count{0};
}  // namespace

// Every replaceable form that a sanitizer's runtime could otherwise pair with its own: all of them allocate with
// malloc and free with free, so new/delete always match.
void* operator new(std::size_t size) {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

using namespace cep::literals;

namespace {
int total = 0;
template <cep::fixed_string Name>
struct counter {
    static constexpr cep::name name = Name;
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context& ctx) {
        total += static_cast<int>(impulse.target.depth() + ctx.beat() % 2);
        return cep::status::success;
    }
};
using four = cep::enzyme_registry<counter<"c1">, counter<"c2">, counter<"c3">, counter<"c4">>;
}  // namespace

TEST_CASE("memo hits allocate nothing per impulse (ledger off)") {
    cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/env"_path, "c1", cep::propagate).value();
    hb.bind("/env"_path, "c2", cep::propagate).value();
    hb.bind("/env"_path, "c3", cep::propagate).value();
    hb.bind("/env"_path, "c4", cep::propagate).value();
    const cep::path signal = "/signals/tick"_path;
    // Longer than the small-string buffer: a copy of a target path anywhere on the way would allocate.
    const cep::path targets[] = {cep::path("/env/projects/alpha/img-0001.jpg"),
                                 cep::path("/env/projects/alpha/img-0002.jpg"),
                                 cep::path("/env/projects/beta/img-0001.jpg")};
    // Warm up: interning, memo entries, queue capacities.
    for (int beat = 0; beat < 40; ++beat) {
        for (const auto& t : targets) REQUIRE(hb.enqueue(signal, t).has_value());
        hb.step();
    }
    const int before_total = total;
    const auto before = allocation_count.load();
    constexpr int beats = 400;  // past the default retention of 256 beats: pruning allocates nothing either
    for (int beat = 0; beat < beats; ++beat) {
        for (const auto& t : targets) (void)hb.enqueue(signal, t);
        hb.step();
    }
    const auto allocations = allocation_count.load() - before;
    CHECK(total > before_total);  // the enzymes did run: 4 per impulse
    CHECK(allocations == 0);
    INFO("allocations over " << beats * 3 << " impulses: " << allocations);
}

TEST_CASE("memo hits enqueued as a span of targets allocate nothing per impulse (ledger off)") {
    cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    for (const char* name : {"c1", "c2", "c3", "c4"}) hb.bind("/env"_path, name, cep::propagate).value();
    auto& paths = hb.tree().paths();
    const auto signal = paths.intern("/signals/tick"_path);
    const std::vector<cep::path_id> targets{paths.intern(cep::path("/env/projects/alpha/img-0001.jpg")),
                                            paths.intern(cep::path("/env/projects/alpha/img-0002.jpg")),
                                            paths.intern(cep::path("/env/projects/beta/img-0001.jpg"))};
    for (int beat = 0; beat < 40; ++beat) {  // warm up: memo entries, queue capacities
        REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(targets)).has_value());
        hb.step();
    }
    const int before_total = total;
    const auto before = allocation_count.load();
    constexpr int beats = 400;
    for (int beat = 0; beat < beats; ++beat) {
        (void)hb.enqueue(signal, std::span<const cep::path_id>(targets));
        hb.step();
    }
    const auto allocations = allocation_count.load() - before;
    CHECK(total > before_total);  // the enzymes did run
    CHECK(allocations == 0);
}

namespace {
// Asks for a retry on the first run for a target and succeeds on the re-run, so every retry is settled.
int flaky_runs = 0;
std::vector<unsigned char> flaky_retried(1 << 16);  // by the target's path id
struct flaky {
    static constexpr cep::name name = "flaky";
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        ++flaky_runs;
        auto& retried = flaky_retried.at(impulse.target.id().value);
        retried ^= 1;
        return retried != 0 ? cep::status::retry : cep::status::success;
    }
};
using retrying = cep::enzyme_registry<counter<"c1">, flaky>;
}  // namespace

TEST_CASE("retries allocate nothing per impulse once their peak is reached (ledger off)") {
    cep::heartbeat<retrying> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/env"_path, "c1", cep::propagate).value();
    hb.bind("/env"_path, "flaky", cep::propagate).value();
    const cep::path signal = "/signals/tick"_path;
    // Two sets of targets on alternate beats, so a retry is due in a beat where its target is not queued.
    std::vector<cep::path> targets;
    for (int i = 0; i < 32; ++i) targets.push_back(cep::path("/env/jobs/job-number-" + std::to_string(1000 + i)));
    int beat_count = 0;
    const auto run = [&](int beats) {
        for (int beat = 0; beat < beats; ++beat, ++beat_count) {
            for (int i = 0; i < 16; ++i) (void)hb.enqueue(signal, targets[(beat_count % 2) * 16 + i]);
            hb.step();
        }
    };
    run(40);  // warm up: interning, memo entries, queue and retry capacities
    const int runs_before = flaky_runs;
    const auto before = allocation_count.load();
    run(400);
    const auto allocations = allocation_count.load() - before;
    // Each beat runs flaky once per target and re-runs the 16 retries of the beat before.
    CHECK(flaky_runs - runs_before == 2 * 400 * 16);
    CHECK(allocations == 0);
    INFO("allocations over " << 400 * 16 << " impulses: " << allocations);
}

TEST_CASE("with the ledger on, steady-state beats allocate nothing once the ledger's buffers have grown") {
    cep::heartbeat<four> hb(cep::heartbeat_policy{.ensure_directories = true});
    hb.register_all();
    for (const char* name : {"c1", "c2", "c3", "c4"}) hb.bind("/env"_path, name, cep::propagate).value();
    const cep::path signal = "/signals/tick"_path;
    const cep::path targets[] = {cep::path("/env/projects/alpha/img-0001.jpg"),
                                 cep::path("/env/projects/alpha/img-0002.jpg"),
                                 cep::path("/env/projects/beta/img-0001.jpg")};
    const auto run = [&](int beats) {
        for (int beat = 0; beat < beats; ++beat) {
            for (const auto& t : targets) (void)hb.enqueue(signal, t);
            hb.step();
        }
    };
    // Warm up past beat 1000 and several retention windows (256 beats): ledger lines name their beat, so each new
    // digit lengthens them once, and the buffers of removed beats, reused for new ones, grow to fit.
    run(2000);
    REQUIRE(hb.tree().contains(cep::path("/rt/beat/2000/agenda")));
    const auto before = allocation_count.load();
    run(2000);  // beats 2001..4000: no new digit
    const auto allocations = allocation_count.load() - before;
    CHECK(hb.tree().contains(cep::path("/rt/beat/4000/agenda")));
    CHECK_FALSE(hb.tree().contains(cep::path("/rt/beat/3000")));  // retention went on removing beats
    CHECK(allocations == 0);
    INFO("allocations over 2000 beats of 3 impulses: " << allocations);
}

namespace {
// Selects /signals/tick and every signal below it.
struct tick_family {
    static constexpr cep::name name = "tick_family";
    static constexpr auto query = "/signals/tick"_query;
    using match = cep::prefix;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        ++total;
        return cep::status::success;
    }
};
}  // namespace

TEST_CASE("literal paths allocate nothing per impulse: enqueue with literals, typed signals") {
    cep::heartbeat<cep::enzyme_registry<tick_family>> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/env"_path, "tick_family", cep::propagate).value();
    const cep::path target("/env/projects/alpha/img-0001.jpg");
    const cep::path signal("/signals/tick/from/a/path/object");
    // Each form once per beat. The literals are longer than the small-string buffer: a cep::path built from them
    // would allocate its text on every call.
    const auto beat = [&] {
        (void)hb.enqueue("/signals/tick/from/a/literal/signal"_path, target);
        (void)hb.enqueue("/signals/tick/from/a/literal/signal"_path, "/env/projects/alpha/img-0002.jpg"_path);
        (void)hb.enqueue(cep::path_c<"/signals/tick/from/a/literal/signal">);  // a broadcast
        (void)hb.enqueue(signal, "/env/projects/beta/img-0003.jpg"_path);
        (void)hb.enqueue<cep::signal<"/signals/tick/typed/by/the/compiler">>(target);
        hb.step();
    };
    for (int warm = 0; warm < 40; ++warm) beat();
    const int before_total = total;
    const auto before = allocation_count.load();
    for (int n = 0; n < 400; ++n) beat();
    const auto allocations = allocation_count.load() - before;
    CHECK(total - before_total == 5 * 400);  // every impulse ran tick_family once
    CHECK(allocations == 0);
    INFO("allocations over 400 beats of 5 impulses: " << allocations);
}

namespace {
// Passes every impulse on with a literal signal, to its target (by path_ref) and as a broadcast.
int relayed = 0;
struct relay {
    static constexpr cep::name name = "relay";
    static constexpr auto query = "/signals/tick"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        const bool sent = ctx.emit("/signals/relayed/to/the/next/stage"_path, impulse.target).has_value() &&
                          ctx.emit("/signals/relayed/to/everyone/listening"_path).has_value();
        return sent ? cep::status::success : cep::status::fatal;
    }
};
struct next_stage {
    static constexpr cep::name name = "next_stage";
    static constexpr auto query = "/signals/relayed/**"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        ++relayed;
        return cep::status::success;
    }
};
using relaying = cep::enzyme_registry<relay, next_stage>;
}  // namespace

TEST_CASE("an enzyme that emits with a literal signal allocates nothing per impulse") {
    cep::heartbeat<relaying> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/env"_path, "relay", cep::propagate).value();
    hb.bind("/env"_path, "next_stage", cep::propagate).value();
    const cep::path target("/env/projects/alpha/img-0001.jpg");
    const auto run = [&](int beats) {
        for (int n = 0; n < beats; ++n) {
            (void)hb.enqueue("/signals/tick"_path, target);
            hb.step();
        }
    };
    run(200);
    const int before_relayed = relayed;
    const auto before = allocation_count.load();
    run(400);
    const auto allocations = allocation_count.load() - before;
    CHECK(relayed - before_relayed == 2 * 400);  // both emits reach next_stage
    CHECK(allocations == 0);
    INFO("allocations over 400 beats: " << allocations);
}
