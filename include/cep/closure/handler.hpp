// Facet handlers: the work that keeps a context's promise. A handler is a type keyed by (facet tag, context tag),
// with a policy (how many runs a facet gets, and what happens when they are spent), checked by the compiler like
// an enzyme. It is called with the paths of the queue entry and the facet record and returns a cep::status.
#pragma once

#include <cep/closure/store.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/status.hpp>

#include <concepts>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace cep::closure {

// What tick does with a facet whose handler asked for a retry after its last allowed run.
enum class on_exhaustion : std::uint8_t {
    fail,    // like fatal: facet_state=failed, queue_state=fatal (left in the queue for inspection)
    cancel,  // facet_state=cancelled, the reason in meta/cancel_reason, the queue entry removed
};

[[nodiscard]] constexpr std::string_view to_string(on_exhaustion e) noexcept {
    return e == on_exhaustion::fail ? "fail" : "cancel";
}

// A structural type, so a policy can be a template argument (facet_handler<..., facet_policy{...}>).
struct facet_policy {
    std::uint32_t max_attempts = 3;  // runs in all, the first included (0 acts like 1), as in layer 0
    on_exhaustion exhausted = on_exhaustion::fail;

    [[nodiscard]] constexpr std::uint32_t budget() const noexcept { return max_attempts == 0 ? 1 : max_attempts; }
    [[nodiscard]] friend constexpr bool operator==(const facet_policy&, const facet_policy&) = default;
};

// What a handler is called with: the facet, its context, and where they live. The three places are path_refs
// into the store's path table, as an enzyme's impulse is: the tick hands them over without building any text
// (job.facet_record / "meta" builds a cep::path when a handler asks for one; the store takes them as they are).
struct facet_job {
    std::string_view facet;        // the facet tag
    std::string_view context_tag;  // the context tag
    std::string_view hash;         // the context hash
    std::string_view label;        // the context label (the queue entry's value)
    cep::path_ref queue_entry;     // /bonds/facet_queue/<facet>/<hash>
    cep::path_ref facet_record;    // /data/CEP/CEP/L1/facets/<facet>/<hash>
    cep::path_ref context;         // /data/CEP/CEP/L1/contexts/<hash>
    std::uint32_t attempt = 1;     // this run, counting from 1 (meta/attempts in the facet record)
};

// Diagnostic names (never true).
template <class Handler>
struct facet_handler_needs_a_facet_tag {
    static constexpr bool value = false;
};
template <class Handler>
struct facet_handler_needs_a_context_tag {
    static constexpr bool value = false;
};
template <class Handler>
struct facet_handler_needs_a_call_operator {
    static constexpr bool value = false;
};
template <class Handler>
struct facet_handler_policy_is_not_a_facet_policy {
    static constexpr bool value = false;
};
template <class Handler>
struct facet_handler_is_not_default_constructible {
    static constexpr bool value = false;
};

namespace detail {
template <class H>
concept has_facet_tag = requires {
    { H::facet } -> std::convertible_to<cep::name>;
};
template <class H>
concept has_context_tag = requires {
    { H::context } -> std::convertible_to<cep::name>;
};
template <class H>
concept has_handler_call = std::is_invocable_r_v<status, H&, const facet_job&, store&>;
template <class H>
concept declares_policy = requires { H::policy; };
template <class H>
concept has_valid_policy = !declares_policy<H> || std::same_as<std::remove_cvref_t<decltype(H::policy)>, facet_policy>;
}  // namespace detail

// The concept. Members:
//   static constexpr cep::name facet;    the facet tag it materialises
//   static constexpr cep::name context;  the context tag it applies to
//   static constexpr cep::closure::facet_policy policy;  optional (default: 3 runs, then fail)
//   cep::status operator()(const cep::closure::facet_job&, cep::closure::store&);
template <class H>
concept facet_handler_type = detail::has_facet_tag<H> && detail::has_context_tag<H> && detail::has_handler_call<H> &&
                             detail::has_valid_policy<H> && std::default_initializable<H>;

// True for a handler; for any other type, one error per problem, each naming the type.
template <class H>
constexpr bool check_facet_handler() {
    static_assert(detail::has_facet_tag<H> || facet_handler_needs_a_facet_tag<H>::value,
                  "cep::closure: a facet handler needs `static constexpr cep::name facet` "
                  "(facet_handler_needs_a_facet_tag<H>)");
    static_assert(detail::has_context_tag<H> || facet_handler_needs_a_context_tag<H>::value,
                  "cep::closure: a facet handler needs `static constexpr cep::name context` "
                  "(facet_handler_needs_a_context_tag<H>)");
    static_assert(detail::has_handler_call<H> || facet_handler_needs_a_call_operator<H>::value,
                  "cep::closure: a facet handler needs `cep::status operator()(const cep::closure::facet_job&, "
                  "cep::closure::store&)` (facet_handler_needs_a_call_operator<H>)");
    static_assert(detail::has_valid_policy<H> || facet_handler_policy_is_not_a_facet_policy<H>::value,
                  "cep::closure: a facet handler's `policy` must be a cep::closure::facet_policy "
                  "(facet_handler_policy_is_not_a_facet_policy<H>)");
    static_assert(std::default_initializable<H> || facet_handler_is_not_default_constructible<H>::value,
                  "cep::closure: a handler set holds one default-constructed instance of each handler "
                  "(facet_handler_is_not_default_constructible<H>)");
    return facet_handler_type<H>;
}

// The properties of a handler, with the default policy filled in (empty tags for a type that is not a handler, so
// that only the errors above are reported).
template <class H>
struct facet_handler_traits {
    static constexpr std::string_view facet = [] {
        if constexpr (detail::has_facet_tag<H>) return cep::name(H::facet).view();
        else return std::string_view{};
    }();
    static constexpr std::string_view context = [] {
        if constexpr (detail::has_context_tag<H>) return cep::name(H::context).view();
        else return std::string_view{};
    }();
    static constexpr facet_policy policy = [] {
        if constexpr (detail::declares_policy<H> && detail::has_valid_policy<H>) return facet_policy(H::policy);
        else return facet_policy{};
    }();
};

// A handler made from a plain function cep::status f(const facet_job&, store&), like cep::enzyme<...> for enzymes:
//   using audit = cep::closure::facet_handler<"audit_log", "edit", &write_audit, cep::closure::facet_policy{...}>;
template <fixed_string Facet, fixed_string Context, auto Function, facet_policy Policy = facet_policy{}>
struct facet_handler {
    static_assert(std::is_invocable_r_v<status, decltype(Function), const facet_job&, store&>,
                  "cep::closure::facet_handler<facet, context, &function>: the function must be "
                  "cep::status f(const cep::closure::facet_job&, cep::closure::store&)");
    static constexpr cep::name facet = Facet;
    static constexpr cep::name context = Context;
    static constexpr facet_policy policy = Policy;
    status operator()(const facet_job& job, store& s) const { return Function(job, s); }
};

}  // namespace cep::closure
