// A string that can be a template argument (a structural type), so names, paths and queries written as literals
// can be validated at compile time and carried in types.
#pragma once

#include <cstddef>
#include <string_view>

namespace cep {

template <std::size_t N>
struct fixed_string {
    // Public because structural types need public members; treat as read-only.
    char chars[N + 1]{};

    constexpr fixed_string() = default;
    constexpr fixed_string(const char (&text)[N + 1]) noexcept {  // NOLINT: implicit on purpose (CTAD from literals)
        for (std::size_t i = 0; i <= N; ++i) chars[i] = text[i];
    }

    [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }
    [[nodiscard]] static constexpr bool empty() noexcept { return N == 0; }
    [[nodiscard]] constexpr const char* c_str() const noexcept { return chars; }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars, N}; }
    [[nodiscard]] constexpr operator std::string_view() const noexcept { return view(); }
    [[nodiscard]] constexpr const char* begin() const noexcept { return chars; }
    [[nodiscard]] constexpr const char* end() const noexcept { return chars + N; }
    [[nodiscard]] constexpr char operator[](std::size_t i) const noexcept { return chars[i]; }

    template <std::size_t M>
    [[nodiscard]] friend constexpr bool operator==(const fixed_string& a, const fixed_string<M>& b) noexcept {
        return a.view() == b.view();
    }
};

template <std::size_t N>
fixed_string(const char (&)[N]) -> fixed_string<N - 1>;

}  // namespace cep
