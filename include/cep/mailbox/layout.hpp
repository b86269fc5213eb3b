// Where a mailbox keeps its state, relative to the mailbox cell, and the small vocabulary the mailbox helpers share:
// a moment (a beat and, when known, its Unix time), and the two ways of writing (straight into the tree between
// beats, or into an enzyme's staging during a beat). Reads always see the committed tree.
//
//   <mailbox>/msgs/<id>/envelope/<field>             a message: its sealed envelope
//   <mailbox>/meta/runtime/next_msg_id               the counter behind counter ids
//   <mailbox>/meta/runtime/expiries/<beat>/<id>      expiry bucket by beat (value: the message's path)
//   <mailbox>/meta/runtime/exp_wall/<unix_ns>/<id>   expiry bucket by wallclock (value: the message's path)
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/decimal.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/dispatch/context.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::mailbox {

namespace detail {
// The writers are class templates named by aliases, like cep's stateful classes (see cep/detail/lazy.hpp).
template <class Deferred = void>
class basic_tree_writer;
using tree_writer = basic_tree_writer<>;
template <class Deferred = void>
class basic_staged_writer;
using staged_writer = basic_staged_writer<>;
}  // namespace detail

// A point in time as the heartbeat knows it: a beat, and its Unix time in ns when it was published.
struct moment {
    beat_number beat = 0;
    std::optional<std::uint64_t> unix_ns{};
    [[nodiscard]] friend bool operator==(const moment&, const moment&) = default;
};

namespace detail {

// A whole, canonical decimal u64 ("0", "17"; not "", "+1", "007" or "1x"): bucket names must map back to one cell.
[[nodiscard]] inline std::optional<std::uint64_t> parse_u64(std::string_view text) noexcept {
    if (text.empty() || (text.size() > 1 && text[0] == '0')) return std::nullopt;
    return cep::detail::parse_decimal<std::uint64_t>(text);
}

// `base` followed by `segments`, each checked like any path segment (a result, never a throw).
template <class Deferred = void>
[[nodiscard]] result<path> join(const path& base, std::initializer_list<std::string_view> segments) {
    path out = base;
    for (auto segment : segments) {
        auto next = out.child(segment);
        if (!next) return next.error();
        out = std::move(*next);
    }
    return out;
}

template <class Deferred = void>
[[nodiscard]] std::string quoted(const path& p) { return "\"" + p.str() + "\""; }

// Mailbox writes between beats: applied to the tree at once.
template <class Deferred>
class basic_tree_writer {
    using cell_tree = basic_cell_tree<Deferred>;

public:
    explicit basic_tree_writer(cell_tree& tree) noexcept : tree_(&tree) {}
    [[nodiscard]] const cell_tree& committed() const noexcept { return *tree_; }
    result<void> put_text(const path& p, std::string_view text) {
        auto written = tree_->put_text(p, text);
        if (!written) return written.error();
        return {};
    }
    result<void> remove(const path& p) { return tree_->remove(p); }

private:
    cell_tree* tree_;
};

// Mailbox writes inside an enzyme: staged, visible at the next beat; reads see the tree committed before the beat.
template <class Deferred>
class basic_staged_writer {
    using cell_tree = basic_cell_tree<Deferred>;

public:
    explicit basic_staged_writer(write_context& ctx) noexcept : ctx_(&ctx) {}
    [[nodiscard]] const cell_tree& committed() const noexcept { return ctx_->tree(); }
    result<void> put_text(const path& p, std::string_view text) { return ctx_->put_text(p, text); }
    result<void> remove(const path& p) { return ctx_->remove(p); }

private:
    write_context* ctx_;
};

}  // namespace detail

// ---- paths of a mailbox's parts ----
template <class Deferred = void>
[[nodiscard]] result<path> messages_path(const path& mailbox) { return detail::join(mailbox, {"msgs"}); }
// The message `id` (checked as a path segment: a bad id is an error naming the rule it breaks).
template <class Deferred = void>
[[nodiscard]] result<path> message_path(const path& mailbox, std::string_view id) {
    return detail::join(mailbox, {"msgs", id});
}
template <class Deferred = void>
[[nodiscard]] result<path> counter_path(const path& mailbox) {
    return detail::join(mailbox, {"meta", "runtime", "next_msg_id"});
}
template <class Deferred = void>
[[nodiscard]] result<path> beat_buckets_path(const path& mailbox) {
    return detail::join(mailbox, {"meta", "runtime", "expiries"});
}
template <class Deferred = void>
[[nodiscard]] result<path> wallclock_buckets_path(const path& mailbox) {
    return detail::join(mailbox, {"meta", "runtime", "exp_wall"});
}

// The moment of `beat` as the heartbeat's ledger has it: its Unix time from rt/beat/<beat>/meta/unix_ts_ns when
// published (cep::heartbeat::publish_wallclock), none otherwise. A value that is not a number is an error.
template <class Deferred = void>
[[nodiscard]] result<cep::detail::lazy<Deferred, moment>> moment_at(const basic_cell_tree<Deferred>& tree,
                                                                  beat_number beat) {
    // Through the tree's structure, one child at a time: OPS asks for it at every history entry, and building the
    // path cost more than the lookups.
    const cep::detail::lazy<Deferred, cep::detail::decimal> digits(beat);
    const std::string_view number = digits.view();
    auto cell = tree.find(path_c<"/rt/beat">);
    for (const std::string_view name : {number, std::string_view("meta"), std::string_view("unix_ts_ns")})
        if (cell) cell = cell->child(name);
    if (!cell || !cell->has_value()) return moment{beat, std::nullopt};
    const auto ns = detail::parse_u64(cell->text());
    if (!ns)
        return error{errc::mailbox_bad_record, "wallclock " + detail::quoted(cell->path()) + " holds \"" +
                                                std::string(cell->text()) + "\", not a count of nanoseconds"};
    return moment{beat, *ns};
}

}  // namespace cep::mailbox
