// What one tick did: each queue entry it visited with its outcome, counts per outcome, and every write that was
// refused (never dropped silently).
#pragma once

#include <cep/core/error.hpp>
#include <cep/detail/lazy.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cep::closure {

template <class Deferred = void>
struct basic_tick_summary;
using tick_summary = basic_tick_summary<>;

enum class outcome : std::uint8_t {
    completed,  // success: facet_state=complete, queue_state=complete, the entry removed after the pass
    retrying,   // retry with budget left: both stay pending for the next pass
    failed,     // fatal (or the handler threw): facet_state=failed, queue_state=fatal, left in the queue
    exhausted,  // retry after the last allowed run: the handler's policy says fail (as failed) or cancel
    missing,    // no handler for (facet, context tag): queue_state=missing, left in place
};
inline constexpr std::size_t outcome_count = 5;

[[nodiscard]] constexpr std::string_view to_string(outcome o) noexcept {
    switch (o) {
        case outcome::completed: return "completed";
        case outcome::retrying: return "retrying";
        case outcome::failed: return "failed";
        case outcome::exhausted: return "exhausted";
        case outcome::missing: return "missing";
    }
    return "unknown";
}

// One visited queue entry.
struct facet_visit {
    std::string facet;
    std::string context_tag;
    std::string hash;
    outcome result = outcome::completed;
    std::uint32_t attempt = 0;  // the run this visit made (1, 2, ...); for missing, the runs made so far

    [[nodiscard]] friend bool operator==(const facet_visit&, const facet_visit&) = default;
};

// cep::closure::tick_summary is basic_tick_summary<> (see detail/lazy.hpp).
template <class Deferred>
struct basic_tick_summary {
    // In visiting order: facets by name, then hashes.
    cep::detail::lazy<Deferred, std::vector<facet_visit>> visits;
    cep::detail::lazy<Deferred, std::array<std::size_t, outcome_count>> counts{};  // per outcome, by enumerator
    // Refused writes and unreadable counters; the pass went on.
    cep::detail::lazy<Deferred, std::vector<cep::error>> errors;
    // Empty queue families removed (immediate ticks only).
    cep::detail::lazy<Deferred, std::vector<std::string>> removed_families;
    bool more_work = false;  // a later pass has pending work: a retry, or facets queued during this pass

    [[nodiscard]] std::size_t count(outcome o) const noexcept { return counts[static_cast<std::size_t>(o)]; }
    [[nodiscard]] std::size_t visited() const noexcept { return visits.size(); }
    [[nodiscard]] bool ok() const noexcept { return errors.empty(); }

    void add(facet_visit visit) {
        ++counts[static_cast<std::size_t>(visit.result)];
        visits.push_back(std::move(visit));
    }
};

}  // namespace cep::closure
