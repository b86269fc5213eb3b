// What the heartbeat needs from each part of its kernel, beyond the part's facet contract. A part is checked twice
// at compile time: against its default contract (cep/contract/defaults.hpp: the seed's required methods and
// properties, with the seed's diagnostics) and against the concept below (the operations the beat loop calls on
// its hot path, by interned ids). Both are static: a swapped part costs nothing at run time.
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/tree.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cep {

// An impulse waiting in a queue: interned ids, no path text.
struct queued_impulse {
    static constexpr std::uint32_t no_target = 0xffffffffu;  // a broadcast
    beat_number beat = 0;
    std::uint32_t signal = 0;               // a path_id value of the kernel's path table
    std::uint32_t target = no_target;       // a path_id value, or no_target
    [[nodiscard]] friend bool operator==(const queued_impulse&, const queued_impulse&) = default;
};

// How often an invocation that returns status::retry runs again.
struct retry_policy {
    std::uint32_t max_attempts = 3;   // runs in all (the first included); then the invocation becomes fatal
    std::uint32_t backoff_beats = 0;  // extra beats to wait before each re-run (0: the next beat)
};

// What a scheduler decides for an invocation that asked to be retried.
struct retry_plan {
    bool again = false;    // false: the retry budget is exhausted, the invocation becomes fatal
    beat_number due = 0;   // when again: the beat of the re-run
};

// The hierarchy part owns the committed cell tree and the current beat's staging area.
template <class H>
concept kernel_hierarchy = requires(H& h) {
    { h.tree() } -> std::same_as<cell_tree&>;
    { h.staging() } -> std::same_as<staging_area&>;
};

// The queue part keeps impulses per beat, in the order they were pushed.
//   push(item)                  queue item for item.beat (never earlier than the current beat)
//   pending(at)                 how many wait for beat `at`
//   take(at, out)               moves every impulse of beat `at` (the current beat) to the end of `out`, in order
//   defer(at, items)            puts items (over the budget of the beat before) at the front of beat `at`
//   advance()                   the current beat is over: the next one becomes current
template <class Q>
concept kernel_queue = requires(Q& q, const Q& cq, const queued_impulse& item, beat_number at,
                                std::vector<queued_impulse>& out, std::span<const queued_impulse> items) {
    q.push(item);
    { cq.pending(at) } -> std::convertible_to<std::size_t>;
    q.take(at, out);
    q.defer(at, items);
    q.advance();
};

// The scheduler part decides budgets and retries, and drives the beat loop (process(n) calls back into the
// heartbeat through drive()). The heartbeat hands it the retry policy of its heartbeat_policy at construction.
template <class S>
concept kernel_scheduler = requires(S& s, const S& cs, std::size_t waiting, std::uint32_t attempts, beat_number now,
                                    void* owner, bool (*step)(void*), const retry_policy& retry) {
    { cs.admit(waiting) } -> std::convertible_to<std::size_t>;
    { cs.plan_retry(attempts, now) } -> std::convertible_to<retry_plan>;
    s.drive(owner, step);
    s.configure_retry(retry);
};

// The listeners part observes ledger lines, CEI records and beat boundaries. active() is asked first, so a kernel
// without observers builds no event.
template <class L>
concept kernel_listeners = requires(L& l, const L& cl, const event& e) {
    { cl.active() } -> std::convertible_to<bool>;
    l.emit(e);
};

}  // namespace cep
