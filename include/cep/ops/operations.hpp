// The lifecycle of an operation: op_start builds its dossier, op_state_set moves it through its states, op_await
// registers a watcher (a continuation to send when a state is reached, or op/tmo when the deadline passes first),
// op_close ends it, op_get summarises it. Watchers fire at a commit (see commit.hpp); the functions here only write
// the dossier, through a session (session.hpp), between beats or inside an enzyme.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/mailbox/layout.hpp>
#include <cep/ops/layout.hpp>
#include <cep/ops/names.hpp>
#include <cep/ops/session.hpp>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::ops {

// What op_state_set did.
enum class state_change : std::uint8_t {
    recorded,   // the state changed (or was set again in a later beat): history appended, watchers armed
    refreshed,  // the same state again in the same beat: only code and note were rewritten
};

// What op_close did.
enum class close_outcome : std::uint8_t {
    closed,          // the close was recorded
    already_closed,  // closed before with the same status: nothing changed
};

// A watcher op_await registered.
struct await_result {
    std::string watcher;         // its id, under <dossier>/watchers/
    bool armed = false;          // the wanted state was already there: it fires at the next commit
    beat_number deadline = 0;    // the beat whose commit sends op/tmo if the state has not come; 0: no deadline
};

namespace detail {

// An operation as a session sees it: the committed dossier, updated with what the session staged.
struct op_view {
    std::string oid;
    path dossier;
    path_id dossier_id;  // the same, interned: its cells are reached by segment
    std::string mode;
    std::string state;
    std::optional<std::string> close_status;
    std::optional<history_entry> last_history;
    std::size_t watchers = 0;
};

template <class Deferred = void>
[[nodiscard]] error unknown(std::string_view oid) {
    return error{errc::op_unknown, "no operation " + std::string(oid) + " under /rt/ops"};
}

template <class Deferred = void>
result<op_view> read_op(const basic_session<Deferred>& s, std::string_view oid) {
    auto dossier = dossier_path(oid);
    if (!dossier) return dossier.error();
    const auto* staged = session_access::staged(s, oid);
    cep::detail::lazy<Deferred, op_view> view{std::string(oid), *dossier, {}, {}, {}, {}, {}, 0};
    const auto& tree = s.tree();
    if (const auto cell = tree.find(*dossier)) {
        const auto text_below = [&](std::initializer_list<std::string_view> names) -> std::optional<std::string> {
            const auto found = tree.find_below(*cell, *dossier, names);
            if (!found || !found->has_value()) return std::nullopt;
            return std::string(found->text());
        };
        auto mode = text_below({"envelope", "mode"});
        auto state = text_below({"state"});
        if (!mode || !state)
            return error{errc::op_invalid, "operation " + std::string(oid) + " has no envelope/mode or state: \"" +
                                               dossier->str() + "\" is not a dossier"};
        view.mode = std::move(*mode);
        view.state = std::move(*state);
        view.close_status = text_below({"close", "status"});
        if (const auto history = tree.find_below(*cell, *dossier, {"history"}); history && history->size() != 0) {
            const auto children = history->children();
            view.last_history = parse_history_line((*(children.begin() + (children.size() - 1))).text());
        }
        if (const auto watchers = tree.find_below(*cell, *dossier, {"watchers"})) view.watchers = watchers->size();
    } else if (!staged || !staged->mode) {
        return unknown(oid);
    }
    // Interned only for an operation that exists: asking about an unknown oid adds no name to the table.
    view.dossier_id = session_access::paths(s).intern(*dossier);
    if (staged) {
        if (staged->mode) view.mode = *staged->mode;
        if (staged->state) view.state = *staged->state;
        if (staged->close_status) view.close_status = staged->close_status;
        if (staged->last_history) view.last_history = staged->last_history;
        view.watchers += staged->watchers.size();
    }
    return view;
}

// Writes `text` at `p` through the session's store.
template <class Deferred = void>
result<void> put(basic_session<Deferred>& s, const path& p, std::string_view text) {
    return session_access::store(s).put_text(p, text);
}
// By id: the writes of a dossier go to cells reached from its id by segment (no path text built or hashed).
template <class Deferred = void>
result<void> put(basic_session<Deferred>& s, path_id at, std::string_view text) {
    return session_access::store(s).put_text(at, text);
}
// The id of `parent`'s child `segment` (a name the caller knows is a valid segment).
template <class Deferred = void>
path_id below(basic_session<Deferred>& s, path_id parent, std::string_view segment) {
    return session_access::paths(s).child(parent, segment).value();
}

// Appends the history entry of `state` at the session's beat (with the beat's Unix time when it was published).
template <class Deferred = void>
result<history_entry> append_history(basic_session<Deferred>& s, path_id dossier, std::string_view state) {
    auto when = cep::mailbox::moment_at(s.tree(), s.beat());
    if (!when) return when.error();
    history_entry entry{std::string(state), s.beat(), when->unix_ns};
    if (auto appended = session_access::store(s).append_text(below(s, dossier, "history"),
                                                              history_line(state, s.beat(), when->unix_ns));
        !appended)
        return appended.error();
    return entry;
}

// Arms the watchers of `view` that want `state` (committed ones and those this session staged).
template <class Deferred = void>
result<void> arm_watchers(basic_session<Deferred>& s, const op_view& view, std::string_view state) {
    const path_id under = below(s, view.dossier_id, "watchers");
    const auto arm = [&](std::string_view id) { return put(s, below(s, below(s, under, id), "armed"), "true"); };
    if (const auto watchers = s.tree().find(under)) {
        cep::detail::lazy<Deferred, std::vector<std::string>> to_arm;
        for (auto w : watchers->children()) {
            const auto want = w.child("want");
            const auto armed = w.child("armed");
            if (want && want->text() == state && !(armed && armed->text() == "true")) to_arm.emplace_back(w.name());
        }
        for (const auto& id : to_arm)
            if (auto ok = arm(id); !ok) return ok;
    }
    if (const auto* staged = session_access::staged(s, view.oid))
        for (const auto& [id, want] : staged->watchers)
            if (want == state)
                if (auto ok = arm(id); !ok) return ok;
    return {};
}

template <class Deferred = void>
result<void> mark_pending(basic_session<Deferred>& s, std::string_view oid) {
    auto& paths = session_access::paths(s);
    return put(s, below(s, below(s, paths.intern(ops_meta_root), "pending"), oid), "");
}

template <class Deferred = void>
[[nodiscard]] error closed_error(const op_view& view, std::string_view doing) {
    return error{errc::op_closed, "operation " + view.oid + " is closed (" + *view.close_status + "); cannot " +
                                      std::string(doing)};
}

}  // namespace detail

// Starts an operation: its dossier under /rt/ops/<oid> with a sealed envelope (verb, target, mode, ttl, issued_beat
// and, when `payload` is not empty, payload_id: the digest of the payload, stored under /cas/), state ist:run, the
// history's first entry and an empty watchers dictionary. `ttl` is recorded for tools; nothing enforces it (a
// watcher has its own deadline). Returns the oid. Staged: the commit pass seals the envelope (see commit.hpp).
template <class Deferred = void>
result<std::string> op_start(basic_session<Deferred>& s, const verb& what, const path& target, const mode& how,
                             std::string_view payload = {}, std::uint64_t ttl = 0) {
    using access = detail::session_access;
    cep::detail::lazy<Deferred, std::optional<std::string>> payload_id;
    if (!payload.empty()) {
        auto stored = access::store_content(s, payload);
        if (!stored) return stored.error();
        payload_id = std::move(*stored);
    }
    const std::string identity = "cep.ops.start/1;verb=" + what.str() + ";target=" + target.str() + ";mode=" +
                                 how.str() + ";ttl=" + std::to_string(ttl) + ";payload=" + payload_id.value_or("");
    const auto& tree = s.tree();
    auto& paths = access::paths(s);
    const path_id root = paths.intern(ops_root);
    auto oid = access::mint(s, "OPS", detail::oid_counter(), identity, [&](const std::string& name) {
        const auto id = paths.find_child(root, name);
        return id && tree.find(*id).has_value();
    });
    if (!oid) return oid.error();
    const path_id dossier_id = detail::below(s, root, *oid);
    const path_id envelope_id = detail::below(s, dossier_id, "envelope");
    const path dossier = paths.path_of(dossier_id);

    cep::detail::lazy<Deferred, std::vector<std::pair<std::string_view, std::string>>> fields = {
        {"verb", what.str()},
        {"target", target.str()},
        {"mode", how.str()},
        {"ttl", std::to_string(ttl)},
        {"issued_beat", std::to_string(s.beat())},
    };
    if (payload_id) fields.emplace_back("payload_id", *payload_id);
    for (const auto& [field, value] : fields)
        if (auto ok = detail::put(s, detail::below(s, envelope_id, field), value); !ok) return ok.error();
    if (auto ok = detail::put(s, detail::below(s, dossier_id, "state"), states::run.view()); !ok) return ok.error();
    if (auto ok = access::store(s).make_list(dossier / "history", "OPH"); !ok) return ok.error();
    if (auto ok = access::make_dictionary(s, dossier / "watchers"); !ok) return ok.error();
    auto first = detail::append_history(s, dossier_id, states::run.view());
    if (!first) return first.error();
    if (s.staged()) {
        if (auto ok = detail::mark_pending(s, *oid); !ok) return ok.error();  // the commit pass seals the envelope
        auto* note = access::note(s, *oid);
        note->mode = how.str();
        note->state = states::run.str();
        note->last_history = std::move(*first);
    } else if (auto sealed = access::seal(s, dossier / "envelope"); !sealed) {
        return sealed.error();
    }
    return std::move(*oid);
}

// Moves an operation of mode opm:states to `to`: the live state, code and note, a history entry (with the beat and
// its Unix time when known), and arms the watchers waiting for `to`. The same state again in the same beat appends
// nothing and arms nothing, but rewrites code and note. Errors: op_unknown, op_closed (nothing changes), op_invalid
// (a terminal state: use op_close; or an opm:direct operation, which has no intermediate states).
template <class Deferred = void>
result<state_change> op_state_set(basic_session<Deferred>& s, std::string_view oid, const state& to,
                                  std::int64_t code = 0, std::string_view note = {}) {
    auto view = detail::read_op(s, oid);
    if (!view) return view.error();
    if (view->close_status) return detail::closed_error(*view, "set its state to " + to.str());
    if (to.terminal())
        return error{errc::op_invalid, "cannot set operation " + std::string(oid) + " to " + to.str() +
                                           ": a terminal state is reached by closing it (op_close)"};
    if (view->mode != modes::stateful.view())
        return error{errc::op_invalid, "cannot set operation " + std::string(oid) + " to " + to.str() + ": it is " +
                                           view->mode + " (start it with opm:states to record intermediate states)"};
    const bool repeat =
        view->last_history && view->last_history->state == to.view() && view->last_history->beat == s.beat();
    if (auto ok = detail::put(s, detail::below(s, view->dossier_id, "code"), std::to_string(code)); !ok)
        return ok.error();
    if (auto ok = detail::put(s, detail::below(s, view->dossier_id, "note"), note); !ok) return ok.error();
    if (repeat) return state_change::refreshed;
    if (auto ok = detail::put(s, detail::below(s, view->dossier_id, "state"), to.view()); !ok) return ok.error();
    auto entry = detail::append_history(s, view->dossier_id, to.view());
    if (!entry) return entry.error();
    if (auto ok = detail::arm_watchers(s, *view, to.view()); !ok) return ok.error();
    if (auto* staged = detail::session_access::note(s, oid)) {
        staged->state = to.str();
        staged->last_history = std::move(*entry);
    }
    return state_change::recorded;
}

// Registers a watcher for `want`: when the operation reaches it, the commit of that beat queues (continuation,
// target) for the next beat, target being `payload` when given and the dossier otherwise. Already there: the
// watcher is armed and fires at the next commit. Otherwise, with `ttl` > 0, the commit of beat (this beat + ttl)
// queues op/tmo (same target) instead if the state has not come; `ttl` 0 waits without a deadline. Each watcher
// fires once and is removed. Errors: op_unknown; op_closed when the operation is closed in another state (it will
// never come); op_invalid when beat + ttl overflows or the continuation or the payload is the root.
template <class Deferred = void>
result<await_result> op_await(basic_session<Deferred>& s, std::string_view oid, const state& want, std::uint64_t ttl,
                              const path& continuation, const std::optional<path>& payload = std::nullopt) {
    using access = detail::session_access;
    auto view = detail::read_op(s, oid);
    if (!view) return view.error();
    const bool satisfied = view->state == want.view();
    if (view->close_status && !satisfied)
        return error{errc::op_closed, "operation " + std::string(oid) + " is closed (" + *view->close_status +
                                          ", " + view->state + "); it will never reach " + want.str()};
    if (continuation.is_root() || (payload && payload->is_root()))
        return error{errc::op_invalid, "a watcher's continuation signal and payload path cannot be the root \"/\""};
    if (ttl > std::numeric_limits<beat_number>::max() - s.beat())
        return error{errc::op_invalid, "the deadline of beat " + std::to_string(s.beat()) + " + ttl " +
                                           std::to_string(ttl) + " does not fit in a beat number"};
    const beat_number deadline = ttl == 0 ? 0 : s.beat() + ttl;
    const std::string identity = "cep.ops.await/1;oid=" + std::string(oid) + ";want=" + want.str() + ";ttl=" +
                                 std::to_string(ttl) + ";cont=" + continuation.str() +
                                 ";payload=" + (payload ? payload->str() : std::string());
    const auto& tree = s.tree();
    auto& paths = access::paths(s);
    const path_id watchers = detail::below(s, view->dossier_id, "watchers");
    auto id = access::mint(s, "OPW", path(ops_meta_root) / "next_watcher", identity, [&](const std::string& name) {
        const auto known = paths.find_child(watchers, name);
        return known && tree.find(*known).has_value();
    });
    if (!id) return id.error();
    const path_id watcher = detail::below(s, watchers, *id);
    const auto field = [&](std::string_view name) { return detail::below(s, watcher, name); };
    if (auto ok = detail::put(s, field("want"), want.view()); !ok) return ok.error();
    if (auto ok = detail::put(s, field("deadline"), std::to_string(deadline)); !ok) return ok.error();
    if (auto ok = detail::put(s, field("cont"), continuation.str()); !ok) return ok.error();
    if (payload)
        if (auto ok = detail::put(s, field("payload"), payload->str()); !ok) return ok.error();
    if (auto ok = detail::put(s, field("issued_beat"), std::to_string(s.beat())); !ok) return ok.error();
    if (auto ok = detail::put(s, field("armed"), satisfied ? "true" : "false"); !ok) return ok.error();
    if (auto ok = detail::mark_pending(s, oid); !ok) return ok.error();
    if (auto* staged = access::note(s, oid)) staged->watchers.emplace_back(*id, want.str());
    return await_result{std::move(*id), satisfied, deadline};
}

// Closes an operation: a sealed close record (status, closed_beat and, when `summary` is not empty, summary_id:
// its digest, stored under /cas/), the final state (sts:ok -> ist:ok, sts:fail -> ist:fail, sts:cnl -> ist:cnl),
// the last history entry, and arms the watchers waiting for the final state (the others get op/tmo at the next
// commit: their state will never come). Closed again with the same status: nothing changes (already_closed);
// with another status: op_status_conflict. Staged: the commit pass seals the close record.
template <class Deferred = void>
result<close_outcome> op_close(basic_session<Deferred>& s, std::string_view oid, const status& how,
                               std::string_view summary = {}) {
    using access = detail::session_access;
    auto view = detail::read_op(s, oid);
    if (!view) return view.error();
    if (view->close_status) {
        if (*view->close_status == how.view()) return close_outcome::already_closed;
        return error{errc::op_status_conflict, "operation " + std::string(oid) + " is already closed with " +
                                                   *view->close_status + "; refusing " + how.str()};
    }
    const state final_state = how.final_state();
    const path_id close = detail::below(s, view->dossier_id, "close");
    if (auto ok = detail::put(s, detail::below(s, close, "status"), how.view()); !ok) return ok.error();
    if (auto ok = detail::put(s, detail::below(s, close, "closed_beat"), std::to_string(s.beat())); !ok)
        return ok.error();
    if (!summary.empty()) {
        auto digest = access::store_content(s, summary);
        if (!digest) return digest.error();
        if (auto ok = detail::put(s, detail::below(s, close, "summary_id"), *digest); !ok) return ok.error();
    }
    if (auto ok = detail::put(s, detail::below(s, view->dossier_id, "state"), final_state.view()); !ok)
        return ok.error();
    auto entry = detail::append_history(s, view->dossier_id, final_state.view());
    if (!entry) return entry.error();
    if (auto ok = detail::arm_watchers(s, *view, final_state.view()); !ok) return ok.error();
    if (s.staged()) {
        if (auto ok = detail::mark_pending(s, oid); !ok) return ok.error();  // the commit pass seals the record
        auto* staged = access::note(s, oid);
        staged->state = final_state.str();
        staged->close_status = how.str();
        staged->last_history = std::move(*entry);
    } else if (auto sealed = access::seal(s, view->dossier / "close"); !sealed) {
        return sealed.error();
    }
    return close_outcome::closed;
}

// A one-line summary: "oid=<oid> state=<ist> status=<sts or open> watchers=<n>", as the session sees the operation
// (the committed dossier, plus what this session staged).
template <class Deferred = void>
result<std::string> op_get(const basic_session<Deferred>& s, std::string_view oid) {
    auto view = detail::read_op(s, oid);
    if (!view) return view.error();
    return "oid=" + view->oid + " state=" + view->state + " status=" + view->close_status.value_or("open") +
           " watchers=" + std::to_string(view->watchers);
}

}  // namespace cep::ops
