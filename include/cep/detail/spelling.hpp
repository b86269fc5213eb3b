// Names spelled in diagnostics: kind_name<'q', 'u', 'e', 'u', 'e'> prints legibly on g++ and clang++ alike, and
// kind_text is a fixed-size structural form of a name, so names of different lengths fit one array.
#pragma once

#include <cep/core/fixed_string.hpp>
#include <cep/core/name.hpp>

#include <cstddef>
#include <string_view>
#include <utility>

namespace cep::detail {

// A name spelled as a pack of characters: both g++ and clang++ print it legibly in diagnostics
// (kind_name<'q', 'u', 'e', 'u', 'e'>), unlike a class-type template argument, which clang++ 14 prints as numbers.
template <char... Chars>
struct kind_name {
    static constexpr char text[] = {Chars..., '\0'};
};

template <fixed_string Text, class Indices = std::make_index_sequence<Text.size()>>
struct spell;
template <fixed_string Text, std::size_t... Is>
struct spell<Text, std::index_sequence<Is...>> {
    using type = kind_name<Text.chars[Is]...>;
};
template <fixed_string Text>
using spelled = typename spell<Text>::type;

// A kind or contract name in a fixed-size, structural form, so names of different lengths fit in one array and
// can be spelled in diagnostics.
struct kind_text {
    char chars[max_name_length]{};
    std::size_t size = 0;

    constexpr kind_text() = default;
    constexpr kind_text(std::string_view text) {  // NOLINT: implicit from text checked elsewhere
        for (std::size_t i = 0; i < text.size() && i < max_name_length; ++i) chars[i] = text[i];
        size = text.size() < max_name_length ? text.size() : max_name_length;
    }
    [[nodiscard]] constexpr std::string_view view() const { return {chars, size}; }
    [[nodiscard]] friend constexpr bool operator==(const kind_text& a, const kind_text& b) {
        return a.view() == b.view();
    }
};

// (A member function template and decltype: the partial-specialisation form crashes g++ 12.)
template <kind_text Text>
struct spell_kind {
    template <std::size_t... Is>
    static kind_name<Text.chars[Is]...> spell(std::index_sequence<Is...>);
    using type = decltype(spell(std::make_index_sequence<Text.size>{}));
};
template <kind_text Text>
using spelled_kind = typename spell_kind<Text>::type;

}  // namespace cep::detail
