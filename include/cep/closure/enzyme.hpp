// Layer 1 on the heartbeat: an enzyme that runs one tick per beat, so closure work follows the beat rhythm and its
// writes obey N -> N+1 visibility (it reads the committed tree and writes into the beat's staging).
//
// Trigger: the enzyme runs for the broadcast signal /signals/closure/tick (or another one you name). Enqueue it once
// after promising facets (between beats: hb.enqueue(cep::closure::tick_signal); from an enzyme:
// ctx.emit(cep::closure::tick_signal)); while the pass leaves work for a later one (a retry, or facets queued by
// handlers) the enzyme emits the signal again for N+1, so the queue drains without being polled. Enqueueing it
// every beat is harmless: a beat runs an agenda once however many identical impulses arrive.
#pragma once

#include <cep/closure/handler_set.hpp>
#include <cep/closure/store.hpp>
#include <cep/closure/summary.hpp>
#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/status.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/dispatch/context.hpp>

#include <cstddef>
#include <vector>

namespace cep::closure {

inline constexpr auto tick_signal = path_c<"/signals/closure/tick">;

template <class Handlers, fixed_string Signal = "/signals/closure/tick", fixed_string Name = "closure_tick">
class tick_enzyme {
    static_assert(Handlers::ok, "cep::closure::tick_enzyme: the handler set is not valid (see the errors above)");
    // Dependent spellings (see detail/lazy.hpp): compiled with the enzyme that uses them.
    using write_context = cep::detail::lazy<Handlers, cep::write_context>;
    using store = cep::detail::lazy<Handlers, closure::store>;
    using tick_summary = cep::detail::lazy<Handlers, closure::tick_summary>;
    using error_list = cep::detail::lazy<Handlers, std::vector<cep::error>>;

public:
    static constexpr cep::name name = Name;
    static constexpr query_constant<Signal> query{};
    static constexpr path_constant<Signal> signal{};  // also checks that the signal is a path (no glob segment)

    // Always success: each facet's outcome is recorded in its facet record and queue entry, and a failing status
    // here would discard the whole pass's staged writes, the good ones included.
    status operator()(const impulse_ref&, write_context& ctx) {
        store s(ctx);
        last_ = handlers_.tick(s);
        last_beat_ = ctx.beat();
        ++passes_;
        if (last_.more_work)
            if (auto r = ctx.emit(path(signal)); !r) last_.errors.push_back(r.error());
        errors_.insert(errors_.end(), last_.errors.begin(), last_.errors.end());
        return status::success;
    }

    [[nodiscard]] Handlers& handlers() noexcept { return handlers_; }
    // The latest pass, the beat it ran in (0 before the first) and how many passes ran.
    [[nodiscard]] const tick_summary& last_summary() const noexcept { return last_; }
    [[nodiscard]] beat_number last_beat() const noexcept { return last_beat_; }
    [[nodiscard]] std::size_t passes() const noexcept { return passes_; }
    // Every error of every pass (refused staged writes, unreadable counters), oldest first.
    [[nodiscard]] const error_list& errors() const noexcept { return errors_; }

private:
    Handlers handlers_;
    tick_summary last_;
    beat_number last_beat_ = 0;
    std::size_t passes_ = 0;
    error_list errors_;
};

}  // namespace cep::closure
