// Match policies: how an enzyme's query selects signal paths. A policy is a type; cep::exact and cep::prefix come
// with the library, and cep::match_policy checks a user's own. Queries may hold glob segments: '*' matches exactly
// one segment, '**' zero or more.
//
// Specificity (how precisely a query names what it selects) is the number of literal segments; at equal
// specificity a policy with a higher precedence wins (exact beats prefix). Both feed the agenda's tie-break.
#pragma once

#include <cep/core/path.hpp>
#include <cep/detail/path_syntax.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <string_view>

namespace cep {

// The query must match the whole signal path.
struct exact {
    static constexpr std::string_view name = "exact";
    static constexpr int precedence = 2;
    [[nodiscard]] static constexpr bool matches(std::span<const std::string_view> query,
                                                std::span<const std::string_view> signal) noexcept {
        return detail::glob_match(query.begin(), query.end(), signal.begin(), signal.end());
    }
};

// The query must match the signal path or one of its ancestors ("/signals/image" selects
// "/signals/image/thumbnail").
struct prefix {
    static constexpr std::string_view name = "prefix";
    static constexpr int precedence = 1;
    [[nodiscard]] static constexpr bool matches(std::span<const std::string_view> query,
                                                std::span<const std::string_view> signal) noexcept {
        return detail::glob_match(query.begin(), query.end(), signal.begin(), signal.end(), false);
    }
};

// A match policy: a name, a precedence (higher wins at equal specificity) and a constexpr matches() over the
// segments of a query and of a signal path.
template <class P>
concept match_policy = requires(std::span<const std::string_view> query, std::span<const std::string_view> signal) {
    { P::name } -> std::convertible_to<std::string_view>;
    { P::precedence } -> std::convertible_to<int>;
    { P::matches(query, signal) } -> std::same_as<bool>;
};

namespace detail {

// The segments of a valid path or query text, in a fixed array (constant expressions cannot allocate).
struct split_segments {
    std::array<std::string_view, path_limits::max_depth> items{};
    std::size_t size = 0;
    constexpr explicit split_segments(std::string_view text) noexcept {
        for (auto segment : segment_range(text))
            if (size < items.size()) items[size++] = segment;
    }
    [[nodiscard]] constexpr std::span<const std::string_view> view() const noexcept { return {items.data(), size}; }
};

// Literal (non-glob) segments of a query text.
[[nodiscard]] constexpr std::size_t query_specificity(std::string_view query) noexcept {
    std::size_t n = 0;
    for (auto segment : segment_range(query)) n += !is_glob_segment(segment);
    return n;
}

}  // namespace detail

// A policy's verdict on two texts (a valid query and a valid path), usable in constant expressions.
template <match_policy Policy>
[[nodiscard]] constexpr bool policy_matches(std::string_view query, std::string_view signal) noexcept {
    const detail::split_segments q(query);
    const detail::split_segments s(signal);
    return Policy::matches(q.view(), s.view());
}

}  // namespace cep
