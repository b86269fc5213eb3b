// The heartbeat: a small runtime that instantiates the agendas the compile-time registry makes possible.
//
//   cep::heartbeat<cep::enzyme_registry<resize_image, write_metadata>> hb;
//   hb.register_enzyme<resize_image>();                 // active from the next beat boundary
//   hb.bind<write_metadata>("/env/fs/projects"_path, cep::propagate);
//   hb.enqueue("/signals/image/thumbnail"_path, "/env/fs/projects/p1/img123.jpg"_path);
//   hb.step();                                          // begin, resolve, execute, commit; then the next beat
//
// Beat N: impulses queued for N are resolved into agendas (memoised per (signal, target) until registrations or
// bindings change), each agenda runs at most once per beat, enzymes read the tree committed at the end of N-1 and
// write into N's staging, and emitted impulses go to N+1 (or a named later beat). The commit applies the staged
// writes in agenda order, promotes the emitted impulses and writes the ledger under rt/beat/<N>/.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/status.hpp>
#include <cep/core/tree.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/dispatch/enzyme.hpp>
#include <cep/dispatch/match.hpp>
#include <cep/dispatch/registry.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cep {

// How bindings reach descendants.
enum class binding_scope : std::uint8_t { this_cell, propagate };
inline constexpr binding_scope propagate = binding_scope::propagate;

struct retry_policy {
    std::uint32_t max_attempts = 3;   // runs in all (the first included); then the invocation becomes fatal
    std::uint32_t backoff_beats = 0;  // extra beats to wait before each re-run (0: the next beat)
};

struct heartbeat_policy {
    bool ensure_directories = true;         // write the ledger under rt/beat/<N>/
    std::size_t max_impulses_per_beat = 0;  // 0: no limit; the overflow is deferred to the next beat, never dropped
    retry_policy retry{};
    std::size_t spacing_window = 256;       // newest spacing analytics entries kept
    std::size_t memo_capacity = 1 << 16;    // memoised agendas kept; past it the memo starts over (bounded memory)
};

// Resolution policies. With a target: enzymes bound on the target's ancestor chain, kept when their query also
// matches the signal (the seed's normative rule). Without a target: every enzyme whose query matches the signal.
struct bound_then_matched {};
// Target-bound OR signal-matched (an enzyme bound on the chain runs even when its query does not match).
struct bound_or_matched {};

namespace detail {
inline std::uint64_t pair_key(path_id a, path_id b) noexcept {
    return (static_cast<std::uint64_t>(a.value) << 32) | b.value;
}
inline constexpr std::uint32_t no_path = 0xffffffffu;
}  // namespace detail

template <class Registry, class Resolution = bound_then_matched>
class heartbeat final : private impulse_sink {
    static_assert(Registry::ok, "cep::heartbeat: the enzyme registry is not valid (see the errors above)");
    static constexpr std::size_t enzyme_count = Registry::size;

public:
    // Throws cep::heartbeat_error (invalid_policy) for a spacing window or memo capacity of 0.
    explicit heartbeat(heartbeat_policy policy = {}) : policy_(policy), stage_(tree_) {
        if (policy_.spacing_window == 0)
            throw heartbeat_error(error{errc::invalid_policy, "the spacing window must be at least 1"});
        if (policy_.memo_capacity == 0)
            throw heartbeat_error(error{errc::invalid_policy, "the memo capacity must be at least 1"});
        rt_beat_ = tree_.paths().intern(path("/rt/beat"));
    }
    heartbeat(const heartbeat&) = delete;
    heartbeat& operator=(const heartbeat&) = delete;

    // ---- state ----
    // The beat the next step() processes.
    [[nodiscard]] beat_number beat() const noexcept { return beat_; }
    [[nodiscard]] const cell_tree& tree() const noexcept { return tree_; }
    [[nodiscard]] cell_tree& tree() noexcept { return tree_; }
    [[nodiscard]] const heartbeat_policy& policy() const noexcept { return policy_; }
    template <class E>
    [[nodiscard]] E& enzyme() noexcept {
        return boost::hana::at_c<Registry::template index_of<E>()>(instances_);
    }

    // ---- registration: active from the next beat boundary ----
    template <class E>
    void register_enzyme() {
        register_index(Registry::template index_of<E>());
    }
    result<void> register_enzyme(std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        register_index(index);
        return {};
    }
    // Under another query as well (the seed's register(query, descriptor)): the enzyme is also a candidate for
    // the signals this query selects, with this query's specificity. Active from the next beat boundary.
    template <class E>
    void register_enzyme(const query& under) {
        register_extra(Registry::template index_of<E>(), under);
    }
    result<void> register_enzyme(std::string_view name, const query& under) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        register_extra(index, under);
        return {};
    }
    // No longer a candidate under any query, from the next beat boundary (its bindings stay).
    template <class E>
    void unregister_enzyme() {
        change(change_kind::unregister, Registry::template index_of<E>());
    }
    result<void> unregister_enzyme(std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        change(change_kind::unregister, index);
        return {};
    }
    // Every enzyme of the registry.
    void register_all() {
        for (std::size_t i = 0; i < enzyme_count; ++i) register_index(i);
    }

    // ---- bindings: on cells, active from the next beat boundary ----
    template <class E>
    void bind(const path& cell, binding_scope scope = binding_scope::this_cell) {
        add_binding(cell, Registry::template index_of<E>(), scope, false);
    }
    result<void> bind(const path& cell, std::string_view name, binding_scope scope = binding_scope::this_cell) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        add_binding(cell, index, scope, false);
        return {};
    }
    // Cancels a binding of `name` inherited from above, at this cell and below.
    template <class E>
    void tombstone(const path& cell) {
        add_binding(cell, Registry::template index_of<E>(), binding_scope::propagate, true);
    }
    result<void> tombstone(const path& cell, std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        add_binding(cell, index, binding_scope::propagate, true);
        return {};
    }
    // Removes the bindings and tombstones of an enzyme at exactly this cell, from the next beat boundary.
    template <class E>
    void unbind(const path& cell) {
        change(change_kind::unbind, Registry::template index_of<E>(), tree_.paths().intern(cell).value);
    }
    result<void> unbind(const path& cell, std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        change(change_kind::unbind, index, tree_.paths().intern(cell).value);
        return {};
    }

    // ---- impulses ----
    // Queues (signal, target) for the beat the next step() processes.
    result<void> enqueue(const path& signal, const path& target) { return enqueue_at(beat_, signal, target); }
    // Without a target: a broadcast.
    result<void> enqueue(const path& signal) { return enqueue_at(beat_, signal, std::nullopt); }
    // For a named beat: the next one or later (an earlier one is an error).
    result<void> enqueue_at(beat_number at, const path& signal, std::optional<path> target) {
        if (at < earliest_open_beat())
            return error{errc::beat_in_past, "cannot enqueue " + signal.str() + " for beat " + std::to_string(at) +
                                                 ": the earliest beat open for impulses is " +
                                                 std::to_string(earliest_open_beat())};
        const path_id s = tree_.paths().intern(signal);
        const std::uint32_t t = target ? tree_.paths().intern(*target).value : detail::no_path;
        return enqueue_ids(at, s, t);
    }
    // Impulses waiting for a beat.
    // A signal known at compile time: its candidate enzymes (which queries select it) were computed by the
    // compiler; at run time only the target's bindings are intersected with them.
    template <class Signal>
    result<void> enqueue(const path& target) {
        return enqueue_at(beat_, typed_signal<Signal>(), tree_.paths().intern(target));
    }
    template <class Signal>
    result<void> enqueue() {
        return enqueue_at(beat_, typed_signal<Signal>(), std::nullopt);
    }

    // Hot loops can intern their paths once (tree().paths().intern(p)) and enqueue ids: no text is hashed.
    result<void> enqueue(path_id signal, std::optional<path_id> target) {
        return enqueue_ids(beat_, signal, target ? target->value : detail::no_path);
    }
    result<void> enqueue_at(beat_number at, path_id signal, std::optional<path_id> target) {
        return enqueue_ids(at, signal, target ? target->value : detail::no_path);
    }

    [[nodiscard]] std::size_t pending(beat_number at) const {
        if (at < beat_) return 0;
        if (at < beat_ + near_beats) return near_[at % near_beats].size();
        const auto it = far_.find(at);
        return it == far_.end() ? 0 : it->second.size();
    }

    // ---- the cycle ----
    // begin, resolve, execute, commit; then the next beat. Returns true when every invocation succeeded.
    bool step() {
        begin_beat();
        resolve_agenda();
        execute_agenda();
        return stage_commit();
    }

    // Begins beat N: activates registrations and bindings made since the last boundary, creates rt/beat/<N>/.
    void begin_beat() {
        if (begun_) return;
        begun_ = true;
        if (!pending_changes_.empty()) {
            // In the order they were asked for.
            for (const auto& c : pending_changes_) {
                switch (c.kind) {
                    case change_kind::register_own: registered_[c.enzyme] = true; break;
                    case change_kind::register_extra: {
                        extras_.push_back(std::move(pending_extra_[c.extra]));
                        auto& placed = extras_.back();  // a deque keeps it in place, so the views stay valid
                        for (auto segment : placed.query_text.segments()) placed.segments.push_back(segment);
                        extras_of_[c.enzyme].push_back(static_cast<std::uint32_t>(extras_.size() - 1));
                        break;
                    }
                    case change_kind::unregister:
                        registered_[c.enzyme] = false;
                        extras_of_[c.enzyme].clear();
                        break;
                    case change_kind::bind: bindings_[c.cell].push_back(c.entry); break;
                    case change_kind::unbind: {
                        auto it = bindings_.find(c.cell);
                        if (it == bindings_.end()) break;
                        std::erase_if(it->second, [&](const binding_entry& b) { return b.enzyme == c.enzyme; });
                        break;
                    }
                }
            }
            for (std::size_t i = 0; i < enzyme_count; ++i) active_[i] = registered_[i] || !extras_of_[i].empty();
            pending_changes_.clear();
            pending_extra_.clear();
            ++generation_;
            memo_.clear();
            arena_.clear();
        }
        if (policy_.ensure_directories) ensure_beat_directories(beat_);
    }

    // Takes this beat's impulses (up to the budget; the rest moves to the next beat) and resolves their agendas.
    void resolve_agenda() {
        begin_beat();
        if (resolved_) return;
        resolved_ = true;
        work_.clear();
        auto& queue = near_[beat_ % near_beats];
        std::size_t take = queue.size();
        if (policy_.max_impulses_per_beat != 0 && take > policy_.max_impulses_per_beat) {
            take = policy_.max_impulses_per_beat;
            auto& next = queue_for(beat_ + 1);
            next.insert(next.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take), queue.end());
            deferred_ = queue.size() - take;
            for (auto k = take; k < queue.size(); ++k) log_impulse(beat_ + 1, queue[k].signal, queue[k].target);
        }
        work_.assign(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(take));
        queue.clear();  // keeps its capacity for beat + near_beats
        // Bounded memory: a memo that would outgrow its capacity starts over (before this beat's lookups, so the
        // entries they point at stay put).
        if (memo_.size() + work_.size() > policy_.memo_capacity) {
            memo_.clear();
            arena_.clear();
        }
        for (auto& item : work_) item.memo = &agenda_for(path_id{item.signal}, item.target);
    }

    // Runs each impulse's agenda once per (signal, target) in this beat, then the retries due now.
    void execute_agenda() {
        resolve_agenda();
        if (executed_) return;
        executed_ = true;
        running_ = true;
        for (auto& item : work_) {
            memo_entry& entry = *item.memo;
            if (entry.last_run == beat_) continue;  // single run per (signal, target, beat)
            entry.last_run = beat_;
            for (std::uint32_t k = 0; k < entry.length; ++k)
                run(arena_[entry.offset + k], item.signal, item.target);
        }
        run_retries();
        running_ = false;
    }

    // Applies the staged writes in order, promotes emitted impulses, writes the ledger, advances to the next beat.
    // (Called alone, it resolves and executes first: impulses are never left behind.)
    bool stage_commit() {
        execute_agenda();
        const auto report = stage_.commit();
        for (const auto& failure : report.failures)
            record_cei("warn", "commit", "staged write " + std::to_string(failure.index) + " failed: " +
                                            failure.reason.message);
        const std::size_t next_before = pending(beat_ + 1);
        for (const auto& record : pending_cei_) write_cei(record.severity, record.topic, record.note);
        pending_cei_.clear();
        std::size_t later = 0;
        for (const auto& e : pending_emits_) {
            queue_for(e.beat).push_back(queued{e.beat, e.signal, e.target});
            log_impulse(e.beat, e.signal, e.target);
            later += e.beat > beat_ + 1;
        }
        pending_emits_.clear();
        // Everything this beat added to the next one: emits and CEI records (deferred impulses are noted apart).
        const std::size_t promoted = pending(beat_ + 1) - next_before;
        if (policy_.ensure_directories) {
            for (const auto& record : agenda_log_) {
                line_.assign("enzyme=").append(Registry::names[record.enzyme]).append(" rc=");
                line_.append(to_string(record.rc)).append(" signal=");
                append_path(record.signal);
                line_.append(" target=");
                append_path(record.target);
                append_ledger(beat_, "agenda", line_);
            }
            std::string note = "commit: promoted " + std::to_string(promoted) + " impulse(s) -> beat " +
                               std::to_string(beat_ + 1);
            if (const auto ts = beat_to_unix(beat_)) note += " ts=" + std::to_string(*ts);
            append_ledger(beat_, "stage", note);
            if (later != 0)
                append_ledger(beat_, "stage", "commit: scheduled " + std::to_string(later) +
                                                  " impulse(s) for later beats");
            if (deferred_ != 0)
                append_ledger(beat_, "stage",
                              "budget: deferred " + std::to_string(deferred_) + " impulse(s) -> beat " +
                                  std::to_string(beat_ + 1));
        }
        const bool clean = failures_in_beat_ == 0 && report.ok();
        agenda_log_.clear();
        work_.clear();
        deferred_ = 0;
        failures_in_beat_ = 0;
        begun_ = false;
        resolved_ = false;
        executed_ = false;
        ++beat_;
        // The slot just emptied now serves the last beat of the near window.
        if (auto far = far_.find(beat_ + near_beats - 1); far != far_.end()) {
            near_[far->first % near_beats] = std::move(far->second);
            far_.erase(far);
        }
        return clean;
    }

    // ---- wallclock and spacing analytics ----
    // Stores the Unix time (ns) of a beat once; the same value again is accepted, a different one rejected.
    result<void> publish_wallclock(beat_number at, std::uint64_t unix_ns) {
        if (const auto known = beat_to_unix(at)) {
            if (*known == unix_ns) return {};
            return error{errc::wallclock_conflict, "beat " + std::to_string(at) + " already has unix_ts_ns " +
                                                 std::to_string(*known) + "; refusing " + std::to_string(unix_ns)};
        }
        wallclock_[at] = unix_ns;
        tree_.put_text(beat_path(at) / "meta" / "unix_ts_ns", std::to_string(unix_ns)).value();
        // The interval since the closest earlier published beat.
        auto it = wallclock_.find(at);
        if (it != wallclock_.begin()) {
            const auto previous = std::prev(it)->second;
            const auto interval = unix_ns >= previous ? unix_ns - previous : 0;
            tree_.put_text(path("/rt/analytics/spacing") / std::to_string(at) / "interval_ns", std::to_string(interval))
                .value();
            spacing_.insert(at);
            prune_spacing();
        }
        return {};
    }
    [[nodiscard]] std::optional<std::uint64_t> beat_to_unix(beat_number at) const {
        const auto it = wallclock_.find(at);
        if (it == wallclock_.end()) return std::nullopt;
        return it->second;
    }
    result<void> set_spacing_window(std::size_t window) {
        if (window == 0) return error{errc::invalid_policy, "the spacing window must be at least 1"};
        policy_.spacing_window = window;
        prune_spacing();
        return {};
    }
    [[nodiscard]] std::size_t spacing_window() const noexcept { return policy_.spacing_window; }

    // ---- CEI: error signals ----
    // Writes a record under rt/cei/ and queues sig_cei/<severity> for the next beat, targeting the record.
    result<void> cei_emit(std::string_view severity, std::string_view topic, std::string_view note) {
        if (auto ok = check_name(severity); !ok) return ok;
        record_cei(severity, topic, note);
        return {};
    }

    // ---- introspection ----
    // The resolved agenda of (signal, target) as enzyme names, in execution order (resolves if needed).
    std::vector<std::string_view> agenda(const path& signal, std::optional<path> target = std::nullopt) {
        const path_id s = tree_.paths().intern(signal);
        const std::uint32_t t = target ? tree_.paths().intern(*target).value : detail::no_path;
        const auto& entry = agenda_for(s, t);
        std::vector<std::string_view> out;
        for (std::uint32_t k = 0; k < entry.length; ++k) out.push_back(Registry::names[arena_[entry.offset + k]]);
        return out;
    }
    // The resolved agenda as Graphviz DOT: the steps in order, and the ordering constraints among them (dashed).
    std::string agenda_dot(const path& signal, std::optional<path> target = std::nullopt) {
        const auto steps = agenda(signal, target);
        std::string out = "digraph agenda {\n  rankdir=LR;\n  label=\"" + signal.str() +
                          (target ? " @ " + target->str() : std::string(" (broadcast)")) + "\";\n";
        for (std::size_t n = 0; n < steps.size(); ++n)
            out += "  \"" + std::string(steps[n]) + "\" [label=\"" + std::to_string(n + 1) + ". " +
                   std::string(steps[n]) + "\"];\n";
        for (std::size_t n = 1; n < steps.size(); ++n)
            out += "  \"" + std::string(steps[n - 1]) + "\" -> \"" + std::string(steps[n]) + "\";\n";
        for (auto a : steps)
            for (auto b : steps)
                if (Registry::directly_before(Registry::index_of(a), Registry::index_of(b)))
                    out += "  \"" + std::string(a) + "\" -> \"" + std::string(b) + "\" [style=dashed];\n";
        out += "}\n";
        return out;
    }
    // The same as a Mermaid flowchart.
    std::string agenda_mermaid(const path& signal, std::optional<path> target = std::nullopt) {
        const auto steps = agenda(signal, target);
        std::string out = "flowchart LR\n";
        for (std::size_t n = 0; n < steps.size(); ++n)
            out += "  s" + std::to_string(n) + "[\"" + std::to_string(n + 1) + ". " + std::string(steps[n]) + "\"]\n";
        for (std::size_t n = 1; n < steps.size(); ++n)
            out += "  s" + std::to_string(n - 1) + " --> s" + std::to_string(n) + "\n";
        return out;
    }

    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
    [[nodiscard]] std::size_t memo_size() const noexcept { return memo_.size(); }

private:
    // ---- data ----
    struct memo_entry {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
        beat_number last_run = 0;
    };
    struct queued {
        beat_number beat = 0;
        std::uint32_t signal = 0;
        std::uint32_t target = detail::no_path;
        memo_entry* memo = nullptr;
    };
    struct binding_entry {
        std::uint16_t enzyme = 0;
        binding_scope scope = binding_scope::this_cell;
        bool tombstone = false;
    };
    struct retry_state {
        std::uint32_t attempts = 0;
    };

    template <class Signal>
    path_id typed_signal() {
        const path_id id = tree_.paths().intern(path(std::string_view(Signal::text)));
        typed_signals_.emplace(id.value, &Registry::template candidates_for_signal<Signal>);
        return id;
    }

    // Once this beat's impulses were taken (resolve), new ones go to a later beat.
    [[nodiscard]] beat_number earliest_open_beat() const noexcept { return resolved_ ? beat_ + 1 : beat_; }

    result<void> enqueue_ids(beat_number at, path_id s, std::uint32_t t) {
        if (at < earliest_open_beat())
            return error{errc::beat_in_past, "cannot enqueue " + text_of(s.value) + " for beat " +
                                                 std::to_string(at) + ": the earliest beat open for impulses is " +
                                                 std::to_string(earliest_open_beat())};
        (void)tree_.paths().depth(s);  // an id of another table is an error, not a wild read
        if (t != detail::no_path) (void)tree_.paths().depth(path_id{t});
        if (running_) {
            pending_emits_.push_back(queued{at, s.value, t});
        } else {
            queue_for(at).push_back(queued{at, s.value, t});
            log_impulse(at, s.value, t);
        }
        return {};
    }

    // ---- registration and bindings: changes queued in order, applied at the next beat boundary ----
    enum class change_kind : std::uint8_t { register_own, register_extra, unregister, bind, unbind };
    struct pending_change {
        change_kind kind;
        std::uint16_t enzyme;
        std::uint32_t cell = 0;
        binding_entry entry{};
        std::uint32_t extra = 0;  // register_extra: index into pending_extra_
    };
    void change(change_kind kind, std::size_t index, std::uint32_t cell = 0) {
        pending_changes_.push_back(pending_change{kind, static_cast<std::uint16_t>(index), cell, {}, 0});
    }
    void register_index(std::size_t index) { change(change_kind::register_own, index); }
    void register_extra(std::size_t index, const query& under) {
        pending_extra_.push_back(extra_registration{static_cast<std::uint16_t>(index), under, {}, under.specificity()});
        pending_changes_.push_back(pending_change{change_kind::register_extra, static_cast<std::uint16_t>(index), 0, {},
                                                  static_cast<std::uint32_t>(pending_extra_.size() - 1)});
    }
    void add_binding(const path& cell, std::size_t index, binding_scope scope, bool tomb) {
        pending_changes_.push_back(pending_change{change_kind::bind, static_cast<std::uint16_t>(index),
                                                  tree_.paths().intern(cell).value,
                                                  binding_entry{static_cast<std::uint16_t>(index), scope, tomb}, 0});
    }
    static error unknown_enzyme(std::string_view name) {
        return error{errc::unknown_enzyme, "no enzyme named '" + std::string(name) + "' in this heartbeat's registry"};
    }

    // ---- resolution ----
    memo_entry& agenda_for(path_id signal, std::uint32_t target) {
        const auto key = detail::pair_key(signal, path_id{target});
        auto it = memo_.find(key);
        if (it != memo_.end()) return it->second;
        memo_entry entry;
        entry.offset = static_cast<std::uint32_t>(arena_.size());
        resolve(signal, target);
        entry.length = static_cast<std::uint32_t>(arena_.size() - entry.offset);
        return memo_.emplace(key, entry).first->second;
    }

    // Candidates with their priority, ordered by Kahn's algorithm over the ordering closure; appended to arena_.
    void resolve(path_id signal, std::uint32_t target) {
        std::array<std::string_view, path_limits::max_depth> segment_buffer{};
        const path_ref signal_ref(tree_.paths(), signal);
        const std::size_t depth = signal_ref.segments(segment_buffer);
        const std::span<const std::string_view> signal_segments(segment_buffer.data(), depth);
        const auto typed = typed_signals_.find(signal.value);
        const std::array<bool, enzyme_count>* precomputed = typed == typed_signals_.end() ? nullptr : typed->second;
        // The highest specificity among the enzyme's registrations that select the signal (-1: none).
        std::array<int, enzyme_count> specificity{};
        auto matches = [&](std::size_t i) {
            int best = -1;
            if (registered_[i] && (precomputed ? (*precomputed)[i]
                                               : matchers_[i](query_segments_[i].view(), signal_segments)))
                best = static_cast<int>(Registry::specificity[i]);
            for (auto e : extras_of_[i]) {
                const auto& extra = extras_[e];
                if (static_cast<int>(extra.specificity) > best && matchers_[i](extra.segments, signal_segments))
                    best = static_cast<int>(extra.specificity);
            }
            specificity[i] = best;
            return best >= 0;
        };

        std::array<bool, enzyme_count> bound{};
        if (target != detail::no_path) collect_bound(path_id{target}, bound);
        std::array<std::uint16_t, enzyme_count> candidates{};
        std::array<bool, enzyme_count> dual{};
        std::size_t count = 0;
        candidate_set unplaced;
        for (std::size_t i = 0; i < enzyme_count; ++i) {
            const bool b = bound[i] && active_[i];
            bool take;
            if (target == detail::no_path) {
                take = matches(i);
            } else if constexpr (std::is_same_v<Resolution, bound_or_matched>) {
                const bool m = matches(i);
                take = b || m;
                dual[i] = b && m;
            } else {
                take = b && matches(i);  // only bound enzymes are matched: flat in the registry's size
                dual[i] = take;
            }
            if (take) {
                candidates[count++] = static_cast<std::uint16_t>(i);
                unplaced.insert(i);
            }
        }
        // Kahn: repeatedly the best candidate none of whose (transitive) predecessors is still unplaced.
        for (std::size_t placed = 0; placed < count; ++placed) {
            std::size_t best = enzyme_count;
            for (std::size_t k = 0; k < count; ++k) {
                const std::size_t i = candidates[k];
                if (!unplaced.contains(i) || intersects(predecessors_[i], unplaced)) continue;
                if (best == enzyme_count || ranks_before(i, best, dual, specificity)) best = i;
            }
            unplaced.erase(best);
            arena_.push_back(static_cast<std::uint16_t>(best));
        }
    }

    using candidate_set = detail::index_set<enzyme_count>;
    static constexpr bool intersects(const candidate_set& a, const candidate_set& b) noexcept {
        for (std::size_t w = 0; w < candidate_set::words; ++w)
            if (a.bits[w] & b.bits[w]) return true;
        return false;
    }
    // predecessors_[j]: every enzyme that must run before j (the transposed ordering closure).
    static constexpr std::array<candidate_set, enzyme_count> predecessors_ = [] {
        std::array<candidate_set, enzyme_count> out{};
        for (std::size_t i = 0; i < enzyme_count; ++i)
            for (std::size_t j = 0; j < enzyme_count; ++j)
                if (Registry::runs_before(i, j)) out[j].insert(i);
        return out;
    }();
    // The static part of the tie-break as one rank: higher precedence, name, registration order.
    static constexpr std::array<std::uint16_t, enzyme_count> static_rank_ = [] {
        std::array<std::uint16_t, enzyme_count> order{};
        for (std::size_t i = 0; i < enzyme_count; ++i) order[i] = static_cast<std::uint16_t>(i);
        std::sort(order.begin(), order.end(), [](std::uint16_t a, std::uint16_t b) {
            if (Registry::precedence[a] != Registry::precedence[b])
                return Registry::precedence[a] > Registry::precedence[b];
            if (Registry::names[a] != Registry::names[b]) return Registry::names[a] < Registry::names[b];
            return a < b;
        });
        std::array<std::uint16_t, enzyme_count> rank{};
        for (std::size_t r = 0; r < enzyme_count; ++r) rank[order[r]] = static_cast<std::uint16_t>(r);
        return rank;
    }();

    // The tie-break tuple: dual match first, then higher specificity, higher precedence, name, registration order.
    static bool ranks_before(std::size_t a, std::size_t b, const std::array<bool, enzyme_count>& dual,
                             const std::array<int, enzyme_count>& specificity) noexcept {
        if (dual[a] != dual[b]) return dual[a];
        // An enzyme taken only because it is bound (union policy) ranks by its own query's specificity.
        const int sa = specificity[a] >= 0 ? specificity[a] : static_cast<int>(Registry::specificity[a]);
        const int sb = specificity[b] >= 0 ? specificity[b] : static_cast<int>(Registry::specificity[b]);
        if (sa != sb) return sa > sb;
        return static_rank_[a] < static_rank_[b];
    }

    // Names bound on the target's ancestor chain: from the root down, tombstones cancel what was inherited, then
    // the cell's own bindings apply (propagating ones for ancestors, all of them on the target itself).
    void collect_bound(path_id target, std::array<bool, enzyme_count>& bound) const {
        std::array<std::uint32_t, path_limits::max_depth + 1> chain{};
        std::size_t n = 0;
        for (path_id at = target;; at = tree_.paths().parent(at)) {
            chain[n++] = at.value;
            if (at == path_table::root()) break;
        }
        while (n-- > 0) {
            const auto it = bindings_.find(chain[n]);
            if (it == bindings_.end()) continue;
            const bool is_target = n == 0;
            for (const auto& b : it->second)
                if (b.tombstone) bound[b.enzyme] = false;
            for (const auto& b : it->second)
                if (!b.tombstone && (is_target || b.scope == binding_scope::propagate)) bound[b.enzyme] = true;
        }
    }

    // ---- execution ----
    void run(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target) {
        const auto stage_mark = stage_.mark();
        const auto emit_mark = pending_emits_.size();
        status rc = status::fatal;
        std::string failure;
        const impulse_ref impulse{path_ref(tree_.paths(), path_id{signal}),
                                  target == detail::no_path ? path_ref{} : path_ref(tree_.paths(), path_id{target})};
        try {
            rc = thunks_[enzyme](*this, impulse);
        } catch (const std::exception& e) {
            rc = status::fatal;
            failure = e.what();
        } catch (...) {
            rc = status::fatal;
            failure = "unknown exception";
        }
        if (policy_.ensure_directories) agenda_log_.push_back(agenda_record{enzyme, rc, signal, target});
        const auto key = retry_key(enzyme, signal, target);
        if (rc == status::success) {
            if (!retries_.empty()) retries_.erase(key);
            return;
        }
        // Retry or fatal: this invocation's writes and emits are discarded (a retry re-runs from the same state).
        stage_.discard_since(stage_mark);
        pending_emits_.resize(emit_mark);
        if (rc == status::retry) {
            auto& state = retries_[key];
            state.attempts += 1;
            if (state.attempts < policy_.retry.max_attempts) {
                retry_order_.push_back(retry_item{beat_ + 1 + policy_.retry.backoff_beats, enzyme, signal, target});
                return;
            }
            failure = "retry budget exhausted after " + std::to_string(state.attempts) + " attempt(s)";
            retries_.erase(key);
        }
        // Fatal: recorded in CEI; the beat goes on with the others.
        ++failures_in_beat_;
        std::string note = "enzyme=" + std::string(Registry::names[enzyme]) + " signal=" + text_of(signal) +
                           " target=" + text_of(target);
        if (!failure.empty()) note += " error=" + failure;
        record_cei("error", "enzyme", note);
    }

    struct retry_item {
        beat_number due;
        std::uint16_t enzyme;
        std::uint32_t signal;
        std::uint32_t target;
    };

    void run_retries() {
        if (retry_order_.empty()) return;
        std::vector<retry_item> due_now;
        auto keep = retry_order_.begin();
        for (auto& item : retry_order_) {
            if (item.due == beat_)
                due_now.push_back(item);
            else
                *keep++ = item;
        }
        retry_order_.erase(keep, retry_order_.end());
        for (const auto& item : due_now) {
            // Already run for this pair in this beat (its impulse came again): that run was the attempt.
            const auto it = memo_.find(detail::pair_key(path_id{item.signal}, path_id{item.target}));
            if (it != memo_.end() && it->second.last_run == beat_) {
                const auto& e = it->second;
                if (std::find(arena_.begin() + e.offset, arena_.begin() + e.offset + e.length, item.enzyme) !=
                    arena_.begin() + e.offset + e.length)
                    continue;
            }
            run(item.enzyme, item.signal, item.target);
        }
    }

    struct retry_id {
        std::uint16_t enzyme;
        std::uint32_t signal;
        std::uint32_t target;
        friend bool operator==(const retry_id&, const retry_id&) = default;
    };
    struct retry_id_hash {
        std::size_t operator()(const retry_id& k) const noexcept {
            const std::uint64_t pair = (static_cast<std::uint64_t>(k.signal) << 32) | k.target;
            return std::hash<std::uint64_t>{}(pair) ^ (std::hash<std::uint16_t>{}(k.enzyme) * 0x9e3779b97f4a7c15ull);
        }
    };
    static retry_id retry_key(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target) {
        return {enzyme, signal, target};
    }

    // impulse_sink: emits from enzymes during a beat.
    result<void> emit(beat_number at, const path& signal, const path* target) override {
        return target ? enqueue_at(at, signal, *target) : enqueue_at(at, signal, std::nullopt);
    }

    template <std::size_t I>
    static status invoke(heartbeat& self, const impulse_ref& impulse) {
        using E = typename Registry::template enzyme_at<I>;
        context<enzyme_traits<E>::mode> ctx(self.tree_, self.stage_, self, self.beat_);
        return static_cast<status>(boost::hana::at_c<I>(self.instances_)(impulse, ctx));
    }
    template <std::size_t... Is>
    static constexpr auto make_thunks(std::index_sequence<Is...>) {
        return std::array<status (*)(heartbeat&, const impulse_ref&), enzyme_count>{&invoke<Is>...};
    }
    template <std::size_t... Is>
    static constexpr auto make_matchers(std::index_sequence<Is...>) {
        return std::array<bool (*)(std::span<const std::string_view>, std::span<const std::string_view>),
                          enzyme_count>{&enzyme_traits<typename Registry::template enzyme_at<Is>>::match::matches...};
    }
    template <std::size_t... Is>
    static auto make_instances(std::index_sequence<Is...>)
        -> boost::hana::tuple<typename Registry::template enzyme_at<Is>...>;

    // ---- the ledger ----
    [[nodiscard]] std::string text_of(std::uint32_t id) const {
        return id == detail::no_path ? std::string() : tree_.paths().text_of(path_id{id});
    }
    // Appends a path's text (nothing for "no target") to the line being built.
    void append_path(std::uint32_t id) {
        if (id != detail::no_path) tree_.paths().append_text(path_id{id}, line_);
    }
    // The id of rt/beat/<at>/<list>, by ids (no path text is built).
    path_id ledger_list(beat_number at, std::string_view list) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, at).ptr;
        const auto beat_dir = tree_.paths().child(rt_beat_, std::string_view(digits, static_cast<std::size_t>(end - digits)));
        return tree_.paths().child(beat_dir.value(), list).value();
    }
    [[nodiscard]] path beat_path(beat_number at) const { return path("/rt/beat") / std::to_string(at); }

    void ensure_beat_directories(beat_number at) {
        if (ledger_ready_.count(at) != 0) return;
        ledger_ready_.insert(at);
        const path base = beat_path(at);
        tree_.make_list(base / "impulses").value();
        if (!tree_.find_no_follow(base / "inbox")) tree_.link(base / "inbox", base / "impulses").value();
        tree_.make_list(base / "agenda").value();
        tree_.make_list(base / "stage").value();
        tree_.make_dictionary(base / "meta").value();
    }
    void append_ledger(beat_number at, std::string_view list, std::string_view line) {
        ensure_beat_directories(at);
        tree_.append(ledger_list(at, list), value_kind::text, line).value();
    }
    void log_impulse(beat_number at, std::uint32_t signal, std::uint32_t target) {
        if (!policy_.ensure_directories) return;
        line_.assign("signal=");
        append_path(signal);
        line_.append(" target=");
        append_path(target);
        append_ledger(at, "impulses", line_);
    }

    // During a beat the record is written at commit (nothing of beat N is visible in N).
    void record_cei(std::string_view severity, std::string_view topic, std::string_view note) {
        if (running_) {
            pending_cei_.push_back(cei_record{std::string(severity), std::string(topic), std::string(note)});
            return;
        }
        write_cei(severity, topic, note);
    }
    void write_cei(std::string_view severity, std::string_view topic, std::string_view note) {
        const std::uint64_t n = ++cei_count_;
        const path record = path("/rt/cei") / std::to_string(n);
        tree_.put_text(record / "severity", severity).value();
        tree_.put_text(record / "topic", topic).value();
        tree_.put_text(record / "note", note).value();
        tree_.put_text(record / "beat", std::to_string(beat_)).value();
        const path signal = path("/sig_cei") / severity;
        const beat_number at = beat_ + (begun_ ? 1 : 0);
        queue_for(at).push_back(queued{at, tree_.paths().intern(signal).value, tree_.paths().intern(record).value});
        log_impulse(at, tree_.paths().intern(signal).value, tree_.paths().intern(record).value);
    }

    void prune_spacing() {
        while (spacing_.size() > policy_.spacing_window) {
            const auto oldest = *spacing_.begin();
            spacing_.erase(spacing_.begin());
            (void)tree_.remove(path("/rt/analytics/spacing") / std::to_string(oldest));
        }
    }

    // Beats [beat_, beat_ + near_beats) live in a ring of reused vectors (no allocation per beat in steady
    // state); later ones in a map.
    std::vector<queued>& queue_for(beat_number at) {
        return at < beat_ + near_beats ? near_[at % near_beats] : far_[at];
    }

    // ---- members ----
    heartbeat_policy policy_;
    cell_tree tree_;
    staging_area stage_;
    beat_number beat_ = 1;
    bool begun_ = false;     // begin_beat ran for beat_
    bool resolved_ = false;  // beat_'s impulses were taken and resolved
    bool executed_ = false;  // beat_'s agendas ran
    bool running_ = false;   // enzymes are running (emits go to pending_emits_)
    std::uint64_t generation_ = 0;

    decltype(make_instances(std::make_index_sequence<enzyme_count>{})) instances_{};
    static constexpr auto thunks_ = make_thunks(std::make_index_sequence<enzyme_count>{});
    static constexpr auto matchers_ = make_matchers(std::make_index_sequence<enzyme_count>{});
    template <std::size_t... Is>
    static constexpr auto make_query_segments(std::index_sequence<Is...>) {
        return std::array<detail::split_segments, enzyme_count>{detail::split_segments(Registry::queries[Is])...};
    }
    static constexpr auto query_segments_ = make_query_segments(std::make_index_sequence<enzyme_count>{});

    struct extra_registration {
        std::uint16_t enzyme;
        query query_text;
        std::vector<std::string_view> segments;  // into query_text, filled once the registration is in extras_
        std::size_t specificity;
    };
    std::array<bool, enzyme_count> registered_{};  // under the enzyme's own query
    std::array<bool, enzyme_count> active_{};      // registered under any query
    std::vector<extra_registration> pending_extra_;
    std::deque<extra_registration> extras_;
    std::array<std::vector<std::uint32_t>, enzyme_count> extras_of_{};
    std::unordered_map<std::uint32_t, std::vector<binding_entry>> bindings_;
    std::vector<pending_change> pending_changes_;

    static constexpr beat_number near_beats = 16;
    std::array<std::vector<queued>, near_beats> near_{};
    std::map<beat_number, std::vector<queued>> far_;
    std::vector<queued> work_;
    std::vector<queued> pending_emits_;
    std::size_t deferred_ = 0;
    std::size_t failures_in_beat_ = 0;

    std::unordered_map<std::uint32_t, const std::array<bool, enzyme_count>*> typed_signals_;
    std::unordered_map<std::uint64_t, memo_entry> memo_;
    std::vector<std::uint16_t> arena_;

    std::unordered_map<retry_id, retry_state, retry_id_hash> retries_;
    std::vector<retry_item> retry_order_;

    struct agenda_record {
        std::uint16_t enzyme;
        status rc;
        std::uint32_t signal;
        std::uint32_t target;
    };
    std::vector<agenda_record> agenda_log_;
    std::string line_;  // the ledger line being built (keeps its capacity)
    path_id rt_beat_{};
    std::set<beat_number> ledger_ready_;
    std::map<beat_number, std::uint64_t> wallclock_;
    std::set<beat_number> spacing_;
    struct cei_record {
        std::string severity;
        std::string topic;
        std::string note;
    };
    std::vector<cei_record> pending_cei_;
    std::uint64_t cei_count_ = 0;
};

}  // namespace cep
