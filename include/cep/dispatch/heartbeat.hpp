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
//
// The heartbeat is the beat loop over a kernel of six parts (cep/kernel/kernel.hpp): hierarchy, router, queue,
// scheduler, listeners, processor. cep::default_kernel is used unless another kernel type is given.
#pragma once

#include <cep/core/callback.hpp>
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
#include <cep/detail/decimal.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/sorted_map.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/kernel/kernel.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cep {

namespace detail {
// Beat numbers in order, in one vector: the heartbeat adds the newest beat and drops the oldest, so a set of them
// never allocates once it holds as many as retention keeps (a std::set allocates a node per beat). Dropping the
// oldest moves a start index rather than every element after it (retention drops one or two a beat); the vector
// is compacted when the dropped part is as long as the rest. A template only so that its members are compiled
// with the heartbeat that uses them (see detail/lazy.hpp).
template <class Deferred>
class beat_set {
public:
    [[nodiscard]] bool contains(beat_number at) const noexcept { return std::binary_search(first(), last(), at); }
    void insert(beat_number at) {
        if (first() == last() || beats_.back() < at) {
            beats_.push_back(at);  // the common case: a new beat
            return;
        }
        const auto it = std::lower_bound(first(), last(), at);
        if (*it != at) beats_.insert(it, at);
    }
    // Whether `at` was there. Inline for what retention does each beat: drop the oldest, or find the set empty.
    bool erase(beat_number at) noexcept {
        if (start_ == beats_.size() || at < beats_[start_]) return false;
        if (at == beats_[start_]) {
            ++start_;
            if (start_ >= beats_.size() - start_) compact();
            return true;
        }
        return erase_later(at);
    }
    [[nodiscard]] std::size_t size() const noexcept { return beats_.size() - start_; }
    // The earliest beat (the set must not be empty).
    [[nodiscard]] beat_number oldest() const noexcept { return beats_[start_]; }

private:
    // Drops beats_[0, start_): when as many were dropped as are left (amortised: each beat is moved once).
    [[gnu::noinline]] void compact() noexcept {
        beats_.erase(beats_.begin(), beats_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    [[gnu::noinline]] bool erase_later(beat_number at) noexcept {
        const auto it = std::lower_bound(first(), last(), at);
        if (it == last() || *it != at) return false;
        beats_.erase(it);
        return true;
    }
    using iterator = typename std::vector<beat_number>::const_iterator;
    [[nodiscard]] iterator first() const noexcept { return beats_.begin() + static_cast<std::ptrdiff_t>(start_); }
    [[nodiscard]] iterator last() const noexcept { return beats_.end(); }

    lazy<Deferred, std::vector<beat_number>> beats_;
    std::size_t start_ = 0;  // beats_[0, start_) were dropped
};
}  // namespace detail

struct heartbeat_policy {
    bool ensure_directories = true;         // write the ledger under rt/beat/<N>/
    std::size_t max_impulses_per_beat = 0;  // 0: no limit; the overflow is deferred to the next beat, never dropped
    retry_policy retry{};
    std::size_t spacing_window = 256;       // newest spacing analytics entries kept
    std::size_t memo_capacity = 1 << 16;    // memoised agendas kept; past it the memo starts over (bounded memory)
    // Completed beats whose ledger (rt/beat/<N>/), wallclock entry and CEI records stay in the tree; older ones are
    // removed at each commit, after the journal (if any) received them. 0 keeps everything (memory then grows).
    std::size_t keep_beats = 256;
    // Below a transient root (heartbeat::make_transient_root), unused ids are released at the end of a commit once
    // the transient ids held reach twice those the last release kept, and at least this many (0: only when
    // release_unused_paths() is called).
    std::size_t transient_release_floor = 256;
};

// One line of a completed beat's ledger, as the journal receives it: its list (impulses, agenda, stage) and text.
// The views are valid during the journal call only.
struct ledger_line {
    std::string_view list;
    std::string_view text;
};
using journal_sink = callback<void(beat_number, std::span<const ledger_line>)>;

template <class Registry, class Resolution = bound_then_matched, class Kernel = default_kernel>
class heartbeat final {
    static_assert(Registry::ok, "cep::heartbeat: the enzyme registry is not valid (see the errors above)");
    static constexpr std::size_t enzyme_count = Registry::size;

public:
    using parts = kernel_parts<Registry, Resolution, Kernel>;
    using kernel_type = kernel_subsystem<parts>;

    // Throws cep::heartbeat_error (invalid_policy) for a spacing window or memo capacity of 0.
    explicit heartbeat(heartbeat_policy policy = {}) : policy_(policy) {
        if (policy_.spacing_window == 0)
            throw heartbeat_error(error{errc::invalid_policy, "the spacing window must be at least 1"});
        if (policy_.memo_capacity == 0)
            throw heartbeat_error(error{errc::invalid_policy, "the memo capacity must be at least 1"});
        scheduler().configure_scheduler(scheduler_config{policy_.max_impulses_per_beat, 0});
        scheduler().configure_retry(policy_.retry);
        scheduler().drive(this, &step_of);
        router().set_memo_capacity(policy_.memo_capacity);
        release_at_ = policy_.transient_release_floor;
        processor().set_beat(beat_);
        rt_beat_ = tree().paths().intern(path("/rt/beat"));
        rt_cei_ = tree().paths().intern(path("/rt/cei"));
        rt_spacing_ = tree().paths().intern(path("/rt/analytics/spacing"));
        // Bounded memory: the directories of beats retention removed (and pruned spacing entries) are renamed to
        // serve new ones, instead of interning new ids forever (see cep::path_table::rename).
        tree().paths().make_recycling_root(rt_beat_);
        tree().paths().make_recycling_root(rt_spacing_);
        // The ledger, CEI records and analytics are written at every commit: sealing them (or what holds them), or
        // removing them whole, would make the next commit fail halfway; the tree refuses it (cell_reserved).
        for (const path_id branch : {rt_beat_, rt_cei_, rt_spacing_}) tree().reserve(branch);
        // Whoever releases transient ids (release_unused_paths(), the commit, or a call on the table itself), the
        // ids this heartbeat keeps are marked first, and its router forgets what it cached by id.
        if constexpr (can_release_paths) tree().paths().set_release_hook({this, &prepare_release, &after_release});
        // Recycling and transient roots, made on the table itself, wait for the end of the beat like the heartbeat's
        // own make_transient_root().
        tree().paths().set_restructure_guard({this, &check_restructure});
        track_open_beat();
    }
    heartbeat(const heartbeat&) = delete;
    heartbeat& operator=(const heartbeat&) = delete;

    // ---- state ----
    // The beat the next step() processes.
    [[nodiscard]] beat_number beat() const noexcept { return beat_; }
    [[nodiscard]] const cell_tree& tree() const noexcept { return kernel_.template get<"hierarchy">().tree(); }
    [[nodiscard]] cell_tree& tree() noexcept { return hierarchy().tree(); }
    // The policy the heartbeat was built with (the spacing window as currently set; budgets and retries live in
    // the scheduler part from then on).
    [[nodiscard]] const heartbeat_policy& policy() const noexcept { return policy_; }
    template <class E>
    [[nodiscard]] E& enzyme() noexcept {
        return processor().template enzyme<E>();
    }

    // ---- the kernel and its parts ----
    [[nodiscard]] kernel_type& kernel() noexcept { return kernel_; }
    template <fixed_string Kind>
    [[nodiscard]] auto& part() noexcept {
        return kernel_.template get<Kind>();
    }
    [[nodiscard]] typename parts::hierarchy& hierarchy() noexcept { return part<"hierarchy">(); }
    [[nodiscard]] typename parts::router& router() noexcept { return part<"router">(); }
    [[nodiscard]] typename parts::queue& queue() noexcept { return part<"queue">(); }
    [[nodiscard]] typename parts::scheduler& scheduler() noexcept { return part<"scheduler">(); }
    [[nodiscard]] typename parts::listeners& listeners() noexcept { return part<"listeners">(); }
    [[nodiscard]] typename parts::processor& processor() noexcept { return part<"processor">(); }

    // ---- registration: active from the next beat boundary ----
    template <class E>
    void register_enzyme() {
        router().request_register(Registry::template index_of<E>());
    }
    result<void> register_enzyme(std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        router().request_register(index);
        return {};
    }
    // Under another query as well (the seed's register(query, descriptor)): the enzyme is also a candidate for
    // the signals this query selects, with this query's specificity. Active from the next beat boundary.
    template <class E>
    void register_enzyme(const query& under) {
        router().request_register(Registry::template index_of<E>(), under);
    }
    result<void> register_enzyme(std::string_view name, const query& under) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        router().request_register(index, under);
        return {};
    }
    // No longer a candidate under any query, from the next beat boundary (its bindings stay).
    template <class E>
    void unregister_enzyme() {
        router().request_unregister(Registry::template index_of<E>());
    }
    result<void> unregister_enzyme(std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        router().request_unregister(index);
        return {};
    }
    // Every enzyme of the registry.
    void register_all() {
        for (std::size_t i = 0; i < enzyme_count; ++i) router().request_register(i);
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
        router().request_unbind(tree().paths().intern(cell), Registry::template index_of<E>());
    }
    result<void> unbind(const path& cell, std::string_view name) {
        const auto index = Registry::index_of(name);
        if (index == enzyme_count) return unknown_enzyme(name);
        router().request_unbind(tree().paths().intern(cell), index);
        return {};
    }

    // ---- impulses ----
    // Queues (signal, target) for the beat the next step() processes: the current one until its impulses were
    // taken (resolve_agenda), the one after from then on (from a commit listener, say).
    result<void> enqueue(const path& signal, const path& target) {
        return enqueue_paths(earliest_open_beat(), signal, &target);
    }
    // Without a target: a broadcast.
    result<void> enqueue(const path& signal) {
        return enqueue_paths(earliest_open_beat(), signal, static_cast<const path*>(nullptr));
    }
    // Literals ("/signals/x"_path, cep::path_c<"/a">) for either side: interned by their compile-time hash, with
    // no path built (a path's text longer than the small-string buffer would be allocated on every call).
    template <fixed_string Signal, class Target>
        requires std::same_as<Target, path> || detail::is_path_constant<Target>
    result<void> enqueue(path_constant<Signal> signal, const Target& target) {
        return enqueue_paths(earliest_open_beat(), signal, &target);
    }
    template <fixed_string Target>
    result<void> enqueue(const path& signal, path_constant<Target> target) {
        return enqueue_paths(earliest_open_beat(), signal, &target);
    }
    template <fixed_string Signal>
    result<void> enqueue(path_constant<Signal> signal) {
        return enqueue_paths(earliest_open_beat(), signal, static_cast<const path*>(nullptr));
    }
    // For a named beat: the next one or later (an earlier one is an error).
    result<void> enqueue_at(beat_number at, const path& signal, const std::optional<path>& target) {
        return enqueue_paths(at, signal, target ? &*target : static_cast<const path*>(nullptr));
    }
    // A signal known at compile time: its candidate enzymes (which queries select it) were computed by the
    // compiler; at run time only the target's bindings are intersected with them.
    template <class Signal>
    result<void> enqueue(const path& target) {
        return enqueue_at(earliest_open_beat(), typed_signal<Signal>(), tree().paths().intern(target));
    }
    template <class Signal>
    result<void> enqueue() {
        return enqueue_at(earliest_open_beat(), typed_signal<Signal>(), std::nullopt);
    }

    // Hot loops can intern their paths once (tree().paths().intern(p)) and enqueue ids: no text is hashed.
    result<void> enqueue(path_id signal, std::optional<path_id> target) {
        return enqueue_at(earliest_open_beat(), signal, target);
    }
    // The same with a target, without the optional: built on the caller's stack, it cost a store-forwarding stall
    // per impulse (a 4-byte id and a 1-byte flag stored, then read back as 8 bytes).
    result<void> enqueue(path_id signal, path_id target) {
        // Into the open beat's vector of cep's own queue, when no enzyme runs: the ids' checks and a vector push (no
        // beat arithmetic, no ring index). A target of no_target is not owned: the slow path reports it.
        const auto& paths = tree().paths();
        if (open_bucket_ != nullptr && paths.owns_plain(signal) && paths.owns_plain(target) &&
            !processor().running()) [[likely]] {
            open_bucket_->push_back(queued_impulse{open_beat_, signal.value, target.value});
            if (recording()) log_impulse(open_beat_, signal.value, target.value);
            return {};
        }
        if (target.value == queued_impulse::no_target) [[unlikely]] return unknown_id(target.value);
        return enqueue_ids(earliest_open_beat(), signal, target.value);
    }
    // Impulses of one signal on a run of targets, in order: what enqueue(signal, t) does for each t, all or none (a
    // target that is not this table's queues none, and its error is returned). The common case (the open beat, no
    // enzyme running, nothing recording, ids outside every root) checks and copies the ids in one loop, with no
    // capacity check per impulse (memo hit by ids, scripts/instructions: 158.7 -> 143.0 instructions per impulse).
    result<void> enqueue(path_id signal, std::span<const path_id> targets) {
        if constexpr (std::is_same_v<typename parts::queue, beat_queue>) {
            const auto& paths = tree().paths();
            if (open_bucket_ != nullptr && paths.owns_plain(signal) && !processor().running() && !recording())
                [[likely]] {
                auto& bucket = *open_bucket_;
                const std::size_t before = bucket.size();
                bucket.resize(before + targets.size());
                queued_impulse* out = bucket.data() + before;
                bool plain = true;
                for (const path_id t : targets) {
                    plain = plain && paths.owns_plain(t);
                    *out++ = queued_impulse{open_beat_, signal.value, t.value};
                }
                if (plain) [[likely]] return {};
                bucket.resize(before);  // not all plain: each goes the checked way, below
            }
        }
        if (!tree().paths().owns(signal)) [[unlikely]] return unknown_id(signal.value);
        for (const path_id t : targets)
            if (!tree().paths().owns(t)) [[unlikely]] return unknown_id(t.value);
        for (const path_id t : targets)
            if (auto queued = enqueue_ids(earliest_open_beat(), signal, t.value); !queued) return queued;
        return {};
    }
    result<void> enqueue_at(beat_number at, path_id signal, std::optional<path_id> target) {
        // Checked here, before the id becomes a queue entry: a foreign id must not pass for "no target".
        if (target && !tree().paths().owns(*target)) [[unlikely]] return unknown_id(target->value);
        return enqueue_ids(at, signal, target ? target->value : queued_impulse::no_target);
    }

    // Impulses waiting for a beat.
    [[nodiscard]] std::size_t pending(beat_number at) { return queue().pending(at); }

    // ---- the cycle ----
    // The phases do not nest: one called while another runs (from an enzyme, a listener or the journal, or while
    // processor().process_message() runs an agenda) throws cep::heartbeat_error (beat_reentered) and changes
    // nothing. From an enzyme, that makes its invocation fatal, with the message in its CEI record. Enzymes and
    // listeners enqueue or emit instead: the impulses run in a later beat.

    // begin, resolve, execute, commit; then the next beat. Returns true when every invocation succeeded.
    bool step() {
        const phase_scope phase(*this, "step()");
        begin_phase();
        resolve_phase();
        execute_phase();
        return commit_phase();
    }

    // Begins beat N: activates registrations and bindings made since the last boundary, creates rt/beat/<N>/.
    void begin_beat() {
        const phase_scope phase(*this, "begin_beat()");
        begin_phase();
    }
    // Takes this beat's impulses (up to the scheduler's budget; the rest moves to the front of the next beat) and
    // resolves their agendas.
    void resolve_agenda() {
        const phase_scope phase(*this, "resolve_agenda()");
        resolve_phase();
    }
    // Runs each impulse's agenda once per (signal, target) in this beat, then the retries due now.
    void execute_agenda() {
        const phase_scope phase(*this, "execute_agenda()");
        execute_phase();
    }
    // Applies the staged writes in order, promotes emitted impulses, writes the ledger, tells the listeners,
    // advances to the next beat. (Called alone, it resolves and executes first: impulses are never left behind.)
    bool stage_commit() {
        const phase_scope phase(*this, "stage_commit()");
        return commit_phase();
    }

private:
    class phase_scope {
    public:
        phase_scope(heartbeat& hb, std::string_view phase) : hb_(hb) {
            if (hb.in_phase_ || hb.processor().running()) [[unlikely]] hb.reentered(phase);
            hb.in_phase_ = true;
        }
        ~phase_scope() { hb_.in_phase_ = false; }
        phase_scope(const phase_scope&) = delete;
        phase_scope& operator=(const phase_scope&) = delete;

    private:
        heartbeat& hb_;
    };
    [[noreturn, gnu::cold, gnu::noinline]] void reentered(std::string_view phase) const {
        throw heartbeat_error(error{errc::beat_reentered,
                                    "cannot call heartbeat::" + std::string(phase) + " while beat " +
                                        std::to_string(beat_) +
                                        " is in progress (from an enzyme, a listener or the journal): enqueue or "
                                        "emit instead, for a later beat"});
    }

    void begin_phase() {
        if (begun_) return;
        begun_ = true;
        router().apply_changes();
        processor().set_beat(beat_);
        processor().set_recording(policy_.ensure_directories || listeners().active());
        if (policy_.ensure_directories) ensure_beat_directories(beat_);
    }
    void resolve_phase() {
        begin_phase();
        if (resolved_) return;
        resolved_ = true;
        track_open_beat();
        auto& intake = processor().intake();
        queue().take(beat_, intake);
        const std::size_t admitted = scheduler().admit(intake.size());
        if (admitted < intake.size()) {
            deferred_ = intake.size() - admitted;
            for (auto k = admitted; k < intake.size(); ++k) log_impulse(beat_ + 1, intake[k].signal, intake[k].target);
            const std::size_t later = intake.size() - admitted;
            queue().defer(beat_ + 1, std::span<const queued_impulse>(intake.data() + admitted, later));
            intake.resize(admitted);
        }
        processor().resolve();
    }
    void execute_phase() {
        resolve_phase();
        if (executed_) return;
        executed_ = true;
        processor().execute();
    }
    bool commit_phase() {
        execute_phase();
        const auto report = hierarchy().staging().commit();
        for (const auto& failure : report.failures)
            write_cei("warn", "commit", "staged write " + std::to_string(failure.index) + " failed: " +
                                            failure.reason.message);
        const std::size_t next_before = pending(beat_ + 1);
        for (const auto& record : processor().cei_records()) write_cei(record.severity, record.topic, record.note);
        std::size_t later = 0;
        for (const auto& e : processor().emitted()) {
            queue().push(e);
            log_impulse(e.beat, e.signal, e.target);
            later += e.beat > beat_ + 1;
        }
        // Everything this beat added to the next one: emits and CEI records (deferred impulses are noted apart).
        const std::size_t promoted = pending(beat_ + 1) - next_before;
        if (recording()) {
            // In the tree as compact records (rendered when read); as text only for listeners.
            const auto& log = processor().agenda_log();
            // An agenda_record has an entry_record's bytes (render_agenda() reads them back).
            const auto packed_of = [](const agenda_record& r) { return std::bit_cast<entry_record>(r); };
            if (listeners().active()) {
                // Line by line: a listener that reads the ledger sees every line it has heard.
                for (const auto& record : log) {
                    const entry_record packed = packed_of(record);
                    if (policy_.ensure_directories)
                        append_ledger_record(beat_, ledger_kind::agenda, packed, &render_agenda);
                    std::string own;
                    auto& line = line_buffer(own);
                    render_agenda(tree().paths(), packed, line);
                    notify(ledger_names[static_cast<std::size_t>(ledger_kind::agenda)], line, beat_);
                }
            } else if (policy_.ensure_directories && !log.empty()) {
                // One append for the beat's agenda lines, copied into the list as they are: one check per batch.
                append_to_ledger(beat_, ledger_kind::agenda, [&](path_id id) {
                    return tree().append_records_verbatim(id, std::span<const agenda_record>(log), &render_agenda);
                });
            }
            std::string own;
            auto& note = line_buffer(own);
            note.append("commit: promoted ").append(detail::decimal(promoted).view()).append(" impulse(s) -> beat ");
            note.append(detail::decimal(beat_ + 1).view());
            if (const auto ts = beat_to_unix(beat_)) note.append(" ts=").append(detail::decimal(*ts).view());
            write_ledger(beat_, ledger_kind::stage, note);
            if (later != 0)
                write_ledger(beat_, ledger_kind::stage, "commit: scheduled " + std::to_string(later) +
                                                 " impulse(s) for later beats");
            if (deferred_ != 0)
                write_ledger(beat_, ledger_kind::stage, "budget: deferred " + std::to_string(deferred_) + " impulse(s) -> beat " +
                                                 std::to_string(beat_ + 1));
        }
        // Listeners hear the end of the commit while the beat is still N: what they enqueue goes to N + 1.
        notify("commit", {}, beat_);
        if constexpr (requires { listeners().take_failures(); })
            for (const auto& failure : listeners().take_failures()) write_cei("warn", "listener", failure);
        if (journal_ && policy_.ensure_directories) publish_journal(beat_);
        retain();
        const bool clean = processor().failures() == 0 && report.ok();
        processor().end_beat();
        if constexpr (can_release_paths)
            if (policy_.transient_release_floor != 0 && tree().paths().transient_count() >= release_at_)
                release_paths();
        deferred_ = 0;
        begun_ = false;
        resolved_ = false;
        executed_ = false;
        ++beat_;
        queue().advance();
        processor().set_beat(beat_);
        return clean;  // the open beat stays N+1 (see track_open_beat)
    }
    // Keeps open_bucket_ on the vector of cep's own queue that holds the earliest open beat (see enqueue()). Only
    // the resolve phase moves that beat (N to N+1); the commit leaves it where it is, as beat() becomes N+1.
    void track_open_beat() noexcept {
        if constexpr (std::is_same_v<typename parts::queue, beat_queue>) {
            open_beat_ = earliest_open_beat();
            open_bucket_ = queue().near_bucket(open_beat_);
        }
    }

public:

    // ---- transient paths: a table that stays bounded with a new target per message ----
    // Makes `top` a transient root: ids of paths below it that nothing uses are released between beats (see
    // cep::path_table and docs/heartbeat.md). A queued impulse, a pending retry, a ledger entry not read yet, a
    // cell, a binding or a link keeps an id; an id you keep yourself does not, so look such paths up again rather
    // than keeping their ids across beats. Fails (invalid_policy) for "/", /rt, the runtime's branches (rt/beat,
    // rt/cei, rt/analytics/spacing) and what holds them, below a recycling or transient root, and with kernel parts
    // that cannot list the ids they keep. (rt/ops, where OPS keeps its dossiers, may be one.) Between beats only:
    // during a beat (from an enzyme or a listener, or between the phases) it fails with beat_reentered and changes
    // nothing, since the beat's impulses were resolved with the paths' flags as they were.
    result<void> make_transient_root(const path& top) {
        if constexpr (!can_release_paths)
            return error{errc::invalid_policy, "cannot make " + top.str() +
                                                   " a transient root: this kernel's queue, processor or router part "
                                                   "cannot list the ids it keeps (for_each_waiting, "
                                                   "for_each_held_id, start_over)"};
        if (begun_ || processor().running()) [[unlikely]]
            return error{errc::beat_reentered, "cannot make " + top.str() + " a transient root while beat " +
                                                   std::to_string(beat_) +
                                                   " is in progress: make it between beats (before begin_beat() or "
                                                   "step(), or after the commit)"};
        // The runtime's own branches: /rt itself, and what holds or lies in rt/beat, rt/cei, rt/analytics/spacing.
        // Decided on the text, so a refused path is not interned for nothing (it would stay in the table).
        bool runtime = top.is_root() || top.text() == "/rt";
        const path branches[] = {path_c<"/rt/beat">, path_c<"/rt/cei">, path_c<"/rt/analytics/spacing">};
        for (const path& branch : branches) runtime = runtime || branch.contains(top) || top.contains(branch);
        auto& paths = tree().paths();
        // Below a recycling or transient root, the refused path's id is recyclable: it is not kept for good.
        if (runtime || !paths.make_transient_root(paths.intern(top)))
            return error{errc::invalid_policy,
                         "cannot make " + top.str() +
                             " a transient root: it is the root, /rt, holds or lies in rt/beat, rt/cei or "
                             "rt/analytics/spacing, or lies below a recycling or transient root"};
        return {};
    }
    // Releases the transient ids nothing uses now (the commit does it by itself, see
    // heartbeat_policy::transient_release_floor) and returns how many. Between beats only: during a beat (from an
    // enzyme or a listener) it releases nothing and returns 0. Memoised agendas start over when any is released.
    std::size_t release_unused_paths() {
        if constexpr (can_release_paths) {
            if (begun_ || processor().running()) return 0;
            return release_paths();
        }
        return 0;
    }

    // ---- journal and retention ----
    // Receives each completed beat's ledger lines (impulses, agenda, stage, in that order) at the end of its
    // commit, before retention may remove them from the tree. An exception from the sink becomes a CEI record.
    void set_journal(journal_sink sink) { journal_ = std::move(sink); }
    // The oldest beat whose ledger is still in the tree.
    [[nodiscard]] beat_number oldest_kept_beat() const noexcept { return oldest_kept_; }

    // ---- wallclock and spacing analytics ----
    // Stores the Unix time (ns) of a beat once; the same value again is accepted, a different one rejected. Both
    // this and set_spacing_window() write the committed tree: from an enzyme (while it is read-only) they fail with
    // cell_read_only and change nothing.
    result<void> publish_wallclock(beat_number at, std::uint64_t unix_ns) {
        if (tree().read_only()) [[unlikely]] return refused_while_running("publish the wallclock of beat " +
                                                                          std::to_string(at));
        if (const auto known = beat_to_unix(at)) {
            if (*known == unix_ns) return {};
            return error{errc::wallclock_conflict, "beat " + std::to_string(at) + " already has unix_ts_ns " +
                                                 std::to_string(*known) + "; refusing " + std::to_string(unix_ns)};
        }
        wallclock_[at] = unix_ns;
        tree().put_text(named_child(beat_cells_of(at).meta, "unix_ts_ns"), std::to_string(unix_ns)).value();
        beat_dirs_.insert(at);
        // The interval since the closest earlier published beat.
        const auto it = wallclock_.find(at);
        if (it != wallclock_.begin()) {
            const auto previous = (it - 1)->second;
            const auto interval = unix_ns >= previous ? unix_ns - previous : 0;
            tree()
                .put_text(named_child(reused_numbered_child(rt_spacing_, at, spare_spacing_), "interval_ns"),
                          std::to_string(interval))
                .value();
            spacing_.insert(at);
            prune_spacing();
        }
        return {};
    }

private:
    [[gnu::cold, gnu::noinline]] static error refused_while_running(const std::string& doing) {
        return error{errc::cell_read_only, "cannot " + doing +
                                               " while enzymes run: the committed tree is read-only until the "
                                               "commit (call it between beats or from a listener)"};
    }

public:
    [[nodiscard]] std::optional<std::uint64_t> beat_to_unix(beat_number at) const {
        const auto it = wallclock_.find(at);
        if (it == wallclock_.end()) return std::nullopt;
        return it->second;
    }
    result<void> set_spacing_window(std::size_t window) {
        if (window == 0) return error{errc::invalid_policy, "the spacing window must be at least 1"};
        if (tree().read_only()) [[unlikely]] return refused_while_running("change the spacing window");
        policy_.spacing_window = window;
        prune_spacing();
        return {};
    }
    [[nodiscard]] std::size_t spacing_window() const noexcept { return policy_.spacing_window; }

    // ---- CEI: error signals ----
    // Writes a record under rt/cei/ and queues sig_cei/<severity> for the next beat, targeting the record.
    result<void> cei_emit(std::string_view severity, std::string_view topic, std::string_view note) {
        if (auto ok = check_name(severity); !ok) return ok;
        // During a beat the record is written at commit (nothing of beat N is visible in N).
        if (processor().running())
            processor().defer_cei(severity, topic, note);
        else
            write_cei(severity, topic, note);
        return {};
    }

    // ---- introspection ----
    // The resolved agenda of (signal, target) as enzyme names, in execution order (resolves if needed).
    std::vector<std::string_view> agenda(const path& signal, std::optional<path> target = std::nullopt) {
        const path_id s = tree().paths().intern(signal);
        const std::uint32_t t = target ? tree().paths().intern(*target).value : queued_impulse::no_target;
        std::vector<std::string_view> out;
        for (auto i : router().steps(router().agenda_for(s, t))) out.push_back(Registry::names[i]);
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

    [[nodiscard]] std::uint64_t generation() noexcept { return router().generation(); }
    [[nodiscard]] std::size_t memo_size() noexcept { return router().memo_size(); }

private:
    static bool step_of(void* self) { return static_cast<heartbeat*>(self)->step(); }

    template <class Signal>
    path_id typed_signal() {
        const path_id id = tree().paths().intern(path_constant<Signal::value>{});  // no path built per call
        router().template note_typed_signal<Signal>(id);
        return id;
    }

    // Once this beat's impulses were taken (resolve), new ones go to a later beat.
    [[nodiscard]] beat_number earliest_open_beat() const noexcept { return resolved_ ? beat_ + 1 : beat_; }
    [[gnu::cold, gnu::noinline, nodiscard]] error in_the_past(std::string_view signal, beat_number at) const {
        return error{errc::beat_in_past, "cannot enqueue " + std::string(signal) + " for beat " + std::to_string(at) +
                                             ": the earliest beat open for impulses is " +
                                             std::to_string(earliest_open_beat())};
    }

    // By reference all the way: interning a known path copies nothing (no allocation per impulse). Signal and
    // Target are cep::path or a path_constant (a literal).
    template <class Signal, class Target>
    result<void> enqueue_paths(beat_number at, const Signal& signal, const Target* target) {
        if (at < earliest_open_beat()) [[unlikely]] return in_the_past(detail::text_of_path(signal), at);
        const path_id s = tree().paths().intern(signal);
        const std::uint32_t t = target ? tree().paths().intern(*target).value : queued_impulse::no_target;
        return enqueue_ids(at, s, t);
    }

    // The common case (known ids, an open beat, no enzyme running, nothing recording) is a queue push, small
    // enough to inline into the caller's loop; everything else goes through enqueue_checked().
    result<void> enqueue_ids(beat_number at, path_id s, std::uint32_t t) {
        const auto& paths = tree().paths();
        const bool known = paths.owns_plain(s) && (t == queued_impulse::no_target || paths.owns_plain(path_id{t}));
        if (known && at >= earliest_open_beat() && !processor().running()) [[likely]] {
            // By fields into cep's own queue (see basic_beat_queue::push). Any other queue part gets the item
            // through push(queued_impulse), even one derived from cep's, whose push(item) may count or filter.
            if constexpr (std::is_same_v<typename parts::queue, beat_queue>)
                queue().push(at, s.value, t);
            else
                queue().push(queued_impulse{at, s.value, t});
            if (recording()) log_impulse(at, s.value, t);
            return {};
        }
        return enqueue_checked(at, s, t);
    }
    [[gnu::noinline]] result<void> enqueue_checked(beat_number at, path_id s, std::uint32_t t) {
        // An id of another table is an error, not a wild read (checked first: the other errors print the path).
        if (!tree().paths().owns(s)) [[unlikely]] return unknown_id(s.value);
        if (t != queued_impulse::no_target && !tree().paths().owns(path_id{t})) [[unlikely]] return unknown_id(t);
        if (at < earliest_open_beat()) return in_the_past(text_of(s.value), at);
        // A queued id must keep naming its path: recyclable ones (rt/beat/...) are pinned, transient ones marked
        // when ids are released.
        tree().paths().pin_in_use(s);
        if (t != queued_impulse::no_target) tree().paths().pin_in_use(path_id{t});
        const queued_impulse item{at, s.value, t};
        if (processor().running()) {
            processor().defer_emit(item);
        } else {
            queue().push(item);
            log_impulse(at, s.value, t);
        }
        return {};
    }

    [[gnu::cold]] static error unknown_id(std::uint32_t id) {
        return error{errc::path_unknown_id, "path id " + std::to_string(id) + " does not belong to this path table"};
    }

    void add_binding(const path& cell, std::size_t index, binding_scope scope, bool tombstone) {
        router().request_binding(tree().paths().intern(cell), index, scope, tombstone);
    }
    static error unknown_enzyme(std::string_view name) { return parts::router::unknown_enzyme(name); }

    // ---- the ledger and the listeners ----
    // Ledger lines are built when the ledger is on or someone listens.
    [[nodiscard]] bool recording() noexcept { return policy_.ensure_directories || listeners().active(); }
    void notify(std::string_view topic, std::string_view text, beat_number at) {
        if (listeners().active()) listeners().emit(event{topic, text, at});
    }
    enum class ledger_kind : std::uint8_t { impulses, agenda, stage };
    static constexpr std::array<std::string_view, 3> ledger_names{"impulses", "agenda", "stage"};
    // The buffer for a line that listeners will hear: line_, emptied (its capacity kept, so nothing is allocated
    // per line), unless a listener is running now. Then an outer event may still be viewing line_ (a listener
    // that enqueues hears the impulse's line while its own event is being delivered), so the line goes to `own`.
    std::string& line_buffer(std::string& own) {
        if constexpr (requires { listeners().emitting(); })
            if (!listeners().emitting()) {
                line_.clear();
                return line_;
            }
        return own;
    }
    void write_ledger(beat_number at, ledger_kind list, std::string_view line) {
        if (policy_.ensure_directories) append_ledger(at, list, line);
        notify(ledger_names[static_cast<std::size_t>(list)], line, at);
    }

    [[nodiscard]] std::string text_of(std::uint32_t id) const {
        return id == queued_impulse::no_target ? std::string() : tree().paths().text_of(path_id{id});
    }
    // The ids of rt/beat/<at>/{impulses,agenda,stage}: the lists of the two beats written last are remembered, so
    // a ledger line costs no path lookup. (Creates rt/beat/<at>/ when needed.)
    path_id ledger_list(beat_number at, ledger_kind list) {
        for (const auto& known : ledger_lists_)
            if (known.beat == at && known.ready) return known.ids[static_cast<std::size_t>(list)];
        return new_ledger_lists(at, list);
    }
    [[gnu::noinline]] path_id new_ledger_lists(beat_number at, ledger_kind list) {
        const beat_cells cells = ensure_beat_directories(at);
        auto& slot = ledger_lists_[next_ledger_slot_];
        next_ledger_slot_ = (next_ledger_slot_ + 1) % ledger_lists_.size();
        slot.ids = {cells.impulses, cells.agenda, cells.stage};  // in the order of ledger_kind
        slot.beat = at;
        slot.ready = true;
        return slot.ids[static_cast<std::size_t>(list)];
    }
    // The runtime's own per-beat and per-record paths are interned by id (parent + segment), never by their whole
    // text: the table's text cache would otherwise keep an entry for every beat and record ever written.
    path_id named_child(path_id parent, std::string_view name) { return tree().paths().child(parent, name).value(); }
    path_id numbered_child(path_id parent, std::uint64_t n) { return named_child(parent, detail::decimal(n).view()); }
    // parent/<n>, reusing a spare id (a directory retention removed) when there is one.
    path_id reused_numbered_child(path_id parent, std::uint64_t n, std::vector<path_id>& spare) {
        if (const auto known = known_numbered_child(parent, n)) return *known;
        const detail::decimal number(n);
        const std::string_view name = number.view();
        while (!spare.empty()) {
            const path_id id = spare.back();
            spare.pop_back();
            // Not if a cell was made there again since (a write under a removed beat), nor if the id got pinned.
            if (!tree().find_no_follow(id) && tree().paths().rename(id, name)) return id;
        }
        return named_child(parent, name);
    }
    path_id beat_directory(beat_number at) { return reused_numbered_child(rt_beat_, at, spare_beat_dirs_); }
    // The ids of rt/beat/<at> and of the cells made in it. A directory id keeps its children's ids when retention
    // renames it for a new beat, so they are looked up once per directory id, not once per beat.
    struct beat_cells {
        path_id dir, impulses, inbox, agenda, stage, meta;
    };
    beat_cells beat_cells_of(beat_number at) {
        const path_id dir = beat_directory(at);
        if (const beat_cells* known = beat_cells_.find(dir.value)) return *known;
        return beat_cells_.add(dir.value, beat_cells{dir, named_child(dir, "impulses"), named_child(dir, "inbox"),
                                                     named_child(dir, "agenda"), named_child(dir, "stage"),
                                                     named_child(dir, "meta")});
    }
    // The id of parent/<n> if it was ever interned (nothing is added).
    [[nodiscard]] std::optional<path_id> known_numbered_child(path_id parent, std::uint64_t n) const {
        return tree().paths().find_child(parent, detail::decimal(n).view());
    }

    beat_cells ensure_beat_directories(beat_number at) {
        const beat_cells cells = beat_cells_of(at);
        if (ledger_ready_.contains(at)) return cells;
        ledger_ready_.insert(at);
        beat_dirs_.insert(at);
        tree().make_list(cells.impulses).value();
        if (!tree().find_no_follow(cells.inbox)) tree().link(cells.inbox, cells.impulses).value();
        tree().make_list(cells.agenda).value();
        tree().make_list(cells.stage).value();
        tree().make_dictionary(cells.meta).value();
        return cells;
    }
    // Ledger lines go in as deferred list entries (cep::cell_tree::append_entry): they become cells when read.
    void append_ledger(beat_number at, ledger_kind list, std::string_view line) {
        append_to_ledger(at, list, [&](path_id id) { return tree().append_entry(id, line); });
    }
    void append_ledger_record(beat_number at, ledger_kind list, const entry_record& record, entry_renderer render) {
        append_to_ledger(at, list, [&](path_id id) { return tree().append_record(id, record, render); });
    }
    template <class Append>
    void append_to_ledger(beat_number at, ledger_kind list, Append&& append) {
        if (!append(ledger_list(at, list))) {
            forget_ledger_lists(at);  // removed from under us (rt/beat/<at> is not reserved, only rt/beat): made again
            append(ledger_list(at, list)).value();
        }
    }
    void forget_ledger_lists(beat_number at) {
        ledger_ready_.erase(at);
        for (auto& slot : ledger_lists_)
            if (slot.beat == at) slot.ready = false;
    }
    [[gnu::noinline]] void log_impulse(beat_number at, std::uint32_t signal, std::uint32_t target) {
        const entry_record packed{{signal, target, 0}};
        // The list appended to last, as it is while impulses are enqueued one after another, takes the record
        // without a full check (and without a result to build and destroy).
        if (policy_.ensure_directories &&
            !tree().try_append_record(ledger_list(at, ledger_kind::impulses), packed, &render_impulse)) [[unlikely]]
            append_ledger_record(at, ledger_kind::impulses, packed, &render_impulse);
        if (listeners().active()) {
            std::string own;
            auto& line = line_buffer(own);
            render_impulse(tree().paths(), packed, line);
            notify(ledger_names[static_cast<std::size_t>(ledger_kind::impulses)], line, at);
        }
    }

    // The ledger's line formats. Pure functions of the record and the path table: the tree renders them whenever
    // the entries are first read, with the same result. The table's type is spelled dependently, so that they are
    // compiled with the heartbeat (see detail/lazy.hpp).
    using ledger_paths = detail::lazy<Registry, path_table>;
    static void append_path_text(const ledger_paths& paths, std::uint32_t id, std::string& out) {
        if (id != queued_impulse::no_target) paths.append_text(path_id{id}, out);
    }
    // "signal=<path> target=<path>" from {signal, target}.
    static void render_impulse(const ledger_paths& paths, const entry_record& r, std::string& out) {
        out.append("signal=");
        append_path_text(paths, r.words[0], out);
        out.append(" target=");
        append_path_text(paths, r.words[1], out);
    }
    // "enzyme=<name> rc=<rc> signal=<path> target=<path>" from an agenda_record's bytes (see commit_phase()).
    static void render_agenda(const ledger_paths& paths, const entry_record& packed, std::string& out) {
        const auto r = std::bit_cast<agenda_record>(packed);
        out.append("enzyme=").append(Registry::names[r.enzyme]).append(" rc=");
        out.append(to_string(r.rc)).append(" signal=");
        append_path_text(paths, r.signal, out);
        out.append(" target=");
        append_path_text(paths, r.target, out);
    }

    // Writes a CEI record and queues its impulse (for the next beat once this one has begun).
    void write_cei(std::string_view severity, std::string_view topic, std::string_view note) {
        const std::uint64_t n = ++cei_count_;
        const path_id record = numbered_child(rt_cei_, n);
        tree().put_text(named_child(record, "severity"), severity).value();
        tree().put_text(named_child(record, "topic"), topic).value();
        tree().put_text(named_child(record, "note"), note).value();
        tree().put_text(named_child(record, "beat"), std::to_string(beat_)).value();
        cei_log_.push_back(cei_entry{n, beat_});
        const beat_number at = beat_ + (begun_ ? 1 : 0);
        const std::uint32_t signal = tree().paths().intern(path("/sig_cei") / severity).value;
        const std::uint32_t target = record.value;
        queue().push(queued_impulse{at, signal, target});
        log_impulse(at, signal, target);
        if (listeners().active()) {
            std::string text(severity);
            text.append(" ").append(topic).append(": ").append(note);
            notify("cei", text, beat_);
        }
    }

    // Hands beat `at`'s ledger to the journal, rendered from the tree without making cells of its entries.
    void publish_journal(beat_number at) {
        journal_text_.clear();
        journal_spans_.clear();
        for (std::size_t k = 0; k < ledger_names.size(); ++k) {
            const auto list = ledger_list(at, static_cast<ledger_kind>(k));
            (void)tree().visit_entries(list, [&](std::string_view text) {
                journal_spans_.push_back({k, journal_text_.size(), text.size()});
                journal_text_.append(text);
            });
        }
        journal_lines_.clear();
        for (const auto& [list, offset, length] : journal_spans_)
            journal_lines_.push_back(ledger_line{ledger_names[list], std::string_view(journal_text_).substr(offset, length)});
        try {
            journal_(at, journal_lines_);
        } catch (const std::exception& e) {
            write_cei("warn", "journal", std::string("the journal sink threw: ") + e.what());
        } catch (...) {
            write_cei("warn", "journal", "the journal sink threw an unknown exception");
        }
    }

    // Keeps the newest keep_beats completed beats (this one included) in the tree.
    void retain() {
        if (policy_.keep_beats == 0 || beat_ < policy_.keep_beats) return;
        const beat_number horizon = beat_ - policy_.keep_beats + 1;  // the oldest beat kept
        for (; oldest_kept_ < horizon; ++oldest_kept_) {
            forget_ledger_lists(oldest_kept_);  // its ids may serve another beat from now on
            // Only beats that have a directory (a ledger, or a published wallclock): nothing to build otherwise.
            if (beat_dirs_.erase(oldest_kept_)) {
                if (const auto dir = known_numbered_child(rt_beat_, oldest_kept_)) {
                    (void)tree().remove(*dir);
                    spare_beat_dirs_.push_back(*dir);
                }
            }
        }
        wallclock_.erase(wallclock_.begin(), wallclock_.lower_bound(horizon));
        while (!cei_log_.empty() && cei_log_.front().beat < horizon) {
            if (const auto record = known_numbered_child(rt_cei_, cei_log_.front().number))
                (void)tree().remove(*record);
            cei_log_.pop_front();
        }
    }

    // Custom kernel parts may not offer what a release needs: transient roots are then refused.
    static constexpr bool can_release_paths =
        requires(typename parts::queue& q, typename parts::processor& p, typename parts::router& r) {
            q.for_each_waiting([](const queued_impulse&) {});
            p.for_each_held_id([](path_id) {});
            r.start_over();
        };
    std::size_t release_paths()
        requires can_release_paths
    {
        auto& paths = tree().paths();
        own_release_ = true;
        struct reset {
            bool& flag;
            ~reset() { flag = false; }
        } done{own_release_};
        const std::size_t released = paths.release_unused([&](path_id id) { return tree().holds_cell(id); });
        release_at_ = std::max(policy_.transient_release_floor, 2 * paths.transient_count());
        return released;
    }
    // The release hook (see path_table::release_hook). During a beat only the commit's own release goes ahead: the
    // beat's impulses were resolved with their ids, and one from an enzyme, a listener or between the phases would
    // leave them naming other paths.
    static bool prepare_release(void* self) {
        if constexpr (can_release_paths) {
            auto& hb = *static_cast<heartbeat*>(self);
            if (!hb.own_release_ && (hb.begun_ || hb.processor().running())) return false;
            auto& paths = hb.tree().paths();
            const auto mark = [&](std::uint32_t signal, std::uint32_t target) {
                paths.mark_in_use(path_id{signal});
                if (target != queued_impulse::no_target) paths.mark_in_use(path_id{target});
            };
            hb.queue().for_each_waiting([&](const queued_impulse& item) { mark(item.signal, item.target); });
            hb.processor().for_each_held_id([&](path_id id) { paths.mark_in_use(id); });
            hb.tree().for_each_pending_record([&](const entry_record& r, entry_renderer render) {
                if (render == &render_impulse) mark(r.words[0], r.words[1]);
                if (render == &render_agenda) {
                    const auto record = std::bit_cast<agenda_record>(r);
                    mark(record.signal, record.target);
                }
            });
        }
        return true;
    }
    // The restructure guard (see path_table::restructure_guard): refuses from begin to commit, as the phases refuse
    // to nest, and while processor().process_message() runs an agenda.
    static void check_restructure(void* self, std::string_view call) {
        auto& hb = *static_cast<heartbeat*>(self);
        if (hb.begun_ || hb.processor().running()) [[unlikely]] hb.restructure_refused(call);
    }
    [[noreturn, gnu::cold, gnu::noinline]] void restructure_refused(std::string_view call) const {
        throw heartbeat_error(error{errc::beat_reentered,
                                    "cannot call paths()." + std::string(call) + " while beat " +
                                        std::to_string(beat_) +
                                        " is in progress: make the root between beats (before begin_beat() or "
                                        "step(), or after the commit)"});
    }
    static void after_release(void* self, std::size_t) {
        if constexpr (can_release_paths) static_cast<heartbeat*>(self)->router().start_over();  // keyed by ids
    }

    void prune_spacing() {
        while (spacing_.size() > policy_.spacing_window) {
            const auto oldest = spacing_.oldest();
            spacing_.erase(oldest);
            if (const auto entry = known_numbered_child(rt_spacing_, oldest)) {
                (void)tree().remove(*entry);
                spare_spacing_.push_back(*entry);
            }
        }
    }

    // ---- members ----
    heartbeat_policy policy_;
    kernel_type kernel_;
    beat_number beat_ = 1;
    bool begun_ = false;     // begin_beat ran for beat_
    bool own_release_ = false;  // the commit's (or release_unused_paths()'s) release is running
    bool resolved_ = false;  // beat_'s impulses were taken and resolved
    bool executed_ = false;  // beat_'s agendas ran
    bool in_phase_ = false;  // a phase of the cycle runs (see step())
    // The earliest open beat and its bucket in cep's own queue (null with any other queue part): track_open_beat().
    beat_number open_beat_ = 1;
    std::vector<queued_impulse>* open_bucket_ = nullptr;
    std::size_t deferred_ = 0;
    std::size_t release_at_ = 0;  // transient ids held that start a release (set from the policy, then by each)

    detail::lazy<Registry, std::string> line_;  // the ledger line being built (keeps its capacity)
    path_id rt_beat_{};     // /rt/beat
    path_id rt_cei_{};      // /rt/cei
    path_id rt_spacing_{};  // /rt/analytics/spacing
    // rt/beat/<N> ids retention removed: renamed for new beats.
    detail::lazy<Registry, std::vector<path_id>> spare_beat_dirs_;
    detail::lazy<Registry, detail::flat_map<beat_cells>> beat_cells_;  // by directory id (bounded: ids are reused)
    detail::lazy<Registry, std::vector<path_id>> spare_spacing_;    // the same for rt/analytics/spacing/<N>
    detail::beat_set<Registry> ledger_ready_;  // beats whose ledger lists exist
    detail::beat_set<Registry> beat_dirs_;     // beats with rt/beat/<N>/ (ledger or wallclock), for retention
    struct ledger_lists {
        beat_number beat = 0;
        bool ready = false;
        std::array<path_id, 3> ids{};
    };
    std::array<ledger_lists, 2> ledger_lists_{};  // the current beat's and the next one's, usually
    std::size_t next_ledger_slot_ = 0;
    detail::lazy<Registry, detail::sorted_map<beat_number, std::uint64_t>> wallclock_;
    detail::beat_set<Registry> spacing_;
    std::uint64_t cei_count_ = 0;
    struct cei_entry {
        std::uint64_t number;
        beat_number beat;
    };
    std::deque<cei_entry> cei_log_;  // the records in the tree, oldest first (for retention)

    detail::lazy<Registry, journal_sink> journal_;
    detail::lazy<Registry, std::string> journal_text_;  // the journal's lines back to back (reused)
    struct journal_span {
        std::size_t list;
        std::size_t offset;
        std::size_t length;
    };
    std::vector<journal_span> journal_spans_;
    detail::lazy<Registry, std::vector<ledger_line>> journal_lines_;
    beat_number oldest_kept_ = 1;
};

}  // namespace cep

// ---- compiling a heartbeat once ----
// Every translation unit that uses a heartbeat<R> compiles all of its code again (it is a template). A program of
// several translation units can compile it in one of them and only call it from the others:
//
//   using my_registry = cep::enzyme_registry<resize_image, write_metadata>;
//   CEP_EXTERN_HEARTBEAT(my_registry);         // in the header that defines my_registry, seen by every TU
//   CEP_INSTANTIATE_HEARTBEAT(my_registry);    // in exactly one .cpp file
//
// The argument is the registry type (an alias, or the enzyme_registry<...> itself). The _WITH forms name the
// resolution policy first (cep::bound_or_matched, say). Both cover the default kernel: the heartbeat and the parts
// that depend on the registry (router and processor). A program that forgets the _INSTANTIATE_ side fails to link
// (undefined heartbeat member functions), never silently. Standard explicit instantiation, nothing else: the
// macros only spell the kernel's part types, which are otherwise internal.
#define CEP_EXTERN_HEARTBEAT_WITH(Resolution, ...)                                                                  \
    extern template class ::cep::heartbeat<__VA_ARGS__, Resolution, ::cep::default_kernel>;                        \
    extern template class ::cep::agenda_router<__VA_ARGS__, Resolution>;                                           \
    extern template class ::cep::agenda_processor<__VA_ARGS__,                                                     \
                                                  ::cep::kernel_parts<__VA_ARGS__, Resolution, ::cep::default_kernel>>
#define CEP_INSTANTIATE_HEARTBEAT_WITH(Resolution, ...)                                                             \
    template class ::cep::heartbeat<__VA_ARGS__, Resolution, ::cep::default_kernel>;                               \
    template class ::cep::agenda_router<__VA_ARGS__, Resolution>;                                                  \
    template class ::cep::agenda_processor<__VA_ARGS__, ::cep::kernel_parts<__VA_ARGS__, Resolution, ::cep::default_kernel>>
#define CEP_EXTERN_HEARTBEAT(...) CEP_EXTERN_HEARTBEAT_WITH(::cep::bound_then_matched, __VA_ARGS__)
#define CEP_INSTANTIATE_HEARTBEAT(...) CEP_INSTANTIATE_HEARTBEAT_WITH(::cep::bound_then_matched, __VA_ARGS__)
