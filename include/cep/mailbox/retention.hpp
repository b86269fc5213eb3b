// Retention: expiry buckets and the plan of what is due. record_expiry files a message under the buckets of its
// deadlines; plan_retention reads every bucket and says, without changing anything, which messages are due now
// (beat-first, then wallclock-first) and when the next work is; purge_due removes what a plan found due. A
// retention enzyme runs plan -> purge -> re-queue itself for the next work, so purging stays deterministic.
//
//   <mailbox>/meta/runtime/expiries/<beat>/<id>      = "<mailbox>/msgs/<id>"
//   <mailbox>/meta/runtime/exp_wall/<unix_ns>/<id>   = "<mailbox>/msgs/<id>"
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/mailbox/layout.hpp>
#include <cep/mailbox/ttl.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::mailbox {

// The bucket entries record_expiry wrote (none for a message kept forever).
struct expiry_record {
    std::optional<path> beat_entry;       // <mailbox>/meta/runtime/expiries/<beat>/<id>
    std::optional<path> wallclock_entry;  // <mailbox>/meta/runtime/exp_wall/<unix_ns>/<id>
};

// A message with at least one bucket entry, and every entry it has (so a purge removes them all).
struct due_message {
    std::string id;
    path message;                               // <mailbox>/msgs/<id>
    std::vector<beat_number> beat_deadlines;    // its buckets under expiries/, ascending
    std::vector<std::uint64_t> unix_deadlines;  // its buckets under exp_wall/, ascending
    [[nodiscard]] friend bool operator==(const due_message&, const due_message&) = default;
};

struct retention_plan {
    path mailbox;
    moment now;
    // Due because a beat deadline <= now.beat (also when the wallclock one passed too): by that deadline, then id.
    std::vector<due_message> beat_first;
    // Due only because a wallclock deadline <= now.unix_ns: by that deadline, then id. Empty when now.unix_ns is
    // unknown (the time is never guessed).
    std::vector<due_message> wallclock_first;
    // The future work among the messages not due: the earliest beat deadline (> now.beat), the earliest wallclock
    // deadline (> now.unix_ns, or any when the time is unknown).
    std::optional<beat_number> next_beat;
    std::optional<std::uint64_t> next_unix_ns;

    [[nodiscard]] bool has_due() const noexcept { return !beat_first.empty() || !wallclock_first.empty(); }
    [[nodiscard]] bool has_future_work() const noexcept { return next_beat.has_value() || next_unix_ns.has_value(); }
};

struct purge_report {
    std::size_t messages_removed = 0;  // msgs/<id> cells removed
    std::size_t entries_removed = 0;   // bucket entries removed (alone or with their emptied bucket)
    std::size_t buckets_removed = 0;   // buckets removed because every entry in them was due
};

namespace detail {

template <class Writer>
result<expiry_record> record_expiry_with(Writer& writer, const path& mailbox, std::string_view id,
                                         const resolved_ttl& ttl) {
    auto message = message_path(mailbox, id);
    if (!message) return error{message.error().code, "invalid message id: " + message.error().message};
    if (!writer.committed().contains(*message))
        return error{errc::cell_not_found, "cannot record the expiry of message \"" + std::string(id) +
                                               "\": no message at " + quoted(*message)};
    cep::detail::lazy<Writer, expiry_record> out;
    if (ttl.forever()) return out;
    if (!ttl.beat_deadline && !ttl.unix_deadline_ns)
        return error{errc::mailbox_invalid_ttl, "cannot record the expiry of message \"" + std::string(id) +
                                               "\": its TTL expires but has no deadline"};
    // Each entry's value is the message's path: readable, and valid before the message commits (unlike a link).
    if (ttl.beat_deadline) {
        auto entry = join(mailbox, {"meta", "runtime", "expiries", std::to_string(*ttl.beat_deadline), id});
        if (!entry) return entry.error();
        if (auto ok = writer.put_text(*entry, message->str()); !ok) return ok.error();
        out.beat_entry = std::move(*entry);
    }
    if (ttl.unix_deadline_ns) {
        auto entry = join(mailbox, {"meta", "runtime", "exp_wall", std::to_string(*ttl.unix_deadline_ns), id});
        if (!entry) return entry.error();
        if (auto ok = writer.put_text(*entry, message->str()); !ok) return ok.error();
        out.wallclock_entry = std::move(*entry);
    }
    return out;
}

// The buckets under `at` (expiries or exp_wall), by number ascending; a bucket not named by a canonical number
// is an error (bucket names must map back to exactly one cell).
template <class Deferred = void>
[[nodiscard]] auto buckets(const basic_cell_tree<Deferred>& tree, const path& at)
    -> result<cep::detail::lazy<Deferred, std::vector<std::pair<std::uint64_t, cell_view>>>> {
    cep::detail::lazy<Deferred, std::vector<std::pair<std::uint64_t, cell_view>>> out;
    const auto top = tree.find(at);
    if (!top) return out;
    for (auto bucket : top->children()) {
        const auto number = parse_u64(bucket.name());
        if (!number)
            return error{errc::mailbox_bad_record,
                         "expiry bucket " + quoted(bucket.path()) + " is not named by a number"};
        out.emplace_back(*number, bucket);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

template <class Writer>
result<purge_report> purge_with(Writer& writer, const retention_plan& plan) {
    const auto& tree = writer.committed();
    // The ids purged, sorted to be searched (views of the plan's strings, which outlive this call).
    cep::detail::lazy<Writer, std::vector<std::string_view>> due;
    for (const auto* partition : {&plan.beat_first, &plan.wallclock_first})
        for (const auto& message : *partition) due.push_back(message.id);
    std::sort(due.begin(), due.end());

    purge_report report;
    for (const auto* partition : {&plan.beat_first, &plan.wallclock_first})
        for (const auto& message : *partition) {
            if (!tree.contains(message.message)) continue;  // already purged: idempotent
            if (auto ok = writer.remove(message.message); !ok) return ok.error();
            ++report.messages_removed;
        }
    auto beats_at = beat_buckets_path(plan.mailbox);
    if (!beats_at) return beats_at.error();
    auto wall_at = wallclock_buckets_path(plan.mailbox);
    if (!wall_at) return wall_at.error();
    for (const path* at : {&*beats_at, &*wall_at}) {
        auto found = buckets(tree, *at);
        if (!found) return found.error();
        for (const auto& [number, bucket] : *found) {
            cep::detail::lazy<Writer, std::vector<path>> entries;
            std::size_t total = 0;
            for (auto entry : bucket.children()) {
                ++total;
                if (std::binary_search(due.begin(), due.end(), entry.name())) entries.push_back(entry.path());
            }
            if (entries.empty()) continue;
            if (entries.size() == total) {
                if (auto ok = writer.remove(bucket.path()); !ok) return ok.error();
                ++report.buckets_removed;
            } else {
                for (const auto& entry : entries)
                    if (auto ok = writer.remove(entry); !ok) return ok.error();
            }
            report.entries_removed += entries.size();
        }
    }
    return report;
}

}  // namespace detail

// Files message `id` of `mailbox` under the buckets of its deadlines: expiries/<beat_deadline>/<id> and
// exp_wall/<unix_deadline_ns>/<id> (either may be absent; a forever TTL files nothing). The message must exist in
// the committed tree. Recording the same deadlines again changes nothing. Between beats: written at once.
template <class Deferred = void>
[[nodiscard]] result<expiry_record> record_expiry(basic_cell_tree<Deferred>& tree, const path& mailbox,
                                                  std::string_view id, const resolved_ttl& ttl) {
    detail::basic_tree_writer<Deferred> writer(tree);
    return detail::record_expiry_with(writer, mailbox, id, ttl);
}
// The same inside an enzyme: staged, visible at the next beat.
template <class Deferred = void>
[[nodiscard]] result<expiry_record> record_expiry(write_context& ctx, const path& mailbox, std::string_view id,
                                                         const resolved_ttl& ttl) {
    detail::basic_staged_writer<Deferred> writer(ctx);
    return detail::record_expiry_with(writer, mailbox, id, ttl);
}

// What is due in `mailbox` at `now`, and when the next work is. Pure: reads the buckets, changes nothing.
// Errors: no cell at `mailbox`; a bucket not named by a number.
template <class Deferred = void>
[[nodiscard]] result<retention_plan> plan_retention(const basic_cell_tree<Deferred>& tree, const path& mailbox,
                                                           const moment& now) {
    if (!tree.contains(mailbox)) return error{errc::cell_not_found, "no mailbox at " + detail::quoted(mailbox)};
    auto beats_at = beat_buckets_path(mailbox);
    if (!beats_at) return beats_at.error();
    auto wall_at = wallclock_buckets_path(mailbox);
    if (!wall_at) return wall_at.error();
    auto beat_buckets = detail::buckets<Deferred>(tree, *beats_at);
    if (!beat_buckets) return beat_buckets.error();
    auto wall_buckets = detail::buckets<Deferred>(tree, *wall_at);
    if (!wall_buckets) return wall_buckets.error();

    // Every bucket entry as (message id, which buckets, deadline), sorted: each message's entries end up together,
    // its beat deadlines and then its wallclock ones, each ascending. The ids are views of the tree's names, which
    // stay put while the plan is built (nothing is written).
    struct bucket_entry {
        std::string_view id;
        bool wallclock;
        std::uint64_t deadline;
    };
    cep::detail::lazy<Deferred, std::vector<bucket_entry>> entries;
    for (const auto& [beat, bucket] : *beat_buckets)
        for (auto entry : bucket.children()) entries.push_back({entry.name(), false, beat});
    for (const auto& [unix_ns, bucket] : *wall_buckets)
        for (auto entry : bucket.children()) entries.push_back({entry.name(), true, unix_ns});
    std::sort(entries.begin(), entries.end(), [](const bucket_entry& a, const bucket_entry& b) {
        return std::tie(a.id, a.wallclock, a.deadline) < std::tie(b.id, b.wallclock, b.deadline);
    });
    // Every message with an entry, and all its deadlines.
    cep::detail::lazy<Deferred, std::vector<due_message>> messages;
    for (std::size_t k = 0; k < entries.size();) {
        const std::string_view id = entries[k].id;
        auto message = message_path(mailbox, id);
        if (!message) return message.error();
        auto& due = messages.emplace_back(due_message{std::string(id), std::move(*message), {}, {}});
        for (; k < entries.size() && entries[k].id == id; ++k)
            (entries[k].wallclock ? due.unix_deadlines : due.beat_deadlines).push_back(entries[k].deadline);
    }

    cep::detail::lazy<Deferred, retention_plan> plan{mailbox, now, {}, {}, {}, {}};
    using due_list = cep::detail::lazy<Deferred, std::vector<std::pair<std::uint64_t, const due_message*>>>;
    due_list by_beat;
    due_list by_wall;
    for (const auto& message : messages) {
        const auto first_beat =
            message.beat_deadlines.empty() ? std::nullopt : std::optional<beat_number>(message.beat_deadlines[0]);
        const auto first_wall =
            message.unix_deadlines.empty() ? std::nullopt : std::optional<std::uint64_t>(message.unix_deadlines[0]);
        if (first_beat && *first_beat <= now.beat) {
            by_beat.emplace_back(*first_beat, &message);
        } else if (first_wall && now.unix_ns && *first_wall <= *now.unix_ns) {
            by_wall.emplace_back(*first_wall, &message);
        } else {
            if (first_beat) plan.next_beat = std::min(plan.next_beat.value_or(*first_beat), *first_beat);
            if (first_wall) plan.next_unix_ns = std::min(plan.next_unix_ns.value_or(*first_wall), *first_wall);
        }
    }
    // Ids are unique, so (deadline, id) is a total order: the plan never depends on how it was built.
    const auto by_deadline_then_id = [](const auto& a, const auto& b) {
        return std::tie(a.first, a.second->id) < std::tie(b.first, b.second->id);
    };
    std::sort(by_beat.begin(), by_beat.end(), by_deadline_then_id);
    std::sort(by_wall.begin(), by_wall.end(), by_deadline_then_id);
    for (const auto& [deadline, message] : by_beat) plan.beat_first.push_back(*message);
    for (const auto& [deadline, message] : by_wall) plan.wallclock_first.push_back(*message);
    return plan;
}

// Removes what `plan` found due: each message (msgs/<id>) and every bucket entry of it; a bucket left empty is
// removed whole. Reads the committed tree, so a message or entry already gone is skipped (purging twice is
// harmless). Between beats: at once.
template <class Deferred = void>
[[nodiscard]] result<purge_report> purge_due(basic_cell_tree<Deferred>& tree, const retention_plan& plan) {
    detail::basic_tree_writer<Deferred> writer(tree);
    return detail::purge_with(writer, plan);
}
// The same inside an enzyme (a retention enzyme): staged, visible at the next beat.
template <class Deferred = void>
[[nodiscard]] result<purge_report> purge_due(write_context& ctx, const retention_plan& plan) {
    detail::basic_staged_writer<Deferred> writer(ctx);
    return detail::purge_with(writer, plan);
}

}  // namespace cep::mailbox
