// Where operations keep their state, and the signal a timed-out watcher sends.
//
//   /rt/ops/<oid>/envelope/{verb,target,mode,ttl,issued_beat[,payload_id]}   sealed at start
//   /rt/ops/<oid>/state                        the live state (ist:*)
//   /rt/ops/<oid>/code, note                   what the latest op_state_set said
//   /rt/ops/<oid>/history/OPH:<n>              append-only: "state=<ist> beat=<N>[ unix_ts_ns=<ns>]"
//   /rt/ops/<oid>/watchers/<wid>/{want,deadline,cont,armed,issued_beat[,payload]}   live watchers (mutable)
//   /rt/ops/<oid>/close/{status,closed_beat[,summary_id]}                     sealed at close
//   /rt/ops_meta/next_oid                      the counter behind OPS:<n> names
//   /rt/ops_meta/pending/<oid>                 the ops the commit pass must visit (live watchers, unsealed parts)
//
// An oid is OPS:<n> (between beats) or OPS:<beat>-<12 hex digits> (inside an enzyme); a watcher is OPW:<n> or
// OPW:<beat>-<12 hex digits> in the same way (see session.hpp for why). Payloads and summaries live in the content
// store, /cas/<sha-256 hex>, and the dossier keeps their digest.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/mailbox/layout.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::ops {

// The root of the dossiers, and of the commit pass's bookkeeping.
inline constexpr auto ops_root = path_c<"/rt/ops">;
inline constexpr auto ops_meta_root = path_c<"/rt/ops_meta">;
// The signal of a watcher whose deadline passed (or whose state can no longer come: its operation closed in
// another state). Its target is the watcher's payload path, or the dossier when it has none, like a continuation.
inline constexpr auto timeout_signal = path_c<"/op/tmo">;
// The CEI topic of the commit pass's warnings (timeouts, conflicting writes found at commit).
inline constexpr std::string_view cei_topic = "ops";

// The dossier of `oid`; an oid that is not a valid path segment is op_invalid.
template <class Deferred = void>
[[nodiscard]] result<path> dossier_path(std::string_view oid) {
    if (oid.empty()) return error{errc::op_invalid, "invalid operation id \"\": it is empty"};
    auto p = path(ops_root).child(oid);
    if (!p) return error{errc::op_invalid, "invalid operation id \"" + std::string(oid) + "\": " + p.error().message};
    return p;
}

namespace detail {

template <class Deferred = void>
[[nodiscard]] path oid_counter() { return path(ops_meta_root) / "next_oid"; }

using cep::mailbox::detail::parse_u64;

// One history entry: the state, the beat and, when the heartbeat published it, the beat's Unix time.
struct history_entry {
    std::string state;
    beat_number beat = 0;
    std::optional<std::uint64_t> unix_ns{};
};

template <class Deferred = void>
[[nodiscard]] std::string history_line(std::string_view state, beat_number beat,
                                              std::optional<std::uint64_t> unix_ns) {
    std::string line = "state=" + std::string(state) + " beat=" + std::to_string(beat);
    if (unix_ns) line += " unix_ts_ns=" + std::to_string(*unix_ns);
    return line;
}

// The inverse of history_line; nullopt for text this library did not write.
template <class Deferred = void>
[[nodiscard]] std::optional<history_entry> parse_history_line(std::string_view line) {
    cep::detail::lazy<Deferred, history_entry> out;
    bool has_state = false, has_beat = false;
    while (!line.empty()) {
        const auto space = line.find(' ');
        const auto field = line.substr(0, space);
        line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
        const auto eq = field.find('=');
        if (eq == std::string_view::npos) return std::nullopt;
        const auto key = field.substr(0, eq);
        const auto value = field.substr(eq + 1);
        if (key == "state") {
            out.state = std::string(value);
            has_state = true;
        } else if (key == "beat") {
            const auto n = parse_u64(value);
            if (!n) return std::nullopt;
            out.beat = *n;
            has_beat = true;
        } else if (key == "unix_ts_ns") {
            out.unix_ns = parse_u64(value);
            if (!out.unix_ns) return std::nullopt;
        }
    }
    if (!has_state || !has_beat) return std::nullopt;
    return out;
}

}  // namespace detail

}  // namespace cep::ops
