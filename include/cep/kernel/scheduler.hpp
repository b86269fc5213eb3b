// The scheduler part of the kernel: the beat loop (process(n) runs beats, pause/resume), the budget of impulses
// per beat and the retry policy. The heartbeat asks it admit() when it takes a beat's impulses and plan_retry()
// when an enzyme returns status::retry.
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/impulse.hpp>
#include <cep/kernel/concepts.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace cep {

template <class Deferred = void>
class basic_beat_scheduler;
using beat_scheduler = basic_beat_scheduler<>;

// cep::beat_scheduler is basic_beat_scheduler<> (see detail/lazy.hpp).
template <class Deferred>
class basic_beat_scheduler {
public:
    // The public name, also in classes derived from this one (where the injected class name served).
    using beat_scheduler = basic_beat_scheduler;

    // ---- kernel interface ----
    // How many of `waiting` impulses the beat takes; the rest is deferred to the next beat.
    [[nodiscard]] std::size_t admit(std::size_t waiting) const noexcept {
        return scheduler.max_impulses_per_beat == 0 ? waiting : std::min(waiting, scheduler.max_impulses_per_beat);
    }
    // After the attempts-th run of an invocation asked for a retry at beat `now`.
    [[nodiscard]] retry_plan plan_retry(std::uint32_t attempts, beat_number now) const noexcept {
        if (attempts >= retry_.max_attempts) return {};
        return {true, now + 1 + retry_.backoff_beats};
    }
    // The heartbeat this scheduler drives: process(n) calls step(owner) once per beat.
    void drive(void* owner, bool (*step)(void*)) noexcept {
        owner_ = owner;
        step_ = step;
    }

    void configure_retry(const retry_policy& policy) noexcept { retry_ = policy; }
    [[nodiscard]] const retry_policy& retry() const noexcept { return retry_; }

    // ---- the scheduler contract ----
    // Runs up to `beats` beats (none while paused); returns how many ran.
    std::size_t process(std::size_t beats) {
        if (step_ == nullptr) return 0;
        processing_ = true;
        std::size_t ran = 0;
        try {
            for (; ran < beats && !paused_; ++ran) step_(owner_);
        } catch (...) {
            processing_ = false;
            throw;
        }
        processing_ = false;
        return ran;
    }
    void pause_processing() noexcept { paused_ = true; }
    void resume_processing() noexcept { paused_ = false; }
    [[nodiscard]] bool is_paused() const noexcept { return paused_; }
    [[nodiscard]] bool is_processing() const noexcept { return processing_; }
    [[nodiscard]] int get_priority() const noexcept { return scheduler.priority; }
    void set_priority(int priority) noexcept { scheduler.priority = priority; }
    void configure_scheduler(const scheduler_config& config) noexcept { scheduler = config; }
    [[nodiscard]] const scheduler_config& get_scheduler() const noexcept { return scheduler; }

    // The contract's property: the configuration in force.
    scheduler_config scheduler{};

private:
    retry_policy retry_{};
    void* owner_ = nullptr;
    bool (*step_)(void*) = nullptr;
    bool paused_ = false;
    bool processing_ = false;
};

}  // namespace cep
