// A built subsystem: the facets of a build plan, verified, initialised in plan order, disposed in reverse.
//
//   auto system = cep::build(use_hierarchy, use_router, use_queue);   // checked at compile time, then:
//     verify   custom contract validations; pure: nothing is initialised when one fails (cep::contract_error)
//     init     facet.init(system) or facet.init(), in plan order; when one throws, every facet already initialised
//              is disposed in reverse order, exactly once, and cep::build_error names the facet (the original
//              exception is nested: std::rethrow_if_nested)
//   system.get<"queue">(), system.get<my_queue>()      typed access, no lookup at run time
//   system.dispose() (or the destructor)                facet.dispose() in reverse plan order, exactly once
//
// A subsystem neither copies nor moves, so facets can keep pointers to each other (wired in init).
#pragma once

#include <cep/build/hook.hpp>
#include <cep/build/plan.hpp>
#include <cep/contract/contract.hpp>
#include <cep/contract/defaults.hpp>
#include <cep/core/error.hpp>

#include <boost/hana/basic_tuple.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cep {

template <class Registry, class... Hooks>
class subsystem {
public:
    using plan_type = build_plan<Registry, Hooks...>;
    static_assert(plan_type::ok, "cep::build: the build is not valid (the errors above name the culprits)");

private:
    template <std::size_t N>
    using hook_in_plan = detail::nth_type<plan_type::entries[N].hook, Hooks...>;
    template <std::size_t N>
    using facet_in_plan = typename hook_in_plan<N>::facet_type;

    template <std::size_t... Ns>
    static auto facet_tuple(std::index_sequence<Ns...>) -> boost::hana::basic_tuple<facet_in_plan<Ns>...>;
    using facets_type = decltype(facet_tuple(std::make_index_sequence<plan_type::size>{}));

    template <class Facet, std::size_t... Ns>
    static constexpr std::size_t count_type(std::index_sequence<Ns...>) {
        return (std::size_t{std::is_same_v<Facet, facet_in_plan<Ns>>} + ... + 0);
    }
    template <class Facet, std::size_t... Ns>
    static constexpr std::size_t position_of_type(std::index_sequence<Ns...>) {
        constexpr bool same[] = {std::is_same_v<Facet, facet_in_plan<Ns>>..., true};
        std::size_t n = 0;
        while (!same[n]) ++n;
        return n;
    }

public:
    // Builds the subsystem: verify, then init (see the top of this file).
    explicit subsystem(const Hooks&... hooks) {
        const std::array<source_location, sizeof...(Hooks)> by_hook{hooks.source...};
        for (std::size_t n = 0; n < plan_type::size; ++n) sources_[n] = by_hook[plan_type::entries[n].hook];
        verify(std::make_index_sequence<sizeof...(Hooks)>{});
        init_all(std::make_index_sequence<plan_type::size>{});
    }

    // The same with default hook objects (their declaration place is then this header).
    subsystem() : subsystem(Hooks{}...) {}

    subsystem(const subsystem&) = delete;
    subsystem& operator=(const subsystem&) = delete;
    subsystem(subsystem&&) = delete;
    subsystem& operator=(subsystem&&) = delete;

    // Disposes what is still initialised; a dispose that throws here is swallowed (call dispose() to see it).
    ~subsystem() {
        try {
            dispose();
        } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw
        }
    }

    // The plan this subsystem was built from (compile-time data).
    [[nodiscard]] static constexpr const auto& plan() noexcept { return plan_type::entries; }
    [[nodiscard]] static std::string to_dot() { return plan_type::to_dot(); }
    [[nodiscard]] static constexpr std::size_t size() noexcept { return plan_type::size; }

    // Typed access by kind ...
    template <fixed_string Kind>
    [[nodiscard]] auto& get() noexcept {
        return boost::hana::at_c<position_of_kind<Kind>()>(facets_);
    }
    template <fixed_string Kind>
    [[nodiscard]] const auto& get() const noexcept {
        return boost::hana::at_c<position_of_kind<Kind>()>(facets_);
    }
    // ... or by facet type (which must be unique in the subsystem).
    template <class Facet>
    [[nodiscard]] Facet& get() noexcept {
        return boost::hana::at_c<position_of_facet<Facet>()>(facets_);
    }
    template <class Facet>
    [[nodiscard]] const Facet& get() const noexcept {
        return boost::hana::at_c<position_of_facet<Facet>()>(facets_);
    }

    // Where the hook of the n-th plan step was declared.
    [[nodiscard]] const source_location& source(std::size_t step) const { return sources_.at(step); }

    // Disposes every initialised facet in reverse plan order, each exactly once. When a dispose throws, the others
    // are still disposed, then cep::build_error lists every failure.
    void dispose() {
        std::string failures;
        dispose_from(initialised_, failures);
        if (!failures.empty()) throw build_error(error{errc::build_disposed, "dispose failed:" + failures});
    }
    [[nodiscard]] bool disposed() const noexcept { return initialised_ == 0; }

private:
    template <fixed_string Kind>
    static constexpr std::size_t position_of_kind() {
        constexpr std::size_t n = plan_type::position_of(Kind.view());
        static_assert(n < plan_type::size, "cep::subsystem::get<\"kind\">(): this subsystem has no facet of that kind");
        return n;
    }
    template <class Facet>
    static constexpr std::size_t position_of_facet() {
        constexpr auto steps = std::make_index_sequence<plan_type::size>{};
        static_assert(count_type<Facet>(steps) == 1,
                      "cep::subsystem::get<Facet>(): the subsystem must hold exactly one facet of this type "
                      "(use get<\"kind\">() otherwise)");
        return position_of_type<Facet>(steps);
    }

    [[nodiscard]] std::string describe(std::size_t step) const {
        return "Facet '" + std::string(plan_type::entries[step].kind) + "' (from " + sources_[step].text() + ")";
    }

    // Verify: custom validations, in order of registration. Pure: it only reads.
    template <std::size_t... Is>
    void verify(std::index_sequence<Is...>) const {
        (verify_hook<Is>(), ...);
    }
    template <std::size_t I>
    void verify_hook() const {
        using hook_type = detail::nth_type<I, Hooks...>;
        if constexpr (plan_type::analysis.active[I] && hook_type::has_contract) {
            using contract = typename Registry::template contract_at<Registry::index_of(
                hook_type::contract_name.view())>;
            constexpr std::size_t step = plan_type::position_of(hook_type::kind.view());
            try {
                enforce_at_run_time<contract>(boost::hana::at_c<step>(facets_));
            } catch (const contract_error& e) {
                throw contract_error(error{e.code(), describe(step) + " failed contract validation for '" +
                                                         std::string(contract::name) + "': " + e.what()});
            }
        }
    }

    template <std::size_t... Ns>
    void init_all(std::index_sequence<Ns...>) {
        (init_step<Ns>(), ...);
    }
    template <std::size_t N>
    void init_step() {
        auto& facet = boost::hana::at_c<N>(facets_);
        try {
            if constexpr (requires { facet.init(*this); })
                facet.init(*this);
            else if constexpr (requires { facet.init(); })
                facet.init();
        } catch (const std::exception& e) {
            roll_back(N, e.what());
        } catch (...) {
            roll_back(N, "unknown exception");
        }
        initialised_ = N + 1;
    }
    [[noreturn]] void roll_back(std::size_t step, const std::string& what) {
        std::string message = describe(step) + " failed to initialise: " + what;
        std::string failures;
        dispose_from(initialised_, failures);
        if (!failures.empty()) message += " (while rolling back, dispose failed:" + failures + ")";
        std::throw_with_nested(build_error(error{errc::build_init_failed, message}));
    }

    // Disposes steps [0, count) in reverse order and forgets them, so each is disposed once.
    void dispose_from(std::size_t count, std::string& failures) {
        dispose_each(count, failures, std::make_index_sequence<plan_type::size>{});
        initialised_ = 0;
    }
    template <std::size_t... Ns>
    void dispose_each(std::size_t count, std::string& failures, std::index_sequence<Ns...>) {
        // Reverse order: the last step first.
        (dispose_step<plan_type::size - 1 - Ns>(count, failures), ...);
    }
    template <std::size_t N>
    void dispose_step(std::size_t count, std::string& failures) {
        if (N >= count) return;
        auto& facet = boost::hana::at_c<N>(facets_);
        if constexpr (requires { facet.dispose(); }) {
            try {
                facet.dispose();
            } catch (const std::exception& e) {
                failures += " " + describe(N) + ": " + e.what() + ";";
            } catch (...) {
                failures += " " + describe(N) + ": unknown exception;";
            }
        }
    }

    facets_type facets_{};
    std::array<source_location, plan_type::size> sources_{};
    std::size_t initialised_ = 0;  // plan steps [0, initialised_) are initialised
};

// Builds a subsystem from hooks with the default contract registry ...
template <class... Hooks>
[[nodiscard]] subsystem<default_contract_registry, Hooks...> build(const Hooks&... hooks) {
    return subsystem<default_contract_registry, Hooks...>(hooks...);
}
// ... or with another one: cep::build_with<my_registry>(hooks...).
template <class Registry, class... Hooks>
[[nodiscard]] subsystem<Registry, Hooks...> build_with(const Hooks&... hooks) {
    return subsystem<Registry, Hooks...>(hooks...);
}

}  // namespace cep
