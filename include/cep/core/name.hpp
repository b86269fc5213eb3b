// Names of enzymes, tags and kinds: short identifiers checked when they are written. A literal is checked at compile
// time (a bad one does not compile, and the diagnostic says what is wrong); text that arrives at run time is checked
// with check_name().
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cep {

// Rules: 1 to 64 characters; the first is an ASCII letter or '_'; the others are ASCII letters, digits, '_', '-',
// '.' or ':' (so tags such as "ist:run" and "opm:direct" are names).
inline constexpr std::size_t max_name_length = 64;

namespace detail {

struct name_check {
    errc code = errc::none;
    std::size_t offset = 0;
};

[[nodiscard]] constexpr bool is_ascii_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
[[nodiscard]] constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }

[[nodiscard]] constexpr name_check check_name_text(std::string_view text) noexcept {
    if (text.empty()) return {errc::name_empty, 0};
    if (text.size() > max_name_length) return {errc::name_too_long, max_name_length};
    if (!is_ascii_letter(text[0]) && text[0] != '_') return {errc::name_bad_first_character, 0};
    for (std::size_t i = 1; i < text.size(); ++i) {
        const char c = text[i];
        if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_' && c != '-' && c != '.' && c != ':')
            return {errc::name_invalid_character, i};
    }
    return {};
}

[[nodiscard]] constexpr std::string_view name_rule_text(errc code) noexcept {
    switch (code) {
        case errc::name_empty: return "a name must not be empty";
        case errc::name_too_long: return "a name is at most 64 characters long";
        case errc::name_bad_first_character: return "a name must start with an ASCII letter or '_'";
        case errc::name_invalid_character:
            return "a name may contain only ASCII letters, digits, '_', '-', '.' and ':'";
        default: return "";
    }
}

// Called only when a literal breaks a rule inside a consteval constructor: the compiler rejects the call of a
// non-constexpr function and prints its name, which states the rule.
void cep_name_error_a_name_must_not_be_empty();
void cep_name_error_a_name_is_at_most_64_characters_long();
void cep_name_error_a_name_must_start_with_an_ascii_letter_or_underscore();
void cep_name_error_a_name_may_contain_only_letters_digits_underscore_dash_dot_colon();

consteval void require_valid_name(std::string_view text) {
    switch (check_name_text(text).code) {
        case errc::name_empty: cep_name_error_a_name_must_not_be_empty(); break;
        case errc::name_too_long: cep_name_error_a_name_is_at_most_64_characters_long(); break;
        case errc::name_bad_first_character: cep_name_error_a_name_must_start_with_an_ascii_letter_or_underscore(); break;
        case errc::name_invalid_character:
            cep_name_error_a_name_may_contain_only_letters_digits_underscore_dash_dot_colon();
            break;
        default: break;
    }
}

// The first 8 bytes of a name as a big-endian integer, zero-padded: comparing keys compares names in byte order,
// except that names equal in those bytes tie (their texts decide). Sorting by keys reads each name once.
[[nodiscard]] constexpr std::uint64_t order_key(std::string_view name) noexcept {
    std::uint64_t key = 0;
    for (std::size_t i = 0; i < 8; ++i) key = key << 8 | (i < name.size() ? static_cast<unsigned char>(name[i]) : 0u);
    return key;
}

}  // namespace detail

// Checks a name that arrives as run-time text; the message quotes the text and says which rule it breaks.
[[nodiscard]] inline result<void> check_name(std::string_view text) {
    const auto check = detail::check_name_text(text);
    if (check.code == errc::none) return {};
    std::string message = "invalid name \"";
    message.append(text.substr(0, max_name_length + 8));
    if (text.size() > max_name_length + 8) message.append("...");
    message.append("\" at offset ").append(std::to_string(check.offset)).append(": ");
    message.append(detail::name_rule_text(check.code));
    return error{check.code, std::move(message)};
}

// A name checked at compile time. It refers to the literal it was made from (static storage), so it is a cheap,
// trivially copyable value usable in constant expressions.
class name {
public:
    template <std::size_t N>
    consteval name(const char (&text)[N]) : text_(text, N - 1) {  // NOLINT: implicit from literals on purpose
        detail::require_valid_name(text_);
    }
    template <std::size_t N>
    consteval name(const fixed_string<N>& text) : text_(text.view()) {  // NOLINT
        detail::require_valid_name(text_);
    }

    [[nodiscard]] constexpr std::string_view view() const noexcept { return text_; }
    [[nodiscard]] constexpr std::size_t size() const noexcept { return text_.size(); }
    [[nodiscard]] std::string str() const { return std::string(text_); }

    [[nodiscard]] friend constexpr bool operator==(name a, name b) noexcept { return a.text_ == b.text_; }
    [[nodiscard]] friend constexpr std::strong_ordering operator<=>(name a, name b) noexcept {
        return a.text_.compare(b.text_) <=> 0;
    }
    [[nodiscard]] friend constexpr bool operator==(name a, std::string_view b) noexcept { return a.text_ == b; }

private:
    std::string_view text_;
};

// A name carried in a type, for templates keyed by name. Breaking a rule fails a static_assert that states it.
template <fixed_string Text>
struct name_constant {
    static constexpr auto check = detail::check_name_text(Text.view());
    static_assert(check.code != errc::name_empty, "cep: invalid name literal: a name must not be empty");
    static_assert(check.code != errc::name_too_long, "cep: invalid name literal: a name is at most 64 characters long");
    static_assert(check.code != errc::name_bad_first_character,
                  "cep: invalid name literal: a name must start with an ASCII letter or '_'");
    static_assert(check.code != errc::name_invalid_character,
                  "cep: invalid name literal: a name may contain only ASCII letters, digits, '_', '-', '.' and ':'");

    static constexpr std::string_view text = Text.view();
    static constexpr fixed_string value = Text;

    [[nodiscard]] constexpr operator name() const noexcept { return name(Text); }  // NOLINT
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text; }
};

namespace literals {
// constexpr, not consteval: clang++ 14 fails to link a consteval literal operator template used inside a template
// (fixed in clang 15). The checks run anyway: they are static_asserts of the returned type.
template <fixed_string Text>
[[nodiscard]] constexpr name_constant<Text> operator""_name() noexcept {
    return {};
}
}  // namespace literals

}  // namespace cep
