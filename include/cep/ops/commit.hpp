// The commit pass: at the end of each beat's commit, watchers that are due fire, exactly once. An armed watcher
// (its state came) or one whose state is the operation's current state queues its continuation; one whose deadline
// is this beat or earlier, or whose operation closed in another state, queues op/tmo and leaves a CEI warning. Both
// go to the next beat, and the watcher is removed. The pass also seals what staged sessions wrote (an enzyme's
// write_context cannot seal): new envelopes and close records.
//
// It visits only the operations listed under /rt/ops_meta/pending (those with live watchers or unsealed parts), in
// name order, and their watchers in name order, so two identical runs fire the same impulses in the same order.
// An operation leaves the list when it has nothing left for the pass; closed operations without watchers are never
// visited again.
//
// cep::ops::attach(hb) runs the pass from the heartbeat's commit listener; stage_commit(tree, beat) is the pass
// alone, for a program that drives beats itself.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/ops/layout.hpp>
#include <cep/ops/names.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::ops {

// One watcher that fired: the impulse to queue for the next beat.
struct firing {
    enum class reason : std::uint8_t {
        reached,   // its state came: the continuation
        deadline,  // its deadline passed first: op/tmo
        closed,    // its operation closed in another state: op/tmo
    };
    reason why = reason::reached;
    std::string oid;
    std::string watcher;
    path signal;  // the continuation, or timeout_signal
    path target;  // the watcher's payload, or the dossier
    std::string note;  // a sentence saying what happened (the CEI note of a timeout)
};

// What one pass did.
struct commit_outcome {
    std::vector<firing> fired;          // in the order to queue them
    std::vector<std::string> warnings;  // anything found wrong on the way (each becomes a CEI warning)
    std::size_t sealed = 0;             // envelopes and close records sealed for staged sessions
};

namespace detail {

template <class Deferred = void>
[[nodiscard]] std::optional<std::string> field(const cell_view& cell, std::string_view name) {
    const auto child = cell.child(name);
    if (!child || !child->has_value()) return std::nullopt;
    return std::string(child->text());
}

// Seals a staged envelope; warns when two identical starts in one beat shared this dossier (see session.hpp).
template <class Deferred = void>
void settle_envelope(basic_cell_tree<Deferred>& tree, const std::string& oid, const cell_view& dossier,
                     cep::detail::lazy<Deferred, commit_outcome>& out) {
    const auto envelope = tree.find_below(dossier, {"envelope"});
    if (!envelope || envelope->sealed()) return;
    if (const auto history = tree.find_below(dossier, {"history"}); history && history->size() > 1) {
        const auto first = (*history->children().begin()).text();
        std::size_t starts = 0;
        for (auto entry : history->children()) starts += entry.text() == first;
        if (starts > 1)
            out.warnings.push_back("the history of operation " + oid + " records its start " + std::to_string(starts) +
                                   " times: identical starts in one beat share one dossier");
    }
    if (auto sealed = tree.seal(envelope->id()); !sealed)
        out.warnings.push_back("cannot seal the envelope of " + oid + ": " + sealed.error().message);
    else
        ++out.sealed;
}

// Seals a staged close record, after checking what concurrent staged writes may have left: a state other than the
// close's (set by another enzyme in the closing beat; restored) or two closes in one beat (the later one stands).
template <class Deferred = void>
void settle_close(basic_cell_tree<Deferred>& tree, const std::string& oid, const cell_view& dossier,
                  cep::detail::lazy<Deferred, commit_outcome>& out) {
    const cep::detail::lazy<Deferred, std::optional<cell_view>> close = tree.find_below(dossier, {"close"});
    if (!close || close->sealed()) return;
    const path_id close_id = close->id();
    const auto status_text = field(*close, "status");
    auto parsed = status::parse(status_text.value_or(""));
    if (!parsed) {
        out.warnings.push_back("operation " + oid + " has a close record without a valid status: " +
                               parsed.error().message);
    } else {
        const auto final_state = parsed->final_state();
        if (const auto history = tree.find_below(dossier, {"history"})) {
            std::size_t closes = 0;
            for (auto entry : history->children()) {
                const auto line = parse_history_line(entry.text());
                const auto entry_state = line ? state::parse(line->state) : result<state>(error{errc::op_invalid, ""});
                closes += entry_state && entry_state->terminal();
            }
            if (closes > 1)
                out.warnings.push_back("operation " + oid + " was closed " + std::to_string(closes) +
                                       " times in one beat; the last close (" + parsed->str() + ") stands");
        }
        const auto current = tree.find_below(dossier, {"state"});
        if (!current || current->text() != final_state.view()) {
            out.warnings.push_back("operation " + oid + " had its state set to " +
                                   (current ? std::string(current->text()) : std::string("(none)")) +
                                   " in the beat it closed; restored " + final_state.str());
            const path_id state_id = tree.paths().child(dossier.id(), "state").value();
            if (auto put = tree.put_text(state_id, final_state.view()); !put)
                out.warnings.push_back("cannot restore the state of " + oid + ": " + put.error().message);
        }
    }
    if (auto sealed = tree.seal(close_id); !sealed)
        out.warnings.push_back("cannot seal the close record of " + oid + ": " + sealed.error().message);
    else
        ++out.sealed;
}

// Fires the due watchers of one operation; returns whether any watcher is left.
template <class Deferred = void>
bool settle_watchers(basic_cell_tree<Deferred>& tree, beat_number beat, const std::string& oid,
                     const cell_view& dossier, path_id dossier_id, cep::detail::lazy<Deferred, commit_outcome>& out) {
    const auto watchers = tree.find_below(dossier, {"watchers"});
    if (!watchers) return false;
    const path_id watchers_id = watchers->id();
    const auto state_cell = tree.find_below(dossier, {"state"});
    const std::string current = state_cell ? std::string(state_cell->text()) : std::string();
    const auto close_status = tree.find_below(dossier, {"close", "status"});
    const std::string close_text = close_status ? std::string(close_status->text()) : std::string();

    cep::detail::lazy<Deferred, std::vector<std::string>> ids;  // collected first: firing removes cells
    ids.reserve(watchers->size());
    for (auto w : watchers->children()) ids.emplace_back(w.name());

    std::size_t left = 0;
    for (const auto& id : ids) {
        const path_id at = tree.paths().child(watchers_id, id).value();
        const cep::detail::lazy<Deferred, std::optional<cell_view>> w = tree.find(at);
        if (!w) continue;
        const auto want = field(*w, "want");
        const auto cont = field(*w, "cont");
        const auto deadline = parse_u64(field(*w, "deadline").value_or(""));
        const auto payload = field(*w, "payload");
        std::optional<path> signal, target;
        if (cont) signal = path::parse(*cont).value_or(path());
        if (payload) target = path::parse(*payload).value_or(path());
        if (!want || !cont || !deadline || !signal || signal->is_root() || (payload && target->is_root())) {
            const std::string where = tree.paths().text_of(at);
            out.warnings.push_back("watcher \"" + where + "\" is malformed (want, cont, deadline or payload); "
                                   "removed without firing");
            if (auto removed = tree.remove(at); !removed) {
                out.warnings.push_back("cannot remove \"" + where + "\": " + removed.error().message);
                ++left;
            }
            continue;
        }
        const bool armed = field(*w, "armed").value_or("") == "true";
        cep::detail::lazy<Deferred, firing> f;
        if (armed || *want == current) {
            f.why = firing::reason::reached;
            f.signal = *signal;
            f.note = "operation " + oid + " reached " + *want + ": watcher " + id + " sends " + *cont;
        } else if (close_status) {
            f.why = firing::reason::closed;
            f.signal = timeout_signal;
            f.note = "operation " + oid + " closed (" + close_text + ", " + current + ") without reaching " + *want +
                     ": watcher " + id + " sends " + std::string(timeout_signal.view()) + " instead of " + *cont;
        } else if (*deadline != 0 && *deadline <= beat) {
            f.why = firing::reason::deadline;
            f.signal = timeout_signal;
            f.note = "operation " + oid + " did not reach " + *want + " by beat " + std::to_string(*deadline) +
                     ": watcher " + id + " sends " + std::string(timeout_signal.view()) + " instead of " + *cont;
        } else {
            ++left;
            continue;
        }
        f.oid = oid;
        f.watcher = id;
        f.target = target ? *target : tree.paths().path_of(dossier_id);  // built only for a watcher that fires
        if (auto removed = tree.remove(at); !removed) {
            // Not removed, so not fired either: it would fire again at the next pass.
            out.warnings.push_back("cannot remove watcher \"" + tree.paths().text_of(at) + "\" (" +
                                   removed.error().message + "); it did not fire");
            ++left;
            continue;
        }
        out.fired.push_back(std::move(f));
    }
    return left != 0;
}

}  // namespace detail

// The pass for `beat`, on the tree as committed at the end of it. Writes (seals, removals) go into `tree` at once;
// the impulses to queue are returned, for the caller to queue for beat + 1. Cells are reached by id and through
// the tree's structure: no path text is built per operation, except a fired watcher's default target.
template <class Deferred = void>
commit_outcome stage_commit(basic_cell_tree<Deferred>& tree, beat_number beat) {
    cep::detail::lazy<Deferred, commit_outcome> out;
    auto& paths = tree.paths();
    const path_id pending = paths.child(paths.intern(ops_meta_root), "pending").value();
    const auto list = tree.find(pending);
    if (!list) return out;
    cep::detail::lazy<Deferred, std::vector<std::string>> oids;
    oids.reserve(list->size());
    for (auto entry : list->children()) oids.emplace_back(entry.name());
    const path_id root = paths.intern(ops_root);
    for (const auto& oid : oids) {
        const path_id dossier_id = paths.child(root, oid).value();
        bool keep = false;
        if (const auto dossier = tree.find(dossier_id); !dossier) {
            out.warnings.push_back("operation " + oid + " is listed as pending but has no dossier; dropped from the list");
        } else {
            detail::settle_envelope(tree, oid, *dossier, out);
            detail::settle_close(tree, oid, *dossier, out);
            keep = detail::settle_watchers(tree, beat, oid, *dossier, dossier_id, out);
        }
        if (!keep) {
            const path_id listed = paths.child(pending, oid).value();
            if (auto removed = tree.remove(listed); !removed)
                out.warnings.push_back("cannot remove \"" + paths.text_of(listed) + "\": " + removed.error().message);
        }
    }
    return out;
}

// Runs the pass from the heartbeat's commit listener: each firing is queued for the next beat with hb.enqueue
// (a queueing error becomes a CEI error record), each timeout and each warning becomes a CEI warning (topic "ops").
// Returns the listener's id (hb.listeners().off(id) detaches it). The heartbeat must outlive the listener.
// It also makes /rt/ops and /rt/ops_meta/pending transient roots when the heartbeat can (its kernel parts list the
// ids they keep): the ids of dossiers removed from the tree are then released, instead of growing the path table
// by some twenty ids per operation ever started. OPS keeps no id between calls, only names.
template <class Heartbeat>
auto attach(Heartbeat& hb) {
    if constexpr (requires { hb.make_transient_root(path(ops_root)); }) {
        // Refused only below another transient or recycling root, or by custom kernel parts: then the ids stay.
        (void)hb.make_transient_root(path(ops_root));
        (void)hb.make_transient_root(path(ops_meta_root) / "pending");
    }
    return hb.listeners().on("commit", [&hb](const auto& e) {
        auto outcome = stage_commit(hb.tree(), e.beat);
        for (const auto& f : outcome.fired) {
            if (auto queued = hb.enqueue(f.signal, f.target); !queued)
                (void)hb.cei_emit("error", cei_topic, f.note + "; could not queue it: " + queued.error().message);
            else if (f.why != firing::reason::reached)
                (void)hb.cei_emit("warn", cei_topic, f.note);
        }
        for (const auto& warning : outcome.warnings) (void)hb.cei_emit("warn", cei_topic, warning);
    });
}

}  // namespace cep::ops
