// The 64-bit hash of a path text, shared by cep::path (which keeps its text's hash, computed once when the path is
// made) and the path table's indexes (which look texts up by it), and the inline equality that confirms a hit.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace cep::detail {

// A native-order load of sizeof(Word) bytes. At run time one unaligned load (memcpy); in a constant expression the
// same bytes through bit_cast, so a literal's hash computed by the compiler equals the one computed at run time.
template <class Word>
[[nodiscard]] constexpr std::uint64_t load(const char* at) noexcept {
    if (std::is_constant_evaluated()) {
        std::array<char, sizeof(Word)> bytes{};
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = at[i];
        return std::bit_cast<Word>(bytes);
    }
    Word word;
    std::memcpy(&word, at, sizeof word);
    return word;
}
[[nodiscard]] constexpr std::uint64_t load_word(const char* at) noexcept { return load<std::uint64_t>(at); }
[[nodiscard]] constexpr std::uint64_t load_half(const char* at) noexcept { return load<std::uint32_t>(at); }

// Eight bytes at a time, each word mixed in by a multiply (paths are short: a few words). The bytes past the last
// whole word are read as one overlapping load, never copied byte by byte into a word on the stack (a wide load right
// after narrow stores stalls on store forwarding, which made this slower than the standard library's hash).
[[nodiscard]] constexpr std::uint64_t hash_text(std::string_view text) noexcept {
    constexpr std::uint64_t k = 0x9e3779b97f4a7c15ull;
    const char* p = text.data();
    const std::size_t n = text.size();
    std::uint64_t h = 0x243f6a8885a308d3ull ^ (n * k);
    const auto mix = [&](std::uint64_t word) {
        h = (h ^ word) * k;
        h ^= h >> 29;
    };
    if (n > 8) {
        const char* last = p + n - 8;
        for (; p < last; p += 8) mix(load_word(p));
        mix(load_word(last));  // overlaps the previous word unless n is a multiple of 8
    } else if (n >= 4) {
        mix(load_half(p) | (load_half(p + n - 4) << 32));
    } else if (n > 0) {
        mix(static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) |
            (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
            (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n - 1])) << 16));
    }
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 31);
}

// Whether two texts are equal, for confirming a hash hit: the same overlapping loads, inline, where
// std::string_view's == calls the library's memcmp (a call and its setup on every lookup of a path).
[[nodiscard]] inline bool same_text(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = a.size();
    if (n != b.size()) return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n > 8) {
        std::uint64_t differ = 0;
        for (std::size_t at = 0; at + 8 < n; at += 8) differ |= load_word(p + at) ^ load_word(q + at);
        return (differ | (load_word(p + n - 8) ^ load_word(q + n - 8))) == 0;
    }
    if (n >= 4) return ((load_half(p) ^ load_half(q)) | (load_half(p + n - 4) ^ load_half(q + n - 4))) == 0;
    for (std::size_t at = 0; at < n; ++at)
        if (p[at] != q[at]) return false;
    return true;
}

}  // namespace cep::detail
