// TTL resolution: how long a message lives, from three scopes in precedence order, message > mailbox > topology.
// Each duration (beats, wallclock) comes from the highest scope that sets it; a scope whose mode is `forever`
// ends the search (what is still unset stays unset). Both deadlines are computed from the issue moment. A
// wallclock-only TTL also gets a projected beat deadline from the heartbeat's spacing analytics, so beat-driven
// retention still has a beat to look at; the projection can be switched off for debugging.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/mailbox/layout.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::mailbox {

// What one scope says about keeping messages.
enum class ttl_mode : std::uint8_t {
    inherit,  // this scope's durations apply where set; the others come from the next scope down
    forever,  // keep for good: the scopes below are not consulted (a forever scope sets no duration)
};

// One scope's TTL. The default says nothing (every field comes from the next scope).
struct ttl_spec {
    ttl_mode mode = ttl_mode::inherit;
    std::optional<std::uint64_t> beats{};         // lifetime in beats after the issue beat
    std::optional<std::uint64_t> wallclock_ns{};  // lifetime in ns after the issue time

    [[nodiscard]] static ttl_spec keep_forever() noexcept { return {ttl_mode::forever, {}, {}}; }
    [[nodiscard]] static ttl_spec for_beats(std::uint64_t n) noexcept { return {ttl_mode::inherit, n, {}}; }
    [[nodiscard]] static ttl_spec for_wallclock(std::uint64_t ns) noexcept { return {ttl_mode::inherit, {}, ns}; }
    [[nodiscard]] friend bool operator==(const ttl_spec&, const ttl_spec&) = default;
};

// The three scopes of a resolution, highest precedence first.
struct ttl_scopes {
    ttl_spec message{};
    ttl_spec mailbox{};
    ttl_spec topology{};
};

// Which scope decided something (none: no scope did).
enum class ttl_scope : std::uint8_t { none, message, mailbox, topology };

[[nodiscard]] constexpr std::string_view to_string(ttl_scope scope) noexcept {
    switch (scope) {
        case ttl_scope::none:
            return "none";
        case ttl_scope::message:
            return "message";
        case ttl_scope::mailbox:
            return "mailbox";
        case ttl_scope::topology:
            return "topology";
    }
    return "unknown";
}

// The kind of mailbox, for topology defaults.
enum class mailbox_kind : std::uint8_t { public_board, private_inbox };

// Topology defaults, the lowest scope. Boards set nothing (the mailbox or the message should); private inboxes
// keep messages forever unless the mailbox or the message says otherwise.
struct topology_policy {
    ttl_spec public_board{};
    ttl_spec private_inbox = ttl_spec::keep_forever();

    [[nodiscard]] const ttl_spec& defaults_for(mailbox_kind kind) const noexcept {
        return kind == mailbox_kind::private_inbox ? private_inbox : public_board;
    }
};

struct ttl_options {
    // Project a beat deadline for a wallclock-only TTL from rt/analytics/spacing. Off: no projected beat (the
    // message is then due by its wallclock deadline only); useful to debug without spacing data.
    bool project_wallclock = true;
};

enum class ttl_outcome : std::uint8_t {
    expires,  // at least one deadline below
    forever,  // never expires (no deadline): a forever scope, or no scope set anything
};

// How the beat deadline of a wallclock-only TTL was obtained.
enum class beat_projection : std::uint8_t {
    not_needed,       // a beat TTL was set, or there is no wallclock TTL
    projected,        // issue beat + ceil(wallclock TTL / average beat interval)
    disabled,         // ttl_options::project_wallclock is off
    no_spacing_data,  // no spacing analytics (or an average of 0 ns): no projected beat
};

[[nodiscard]] constexpr std::string_view to_string(beat_projection projection) noexcept {
    switch (projection) {
        case beat_projection::not_needed:
            return "not_needed";
        case beat_projection::projected:
            return "projected";
        case beat_projection::disabled:
            return "disabled";
        case beat_projection::no_spacing_data:
            return "no_spacing_data";
    }
    return "unknown";
}

struct resolved_ttl {
    ttl_outcome outcome = ttl_outcome::forever;
    moment issued{};
    std::optional<std::uint64_t> beats;         // the beat TTL that won
    std::optional<std::uint64_t> wallclock_ns;  // the wallclock TTL that won
    ttl_scope beats_from = ttl_scope::none;
    ttl_scope wallclock_from = ttl_scope::none;
    ttl_scope forever_from = ttl_scope::none;       // the forever scope that ended the search, if any
    std::optional<beat_number> beat_deadline;       // due at this beat (set or projected)
    std::optional<std::uint64_t> unix_deadline_ns;  // due once the clock reaches this Unix time
    beat_projection projection = beat_projection::not_needed;
    std::optional<std::uint64_t> average_interval_ns;  // the spacing average a projection used

    [[nodiscard]] bool forever() const noexcept { return outcome == ttl_outcome::forever; }
};

// The average of the intervals under rt/analytics/spacing/<beat>/interval_ns (written by
// cep::heartbeat::publish_wallclock, newest `spacing_window` beats), or none when there are none or it is 0.
template <class Deferred = void>
[[nodiscard]] result<cep::detail::lazy<Deferred, std::optional<std::uint64_t>>> average_beat_interval(
    const basic_cell_tree<Deferred>& tree) {
    const auto spacing = tree.find(path("/rt/analytics/spacing"));
    if (!spacing) return std::optional<std::uint64_t>{};
    // mean = sum / n without overflow: quotients and remainders are summed apart.
    std::uint64_t count = 0;
    for (auto beat : spacing->children()) count += beat.child("interval_ns").has_value();
    if (count == 0) return std::optional<std::uint64_t>{};
    std::uint64_t quotient = 0;
    std::uint64_t remainder = 0;
    for (auto beat : spacing->children()) {
        const auto interval = beat.child("interval_ns");
        if (!interval) continue;
        const auto ns = detail::parse_u64(interval->text());
        if (!ns)
            return error{errc::mailbox_bad_record, "spacing analytics " + detail::quoted(interval->path()) + " holds \"" +
                                                    std::string(interval->text()) + "\", not a count of nanoseconds"};
        quotient += *ns / count;
        remainder += *ns % count;
    }
    const std::uint64_t average = quotient + remainder / count;
    if (average == 0) return std::optional<std::uint64_t>{};
    return std::optional<std::uint64_t>{average};
}

namespace detail {

template <class Deferred = void>
[[nodiscard]] result<void> check_scope(const ttl_spec& spec, ttl_scope scope) {
    if (spec.mode == ttl_mode::forever && (spec.beats || spec.wallclock_ns))
        return error{errc::mailbox_invalid_ttl, "the " + std::string(to_string(scope)) +
                                               " TTL is forever and also sets a duration; a scope either keeps "
                                               "messages forever or gives durations"};
    return {};
}

template <class Deferred = void>
[[nodiscard]] result<beat_number> beat_after(beat_number issued, std::uint64_t beats, std::string_view what) {
    if (beats > std::numeric_limits<beat_number>::max() - issued)
        return error{errc::mailbox_invalid_ttl, std::string(what) + " of " + std::to_string(beats) + " beats from beat " +
                                               std::to_string(issued) + " overflows the beat counter"};
    return issued + beats;
}

}  // namespace detail

// Resolves a message's TTL from its three scopes and the moment it was issued. Reads the tree only to project a
// wallclock-only TTL onto beats (spacing analytics). Errors: a scope that is forever and sets a duration; a
// wallclock TTL without the issue time (moment::unix_ns; it is never guessed); a deadline past 2^64 - 1.
template <class Deferred = void>
[[nodiscard]] result<resolved_ttl> resolve_ttl(const basic_cell_tree<Deferred>& tree, const ttl_scopes& scopes,
                                                      const moment& issued, const ttl_options& options = {}) {
    using scoped = cep::detail::lazy<Deferred, std::pair<const ttl_spec*, ttl_scope>>;
    const scoped ordered[] = {{&scopes.message, ttl_scope::message},
                              {&scopes.mailbox, ttl_scope::mailbox},
                              {&scopes.topology, ttl_scope::topology}};
    for (const auto& [spec, scope] : ordered)
        if (auto ok = detail::check_scope(*spec, scope); !ok) return ok.error();

    cep::detail::lazy<Deferred, resolved_ttl> out;
    out.issued = issued;
    for (const auto& [spec, scope] : ordered) {
        if (!out.beats && spec->beats) {
            out.beats = spec->beats;
            out.beats_from = scope;
        }
        if (!out.wallclock_ns && spec->wallclock_ns) {
            out.wallclock_ns = spec->wallclock_ns;
            out.wallclock_from = scope;
        }
        if (spec->mode == ttl_mode::forever) {
            out.forever_from = scope;
            break;
        }
    }
    if (!out.beats && !out.wallclock_ns) return out;  // forever: nothing ever comes due
    out.outcome = ttl_outcome::expires;

    if (out.beats) {
        auto deadline = detail::beat_after(issued.beat, *out.beats, "a TTL");
        if (!deadline) return deadline.error();
        out.beat_deadline = *deadline;
    }
    if (out.wallclock_ns) {
        if (!issued.unix_ns)
            return error{errc::mailbox_missing_origin,
                         "cannot resolve the wallclock TTL of " + std::to_string(*out.wallclock_ns) + " ns (from the " +
                             std::string(to_string(out.wallclock_from)) + "): the Unix time of issue beat " +
                             std::to_string(issued.beat) + " is unknown (publish the beat's wallclock first)"};
        if (*out.wallclock_ns > std::numeric_limits<std::uint64_t>::max() - *issued.unix_ns)
            return error{errc::mailbox_invalid_ttl, "a wallclock TTL of " + std::to_string(*out.wallclock_ns) +
                                                   " ns from Unix time " + std::to_string(*issued.unix_ns) +
                                                   " ns overflows a 64-bit nanosecond count"};
        out.unix_deadline_ns = *issued.unix_ns + *out.wallclock_ns;
        if (!out.beats) {
            if (!options.project_wallclock) {
                out.projection = beat_projection::disabled;
            } else {
                auto average = average_beat_interval<Deferred>(tree);
                if (!average) return average.error();
                if (!*average) {
                    out.projection = beat_projection::no_spacing_data;
                } else {
                    const std::uint64_t avg = **average;
                    const std::uint64_t beats = *out.wallclock_ns / avg + (*out.wallclock_ns % avg != 0);
                    auto deadline = detail::beat_after(issued.beat, beats, "a projected TTL");
                    if (!deadline) return deadline.error();
                    out.beat_deadline = *deadline;
                    out.average_interval_ns = avg;
                    out.projection = beat_projection::projected;
                }
            }
        }
    }
    return out;
}

}  // namespace cep::mailbox
