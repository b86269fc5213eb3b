// The processor part of the kernel: runs agendas. It holds one instance of each enzyme type of the registry,
// calls them through a table of direct calls (one per enzyme index), keeps each (signal, target) to one run per
// beat, handles retries (the scheduler decides when) and failures (that invocation's staged writes and emits are
// discarded; a CEI record follows), and collects what the commit needs: emitted impulses, CEI records and the
// agenda lines of the ledger.
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/status.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/type_list.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/dispatch/enzyme.hpp>
#include <cep/kernel/concepts.hpp>
#include <cep/kernel/router.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cep {

// One invocation as the ledger's agenda list records it. Twelve bytes with no padding (`unused` is zero): a
// cep::entry_record's bytes, so the commit copies the beat's log into the ledger in one block move.
struct agenda_record {
    std::uint16_t enzyme;
    status rc;
    std::uint8_t unused;
    std::uint32_t signal;
    std::uint32_t target;
};
static_assert(same_bytes_as_entry_record<agenda_record>);

// A CEI record waiting for the commit (nothing of beat N is visible in N).
struct cei_record {
    std::string severity;
    std::string topic;
    std::string note;
};

// Diagnostic name (never true).
template <class Enzyme>
struct enzyme_is_not_default_constructible {
    static constexpr bool value = false;
};

namespace detail {

template <class Deferred = void>
struct basic_invocation_frame;
using invocation_frame = basic_invocation_frame<>;
template <class Deferred = void>
class basic_retry_counts;
using retry_counts = basic_retry_counts<>;

// What an enzyme's thunk touches: the beat's contexts, the failure message, the enzyme instances. Not templated on
// the registry (invocation_frame is basic_invocation_frame<>, see detail/lazy.hpp), so the thunks are templates on
// one enzyme type alone and their symbols stay short. (Members of a class templated on the registry spell every
// enzyme type in their symbols: one per enzyme made a registry of a thousand enzymes quadratic to compile.)
template <class Deferred>
struct basic_invocation_frame {
    impulse_ref impulse;  // the running agenda's: set once per agenda, so a thunk takes the frame alone
    lazy<Deferred, std::optional<context<access::read_only>>> read_context;
    lazy<Deferred, std::optional<context<access::read_write>>> write_context;
    std::string failure;                 // what the last invocation threw, for settle()
    unsigned char* instances = nullptr;  // the buffer of detail::enzyme_instances

    // noexcept: a failure to keep the message (std::bad_alloc) must not escape the thunk, so it keeps none.
    [[gnu::cold]] status caught(const char* what) noexcept {
        try {
            failure = what;
        } catch (...) {
            failure.clear();
        }
        return status::fatal;
    }
};

// One argument: the agenda loop keeps a register free for the thunk table rather than for the impulse.
using enzyme_thunk = status (*)(invocation_frame&) noexcept;

// One per enzyme type (the instance at Offset in the frame's buffer): builds its context, calls it, and turns an
// exception into a fatal status (the message kept for settle()). The frame is an invocation_frame, spelled
// dependent on E.
template <class E, std::size_t Offset>
status invoke_enzyme(lazy<E, invocation_frame>& frame) noexcept {
    E& enzyme = *std::launder(reinterpret_cast<E*>(frame.instances + Offset));
    try {
        if constexpr (enzyme_traits<E>::mode == access::read_write)
            return static_cast<status>(enzyme(std::as_const(frame.impulse), *frame.write_context));
        else
            return static_cast<status>(enzyme(std::as_const(frame.impulse), *frame.read_context));
    } catch (const std::exception& e) {
        return frame.caught(e.what());
    } catch (...) {
        return frame.caught("unknown exception");
    }
}

// Attempts so far per (enzyme, signal, target) with a retry pending. Records are reused through a free list and
// found through a flat index keyed by the (signal, target) pair, so a retry allocates nothing once the peak number
// pending has been reached (a node-based map allocated one node per retry, and freed it at the re-run).
// retry_counts is basic_retry_counts<> (see detail/lazy.hpp).
template <class Deferred>
class basic_retry_counts {
public:
    // The count of the invocation, added at 0 when it has none; `added` tells which.
    std::uint32_t& find_or_add(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target, bool& added) {
        const std::uint64_t key = pair_key(signal, target);
        const auto known = index_.find(key, [&](std::uint32_t at) { return records_[at].enzyme == enzyme; });
        added = known == flat_index::absent;
        if (!added) return records_[known].attempts;
        std::uint32_t at;
        if (!free_.empty()) {
            at = free_.back();
            free_.pop_back();
            records_[at] = record{enzyme, 0, signal, target};
        } else {
            at = static_cast<std::uint32_t>(records_.size());
            // free_ keeps room for every record, so erase() (noexcept) never allocates.
            if (free_.capacity() < records_.size() + 1) free_.reserve(2 * (records_.size() + 1));
            records_.push_back(record{enzyme, 0, signal, target});
        }
        try {
            index_.insert(key, at);
        } catch (...) {
            free_.push_back(at);  // within the room reserved above
            throw;
        }
        return records_[at].attempts;
    }
    // Forgets the invocation's count; false when it had none.
    bool erase(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target) noexcept {
        std::uint32_t removed = flat_index::absent;
        const bool found = index_.erase(pair_key(signal, target), [&](std::uint32_t at) {
            if (records_[at].enzyme != enzyme) return false;
            removed = at;
            return true;
        });
        if (found) {
            free_.push_back(removed);  // within the room reserved when the record was added
            records_[removed].enzyme = unused;
        }
        return found;
    }
    [[nodiscard]] bool empty() const noexcept { return index_.size() == 0; }
    // The (signal, target) of every count held.
    template <class Visit>
    void for_each_pair(Visit&& visit) const {
        for (const auto& r : records_)
            if (r.enzyme != unused) visit(r.signal, r.target);
    }

private:
    static constexpr std::uint16_t unused = 0xffff;  // a record on the free list (enzyme indices are smaller)
    struct record {
        std::uint16_t enzyme;
        std::uint32_t attempts;
        std::uint32_t signal;
        std::uint32_t target;
    };
    std::vector<record> records_;
    lazy<Deferred, std::vector<std::uint32_t>> free_;  // positions in records_ not in use
    lazy<Deferred, flat_index> index_;
};

template <class E>
void destroy_enzyme(unsigned char* at) noexcept {
    std::launder(reinterpret_cast<E*>(at))->~E();
}

template <class E>
constexpr bool check_default_constructible() {
    if constexpr (!std::is_default_constructible_v<E>)
        static_assert(enzyme_is_not_default_constructible<E>::value,
                      "cep::heartbeat: the heartbeat holds one instance of each enzyme type, built with E(): every "
                      "enzyme must be default-constructible (enzyme_is_not_default_constructible<E>)");
    return std::is_default_constructible_v<E>;
}

// One instance of each enzyme type, side by side in one buffer at offsets the compiler computes, built in
// registration order and destroyed in reverse. Flat on purpose: a tuple of a thousand types costs the compiler
// quadratic time for its element accesses; here every access is a constant offset.
template <class... Es>
class enzyme_instances {
    static constexpr std::size_t count = sizeof...(Es);
    static constexpr bool constructible = [] {
        constexpr bool checked[] = {true, check_default_constructible<Es>()...};
        bool all = true;
        for (bool c : checked) all = all && c;
        return all;
    }();

    struct layout_type {
        std::array<std::size_t, count> offsets{};
        std::size_t bytes = 0;
        std::size_t align = 1;
    };
    static constexpr layout_type layout = [] {
        layout_type l;
        constexpr std::array<std::size_t, count> sizes{sizeof(Es)...};
        constexpr std::array<std::size_t, count> aligns{alignof(Es)...};
        for (std::size_t i = 0; i < count; ++i) {
            l.bytes = (l.bytes + aligns[i] - 1) / aligns[i] * aligns[i];
            l.offsets[i] = l.bytes;
            l.bytes += sizes[i];
            l.align = aligns[i] > l.align ? aligns[i] : l.align;
        }
        return l;
    }();

    template <std::size_t... Is>
    static constexpr std::array<enzyme_thunk, count> make_thunks(std::index_sequence<Is...>) {
        return {&invoke_enzyme<Es, layout.offsets[Is]>...};
    }
    // Null for a trivially destructible type: no function to compile for it.
    static constexpr std::array<void (*)(unsigned char*) noexcept, count> destroyers{
        (std::is_trivially_destructible_v<Es> ? nullptr : &destroy_enzyme<Es>)...};

public:
    static constexpr std::array<enzyme_thunk, count> thunks = make_thunks(std::index_sequence_for<Es...>{});

    // The same calls through a switch, for the agenda loop: each case inlines its enzyme's invocation, so a step
    // costs an indirect jump and the enzyme's own call, where the table costs an indirect call, a call and two
    // returns. Cases come in blocks of 64; an index past a block goes on to the next one. An index outside the
    // registry returns status::fatal (the router never makes one).
    template <std::size_t Base = 0>
    [[gnu::always_inline]] static status dispatch(std::uint16_t enzyme, invocation_frame& frame) noexcept {
        switch (static_cast<std::size_t>(enzyme) - Base) {
#define CEP_DETAIL_CASE(k)                                                                                  \
    case k:                                                                                                 \
        if constexpr (Base + (k) < count)                                                                   \
            return invoke_enzyme<detail::nth_type<Base + (k), Es...>, layout.offsets[Base + (k)]>(frame);   \
        else                                                                                                \
            break;
#define CEP_DETAIL_CASES4(k) CEP_DETAIL_CASE(k) CEP_DETAIL_CASE(k + 1) CEP_DETAIL_CASE(k + 2) CEP_DETAIL_CASE(k + 3)
#define CEP_DETAIL_CASES16(k) \
    CEP_DETAIL_CASES4(k) CEP_DETAIL_CASES4(k + 4) CEP_DETAIL_CASES4(k + 8) CEP_DETAIL_CASES4(k + 12)
            CEP_DETAIL_CASES16(0) CEP_DETAIL_CASES16(16) CEP_DETAIL_CASES16(32) CEP_DETAIL_CASES16(48)
#undef CEP_DETAIL_CASES16
#undef CEP_DETAIL_CASES4
#undef CEP_DETAIL_CASE
            default: break;
        }
        if constexpr (Base + 64 < count)
            return dispatch<Base + 64>(enzyme, frame);
        else
            return status::fatal;
    }

    // Enzyme K's invocation, inlined: for the agenda loop's table of labels (agenda_processor::run_intake()). K
    // past the registry returns status::fatal.
    template <std::size_t K>
    [[gnu::always_inline]] static status invoke_at(invocation_frame& frame) noexcept {
        if constexpr (K < count)
            return invoke_enzyme<detail::nth_type<K, Es...>, layout.offsets[K]>(frame);
        else
            return status::fatal;
    }

    enzyme_instances() requires(constructible) : enzyme_instances(std::index_sequence_for<Es...>{}) {}
    enzyme_instances(const enzyme_instances&) = delete;
    enzyme_instances& operator=(const enzyme_instances&) = delete;
    ~enzyme_instances() { destroy_first(count); }

    [[nodiscard]] unsigned char* data() noexcept { return storage_; }
    template <class E, std::size_t Index>
    [[nodiscard]] E& get() noexcept {
        return *std::launder(reinterpret_cast<E*>(storage_ + layout.offsets[Index]));
    }

private:
    template <std::size_t... Is>
    explicit enzyme_instances(std::index_sequence<Is...>) {
        std::size_t built = 0;
        try {
            // A braced list runs its elements in order: registration order.
            const bool done[] = {true, (::new (static_cast<void*>(storage_ + layout.offsets[Is])) Es(), ++built, true)...};
            (void)done;
        } catch (...) {
            destroy_first(built);
            throw;
        }
    }
    void destroy_first(std::size_t n) noexcept {
        for (std::size_t k = n; k-- > 0;)
            if (destroyers[k] != nullptr) destroyers[k](storage_ + layout.offsets[k]);
    }

    alignas(layout.align) unsigned char storage_[layout.bytes == 0 ? 1 : layout.bytes];
};

}  // namespace detail

// Parts: the kernel's part types (hierarchy, router, scheduler), so the processor calls them directly.
template <class Registry, class Parts>
class agenda_processor final : private basic_impulse_sink<detail::lazy<Registry, void>> {
    // The library's classes spelled dependent on Registry (see detail/lazy.hpp).
    using deferred = detail::lazy<Registry, void>;
    using path_table = basic_path_table<deferred>;
    using path_ref = basic_path_ref<deferred>;
    using staging_area = basic_staging_area<deferred>;
    using impulse_sink = basic_impulse_sink<deferred>;

    static constexpr std::size_t enzyme_count = Registry::size;
    using hierarchy_type = typename Parts::hierarchy;
    using router_type = typename Parts::router;
    using scheduler_type = typename Parts::scheduler;

public:
    agenda_processor() = default;
    agenda_processor(const agenda_processor&) = delete;
    agenda_processor& operator=(const agenda_processor&) = delete;

    template <class System>
    void init(System& system) {
        hierarchy_ = &system.template get<"hierarchy">();
        staging_ = &hierarchy_->staging();
        router_ = &system.template get<"router">();
        scheduler_ = &system.template get<"scheduler">();
        make_contexts();
    }

    // ---- kernel interface ----
    template <class E>
    [[nodiscard]] E& enzyme() noexcept {
        return instances_.template get<E, Registry::template index_of<E>()>();
    }
    // The beat being processed; emits go to it + 1 or later.
    void set_beat(beat_number beat) noexcept {
        beat_ = beat;
        if (hierarchy_ != nullptr) make_contexts();
    }
    [[nodiscard]] beat_number beat() const noexcept { return beat_; }
    // Whether enzymes are running now (their emits and CEI records wait for the commit).
    [[nodiscard]] bool running() const noexcept { return running_; }
    // Keep agenda_records for the ledger and listeners.
    void set_recording(bool on) noexcept {
        recording_ = on;
        watch_ = recording_ || !retries_.empty();
    }

    // The impulses this beat took from the queue: take() appends to intake(), then resolve() makes room in the
    // memo for their agendas. execute() finds each agenda as it runs the impulse: the lookup's loads then overlap
    // with the enzymes' work, and no array of positions is written and read back (memo hit by ids: 166.3 -> 158.7
    // instructions). Nothing an enzyme does changes an agenda before the next beat boundary (bindings and
    // registrations wait for it), so finding it now or before the first enzyme ran gives the same agenda.
    [[nodiscard]] std::vector<queued_impulse>& intake() noexcept { return intake_; }
    void resolve() { router_->make_room(intake_.size()); }
    // Runs each agenda once per (signal, target) in this beat, then the retries due now. Returns the invocations.
    std::size_t execute() {
        // Nested (process_tick() from an enzyme), it would run the beat's agendas inside one of them, and end by
        // marking the processor idle while the outer loop still runs.
        if (running_) [[unlikely]] refuse_nested_execute();
        running_ = true;
        staging_->keep_span_start_in(&spans_.staged);  // see open_spans()
        // What an enzyme writes goes through its context into staging: a write to the committed tree itself (an
        // enzyme that holds the heartbeat) would be seen in this beat, so the tree refuses it (cell_read_only).
        auto& committed = hierarchy_->tree();
        committed.set_read_only(true);
        std::size_t invocations = 0;
        try {
            // A local: enzymes may add to emits_, never to intake_, so it stays valid.
            const queued_impulse* items = intake_.data();
            invocations += run_intake(items, intake_.size());
            invocations += run_retries();
        } catch (...) {
            staging_->keep_span_start_in(nullptr);
            committed.set_read_only(false);
            running_ = false;
            throw;
        }
        staging_->keep_span_start_in(nullptr);
        committed.set_read_only(false);
        running_ = false;
        return invocations;
    }

    [[noreturn, gnu::cold, gnu::noinline]] void refuse_nested_execute() const {
        throw heartbeat_error(error{errc::beat_reentered, "cannot run beat " + std::to_string(beat_) +
                                                              "'s agendas (process_tick()) while an agenda runs"});
    }

    // An impulse queued while enzymes run (an emit, or an enqueue from inside an enzyme): promoted at the commit.
    void defer_emit(const queued_impulse& item) {
        note_emit();
        emits_.push_back(item);
    }
    // Queues a CEI record for the commit.
    void defer_cei(std::string_view severity, std::string_view topic, std::string_view note) {
        cei_.push_back(cei_record{std::string(severity), std::string(topic), std::string(note)});
    }

    // The ids of (signal, target) pairs the processor keeps between beats: pending retries and their attempt
    // counts (intake and emits are empty then: end_beat() cleared them). The heartbeat marks transient ones in use
    // before releasing ids.
    template <class Visit>
    void for_each_held_id(Visit&& visit) const {
        const auto pair = [&](std::uint32_t signal, std::uint32_t target) {
            visit(path_id{signal});
            if (target != queued_impulse::no_target) visit(path_id{target});
        };
        for (const auto& item : retry_order_) pair(item.signal, item.target);
        retries_.for_each_pair(pair);
    }

    // What the commit consumes; cleared by end_beat().
    [[nodiscard]] const std::vector<queued_impulse>& emitted() const noexcept { return emits_; }
    [[nodiscard]] const std::vector<cei_record>& cei_records() const noexcept { return cei_; }
    [[nodiscard]] const std::vector<agenda_record>& agenda_log() const noexcept { return log_; }
    [[nodiscard]] std::size_t failures() const noexcept { return failures_; }
    void end_beat() {
        intake_.clear();
        emits_.clear();
        cei_.clear();
        log_.clear();
        failures_ = 0;
    }

    // ---- the processor contract (impulses as paths; a target of "/" is a broadcast) ----
    // Whether the impulse has something to run.
    bool accept(const impulse& message) {
        const auto [position, item] = agenda_of(message);
        return !router_->agenda_steps(position).empty();
    }
    // Runs the impulse's agenda now, in the current beat (its writes are staged with the beat's and committed
    // with them), unless this (signal, target) already ran in this beat. The worst status of its invocations.
    status process_message(const impulse& message) {
        const auto [position, item] = agenda_of(message);
        const bool was_running = running_;
        // Called by an enzyme, this runs inside that enzyme's invocation: the invocation's impulse and the starts
        // of its staged writes and emits are put back afterwards, so that it (a failure drops all it staged) and
        // the rest of its agenda go on as before.
        const impulse_ref outer_impulse = frame_.impulse;
        const span_starts outer_spans = spans_;
        auto& committed = hierarchy_->tree();
        const bool was_read_only = committed.read_only();
        const auto put_back = [&] {
            running_ = was_running;
            frame_.impulse = outer_impulse;
            spans_ = outer_spans;
            committed.set_read_only(was_read_only);
        };
        committed.set_read_only(true);  // as in execute()
        running_ = true;
        const std::size_t failures_before = failures_;
        const std::size_t retries_before = retry_order_.size();
        try {
            run_one(position, item);
        } catch (...) {
            put_back();
            throw;
        }
        put_back();
        if (failures_ != failures_before) return status::fatal;
        return retry_order_.size() != retries_before ? status::retry : status::success;
    }
    // Runs the beat's agendas (what the heartbeat's execute phase does). The number of invocations.
    std::size_t process_tick() { return execute(); }
    // cep has no lane that skips the beat: the same as process_message.
    status process_immediately(const impulse& message) { return process_message(message); }

private:
    struct retry_item {
        beat_number due;
        std::uint16_t enzyme;
        std::uint32_t signal;
        std::uint32_t target;
    };

    detail::lazy<Registry, std::pair<std::uint32_t, queued_impulse>> agenda_of(const impulse& message) {
        auto& paths = hierarchy_->tree().paths();
        queued_impulse item{beat_, paths.intern(message.signal).value, queued_impulse::no_target};
        if (!message.target.is_root()) item.target = paths.intern(message.target).value;
        return {router_->agenda_position(path_id{item.signal}, item.target), item};
    }

    // The steps an impulse runs now, at a position from agenda_position(): none when (signal, target) already ran
    // in this beat (single run per (signal, target, beat)).
    [[gnu::always_inline]] std::span<const std::uint16_t> claim_agenda(std::uint32_t position,
                                                                       const queued_impulse& item) {
        if (position < router_type::claimed_on_target) [[likely]] {
            memo_entry& entry = router_->agenda_at(position);
            if (entry.last_run == beat_) return {};
            entry.last_run = beat_;
            return router_->steps(entry);
        }
        return claim_on_target(position, item);
    }
    // Runs the agenda at a position from agenda_position(), unless (signal, target) already ran in this beat.
    [[gnu::always_inline]] std::size_t run_at(std::uint32_t position, const queued_impulse& item) {
        return run_steps(claim_agenda(position, item), item);
    }

    // The beat's intake (n impulses), each agenda found as it runs (agenda_position()): the number of invocations.
    // With g++ or clang++, the agenda loop jumps from step to step through a table of label addresses (a computed
    // goto, a GNU extension both compilers have): a step is one load and one indirect jump to code that inlines
    // its enzyme's invocation, where a switch compiled to a jump table adds a bounds check and an offset to add.
    // (The compilers merge the jumps into one or two; kept apart, one per enzyme, they ran slower.) The table
    // holds registry indices 0-63; a step past them goes through the switch (enzyme_instances::dispatch) from the
    // same loop. scripts/instructions: memo hit by ids 178.0 -> 166.1, below a transient root 881.3 -> 829.4; in
    // time, see docs/performance.md (session 24). A function holding label addresses cannot be inlined, hence
    // noinline.
    [[gnu::noinline]] std::size_t run_intake(const queued_impulse* items, std::size_t n) {
        std::size_t invocations = 0;
#if defined(__GNUC__)
        {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wgnu-label-as-value"
#endif
            // Steps hold enzyme indices below enzyme_count (the router makes no other). In a registry of fewer
            // than 64, labels past it are there to fill the table, and fail the step if ever reached.
            static void* const step_labels[64] = {
                &&step_0,  &&step_1,  &&step_2,  &&step_3,  &&step_4,  &&step_5,  &&step_6,  &&step_7,
                &&step_8,  &&step_9,  &&step_10, &&step_11, &&step_12, &&step_13, &&step_14, &&step_15,
                &&step_16, &&step_17, &&step_18, &&step_19, &&step_20, &&step_21, &&step_22, &&step_23,
                &&step_24, &&step_25, &&step_26, &&step_27, &&step_28, &&step_29, &&step_30, &&step_31,
                &&step_32, &&step_33, &&step_34, &&step_35, &&step_36, &&step_37, &&step_38, &&step_39,
                &&step_40, &&step_41, &&step_42, &&step_43, &&step_44, &&step_45, &&step_46, &&step_47,
                &&step_48, &&step_49, &&step_50, &&step_51, &&step_52, &&step_53, &&step_54, &&step_55,
                &&step_56, &&step_57, &&step_58, &&step_59, &&step_60, &&step_61, &&step_62, &&step_63};
            for (std::size_t k = 0; k < n; ++k) {
                const queued_impulse& item = items[k];
                const std::span<const std::uint16_t> steps =
                    claim_agenda(router_->agenda_position(path_id{item.signal}, item.target), item);
                invocations += steps.size();
                if (steps.empty()) continue;
                frame_.impulse = impulse_of(item.signal, item.target);  // checked once for the whole agenda
                const std::uint16_t* step = steps.data();
                const std::uint16_t* const end = step + steps.size();
                status rc;
                // Nothing records and no retry is pending: see run_steps().
                if (watch_) {
                    run_watched(step, end, item);
                    continue;
                }
#define CEP_DETAIL_NEXT_STEP                                                       \
    if constexpr (enzyme_count > 64)                                               \
        if (*step >= 64) goto step_past_table;                                     \
    goto* step_labels[*step];
                CEP_DETAIL_NEXT_STEP
// One step: its invocation, then the next step's label (or the end of the agenda, or the failure path).
#define CEP_DETAIL_RUN_STEP(invocation)                                            \
    open_spans();                                                                  \
    rc = invocation;                                                               \
    if (rc != status::success) [[unlikely]]                                        \
        goto step_failed;                                                          \
    if (++step == end) continue;                                                   \
    CEP_DETAIL_NEXT_STEP
#define CEP_DETAIL_STEP(k) step_##k : CEP_DETAIL_RUN_STEP(instances_type::template invoke_at<(k)>(frame_))
                CEP_DETAIL_STEP(0) CEP_DETAIL_STEP(1) CEP_DETAIL_STEP(2) CEP_DETAIL_STEP(3)
                CEP_DETAIL_STEP(4) CEP_DETAIL_STEP(5) CEP_DETAIL_STEP(6) CEP_DETAIL_STEP(7)
                CEP_DETAIL_STEP(8) CEP_DETAIL_STEP(9) CEP_DETAIL_STEP(10) CEP_DETAIL_STEP(11)
                CEP_DETAIL_STEP(12) CEP_DETAIL_STEP(13) CEP_DETAIL_STEP(14) CEP_DETAIL_STEP(15)
                CEP_DETAIL_STEP(16) CEP_DETAIL_STEP(17) CEP_DETAIL_STEP(18) CEP_DETAIL_STEP(19)
                CEP_DETAIL_STEP(20) CEP_DETAIL_STEP(21) CEP_DETAIL_STEP(22) CEP_DETAIL_STEP(23)
                CEP_DETAIL_STEP(24) CEP_DETAIL_STEP(25) CEP_DETAIL_STEP(26) CEP_DETAIL_STEP(27)
                CEP_DETAIL_STEP(28) CEP_DETAIL_STEP(29) CEP_DETAIL_STEP(30) CEP_DETAIL_STEP(31)
                CEP_DETAIL_STEP(32) CEP_DETAIL_STEP(33) CEP_DETAIL_STEP(34) CEP_DETAIL_STEP(35)
                CEP_DETAIL_STEP(36) CEP_DETAIL_STEP(37) CEP_DETAIL_STEP(38) CEP_DETAIL_STEP(39)
                CEP_DETAIL_STEP(40) CEP_DETAIL_STEP(41) CEP_DETAIL_STEP(42) CEP_DETAIL_STEP(43)
                CEP_DETAIL_STEP(44) CEP_DETAIL_STEP(45) CEP_DETAIL_STEP(46) CEP_DETAIL_STEP(47)
                CEP_DETAIL_STEP(48) CEP_DETAIL_STEP(49) CEP_DETAIL_STEP(50) CEP_DETAIL_STEP(51)
                CEP_DETAIL_STEP(52) CEP_DETAIL_STEP(53) CEP_DETAIL_STEP(54) CEP_DETAIL_STEP(55)
                CEP_DETAIL_STEP(56) CEP_DETAIL_STEP(57) CEP_DETAIL_STEP(58) CEP_DETAIL_STEP(59)
                CEP_DETAIL_STEP(60) CEP_DETAIL_STEP(61) CEP_DETAIL_STEP(62) CEP_DETAIL_STEP(63)
            step_past_table:
                __attribute__((unused));  // in a registry of at most 64
                if constexpr (enzyme_count > 64) {
                    CEP_DETAIL_RUN_STEP((instances_type::template dispatch<64>(*step, frame_)))
                }
#undef CEP_DETAIL_STEP
#undef CEP_DETAIL_RUN_STEP
#undef CEP_DETAIL_NEXT_STEP
            step_failed:
                after_run(*step, item.signal, item.target, rc);
                if (++step != end) run_watched(step, end, item);
            }
#pragma GCC diagnostic pop
            return invocations;
        }
#else
        for (std::size_t k = 0; k < n; ++k)
            invocations += run_at(router_->agenda_position(path_id{items[k].signal}, items[k].target), items[k]);
        return invocations;
#endif
    }
    // run_at() out of line, for process_message().
    [[gnu::noinline]] std::size_t run_one(std::uint32_t position, const queued_impulse& item) {
        return run_at(position, item);
    }
    // A run claimed on the target itself (agenda_router::claimed_on_target): a transient target (its id may be
    // another path's after a release, so it keeps no memo entry), or a kept one held by its text, on its first run.
    // When another signal ran it in this beat, this pair is deduplicated by a memo entry; so it is when the target
    // holds no run mark any more (a kept id given a segment by make_recycling_root() since the position was made).
    std::span<const std::uint16_t> claim_on_target(std::uint32_t position, const queued_impulse& item) {
        using claim = typename path_table::run_claim;
        switch (hierarchy_->tree().paths().claim_run(path_id{item.target}, beat_, item.signal)) {
            case claim::ran_already: return {};
            case claim::taken: {
                memo_entry& entry = router_->agenda_at(router_->memo_position(path_id{item.signal}, item.target));
                if (entry.last_run == beat_) return {};  // as claim_agenda()
                entry.last_run = beat_;
                return router_->steps(entry);
            }
            case claim::claimed: break;
        }
        return router_->agenda_steps(position);
    }

    template <class Steps>
    [[gnu::always_inline]] std::size_t run_steps(const Steps& steps, const queued_impulse& item) {
        frame_.impulse = impulse_of(item.signal, item.target);  // checked once for the whole agenda
        const std::uint16_t* step = steps.data();
        const std::uint16_t* const end = step + steps.size();
        // Nothing records and no retry is pending (watch_ false): until an invocation does not succeed, which is
        // the only way watch_ changes during a beat, a success needs nothing after the call, so the loop does not
        // test watch_ after each one.
        if (!watch_) {
            for (; step != end; ++step) {
                const status rc = call_inlined(*step);
                if (rc != status::success) [[unlikely]] {
                    after_run(*step, item.signal, item.target, rc);
                    ++step;
                    break;
                }
            }
        }
        if (step != end) run_watched(step, end, item);
        return steps.size();
    }
    // The rest of an agenda while the ledger records or retries are pending, or after a failure: every
    // invocation is logged and, unless it simply succeeded, settled. Out of line, so the loop above stays small;
    // a success appends its record here rather than through after_run().
    [[gnu::noinline]] void run_watched(const std::uint16_t* step, const std::uint16_t* end,
                                       const queued_impulse& item) {
        for (; step != end; ++step) {
            const std::uint16_t enzyme = *step;
            const status rc = call_inlined(enzyme);
            if (rc == status::success && counted_[enzyme] == 0) [[likely]] {
                if (recording_) log_.push_back(agenda_record{enzyme, rc, 0, item.signal, item.target});
            } else {
                after_run(enzyme, item.signal, item.target, rc);
            }
        }
    }

    // Queued and retried ids were checked when they were queued (and pinned if recyclable): not checked again.
    [[nodiscard]] impulse_ref impulse_of(std::uint32_t signal, std::uint32_t target) const noexcept {
        const auto& paths = hierarchy_->tree().paths();
        return {path_ref(paths, path_id{signal}, detail::checked_id),
                target == queued_impulse::no_target ? path_ref{}
                                                    : path_ref(paths, path_id{target}, detail::checked_id)};
    }
    // The common case stays small enough to inline into the agenda loop: two stores open the invocation's spans of
    // staged writes and emits (each notes its start at its first entry, so nothing is read before the call), one
    // call, one test. Everything else is in after_run().
    // The ids come by reference (into the agenda and the queued item), so the loop keeps pointers live across the
    // call rather than values it would have to save; only after_run() reads them.
    void run(const std::uint16_t& enzyme, const std::uint32_t& signal, const std::uint32_t& target,
             const impulse_ref& impulse) {
        frame_.impulse = impulse;
        const status rc = call(enzyme);
        if (rc != status::success || watch_) [[unlikely]]
            // A success matters only to the ledger, or to an enzyme with attempt counts to forget.
            if (rc != status::success || recording_ || counted_[enzyme] != 0) after_run(enzyme, signal, target, rc);
    }
    // The impulse is frame_.impulse (run_steps() and run() set it). Opening the invocation's spans of staged
    // writes and emits is one 8-byte store into this object: execute() has the staging area keep its span's
    // start in spans_.
    [[gnu::always_inline]] void open_spans() noexcept {
        // One 8-byte store of an immediate. (Assigned as a struct or field by field, g++ -O3 vectorised the pair
        // into a load of a constant from memory and a store: slower in time, 5.60x the floor against 4.69x.)
        constexpr std::uint64_t both_open = ~std::uint64_t{0};
        static_assert(std::is_trivially_copyable_v<span_starts> && sizeof(span_starts) == sizeof both_open &&
                      span_starts{}.staged == no_span && span_starts{}.emits == no_span);
        std::memcpy(static_cast<void*>(&spans_), &both_open, sizeof both_open);
    }
    status call(std::uint16_t enzyme) {
        open_spans();
        // The thunk catches what the enzyme throws: no handler here keeps rc in a register across the call.
        return instances_type::thunks[enzyme](frame_);
    }
    // The same, with the enzyme's invocation inlined (instances_type::dispatch): for the agenda loops alone
    // (run_steps(), run_watched()), so the registry's invocations are compiled into a few places, not every caller.
    [[gnu::always_inline]] status call_inlined(std::uint16_t enzyme) {
        open_spans();
        return instances_type::dispatch(enzyme, frame_);
    }
    // Where this invocation's emits begin, noted by its first emit.
    void note_emit() {
        if (spans_.emits == no_span) {
            // 32-bit positions, as a vector's size is bounded by max_size(): past it, the same exception.
            if (emits_.size() >= no_span) [[unlikely]]
                throw std::length_error("cep: more than 4294967294 emits in one beat");
            spans_.emits = static_cast<std::uint32_t>(emits_.size());
        }
    }

    // After a run that did not simply succeed, or while the ledger records or retries are pending.
    [[gnu::noinline]] void after_run(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target, status rc) {
        if (recording_) log_.push_back(agenda_record{enzyme, rc, 0, signal, target});
        // A success settles something only for an enzyme with an attempt count to forget.
        if (rc != status::success || counted_[enzyme] != 0) settle(enzyme, signal, target, rc);
        watch_ = recording_ || !retries_.empty();
    }
    void settle(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target, status rc) {
        if (rc == status::success) {
            forget_attempts(enzyme, signal, target);
            return;
        }
        // Retry or fatal: this invocation's writes and emits are discarded (a retry re-runs from the same state).
        staging_->discard_span();
        if (spans_.emits != no_span) emits_.resize(spans_.emits);
        spans_.emits = no_span;
        // Only a thrown exception leaves a message in the frame, and it returns fatal.
        detail::lazy<Registry, std::string> failure;
        if (rc == status::retry && has_flag(Registry::flags[enzyme], enzyme_flags::no_retry)) {
            failure = "retry refused: the enzyme is declared no_retry";
        } else if (rc == status::retry) {
            bool added = false;
            auto& attempts = retries_.find_or_add(enzyme, signal, target, added);
            if (added) ++counted_[enzyme];  // a new count
            attempts += 1;
            const retry_plan plan = scheduler_->plan_retry(attempts, beat_);
            if (plan.again) {
                retry_order_.push_back(retry_item{std::max(plan.due, beat_ + 1), enzyme, signal, target});
                return;
            }
            failure = "retry budget exhausted after " + std::to_string(attempts) + " attempt(s)";
        } else {
            failure = std::exchange(frame_.failure, {});
        }
        // Fatal: recorded in CEI; the beat goes on with the others. The next retry of this invocation starts its
        // count afresh.
        forget_attempts(enzyme, signal, target);
        ++failures_;
        std::string note = "enzyme=" + std::string(Registry::names[enzyme]) + " signal=" + text_of(signal) +
                           " target=" + text_of(target);
        if (!failure.empty()) note += " error=" + failure;
        defer_cei("error", "enzyme", note);
    }

    void forget_attempts(std::uint16_t enzyme, std::uint32_t signal, std::uint32_t target) noexcept {
        if (counted_[enzyme] != 0 && retries_.erase(enzyme, signal, target)) --counted_[enzyme];
    }

    std::size_t run_retries() {
        if (retry_order_.empty()) return 0;
        due_now_.clear();
        auto keep = retry_order_.begin();
        for (auto& item : retry_order_) {
            if (item.due == beat_)
                due_now_.push_back(item);
            else
                *keep++ = item;
        }
        retry_order_.erase(keep, retry_order_.end());
        std::size_t invocations = 0;
        for (const auto& item : due_now_) {
            // Already run for this pair in this beat (its impulse came again): that run was the attempt.
            if (ran_in_this_beat(item.signal, item.target))
                if (const auto steps = router_->find_steps(item.signal, item.target);
                    steps && std::find(steps->begin(), steps->end(), item.enzyme) != steps->end())
                    continue;
            run(item.enzyme, item.signal, item.target, impulse_of(item.signal, item.target));
            ++invocations;
        }
        return invocations;
    }

    // Whether (signal, target) ran in this beat: by its memo entry, or, for a transient target, by its run mark.
    [[nodiscard]] bool ran_in_this_beat(std::uint32_t signal, std::uint32_t target) const {
        const memo_entry* entry = router_->find_agenda(signal, target);
        if (entry != nullptr && entry->last_run == beat_) return true;
        const auto& paths = hierarchy_->tree().paths();
        return target != queued_impulse::no_target && paths.holds_run_mark(path_id{target}) &&
               paths.claimed_run(path_id{target}, beat_, signal);
    }

    [[nodiscard]] std::string text_of(std::uint32_t id) const {
        return id == queued_impulse::no_target ? std::string() : hierarchy_->tree().paths().text_of(path_id{id});
    }

    // impulse_sink: emits from enzymes, for the commit to promote.
    result<void> emit(beat_number at, const path& signal, const path* target) override {
        if (at <= beat_) return emit_in_the_past(signal, at);
        auto& paths = hierarchy_->tree().paths();
        return queue_emit(at, paths.intern(signal), target ? paths.intern(*target).value : queued_impulse::no_target);
    }
    // A target interned in this heartbeat's table goes in as its id; one of another table, as its text.
    result<void> emit_to(beat_number at, const path& signal, const path_table& table, path_id target) override {
        auto& paths = hierarchy_->tree().paths();
        if (&table != &paths) return impulse_sink::emit_to(at, signal, table, target);
        if (at <= beat_) return emit_in_the_past(signal, at);
        return queue_emit(at, paths.intern(signal), target.value);
    }
    // A literal signal: its checked text and compile-time hash, interned as they are (no path built).
    result<void> emit_literal(beat_number at, std::string_view signal, std::uint64_t hash,
                              const path* target) override {
        if (at <= beat_) return emit_in_the_past(signal, at);
        auto& paths = hierarchy_->tree().paths();
        const path_id s = paths.intern(signal, hash, detail::trusted_text);
        return queue_emit(at, s, target ? paths.intern(*target).value : queued_impulse::no_target);
    }
    result<void> emit_literal_to(beat_number at, std::string_view signal, std::uint64_t hash, const path_table& table,
                                 path_id target) override {
        auto& paths = hierarchy_->tree().paths();
        if (&table != &paths) return impulse_sink::emit_literal_to(at, signal, hash, table, target);
        if (at <= beat_) return emit_in_the_past(signal, at);
        return queue_emit(at, paths.intern(signal, hash, detail::trusted_text), target.value);
    }
    result<void> queue_emit(beat_number at, path_id signal, std::uint32_t target) {
        auto& paths = hierarchy_->tree().paths();
        paths.pin_in_use(signal);  // queued ids must keep naming their paths (see path_table::rename)
        if (target != queued_impulse::no_target) paths.pin_in_use(path_id{target});
        note_emit();
        emits_.push_back(queued_impulse{at, signal.value, target});
        return {};
    }
    [[nodiscard]] error emit_in_the_past(const path& signal, beat_number at) const {
        return emit_in_the_past(signal.text(), at);
    }
    [[nodiscard]] error emit_in_the_past(std::string_view signal, beat_number at) const {
        return error{errc::beat_in_past, "cannot emit " + std::string(signal) + " for beat " + std::to_string(at) +
                                             ": the earliest beat open for impulses is " + std::to_string(beat_ + 1)};
    }

    // The contexts of this beat's invocations, one per access mode, built once per beat rather than per call.
    void make_contexts() noexcept {
        impulse_sink& sink = *this;  // a private base: converted here, where it is accessible
        frame_.read_context.emplace(hierarchy_->tree(), hierarchy_->staging(), sink, beat_);
        frame_.write_context.emplace(hierarchy_->tree(), hierarchy_->staging(), sink, beat_);
    }

    static constexpr std::uint32_t no_span = 0xffffffffu;
    // Where the running invocation's staged writes and emits begin (no_span: none yet), side by side so that
    // open_spans() resets both with one store.
    struct alignas(8) span_starts {
        std::uint32_t staged = no_span;
        std::uint32_t emits = no_span;
    };

    hierarchy_type* hierarchy_ = nullptr;
    staging_area* staging_ = nullptr;
    router_type* router_ = nullptr;
    scheduler_type* scheduler_ = nullptr;
    using instances_type = typename Registry::template apply<detail::enzyme_instances>;
    instances_type instances_;
    detail::basic_invocation_frame<deferred> frame_{.instances = instances_.data()};
    beat_number beat_ = 1;
    bool running_ = false;
    bool recording_ = true;
    bool watch_ = true;  // recording_ or retries pending: every invocation goes through after_run()
    span_starts spans_;

    detail::lazy<Registry, std::vector<queued_impulse>> intake_;
    detail::lazy<Registry, std::vector<queued_impulse>> emits_;
    detail::lazy<Registry, std::vector<cei_record>> cei_;
    detail::lazy<Registry, std::vector<agenda_record>> log_;
    std::size_t failures_ = 0;

    detail::basic_retry_counts<deferred> retries_;  // attempts so far
    std::array<std::uint32_t, enzyme_count> counted_{};  // entries of retries_ per enzyme
    std::vector<retry_item> retry_order_;
    std::vector<retry_item> due_now_;
};

}  // namespace cep
