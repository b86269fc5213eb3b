// Enzymes: the workers. An enzyme is a type with a name, a query (which signals it is for), a match policy,
// ordering constraints against other enzyme types, an access mode, and a call operator that takes the impulse
// (paths only) and a context:
//
//   struct resize_image {
//       static constexpr cep::name name = "resize_image";
//       static constexpr auto query = "/signals/image/thumbnail"_query;
//       using match = cep::exact;                       // optional (default cep::exact)
//       using before = cep::enzymes<write_metadata>;    // optional: resize_image runs before write_metadata
//       using after = cep::enzymes<>;                   // optional: ... and after these
//       static constexpr cep::access access = cep::access::read_write;   // optional (default read_write)
//       static constexpr cep::enzyme_flags flags = cep::enzyme_flags::none;  // optional (see enzyme_flags)
//       cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx);
//   };
//
// cep::enzyme<"name", "/query", &function, options...> builds one from a plain function. cep::enzyme_type is the
// concept; cep::check_enzyme<E>() names everything a non-conforming type lacks.
#pragma once

#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/status.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/dispatch/match.hpp>

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace cep {

// A list of enzyme types (for before/after). The types may be incomplete where the list is written.
template <class... Enzymes>
struct enzymes {};

// Descriptor flags: how the heartbeat treats an enzyme beyond its query and ordering. Combine with |.
enum class enzyme_flags : std::uint8_t {
    none = 0,
    // Its work is not safe to repeat: a status::retry is refused and becomes fatal at once (CEI note
    // "retry refused: the enzyme is declared no_retry"), instead of running again at a later beat.
    no_retry = 1u << 0,
};
[[nodiscard]] constexpr enzyme_flags operator|(enzyme_flags a, enzyme_flags b) noexcept {
    return static_cast<enzyme_flags>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
[[nodiscard]] constexpr bool has_flag(enzyme_flags set, enzyme_flags flag) noexcept {
    return (static_cast<std::uint8_t>(set) & static_cast<std::uint8_t>(flag)) != 0;
}

namespace enzyme_members {
CEP_MEMBER(name);
CEP_MEMBER(query);
// The call operator cannot be a CEP_MEMBER tag; this one reads the same in diagnostics.
struct call_operator {
    [[maybe_unused]] static constexpr std::string_view cep_name = "operator()";
};
}  // namespace enzyme_members

// The requirement "callable as e(impulse, context) and returning a cep::status".
template <class Context>
struct invocable_enzyme {
    using member = enzyme_members::call_operator;
    static constexpr bool is_property = false;
    template <class E>
    static constexpr bool met_by = requires(E& e, const impulse_ref& impulse, Context& ctx) {
        { e(impulse, ctx) } -> std::convertible_to<status>;
    };
};

// What an enzyme type must have (checked with the contract machinery, so diagnostics name each missing piece).
template <access Access>
struct enzyme_contract : contract<"enzyme", property<enzyme_members::name>, property<enzyme_members::query>,
                                  invocable_enzyme<context<Access>>> {};
// The same without the call operator: checked on its own when the operator has a diagnostic of its own.
struct enzyme_properties_contract
    : contract<"enzyme", property<enzyme_members::name>, property<enzyme_members::query>> {};

namespace detail {
template <class E>
constexpr access enzyme_access_of() {
    if constexpr (requires { E::access; })
        return E::access;
    else
        return access::read_write;
}
template <class E>
constexpr bool flags_ok() {
    if constexpr (requires { E::flags; })
        return std::is_same_v<std::remove_cv_t<decltype(E::flags)>, enzyme_flags>;
    else
        return true;
}
template <class E>
constexpr enzyme_flags enzyme_flags_of() {
    if constexpr (requires { E::flags; } && flags_ok<E>())
        return E::flags;
    else
        return enzyme_flags::none;
}
template <class E>
constexpr std::string_view enzyme_name_of() {
    if constexpr (requires { E::name.view(); })
        return E::name.view();
    else if constexpr (std::is_convertible_v<decltype(E::name), std::string_view>)
        return E::name;
    else
        return {};
}
template <class E>
constexpr std::string_view enzyme_query_of() {
    if constexpr (requires { E::query.view(); })
        return E::query.view();
    else
        return {};
}
template <class E>
struct enzyme_match_of {
    using type = exact;
};
template <class E>
    requires requires { typename E::match; }
struct enzyme_match_of<E> {
    using type = typename E::match;
};
template <class E>
struct enzyme_before_of {
    using type = enzymes<>;
};
template <class E>
    requires requires { typename E::before; }
struct enzyme_before_of<E> {
    using type = typename E::before;
};
template <class E>
struct enzyme_after_of {
    using type = enzymes<>;
};
template <class E>
    requires requires { typename E::after; }
struct enzyme_after_of<E> {
    using type = typename E::after;
};
template <class T>
inline constexpr bool is_enzyme_list = false;
template <class... Es>
inline constexpr bool is_enzyme_list<enzymes<Es...>> = true;
}  // namespace detail

// An enzyme's properties with their defaults filled in.
template <class E>
struct enzyme_traits {
    static constexpr access mode = detail::enzyme_access_of<E>();
    static constexpr enzyme_flags flags = detail::enzyme_flags_of<E>();
    static constexpr std::string_view name = detail::enzyme_name_of<E>();
    static constexpr std::string_view query = detail::enzyme_query_of<E>();
    using match = typename detail::enzyme_match_of<E>::type;
    using before = typename detail::enzyme_before_of<E>::type;
    using after = typename detail::enzyme_after_of<E>::type;
    using context_type = context<mode>;
};

template <class E>
concept enzyme_type =
    satisfies<E, enzyme_contract<detail::enzyme_access_of<E>()>> &&
    detail::check_name_text(detail::enzyme_name_of<E>()).code == errc::none &&
    !detail::enzyme_query_of<E>().empty() && match_policy<typename enzyme_traits<E>::match> && detail::flags_ok<E>() &&
    detail::is_enzyme_list<typename enzyme_traits<E>::before> && detail::is_enzyme_list<typename enzyme_traits<E>::after>;

// Diagnostic names (never true).
template <class Enzyme>
struct enzyme_name_is_not_a_valid_name {
    static constexpr bool value = false;
};
template <class Enzyme>
struct enzyme_query_is_not_a_query_literal {
    static constexpr bool value = false;
};
template <class Enzyme, class Match>
struct enzyme_match_is_not_a_match_policy {
    static constexpr bool value = false;
};
template <class Enzyme, class List>
struct enzyme_order_is_not_an_enzymes_list {
    static constexpr bool value = false;
};
template <class Enzyme>
struct enzyme_flags_is_not_cep_enzyme_flags {
    static constexpr bool value = false;
};
template <class Enzyme>
struct enzyme_takes_read_context_but_access_is_read_write {
    static constexpr bool value = false;
};
template <class Enzyme>
struct enzyme_takes_write_context_but_access_is_read_only {
    static constexpr bool value = false;
};

template <class Enzyme>
struct enzyme_call_operator_does_not_return_status {
    static constexpr bool value = false;
};

namespace detail {
// The call operator accepts (impulse, context) but gives something that is not a cep::status (a bool, an int, void).
template <class E>
constexpr bool returns_other_than_status() {
    return requires(E& e, const impulse_ref& impulse, context<enzyme_access_of<E>()>& ctx) { e(impulse, ctx); } &&
           !invocable_enzyme<context<enzyme_access_of<E>()>>::template met_by<E>;
}
// The call operator fits the other access's context, not the declared one: the access declaration is what is
// wrong (or missing), and the diagnostic says so instead of "a required method is missing".
template <class E>
constexpr bool takes_other_context() {
    constexpr access declared = enzyme_access_of<E>();
    constexpr access other = declared == access::read_write ? access::read_only : access::read_write;
    return !invocable_enzyme<context<declared>>::template met_by<E> &&
           invocable_enzyme<context<other>>::template met_by<E>;
}
}  // namespace detail


// True for a conforming enzyme type; otherwise a compile error for each thing it lacks.
template <class E>
constexpr bool check_enzyme() {
    constexpr bool members_ok = [] {
        if constexpr (detail::returns_other_than_status<E>()) {
            static_assert(enzyme_call_operator_does_not_return_status<E>::value,
                          "cep: the enzyme's operator() must return a cep::status (cep::status::success, "
                          "cep::status::retry, ...), not another type");
            (void)check_contract<enzyme_properties_contract, E>();  // the other members are still named
            return false;
        } else if constexpr (detail::takes_other_context<E>()) {
            if constexpr (detail::enzyme_access_of<E>() == access::read_write)
                static_assert(enzyme_takes_read_context_but_access_is_read_write<E>::value,
                              "cep: the enzyme's operator() takes a cep::read_context, but its access is read_write "
                              "(the default): declare static constexpr cep::access access = "
                              "cep::access::read_only; (or take a cep::write_context)");
            else
                static_assert(enzyme_takes_write_context_but_access_is_read_only<E>::value,
                              "cep: the enzyme declares access read_only, but its operator() takes a "
                              "cep::write_context: take a cep::read_context (or declare access read_write)");
            (void)check_contract<enzyme_properties_contract, E>();
            return false;
        } else {
            return check_contract<enzyme_contract<detail::enzyme_access_of<E>()>, E>();
        }
    }();
    if constexpr (members_ok) {
        if constexpr (detail::check_name_text(detail::enzyme_name_of<E>()).code != errc::none)
            static_assert(enzyme_name_is_not_a_valid_name<E>::value,
                          "cep: an enzyme's name must be a valid name (static constexpr cep::name name = \"...\"; "
                          "see cep::name's rules)");
        if constexpr (detail::enzyme_query_of<E>().empty())
            static_assert(enzyme_query_is_not_a_query_literal<E>::value,
                          "cep: an enzyme's query must be a query literal "
                          "(static constexpr auto query = \"/signals/...\"_query;)");
    }
    using traits = enzyme_traits<E>;
    if constexpr (!match_policy<typename traits::match>)
        static_assert(enzyme_match_is_not_a_match_policy<E, typename traits::match>::value,
                      "cep: an enzyme's match type must be a match policy (cep::exact, cep::prefix, or a type that "
                      "satisfies cep::match_policy)");
    if constexpr (!detail::is_enzyme_list<typename traits::before>)
        static_assert(enzyme_order_is_not_an_enzymes_list<E, typename traits::before>::value,
                      "cep: an enzyme's before must be cep::enzymes<...>");
    if constexpr (!detail::is_enzyme_list<typename traits::after>)
        static_assert(enzyme_order_is_not_an_enzymes_list<E, typename traits::after>::value,
                      "cep: an enzyme's after must be cep::enzymes<...>");
    if constexpr (!detail::flags_ok<E>())
        static_assert(enzyme_flags_is_not_cep_enzyme_flags<E>::value,
                      "cep: an enzyme's flags must be static constexpr cep::enzyme_flags flags = ...;");
    return enzyme_type<E>;
}

// ---- an enzyme from a plain function ----

// Options of cep::enzyme<...>: a match policy type, runs_before<...>, runs_after<...>, with_flags<...>.
template <enzyme_flags Flags>
struct with_flags {
    static constexpr enzyme_flags value = Flags;
};
template <class... Enzymes>
struct runs_before {
    using list = enzymes<Enzymes...>;
};
template <class... Enzymes>
struct runs_after {
    using list = enzymes<Enzymes...>;
};

namespace detail {
template <class F>
struct function_access;
template <class R, access A>
struct function_access<R (*)(const impulse_ref&, context<A>&)> {
    static constexpr access value = A;
};
template <class R, access A>
struct function_access<R (*)(const impulse_ref&, context<A>&) noexcept> {
    static constexpr access value = A;
};

template <template <class...> class Wrapper, class Default, class... Options>
struct pick_list {
    using type = Default;
};
template <template <class...> class Wrapper, class Default, class... Es, class... Rest>
struct pick_list<Wrapper, Default, Wrapper<Es...>, Rest...> {
    using type = enzymes<Es...>;
};
template <template <class...> class Wrapper, class Default, class First, class... Rest>
struct pick_list<Wrapper, Default, First, Rest...> : pick_list<Wrapper, Default, Rest...> {};

template <class... Options>
struct pick_flags {
    static constexpr enzyme_flags value = enzyme_flags::none;
};
template <enzyme_flags F, class... Rest>
struct pick_flags<with_flags<F>, Rest...> {
    static constexpr enzyme_flags value = F;
};
template <class First, class... Rest>
struct pick_flags<First, Rest...> : pick_flags<Rest...> {};

template <class... Options>
struct pick_match {
    using type = exact;
};
template <class First, class... Rest>
struct pick_match<First, Rest...> {
    using type = std::conditional_t<match_policy<First>, First, typename pick_match<Rest...>::type>;
};
}  // namespace detail

namespace detail {
template <class T>
inline constexpr bool is_descriptor_option = false;
template <class... Es>
inline constexpr bool is_descriptor_option<runs_before<Es...>> = true;
template <class... Es>
inline constexpr bool is_descriptor_option<runs_after<Es...>> = true;
template <enzyme_flags F>
inline constexpr bool is_descriptor_option<with_flags<F>> = true;
}  // namespace detail

template <fixed_string Name, fixed_string Query, auto Function, class... Options>
struct enzyme {
    static_assert(((match_policy<Options> || detail::is_descriptor_option<Options>) && ...),
                  "cep::enzyme<name, query, &function, options...>: an option is a match policy (cep::exact, "
                  "cep::prefix, ...), cep::runs_before<...>, cep::runs_after<...> or cep::with_flags<...>");
    static_assert(requires { detail::function_access<decltype(Function)>::value; },
                  "cep::enzyme<name, query, &function>: the function must be "
                  "cep::status f(const cep::impulse_ref&, cep::read_context&) or (..., cep::write_context&)");
    static constexpr cep::name name = Name;
    static constexpr query_constant<Query> query{};
    static constexpr cep::access access = detail::function_access<decltype(Function)>::value;
    static constexpr enzyme_flags flags = detail::pick_flags<Options...>::value;
    using match = typename detail::pick_match<Options...>::type;
    using before = typename detail::pick_list<runs_before, enzymes<>, Options...>::type;
    using after = typename detail::pick_list<runs_after, enzymes<>, Options...>::type;

    status operator()(const impulse_ref& impulse, context<access>& ctx) const { return Function(impulse, ctx); }
};

}  // namespace cep
