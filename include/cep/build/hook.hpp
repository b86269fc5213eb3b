// Hooks: a hook is a type that creates a facet (a component of a subsystem) and describes it: its kind, the
// contract it promises, the kinds it depends on, and whether it replaces an earlier facet of its kind. A hook
// object also records where it was declared (std::source_location), for run-time error messages.
//
//   inline constexpr cep::hook<my_queue, cep::kind<"queue">, cep::uses_contract<"queue">,
//                              cep::depends_on<"hierarchy">> use_queue{};
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/name.hpp>
#include <cep/detail/spelling.hpp>
#include <cep/detail/type_list.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cep {

// Where something was declared. std::source_location needs a compiler builtin that clang++ 14 lacks, so cep uses
// the __builtin_FILE/__builtin_LINE pair that g++ and clang++ both have: as default arguments they name the
// caller's place.
struct source_location {
    const char* file = "<unknown>";
    unsigned line = 0;

    [[nodiscard]] static constexpr source_location current(const char* file = __builtin_FILE(),
                                                           unsigned line = __builtin_LINE()) noexcept {
        return {file, line};
    }
    // "file:line"
    [[nodiscard]] std::string text() const { return std::string(file) + ":" + std::to_string(line); }
};

namespace detail {

struct kind_option_tag {};
struct contract_option_tag {};
struct depends_option_tag {};
struct overwrite_option_tag {};

}  // namespace detail

// The kind of facet a hook creates ("queue", "router", "custom-processor"): a name (see cep::name's rules).
template <fixed_string Kind>
struct kind {
    static_assert(name_constant<Kind>::check.code == errc::none);
    using option_tag = detail::kind_option_tag;
    static constexpr detail::kind_text value{Kind.view()};
};

// The contract (by name, looked up in the build's contract registry) the facet promises to satisfy.
template <fixed_string ContractName>
struct uses_contract {
    static_assert(name_constant<ContractName>::check.code == errc::none);
    using option_tag = detail::contract_option_tag;
    static constexpr detail::kind_text value{ContractName.view()};
};

// The kinds this facet needs: they are initialised before it and disposed after it.
template <fixed_string... Kinds>
struct depends_on {
    static_assert(((name_constant<Kinds>::check.code == errc::none) && ...));
    using option_tag = detail::depends_option_tag;
    static constexpr std::array<detail::kind_text, sizeof...(Kinds)> values{detail::kind_text{Kinds.view()}...};
};

// This hook replaces an earlier hook of the same kind (without it, a second hook of a kind does not compile).
struct overwrite {
    using option_tag = detail::overwrite_option_tag;
};

namespace detail {
template <class Option, class Tag>
inline constexpr bool is_option = requires { typename Option::option_tag; } &&
                                  std::is_same_v<typename Option::option_tag, Tag>;

template <class Tag, class... Options>
inline constexpr std::size_t count_options = (std::size_t{is_option<Options, Tag>} + ... + 0);

template <class Tag, class... Options>
constexpr std::size_t option_index() {
    constexpr bool found[] = {false, is_option<Options, Tag>...};
    for (std::size_t i = 1; i < sizeof...(Options) + 1; ++i)
        if (found[i]) return i - 1;
    return sizeof...(Options);
}

template <class Option>
inline constexpr bool is_known_option =
    is_option<Option, kind_option_tag> || is_option<Option, contract_option_tag> ||
    is_option<Option, depends_option_tag> || is_option<Option, overwrite_option_tag>;
}  // namespace detail

template <class Facet, class... Options>
struct hook {
    static_assert((detail::is_known_option<Options> && ...),
                  "cep::hook<Facet, Options...>: options are cep::kind<\"...\">, cep::uses_contract<\"...\">, "
                  "cep::depends_on<\"...\", ...> and cep::overwrite");
    static_assert(detail::count_options<detail::kind_option_tag, Options...> == 1,
                  "cep::hook<Facet, Options...>: a hook needs exactly one cep::kind<\"...\"> option");
    static_assert(detail::count_options<detail::contract_option_tag, Options...> <= 1,
                  "cep::hook<Facet, Options...>: at most one cep::uses_contract<\"...\"> option");
    static_assert(detail::count_options<detail::depends_option_tag, Options...> <= 1,
                  "cep::hook<Facet, Options...>: list all dependencies in one cep::depends_on<...> option");
    static_assert(std::is_default_constructible_v<Facet>,
                  "cep::hook<Facet, Options...>: the facet type must be default-constructible (wire facets "
                  "together in init(), which runs in dependency order)");

    using facet_type = Facet;

private:
    template <class Tag>
    using option = detail::nth_type<detail::option_index<Tag, Options...>(), Options..., void>;

    static constexpr auto dependency_array() {
        if constexpr (detail::count_options<detail::depends_option_tag, Options...> == 0)
            return std::array<detail::kind_text, 0>{};
        else
            return option<detail::depends_option_tag>::values;
    }

public:
    static constexpr detail::kind_text kind = option<detail::kind_option_tag>::value;
    static constexpr bool has_contract = detail::count_options<detail::contract_option_tag, Options...> == 1;
    static constexpr detail::kind_text contract_name = [] {
        if constexpr (has_contract)
            return option<detail::contract_option_tag>::value;
        else
            return detail::kind_text{};
    }();
    static constexpr auto dependencies = dependency_array();
    static constexpr bool overwrites = detail::count_options<detail::overwrite_option_tag, Options...> == 1;

    // Where the hook object was declared.
    source_location source;

    constexpr hook(source_location where = source_location::current()) noexcept : source(where) {}  // NOLINT
};

template <class T>
inline constexpr bool is_hook = false;
template <class Facet, class... Options>
inline constexpr bool is_hook<hook<Facet, Options...>> = true;

}  // namespace cep
