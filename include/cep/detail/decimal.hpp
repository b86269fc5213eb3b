// Unsigned integers as decimal text and back, for beat numbers, counters and bucket names. It does what cep needs of
// std::to_chars / std::from_chars without <charconv>, whose parse every translation unit would otherwise pay
// (about 11 ms of clang++'s second over <cep/cep.hpp>).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace cep::detail {

// The digits of `n`, built in place without allocating (a path segment, a cell's text).
class decimal {
public:
    explicit constexpr decimal(std::uint64_t n) noexcept {
        // Right to left into the end of the buffer, then the view starts at the first digit.
        std::size_t at = sizeof digits_;
        do {
            digits_[--at] = static_cast<char>('0' + n % 10);
            n /= 10;
        } while (n != 0);
        first_ = static_cast<unsigned char>(at);
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept {
        return {digits_ + first_, sizeof digits_ - first_};
    }

private:
    char digits_[20]{};  // 18446744073709551615 has 20 digits
    unsigned char first_ = 0;
};

// `text` as a base-10 number of type T: digits only, at least one, no sign, and within T's range; nullopt otherwise.
// Leading zeros are accepted (as std::from_chars does); callers that need one spelling per number check that.
template <std::unsigned_integral T>
[[nodiscard]] constexpr std::optional<T> parse_decimal(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    constexpr T most = static_cast<T>(~T{0});
    T value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const T digit = static_cast<T>(c - '0');
        if (value > (most - digit) / 10) return std::nullopt;  // value * 10 + digit would pass T's largest
        value = static_cast<T>(value * 10 + digit);
    }
    return value;
}

}  // namespace cep::detail
