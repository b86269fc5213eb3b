// The queue part of the kernel: impulses per beat, in push order. The current beat and the next ones live in a
// ring of reused vectors (no allocation per beat in steady state); beats further ahead wait in a map of
// beat -> vector (detail::sorted_map).
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path_table.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/sorted_map.hpp>
#include <cep/kernel/concepts.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cep {

template <class Deferred = void>
class basic_beat_queue;
using beat_queue = basic_beat_queue<>;

// cep::beat_queue is basic_beat_queue<> (see detail/lazy.hpp).
template <class Deferred>
class basic_beat_queue {
    using path_table = basic_path_table<Deferred>;
    using impulses = detail::lazy<Deferred, std::vector<queued_impulse>>;

public:
    // The public name, also in classes derived from this one (where the injected class name served).
    using beat_queue = basic_beat_queue;

    static constexpr beat_number near_beats = 16;

    basic_beat_queue() = default;
    // queue_manager points at this object.
    basic_beat_queue(const basic_beat_queue&) = delete;
    basic_beat_queue& operator=(const basic_beat_queue&) = delete;

    // Wired by the kernel build: the path table that impulses given as paths are interned into.
    template <class System>
    void init(System& system) {
        paths_ = &system.template get<"hierarchy">().tree().paths();
    }

    // ---- kernel interface ----
    // The near beats inline (a vector push), the far ones out of line: the far map's insertion kept the whole of
    // push() out of the enqueue loop.
    void push(const queued_impulse& item) { push(item.beat, item.signal, item.target); }
    // Built in place from the fields: copied from a caller's temporary, the item was stored in halves and read back
    // as one 16-byte load by g++, a store-forwarding stall per impulse.
    [[gnu::always_inline]] void push(beat_number at, std::uint32_t signal, std::uint32_t target) {
        if (at < current_ + near_beats) [[likely]] {
            queue[at % near_beats].push_back(queued_impulse{at, signal, target});
            return;
        }
        push_far(queued_impulse{at, signal, target});
    }

    // The vector that holds beat `at`'s impulses, for a beat of the near window (else null). It stays the same
    // object while the queue lives (the heartbeat pushes into the open beat's directly).
    [[nodiscard]] std::vector<queued_impulse>* near_bucket(beat_number at) noexcept {
        return at >= current_ && at < current_ + near_beats ? &queue[at % near_beats] : nullptr;
    }

    [[nodiscard]] std::size_t pending(beat_number at) const {
        if (at < current_) return 0;
        if (at < current_ + near_beats) return queue[at % near_beats].size();
        const auto it = far_.find(at);
        return it == far_.end() ? 0 : it->second.size();
    }

    void take(beat_number at, impulses& out) {
        auto& due = queue[at % near_beats];
        if (out.empty()) {
            due.swap(out);  // O(1); the slot keeps out's old capacity for beat at + near_beats
        } else {
            out.insert(out.end(), due.begin(), due.end());
            due.clear();
        }
    }

    void defer(beat_number at, detail::lazy<Deferred, std::span<const queued_impulse>> items) {
        auto& next = slot(at);
        const auto first = next.insert(next.begin(), items.begin(), items.end());
        for (auto k = first; k != first + static_cast<std::ptrdiff_t>(items.size()); ++k) k->beat = at;
    }

    void advance() {
        ++current_;
        // The slot just emptied now serves the last beat of the near window.
        if (auto far = far_.find(current_ + near_beats - 1); far != far_.end()) {
            queue[far->first % near_beats] = std::move(far->second);
            far_.erase(far);
        }
    }

    // ---- the queue contract (tooling: the heartbeat itself uses take()) ----
    // Pops the oldest impulse of the current beat, as paths.
    [[nodiscard]] detail::lazy<Deferred, std::optional<impulse>> select_next_message() {
        auto& due = queue[current_ % near_beats];
        if (due.empty() || paths_ == nullptr) return std::nullopt;
        const queued_impulse item = due.front();
        due.erase(due.begin());
        impulse out{path(paths_->text_of(path_id{item.signal})), path::root()};
        if (item.target != queued_impulse::no_target) out.target = path(paths_->text_of(path_id{item.target}));
        return out;
    }
    [[nodiscard]] bool has_messages_to_process() const { return pending(current_) != 0; }
    [[nodiscard]] queue_status get_queue_status() const {
        queue_status status;
        status.next_beat = current_;
        bool found = false;
        for (beat_number at = current_; at < current_ + near_beats; ++at) {
            const std::size_t n = queue[at % near_beats].size();
            status.pending += n;
            if (n != 0 && !found) status.next_beat = at, found = true;
        }
        for (const auto& [at, items] : far_) {
            status.pending += items.size();
            if (!items.empty() && !found) status.next_beat = at, found = true;
        }
        return status;
    }
    // Queues an impulse given as paths for the current beat (a target of "/" is a broadcast).
    result<void> enqueue(const impulse& message) {
        if (paths_ == nullptr)
            return error{errc::invalid_policy, "this queue is not part of a kernel yet (no path table)"};
        queued_impulse item{current_, paths_->intern(message.signal).value, queued_impulse::no_target};
        if (!message.target.is_root()) item.target = paths_->intern(message.target).value;
        // Queued ids must keep naming their paths (see path_table::rename; transient ones are marked instead).
        paths_->pin_in_use(path_id{item.signal});
        if (item.target != queued_impulse::no_target) paths_->pin_in_use(path_id{item.target});
        push(item);
        return {};
    }
    [[nodiscard]] beat_number current_beat() const noexcept { return current_; }
    // Every impulse waiting, in no particular order (the heartbeat marks their transient ids in use).
    template <class Visit>
    void for_each_waiting(Visit&& visit) const {
        for (const auto& due : queue)
            for (const auto& item : due) visit(item);
        for (const auto& [at, items] : far_)
            for (const auto& item : items) visit(item);
    }

    // The contract's properties: the manager that accepts impulses (this queue) and the storage of the near beats.
    basic_beat_queue* queue_manager = this;
    detail::lazy<Deferred, std::array<std::vector<queued_impulse>, near_beats>> queue{};

private:
    [[gnu::noinline]] void push_far(const queued_impulse& item) { far_[item.beat].push_back(item); }
    impulses& slot(beat_number at) {
        return at < current_ + near_beats ? queue[at % near_beats] : far_[at];
    }

    detail::lazy<Deferred, detail::sorted_map<beat_number, std::vector<queued_impulse>>> far_;
    beat_number current_ = 1;
    path_table* paths_ = nullptr;
};

}  // namespace cep
