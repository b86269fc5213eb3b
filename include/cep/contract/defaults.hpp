// The default contracts: snake_case versions of the anchor system's router, queue, processor, listeners,
// hierarchy and scheduler contracts. They are the contracts of the kernel's own parts (layer 0 implements them),
// so a user who swaps one part has it checked by the compiler. Signatures are written R(Args...): the facet must
// accept those arguments and return something convertible to R; R = void accepts any result (used where the
// natural result is a range or handle whose exact type is the implementation's choice).
#pragma once

#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>
#include <cep/core/callback.hpp>
#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/status.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cep {

// ---- vocabulary of the default contracts ----

// What a queue reports about itself.
struct queue_status {
    std::size_t pending = 0;   // impulses waiting
    beat_number next_beat = 0; // the beat the next impulse is due in
    [[nodiscard]] friend bool operator==(const queue_status&, const queue_status&) = default;
};

// What listeners observe (ledger lines, CEI records, beat boundaries): a topic, a line of text and the beat it
// belongs to. The views are valid during the call only.
struct event {
    std::string_view topic;
    std::string_view text;
    beat_number beat = 0;
};
using listener = callback<void(const event&)>;
using listener_id = std::uint64_t;

// How a scheduler runs beats.
struct scheduler_config {
    std::size_t max_impulses_per_beat = 0;  // 0: no limit; the overflow is deferred, never dropped
    int priority = 0;
};

// ---- member tags ----

namespace members {
// router
CEP_MEMBER(register_route);
CEP_MEMBER(match);
CEP_MEMBER(route);
CEP_MEMBER(unregister_route);
CEP_MEMBER(has_route);
CEP_MEMBER(get_routes);
CEP_MEMBER(route_registry);
// queue
CEP_MEMBER(select_next_message);
CEP_MEMBER(has_messages_to_process);
CEP_MEMBER(get_queue_status);
CEP_MEMBER(queue_manager);
CEP_MEMBER(queue);
CEP_MEMBER(enqueue);
// processor
CEP_MEMBER(accept);
CEP_MEMBER(process_message);
CEP_MEMBER(process_tick);
CEP_MEMBER(process_immediately);
// listeners
CEP_MEMBER(on);
CEP_MEMBER(off);
CEP_MEMBER(emit);
CEP_MEMBER(has_listeners);
CEP_MEMBER(enable_listeners);
CEP_MEMBER(disable_listeners);
CEP_MEMBER(listeners);
CEP_MEMBER(listener_manager);
// hierarchy
CEP_MEMBER(add_child);
CEP_MEMBER(remove_child);
CEP_MEMBER(get_child);
CEP_MEMBER(list_children);
CEP_MEMBER(set_parent);
CEP_MEMBER(get_parent);
CEP_MEMBER(is_root);
CEP_MEMBER(get_root);
CEP_MEMBER(get_lineage);
CEP_MEMBER(children);
// scheduler
CEP_MEMBER(process);
CEP_MEMBER(pause_processing);
CEP_MEMBER(resume_processing);
CEP_MEMBER(is_paused);
CEP_MEMBER(is_processing);
CEP_MEMBER(get_priority);
CEP_MEMBER(set_priority);
CEP_MEMBER(configure_scheduler);
CEP_MEMBER(get_scheduler);
CEP_MEMBER(scheduler);
}  // namespace members

namespace detail {
// "Not null" for the kinds of handles a property can be: pointers, smart pointers, optionals, function wrappers.
// A plain value (an object held by value) is never null.
template <class T>
[[nodiscard]] constexpr bool is_null(const T& value) {
    if constexpr (std::is_pointer_v<T>) {
        return value == nullptr;
    } else if constexpr (requires { value.has_value(); }) {
        return !value.has_value();
    } else if constexpr (std::is_constructible_v<T, std::nullptr_t> && requires { static_cast<bool>(value); }) {
        return !static_cast<bool>(value);  // smart pointers, std::function, cep::callback (not string_view)
    } else {
        return false;
    }
}

// The object behind a handle (the handle itself for a value).
template <class T>
[[nodiscard]] constexpr const auto& pointee(const T& value) {
    if constexpr (requires { *value; } && !std::is_arithmetic_v<T>) {
        return *value;
    } else {
        return value;
    }
}

template <class Member, class Facet>
void require_not_null(const Facet& facet, const char* message) {
    if (is_null(Member::cep_get(facet))) throw std::invalid_argument(message);
}
}  // namespace detail

// ---- the contracts ----

// router = enzyme registry + bindings + resolver: routes impulses to the enzymes that should run.
struct router_contract
    : contract<"router",
               method<members::register_route, result<void>(const query&, std::string_view)>,
               method<members::match, void(const path&)>,
               method<members::route, std::size_t(const impulse&)>,
               method<members::unregister_route, bool(const query&, std::string_view)>,
               method<members::has_route, bool(const query&)>,
               method<members::get_routes, void()>,
               property<members::route_registry>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        detail::require_not_null<members::route_registry>(facet, "Router facet route_registry must not be null");
    }
};

// queue = the impulses waiting for their beat.
struct queue_contract
    : contract<"queue",
               method<members::select_next_message, std::optional<impulse>()>,
               method<members::has_messages_to_process, bool()>,
               method<members::get_queue_status, queue_status()>,
               property<members::queue_manager>,
               property<members::queue>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        const auto& manager = members::queue_manager::cep_get(facet);
        if (detail::is_null(manager)) throw std::invalid_argument("Queue facet queue_manager must not be null");
        using manager_type = std::remove_cvref_t<decltype(detail::pointee(manager))>;
        if constexpr (!members::enqueue::cep_callable<void, manager_type, const impulse&>)
            throw std::invalid_argument("Queue facet queue_manager must have an enqueue operation");
    }
};

// processor = runs the agenda of an impulse.
struct processor_contract
    : contract<"processor",
               method<members::accept, bool(const impulse&)>,
               method<members::process_message, status(const impulse&)>,
               method<members::process_tick, std::size_t()>,
               method<members::process_immediately, status(const impulse&)>> {};

// listeners = observers of ledger lines, CEI records and metrics.
struct listeners_contract
    : contract<"listeners",
               method<members::on, listener_id(std::string_view, listener)>,
               method<members::off, bool(listener_id)>,
               method<members::emit, std::size_t(const event&)>,
               method<members::has_listeners, bool(std::string_view)>,
               method<members::enable_listeners, void()>,
               method<members::disable_listeners, void()>,
               property<members::listeners>,
               property<members::listener_manager>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        detail::require_not_null<members::listener_manager>(facet,
                                                            "Listeners facet listener_manager must not be null");
    }
};

// hierarchy = the cell tree: cells addressed by path.
struct hierarchy_contract
    : contract<"hierarchy",
               method<members::add_child, void(const path&, std::string_view)>,
               method<members::remove_child, void(const path&, std::string_view)>,
               method<members::get_child, void(const path&, std::string_view)>,
               method<members::list_children, void(const path&)>,
               method<members::set_parent, void(const path&, const path&)>,
               method<members::get_parent, std::optional<path>(const path&)>,
               method<members::is_root, bool(const path&)>,
               method<members::get_root, void()>,
               method<members::get_lineage, void(const path&)>,
               property<members::children>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        detail::require_not_null<members::children>(facet, "Hierarchy facet children must not be null");
    }
};

// scheduler = the beat loop: budgets, pause/resume, priority.
struct scheduler_contract
    : contract<"scheduler",
               method<members::process, std::size_t(std::size_t)>,
               method<members::pause_processing, void()>,
               method<members::resume_processing, void()>,
               method<members::is_paused, bool()>,
               method<members::is_processing, bool()>,
               method<members::get_priority, int()>,
               method<members::set_priority, void(int)>,
               method<members::configure_scheduler, void(const scheduler_config&)>,
               method<members::get_scheduler, void()>,
               property<members::scheduler>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        detail::require_not_null<members::scheduler>(facet, "Scheduler facet scheduler must not be null");
    }
};

using default_contract_registry = contract_registry<router_contract, queue_contract, processor_contract,
                                                    listeners_contract, hierarchy_contract, scheduler_contract>;
inline constexpr default_contract_registry default_contracts{};

}  // namespace cep
