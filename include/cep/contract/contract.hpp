// Facet contracts: a contract is a type with a name, the methods and properties a facet must have, and an optional
// custom validation that needs run-time values. cep::satisfies<Facet, Contract> answers yes or no at compile time;
// cep::check_contract<Contract, Facet>() makes the compiler name every missing member; cep::enforce runs the
// whole check at run time with the seed's error texts.
//
//   CEP_MEMBER(select_next_message)            // one tag per member name
//   struct queue_contract : cep::contract<"queue",
//       cep::method<select_next_message, std::optional<cep::impulse>()>,
//       cep::property<queue_manager>> {
//       template <class Facet> static void validate(const Facet& f);   // optional; throws to fail
//   };
#pragma once

#include <cep/contract/member.hpp>
#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/detail/type_list.hpp>

#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

namespace cep {

// ---- requirements ----

template <class Member, class Signature = void>
struct method;

// A method callable as facet.member(args...) with a result convertible to R (any result when R is void). A data
// member does not count, even a callable one: a property in place of a method is a missing method.
template <class Member, class R, class... Args>
struct method<Member, R(Args...)> {
    using member = Member;
    static constexpr bool is_property = false;
    template <class Facet>
    static constexpr bool met_by = Member::template cep_callable<R, Facet, Args...> && !Member::template cep_is_data<Facet>;
};

// A method known by name only: there must be exactly one (non-overloaded, non-template) member function.
template <class Member>
struct method<Member, void> {
    using member = Member;
    static constexpr bool is_property = false;
    template <class Facet>
    static constexpr bool met_by = Member::template cep_is_function<Facet>;
};

// A property: a data member (member data, a reference or bit-field member, or static data). A method in place of a property is a missing property.
template <class Member>
struct property {
    using member = Member;
    static constexpr bool is_property = true;
    template <class Facet>
    static constexpr bool met_by = Member::template cep_is_data<Facet>;
};

// ---- contracts ----

template <fixed_string Name, class... Requirements>
struct contract {
    static constexpr fixed_string<Name.size()> name_text = Name;
    static constexpr std::string_view name = name_text.view();
    using requirements = detail::type_list<Requirements...>;
};

template <class C>
concept contract_type = requires {
    { C::name } -> std::convertible_to<std::string_view>;
    typename C::requirements;
};

namespace detail {
template <class Facet, class... Requirements>
constexpr bool all_met(type_list<Requirements...>) {
    return (Requirements::template met_by<Facet> && ...);
}
}  // namespace detail

template <class Facet, class Contract>
concept satisfies = contract_type<Contract> && detail::all_met<Facet>(typename Contract::requirements{});

// A contract with a custom validation for this facet: static void validate(const Facet&), which throws to fail.
template <class Contract, class Facet>
concept has_custom_validation = requires(const Facet& facet) { Contract::validate(facet); };

namespace detail {
// The contract declares a validate() at all (so one that cannot take a const Facet& is a mistake, not an absence).
template <class Contract, class Facet>
concept declares_validation =
    requires { &Contract::validate; } || requires { &Contract::template validate<Facet>; };
template <class>
inline constexpr bool dependent_false = false;
}  // namespace detail

// ---- diagnostics ----

// The compiler prints these names when a facet misses a member: they carry the contract, the member and the facet
// (for a build, the facet's kind and type). They are never true.
template <class Contract, class Member, class Facet>
struct missing_required_method {
    static constexpr bool value = false;
};
template <class Contract, class Member, class Facet>
struct missing_required_property {
    static constexpr bool value = false;
};

namespace detail {

// Fixed-capacity text built in constant expressions (the seed's message, for C++26 static_assert and at run time).
struct message_text {
    static constexpr std::size_t capacity = 1024;
    char chars[capacity]{};
    std::size_t length = 0;
    constexpr void append(std::string_view text) {
        for (char c : text)
            if (length + 1 < capacity) chars[length++] = c;
    }
    [[nodiscard]] constexpr std::string_view view() const { return {chars, length}; }
    [[nodiscard]] constexpr const char* data() const { return chars; }
    [[nodiscard]] constexpr std::size_t size() const { return length; }
};

template <class Facet, bool Properties, class... Requirements>
constexpr void append_missing(message_text& out, type_list<Requirements...>) {
    bool first = true;
    auto add = [&](bool missing, std::string_view member) {
        if (!missing) return;
        if (!first) out.append(", ");
        out.append(member);
        first = false;
    };
    (add(Requirements::is_property == Properties && !Requirements::template met_by<Facet>,
         Requirements::member::cep_name),
     ...);
    (void)add;  // an empty contract has nothing to add
}

template <class Facet, bool Properties, class... Requirements>
constexpr std::size_t count_missing(type_list<Requirements...>) {
    return ((Requirements::is_property == Properties && !Requirements::template met_by<Facet> ? 1 : 0) + ... + 0);
}

// "FacetContract 'queue': facet is missing required methods: a, b" (methods first, as the seed checks them first);
// empty when nothing is missing.
template <class Contract, class Facet>
constexpr message_text missing_members_text() {
    message_text out;
    using requirements = typename Contract::requirements;
    const bool methods = count_missing<Facet, false>(requirements{}) != 0;
    const bool properties = count_missing<Facet, true>(requirements{}) != 0;
    if (!methods && !properties) return out;
    out.append("FacetContract '");
    out.append(Contract::name);
    if (methods) {
        out.append("': facet is missing required methods: ");
        append_missing<Facet, false>(out, requirements{});
    } else {
        out.append("': facet is missing required properties: ");
        append_missing<Facet, true>(out, requirements{});
    }
    return out;
}

template <class Contract, class Facet, class Shown, class Requirement>
constexpr bool diagnose_one() {
    if constexpr (Requirement::template met_by<Facet>) {
        return true;
    } else if constexpr (Requirement::is_property) {
        static_assert(missing_required_property<Contract, typename Requirement::member, Shown>::value,
                      "cep: the facet does not satisfy its contract: a required property is missing "
                      "(missing_required_property<contract, property, facet>)");
        return false;
    } else {
        static_assert(missing_required_method<Contract, typename Requirement::member, Shown>::value,
                      "cep: the facet does not satisfy its contract: a required method is missing "
                      "(missing_required_method<contract, method, facet>)");
        return false;
    }
}

template <class Contract, class Facet, class Shown, class... Requirements>
constexpr bool diagnose_all(type_list<Requirements...>) {
    // An array, not a fold over &&: every requirement is checked, so every missing member is reported.
    constexpr bool met[] = {true, diagnose_one<Contract, Facet, Shown, Requirements>()...};
    bool all = true;
    for (bool m : met) all = all && m;
    return all;
}

}  // namespace detail

// True when Facet satisfies Contract; otherwise a compile error for each missing member. `Shown` is what the
// diagnostics call the facet (a build passes the facet's kind with it). Use as static_assert(check_contract<C, F>()).
template <class Contract, class Facet, class Shown = Facet>
constexpr bool check_contract() {
    static_assert(contract_type<Contract>, "cep: check_contract<Contract, Facet>: Contract is not a contract type "
                                           "(derive it from cep::contract<\"name\", requirements...>)");
    constexpr bool ok = detail::diagnose_all<Contract, Facet, Shown>(typename Contract::requirements{});
#if defined(__cpp_static_assert) && __cpp_static_assert >= 202306L
    static_assert(ok, detail::missing_members_text<Contract, Facet>());
#endif
    return ok;
}

// ---- run time ----

// Runs the contract at run time: missing methods, then missing properties, then the custom validation, each
// failure a cep::contract_error with the seed's text. For a facet type known not to satisfy the contract this is
// how the by-name registry reports it; cep::enforce() below rejects such a pair at compile time instead.
template <class Contract, class Facet>
void enforce_at_run_time(const Facet& facet) {
    constexpr auto missing = detail::missing_members_text<Contract, Facet>();
    if constexpr (missing.size() != 0) {
        constexpr bool methods =
            detail::count_missing<Facet, false>(typename Contract::requirements{}) != 0;
        throw contract_error(error{methods ? errc::contract_missing_methods : errc::contract_missing_properties,
                                   std::string(missing.view())});
    } else if constexpr (has_custom_validation<Contract, Facet>) {
        try {
            Contract::validate(facet);
        } catch (const std::exception& e) {
            throw contract_error(error{errc::contract_validation_failed, "FacetContract '" +
                                                                             std::string(Contract::name) +
                                                                             "': validation failed: " + e.what()});
        }
    } else if constexpr (detail::declares_validation<Contract, Facet>) {
        static_assert(detail::dependent_false<Facet>,
                      "cep: the contract declares validate(), but Contract::validate(const Facet&) cannot be called "
                      "with this facet: take the facet by const reference, or make validate a template");
    }
}

// Checks a facet against a contract: members at compile time (every missing one is named), custom validation at
// run time (throws cep::contract_error "FacetContract '<name>': validation failed: <message>").
template <class Contract, class Facet>
void enforce(const Facet& facet) {
    static_assert(check_contract<Contract, Facet>());
    enforce_at_run_time<Contract>(facet);
}

}  // namespace cep
