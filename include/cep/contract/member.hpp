// Member tags: C++20 has no reflection, so a contract names the members it requires through small tag types, one
// per member name, declared with CEP_MEMBER(name). The tag knows how to ask a type about that member: is it a
// data member (a property), a member function (a method), and can it be called with given arguments.
#pragma once

#include <concepts>
#include <string_view>
#include <type_traits>

namespace cep::detail {

// &T::x names one member function (or a static one); an overloaded or templated one has no single address.
template <class P>
inline constexpr bool is_function_pointer =
    std::is_member_function_pointer_v<P> || (std::is_pointer_v<P> && std::is_function_v<std::remove_pointer_t<P>>);

// The result of a call satisfies a signature's return type R: any result when R is void, else convertible to R.
template <class Result, class R>
concept result_convertible_to = std::is_void_v<R> || std::convertible_to<Result, R>;

}  // namespace cep::detail

// Declares a member tag type named NAME (use it at namespace scope, in your own namespace). Diagnostics print the
// tag's name, so a missing member reads as e.g. missing_required_method<queue_contract, select_next_message, ...>.
// The tag's own members carry a cep_ prefix, so any member name can be a tag (name, get, value, ...); they are
// [[maybe_unused]] because a tag declared in an unnamed namespace need not use every query.
//   cep_name                 the member's name as text
//   cep_callable<R, T, A...> t.NAME(a...) is valid and its result converts to R (any result when R is void)
//   cep_is_data<T>           NAME is a data member of T (member data, a reference or bit-field member, static data)
//   cep_is_function<T>       &T::NAME is one member function (not overloaded, not a template)
//   cep_get(object)          a reference to the data member
#define CEP_MEMBER(NAME)                                                                                \
    struct NAME {                                                                                       \
        [[maybe_unused]] static constexpr ::std::string_view cep_name = #NAME;                          \
        template <class R_, class T_, class... A_>                                                      \
        [[maybe_unused]] static constexpr bool cep_callable = requires(T_& t_, A_&&... a_) {            \
            { t_.NAME(static_cast<A_&&>(a_)...) } -> ::cep::detail::result_convertible_to<R_>;         \
        };                                                                                              \
        template <class T_>                                                                             \
        [[maybe_unused]] static constexpr bool cep_is_data = requires(T_& t_) {                         \
            t_.NAME;                                                                                    \
            requires !::std::is_function_v<::std::remove_reference_t<decltype((t_.NAME))>>;             \
        };                                                                                              \
        template <class T_>                                                                             \
        [[maybe_unused]] static constexpr bool cep_is_function =                                        \
            requires { requires ::cep::detail::is_function_pointer<decltype(&T_::NAME)>; };             \
        template <class T_>                                                                             \
        static constexpr auto& cep_get(T_& object) noexcept {                                          \
            return object.NAME;                                                                         \
        }                                                                                               \
    }
