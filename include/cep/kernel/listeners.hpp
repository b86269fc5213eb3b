// The listeners part of the kernel: observers of ledger lines, CEI records and beat boundaries.
//
//   hb.listeners().on("agenda", [](const cep::event& e) { std::puts(std::string(e.text).c_str()); });
//
// Topics: "impulses", "agenda", "stage" (each ledger line, also when the ledger is off), "cei" (each CEI record:
// "<severity> <topic>: <note>"), "commit" (the end of a beat's commit; text empty). An empty topic observes every
// topic. A listener that throws does not stop the others nor the beat: the failure is kept and the heartbeat turns
// it into a CEI record (take_failures()), one per failing listener per commit. One record, not one per failure: a
// listener that throws on every event also throws on the events of the records about it, and one record per
// failure would feed on itself (each beat's records doubling the next beat's).
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/detail/lazy.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cep {

template <class Deferred = void>
class basic_listener_hub;
using listener_hub = basic_listener_hub<>;

// cep::listener_hub is basic_listener_hub<> (see detail/lazy.hpp).
template <class Deferred>
class basic_listener_hub {
public:
    // The public name, also in classes derived from this one (where the injected class name served).
    using listener_hub = basic_listener_hub;

    struct entry {
        listener_id id;
        std::string topic;  // empty: every topic
        detail::lazy<Deferred, listener> call;
        bool removed = false;  // off() during emit(): erased once the emission is over
    };

    basic_listener_hub() = default;
    // listener_manager points at this object.
    basic_listener_hub(const basic_listener_hub&) = delete;
    basic_listener_hub& operator=(const basic_listener_hub&) = delete;

    // ---- kernel interface ----
    // Whether emit() would reach anyone: checked before an event is built.
    [[nodiscard]] bool active() const noexcept { return enabled_ && !listeners.empty(); }
    // Whether a listener is being called now (emit() is on the stack).
    [[nodiscard]] bool emitting() const noexcept { return emitting_ != 0; }

    // ---- the listeners contract ----
    listener_id on(std::string_view topic, detail::lazy<Deferred, listener> call) {
        listeners.push_back(entry{++last_id_, std::string(topic), std::move(call)});
        return last_id_;
    }
    bool off(listener_id id) {
        const auto it = std::find_if(listeners.begin(), listeners.end(),
                                     [id](const entry& e) { return e.id == id && !e.removed; });
        if (it == listeners.end()) return false;
        // A listener may remove itself (or another) while it runs: its function object must outlive the call.
        if (emitting_ != 0)
            it->removed = true;
        else
            listeners.erase(it);
        return true;
    }
    // Calls every listener of the event's topic, in the order they were added; returns how many were called.
    std::size_t emit(const event& e) {
        if (!enabled_) return 0;
        std::size_t called = 0;
        ++emitting_;
        // By index: a listener may add listeners (they hear the next event, not this one).
        for (std::size_t k = 0, n = listeners.size(); k < n; ++k) {
            if (listeners[k].removed || (!listeners[k].topic.empty() && listeners[k].topic != e.topic)) continue;
            ++called;
            try {
                listeners[k].call(e);
            } catch (const std::exception& failure) {
                note_failure(listeners[k].id, e.topic, failure.what());
            } catch (...) {
                note_failure(listeners[k].id, e.topic, {});
            }
        }
        if (--emitting_ == 0) std::erase_if(listeners, [](const entry& e) { return e.removed; });
        return called;
    }
    [[nodiscard]] bool has_listeners(std::string_view topic) const {
        return std::any_of(listeners.begin(), listeners.end(),
                           [&](const entry& e) { return !e.removed && (e.topic.empty() || e.topic == topic); });
    }
    void enable_listeners() noexcept { enabled_ = true; }
    void disable_listeners() noexcept { enabled_ = false; }

    // Failures of listeners since the last call: one line per failing listener, in the order they first failed.
    // The line describes the first failure ("listener 3 on 'commit' threw: <what>") and counts the others
    // (" (and 4 more failures since)").
    std::vector<std::string> take_failures() {
        detail::lazy<Deferred, std::vector<std::string>> out;
        out.reserve(failures_.size());
        for (auto& f : failures_) {
            if (f.more != 0)
                f.first += " (and " + std::to_string(f.more) +
                           (f.more == 1 ? " more failure since)" : " more failures since)");
            out.push_back(std::move(f.first));
        }
        failures_.clear();
        return out;
    }

    // The contract's properties: the listeners, and the manager that owns them (this hub).
    // A deque: adding a listener while one runs must not move the running one.
    std::deque<entry> listeners;
    basic_listener_hub* listener_manager = this;

private:
    struct failure_tally {
        listener_id id;
        std::string first;  // the first failure since the last take_failures()
        std::size_t more;   // failures after it
    };
    void note_failure(listener_id id, std::string_view topic, const char* what) {
        for (auto& f : failures_)
            if (f.id == id) return void(++f.more);
        detail::lazy<Deferred, std::string> text =
            "listener " + std::to_string(id) + " on '" + std::string(topic) + "' threw";
        if (what != nullptr)
            text.append(": ").append(what);
        else
            text.append(" an unknown exception");
        failures_.push_back(failure_tally{id, std::move(text), 0});
    }

    listener_id last_id_ = 0;
    bool enabled_ = true;
    int emitting_ = 0;  // nesting depth of emit()
    std::vector<failure_tally> failures_;  // at most one per listener
};

}  // namespace cep
