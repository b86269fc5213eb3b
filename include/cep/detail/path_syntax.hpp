// The path and query grammar as constexpr functions, shared by run-time parsing and compile-time literals, plus
// the segment iterator used by path, query and the interning table.
#pragma once

#include <cep/core/error.hpp>

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>

namespace cep {

// Documented limits of a path or query (bytes of UTF-8 text, segments).
struct path_limits {
    static constexpr std::size_t max_length = 4096;
    static constexpr std::size_t max_segment_length = 255;
    static constexpr std::size_t max_depth = 128;
};

namespace detail {

enum class path_grammar : unsigned char { path, query };

struct path_check {
    errc code = errc::none;
    std::size_t offset = 0;
};

[[nodiscard]] constexpr bool is_glob_segment(std::string_view segment) noexcept {
    return segment == "*" || segment == "**";
}

// What each byte inside a segment is, as far as the grammar cares. A '/' is only reachable for a lone segment.
inline constexpr auto segment_byte_errors = [] {
    std::array<errc, 256> table{};  // errc::none
    for (std::size_t c = 0; c < 0x20; ++c) table[c] = errc::path_control_character;
    table[0x7f] = errc::path_control_character;
    table[' '] = errc::path_space;
    table['*'] = errc::path_partial_glob;
    table['/'] = errc::path_empty_segment;
    return table;
}();

// Checks one segment that starts at `offset` of the whole text (for error offsets).
[[nodiscard]] constexpr path_check check_segment(std::string_view segment, std::size_t offset,
                                                 path_grammar grammar) noexcept {
    if (segment.empty()) return {errc::path_empty_segment, offset};
    if (segment.size() > path_limits::max_segment_length) return {errc::path_segment_too_long, offset};
    if (segment == "." || segment == "..") return {errc::path_dot_segment, offset};
    if (is_glob_segment(segment)) {
        if (grammar == path_grammar::path) return {errc::path_glob_outside_query, offset};
        return {};
    }
    // One table read per byte (segments such as 64-character hashes are common); errc::none for allowed bytes.
    for (std::size_t i = 0; i < segment.size(); ++i)
        if (const errc bad = segment_byte_errors[static_cast<unsigned char>(segment[i])]; bad != errc::none)
            return {bad, offset + i};
    return {};
}

// The first '/' at or after `from`, or text.size(). A loop while constant-evaluated: g++ 12 with
// -fsanitize=undefined rejects string_view::find() in a constant expression, which made every path literal, the
// library's own included, a compile error under UBSan.
[[nodiscard]] constexpr std::size_t next_slash(std::string_view text, std::size_t from) noexcept {
    if (std::is_constant_evaluated()) {
        while (from < text.size() && text[from] != '/') ++from;
        return from < text.size() ? from : text.size();
    }
    const std::size_t at = text.find('/', from);
    return at == std::string_view::npos ? text.size() : at;
}

// The whole grammar. "/" is the root (zero segments).
[[nodiscard]] constexpr path_check check_path_text(std::string_view text, path_grammar grammar) noexcept {
    if (text.empty()) return {errc::path_empty, 0};
    if (text.front() != '/') return {errc::path_not_absolute, 0};
    if (text.size() > path_limits::max_length) return {errc::path_too_long, path_limits::max_length};
    if (text.size() == 1) return {};
    std::size_t depth = 0;
    std::size_t start = 1;
    while (true) {
        const std::size_t end = next_slash(text, start);
        if (end == start) {
            // Nothing between two slashes, or after the last one.
            if (end == text.size()) return {errc::path_trailing_slash, end - 1};
            return {errc::path_empty_segment, end};
        }
        if (++depth > path_limits::max_depth) return {errc::path_too_deep, start};
        if (auto bad = check_segment(text.substr(start, end - start), start, grammar); bad.code != errc::none)
            return bad;
        if (end == text.size()) return {};
        start = end + 1;
    }
}

[[nodiscard]] constexpr std::string_view path_rule_text(errc code) noexcept {
    switch (code) {
        case errc::path_empty: return "the text is empty";
        case errc::path_not_absolute: return "it must start with '/'";
        case errc::path_empty_segment: return "empty segment ('//')";
        case errc::path_trailing_slash: return "trailing '/'";
        case errc::path_dot_segment: return "'.' and '..' segments are not allowed";
        case errc::path_control_character: return "control character (bytes 0x00-0x1f and 0x7f are not allowed)";
        case errc::path_space: return "space is not allowed";
        case errc::path_segment_too_long: return "segment longer than 255 bytes";
        case errc::path_too_long: return "longer than 4096 bytes";
        case errc::path_too_deep: return "more than 128 segments";
        case errc::path_glob_outside_query: return "'*' and '**' segments are only allowed in a query";
        case errc::path_partial_glob: return "'*' must be a whole segment ('*' or '**')";
        case errc::path_root_has_no_parent: return "the root has no parent";
        default: return "";
    }
}

// Quotes user text in an error message: control bytes escaped, very long text shortened.
inline void append_quoted(std::string& out, std::string_view text) {
    constexpr std::size_t shown = 80;
    out.push_back('"');
    constexpr char hex[] = "0123456789abcdef";
    for (std::size_t i = 0; i < text.size() && i < shown; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            out.push_back('\\');
            if (c == '"' || c == '\\') {
                out.push_back(static_cast<char>(c));
            } else {
                out.push_back('x');
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xf]);
            }
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (text.size() > shown) out.append("...");
    out.push_back('"');
}

[[nodiscard]] inline error make_path_error(std::string_view text, path_check check, path_grammar grammar) {
    std::string message = grammar == path_grammar::path ? "invalid path " : "invalid query ";
    append_quoted(message, text);
    message.append(" at offset ").append(std::to_string(check.offset)).append(": ");
    message.append(path_rule_text(check.code));
    return error{check.code, std::move(message)};
}

// Forward iteration over the segments of a validated path or query ("/a/b" -> "a", "b"; "/" -> nothing).
class segment_iterator {
public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    using reference = std::string_view;

    constexpr segment_iterator() = default;
    constexpr segment_iterator(std::string_view text, std::size_t start) noexcept : text_(text), start_(start) {
        find_end();
    }

    [[nodiscard]] constexpr std::string_view operator*() const noexcept {
        return text_.substr(start_, end_ - start_);
    }
    constexpr segment_iterator& operator++() noexcept {
        start_ = end_ + 1;
        find_end();
        return *this;
    }
    constexpr segment_iterator operator++(int) noexcept {
        auto copy = *this;
        ++*this;
        return copy;
    }
    [[nodiscard]] friend constexpr bool operator==(const segment_iterator& a, const segment_iterator& b) noexcept {
        return a.start_ == b.start_;
    }

private:
    constexpr void find_end() noexcept {
        if (start_ >= text_.size()) {
            start_ = end_ = text_.size();
            return;
        }
        end_ = next_slash(text_, start_);
    }
    std::string_view text_{};
    std::size_t start_ = 0;
    std::size_t end_ = 0;
};

class segment_range {
public:
    constexpr segment_range() = default;
    constexpr explicit segment_range(std::string_view text) noexcept : text_(text) {}
    [[nodiscard]] constexpr segment_iterator begin() const noexcept { return {text_, 1}; }
    [[nodiscard]] constexpr segment_iterator end() const noexcept { return {text_, text_.size()}; }
    [[nodiscard]] constexpr bool empty() const noexcept { return text_.size() <= 1; }

private:
    std::string_view text_{};
};

[[nodiscard]] constexpr std::size_t count_segments(std::string_view text) noexcept {
    if (text.size() <= 1) return 0;
    std::size_t n = 0;
    for (char c : text) n += c == '/';
    return n;
}

// Classic wildcard matching over segments with one backtrack point: '*' matches one segment, '**' any number
// (zero included). Linear in practice, O(query * path) in the worst case; no allocation. With `whole_path` false
// the query only has to match a prefix of the path (as if it ended in '**').
template <class QueryIt, class PathIt>
[[nodiscard]] constexpr bool glob_match(QueryIt q, QueryIt q_end, PathIt p, PathIt p_end,
                                        bool whole_path = true) noexcept {
    QueryIt star_q{};
    PathIt star_p{};
    bool have_star = false;
    while (p != p_end) {
        if (q == q_end && !whole_path) return true;
        if (q != q_end && *q == "**") {
            have_star = true;
            star_q = q;
            star_p = p;
            ++q;
        } else if (q != q_end && (*q == "*" || *q == *p)) {
            ++q;
            ++p;
        } else if (have_star) {
            q = star_q;
            ++q;
            p = ++star_p;
        } else {
            return false;
        }
    }
    while (q != q_end && *q == "**") ++q;
    return q == q_end;
}

}  // namespace detail
}  // namespace cep
