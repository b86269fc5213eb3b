// Paths address cells ("/env/fs/projects/p1"); queries select paths and may hold glob segments ('*' one segment,
// '**' zero or more). Both are parsed from run-time text with clear errors, or written as literals that are
// validated at compile time. The text of a valid path is canonical, so it round-trips exactly.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/detail/path_syntax.hpp>
#include <cep/detail/text_hash.hpp>
#include <cep/fwd.hpp>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace cep {

namespace detail {
struct trusted_text_t {};
inline constexpr trusted_text_t trusted_text{};

// One static_assert per rule, so a bad literal's diagnostic states the rule it breaks.
template <fixed_string Text, path_grammar Grammar>
struct checked_literal {
    static constexpr path_check check = check_path_text(Text.view(), Grammar);
    static_assert(check.code != errc::path_empty, "cep: invalid path/query literal: the text is empty");
    static_assert(check.code != errc::path_not_absolute, "cep: invalid path/query literal: it must start with '/'");
    static_assert(check.code != errc::path_empty_segment, "cep: invalid path/query literal: empty segment ('//')");
    static_assert(check.code != errc::path_trailing_slash, "cep: invalid path/query literal: trailing '/'");
    static_assert(check.code != errc::path_dot_segment,
                  "cep: invalid path/query literal: '.' and '..' segments are not allowed");
    static_assert(check.code != errc::path_control_character,
                  "cep: invalid path/query literal: control character (bytes 0x00-0x1f and 0x7f are not allowed)");
    static_assert(check.code != errc::path_space, "cep: invalid path/query literal: space is not allowed");
    static_assert(check.code != errc::path_segment_too_long,
                  "cep: invalid path/query literal: segment longer than 255 bytes");
    static_assert(check.code != errc::path_too_long, "cep: invalid path/query literal: longer than 4096 bytes");
    static_assert(check.code != errc::path_too_deep, "cep: invalid path/query literal: more than 128 segments");
    static_assert(check.code != errc::path_glob_outside_query,
                  "cep: invalid path/query literal: '*' and '**' segments are only allowed in a query "
                  "(use a query literal, _query)");
    static_assert(check.code != errc::path_partial_glob,
                  "cep: invalid path/query literal: '*' must be a whole segment ('*' or '**')");
    static constexpr bool valid = check.code == errc::none;
};
}  // namespace detail

template <fixed_string Text>
struct path_constant;
template <fixed_string Text>
struct query_constant;

// A valid path. The default value is the root "/". It keeps its text's hash, computed once when it is made (at
// compile time for a literal), so the path table looks a path up without hashing its text again on every enqueue.
class path {
public:
    path() : text_("/"), hash_(root_hash) {}

    // Parses run-time text; throws cep::path_error with the rule and offset when it is not a valid path.
    explicit path(std::string_view text) : path(parse(text).value()) {}

    // From a compile-time checked literal ("/a/b"_path or cep::path_c<"/a/b">).
    template <fixed_string Text>
    path(path_constant<Text>) : text_(Text.view()), hash_(path_constant<Text>::hash) {}  // NOLINT: implicit

    // Parses run-time text without throwing.
    [[nodiscard]] static result<path> parse(std::string_view text) {
        const auto check = detail::check_path_text(text, detail::path_grammar::path);
        if (check.code != errc::none) return detail::make_path_error(text, check, detail::path_grammar::path);
        return path(std::string(text), detail::trusted_text);
    }

    [[nodiscard]] static path root() { return path(); }

    [[nodiscard]] std::string_view text() const noexcept { return text_; }
    [[nodiscard]] const std::string& str() const noexcept { return text_; }
    [[nodiscard]] bool is_root() const noexcept { return text_.size() == 1; }
    // The 64-bit hash of the text (what std::hash<cep::path> returns and the path table's indexes use).
    [[nodiscard]] std::uint64_t hash() const noexcept { return hash_; }

    // Number of segments ("/" has 0, "/a/b" has 2).
    [[nodiscard]] std::size_t depth() const noexcept { return detail::count_segments(text_); }
    [[nodiscard]] detail::segment_range segments() const noexcept { return detail::segment_range(text_); }

    // Last segment; empty for the root.
    [[nodiscard]] std::string_view leaf() const noexcept {
        return is_root() ? std::string_view{} : std::string_view(text_).substr(text_.rfind('/') + 1);
    }

    // The path without its last segment. The root has no parent: throws cep::path_error.
    [[nodiscard]] path parent() const {
        if (is_root()) {
            std::string message = "invalid path operation on \"/\": ";
            message.append(detail::path_rule_text(errc::path_root_has_no_parent));
            throw path_error(error{errc::path_root_has_no_parent, std::move(message)});
        }
        const auto slash = text_.rfind('/');
        return path(slash == 0 ? std::string("/") : text_.substr(0, slash), detail::trusted_text);
    }

    // Appends one segment after checking it against the grammar.
    [[nodiscard]] result<path> child(std::string_view segment) const {
        const std::size_t base = is_root() ? 0 : text_.size();
        auto check = detail::check_segment(segment, base + 1, detail::path_grammar::path);
        if (check.code == errc::none && base + 1 + segment.size() > path_limits::max_length)
            check = {errc::path_too_long, path_limits::max_length};
        // Every segment takes at least two bytes ("/x"), so a short text cannot be too deep: segments are counted
        // only for a text long enough to be.
        if (check.code == errc::none && (base + 1 + segment.size()) / 2 > path_limits::max_depth &&
            depth() + 1 > path_limits::max_depth)
            check = {errc::path_too_deep, base + 1};
        std::string text;  // one allocation: sized before the copies
        text.reserve(base + 1 + segment.size());
        if (!is_root()) text.append(text_);
        text.push_back('/');
        text.append(segment);
        if (check.code != errc::none) return detail::make_path_error(text, check, detail::path_grammar::path);
        return path(std::move(text), detail::trusted_text);
    }
    // Throwing form of child().
    [[nodiscard]] path operator/(std::string_view segment) const { return child(segment).value(); }

    // True when `other` is this path or lies below it.
    [[nodiscard]] bool contains(const path& other) const noexcept {
        if (is_root()) return true;
        return other.text_.size() >= text_.size() && other.text_.compare(0, text_.size(), text_) == 0 &&
               (other.text_.size() == text_.size() || other.text_[text_.size()] == '/');
    }

    // Different hashes answer most unequal pairs without comparing texts.
    [[nodiscard]] friend bool operator==(const path& a, const path& b) noexcept {
        return a.hash_ == b.hash_ && a.text_ == b.text_;
    }
    [[nodiscard]] friend std::strong_ordering operator<=>(const path& a, const path& b) noexcept {
        return a.text_.compare(b.text_) <=> 0;
    }

private:
    template <class>
    friend class basic_path_table;  // rebuilds texts it checked when they were interned: not parsed again
    path(std::string text, detail::trusted_text_t) : text_(std::move(text)), hash_(detail::hash_text(text_)) {}
    static constexpr std::uint64_t root_hash = detail::hash_text("/");
    std::string text_;
    std::uint64_t hash_;
};

// A valid query: a path whose segments may also be '*' (exactly one segment) or '**' (zero or more).
class query {
public:
    query() : text_("/") {}
    explicit query(std::string_view text) : query(parse(text).value()) {}
    template <fixed_string Text>
    query(query_constant<Text>) : text_(Text.view()) {}  // NOLINT: implicit, already validated
    template <fixed_string Text>
    query(path_constant<Text>) : text_(Text.view()) {}  // NOLINT: every path is a query
    explicit query(const path& exact) : text_(exact.str()) {}

    [[nodiscard]] static result<query> parse(std::string_view text) {
        const auto check = detail::check_path_text(text, detail::path_grammar::query);
        if (check.code != errc::none) return detail::make_path_error(text, check, detail::path_grammar::query);
        query q;
        q.text_.assign(text);
        return q;
    }

    [[nodiscard]] std::string_view text() const noexcept { return text_; }
    [[nodiscard]] const std::string& str() const noexcept { return text_; }
    [[nodiscard]] std::size_t depth() const noexcept { return detail::count_segments(text_); }
    [[nodiscard]] detail::segment_range segments() const noexcept { return detail::segment_range(text_); }

    // Number of literal (non-glob) segments: how precisely the query names what it selects.
    [[nodiscard]] std::size_t specificity() const noexcept {
        std::size_t n = 0;
        for (auto segment : segments()) n += !detail::is_glob_segment(segment);
        return n;
    }
    [[nodiscard]] bool has_glob() const noexcept { return specificity() != depth(); }

    // Whole-path match: every segment of `p` is matched by the query ('*' one, '**' any number).
    [[nodiscard]] bool matches(const path& p) const noexcept {
        const auto qs = segments();
        const auto ps = p.segments();
        return detail::glob_match(qs.begin(), qs.end(), ps.begin(), ps.end());
    }

    [[nodiscard]] friend bool operator==(const query&, const query&) = default;
    [[nodiscard]] friend std::strong_ordering operator<=>(const query& a, const query& b) noexcept {
        return a.text_.compare(b.text_) <=> 0;
    }

private:
    std::string text_;
};

// A path written as a literal, validated at compile time: usable as a value and as a template argument.
template <fixed_string Text>
struct path_constant {
    static_assert(detail::checked_literal<Text, detail::path_grammar::path>::valid);
    static constexpr std::string_view text = Text.view();
    static constexpr fixed_string value = Text;
    static constexpr std::size_t depth = detail::count_segments(Text.view());
    static constexpr std::uint64_t hash = detail::hash_text(Text.view());  // cep::path::hash(), by the compiler
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text; }
};

template <fixed_string Text>
struct query_constant {
    static_assert(detail::checked_literal<Text, detail::path_grammar::query>::valid);
    static constexpr std::string_view text = Text.view();
    static constexpr fixed_string value = Text;
    static constexpr std::size_t depth = detail::count_segments(Text.view());
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text; }
};

template <fixed_string Text>
inline constexpr path_constant<Text> path_c{};

namespace detail {
// Functions that take a path or a literal (to spare the literal the path it would otherwise build).
template <class T>
inline constexpr bool is_path_constant = false;
template <fixed_string Text>
inline constexpr bool is_path_constant<path_constant<Text>> = true;
[[nodiscard]] inline std::string_view text_of_path(const path& p) noexcept { return p.text(); }
template <fixed_string Text>
[[nodiscard]] constexpr std::string_view text_of_path(path_constant<Text>) noexcept {
    return Text.view();
}
}  // namespace detail
template <fixed_string Text>
inline constexpr query_constant<Text> query_c{};

namespace literals {
// constexpr, not consteval: clang++ 14 fails to link a consteval literal operator template used inside a template
// (fixed in clang 15). The checks run anyway: they are static_asserts of the returned type.
template <fixed_string Text>
[[nodiscard]] constexpr path_constant<Text> operator""_path() noexcept {
    return {};
}
template <fixed_string Text>
[[nodiscard]] constexpr query_constant<Text> operator""_query() noexcept {
    return {};
}
}  // namespace literals

}  // namespace cep

template <>
struct std::hash<cep::path> {
    [[nodiscard]] std::size_t operator()(const cep::path& p) const noexcept {
        return static_cast<std::size_t>(p.hash());
    }
};
template <>
struct std::hash<cep::query> {
    [[nodiscard]] std::size_t operator()(const cep::query& q) const noexcept {
        return std::hash<std::string_view>{}(q.text());
    }
};
