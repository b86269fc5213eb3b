// The vocabulary of operations, as values checked when they are written: a verb (what the operation does), a state
// (`ist:*`, where it is), a status (`sts:ok|fail|cnl`, how it ended) and a mode (`opm:direct|opm:states`, whether
// it has intermediate states). A literal is checked by the compiler: a bad one does not compile, and the rejected
// call names the rule. Text that arrives at run time goes through parse(), which returns a cep::result.
//
// Each value keeps its text inline (at most cep::max_name_length characters), so one parsed at run time owns its
// text and all of them stay cheap, trivially copyable and usable in constant expressions.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/name.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`: the
// compiler then compiles one only where a program calls it (docs/performance.md, "compile time").

namespace cep::ops {

namespace detail {

// A tag's text, stored inline. Only filled from text already checked to be a valid cep::name (so it fits).
struct tag_text {
    std::array<char, max_name_length> chars{};
    std::uint8_t size = 0;

    constexpr tag_text() = default;
    constexpr explicit tag_text(std::string_view text) noexcept {
        for (std::size_t i = 0; i < text.size() && i < chars.size(); ++i) chars[i] = text[i];
        size = static_cast<std::uint8_t>(text.size() < chars.size() ? text.size() : chars.size());
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars.data(), size}; }
};

[[nodiscard]] constexpr bool is_state_text(std::string_view text) noexcept {
    return text.size() > 4 && text.substr(0, 4) == "ist:" && cep::detail::check_name_text(text).code == errc::none;
}
[[nodiscard]] constexpr bool is_status_text(std::string_view text) noexcept {
    return text == "sts:ok" || text == "sts:fail" || text == "sts:cnl";
}
[[nodiscard]] constexpr bool is_mode_text(std::string_view text) noexcept {
    return text == "opm:direct" || text == "opm:states";
}

// Called only when a literal breaks a rule inside a consteval constructor: the compiler rejects the call of a
// non-constexpr function and prints its name, which states the rule (as cep::name does).
void cep_ops_error_a_state_must_be_ist_colon_followed_by_name_characters();
void cep_ops_error_a_status_must_be_sts_ok_sts_fail_or_sts_cnl();
void cep_ops_error_a_mode_must_be_opm_direct_or_opm_states();

template <class Deferred = void>
error invalid(std::string_view what, std::string_view text, std::string_view rule) {
    return error{errc::op_invalid, "invalid " + std::string(what) + " \"" + std::string(text.substr(0, 80)) +
                                       (text.size() > 80 ? "..." : "") + "\": " + std::string(rule)};
}

}  // namespace detail

// What an operation does: any valid cep::name ("image:resize", "op.upload", ...), stored in its envelope.
class verb {
public:
    template <std::size_t N>
    consteval verb(const char (&text)[N]) : text_(std::string_view(text, N - 1)) {  // NOLINT: from literals
        cep::detail::require_valid_name(std::string_view(text, N - 1));
    }
    [[nodiscard]] static result<verb> parse(std::string_view text) {
        if (auto ok = check_name(text); !ok) return detail::invalid("verb", text, ok.error().message);
        return verb(checked{}, text);
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text_.view(); }
    [[nodiscard]] std::string str() const { return std::string(view()); }
    [[nodiscard]] friend constexpr bool operator==(const verb& a, const verb& b) noexcept { return a.view() == b.view(); }

private:
    struct checked {};
    constexpr verb(checked, std::string_view text) noexcept : text_(text) {}
    detail::tag_text text_;
};

// Where an operation is: "ist:" followed by name characters ("ist:run", "ist:resized"). The terminal states
// ist:ok, ist:fail and ist:cnl are reached by closing the operation (op_close), not by op_state_set.
class state {
public:
    template <std::size_t N>
    consteval state(const char (&text)[N]) : text_(std::string_view(text, N - 1)) {  // NOLINT: from literals
        if (!detail::is_state_text(std::string_view(text, N - 1)))
            detail::cep_ops_error_a_state_must_be_ist_colon_followed_by_name_characters();
    }
    [[nodiscard]] static result<state> parse(std::string_view text) {
        if (!detail::is_state_text(text))
            return detail::invalid("state", text,
                                   "a state is \"ist:\" followed by ASCII letters, digits, '_', '-', '.' or ':' "
                                   "(at most 64 characters in all)");
        return state(checked{}, text);
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text_.view(); }
    [[nodiscard]] std::string str() const { return std::string(view()); }
    // ist:ok, ist:fail or ist:cnl: where a closed operation ends.
    [[nodiscard]] constexpr bool terminal() const noexcept {
        return view() == "ist:ok" || view() == "ist:fail" || view() == "ist:cnl";
    }
    [[nodiscard]] friend constexpr bool operator==(const state& a, const state& b) noexcept { return a.view() == b.view(); }

private:
    struct checked {};
    constexpr state(checked, std::string_view text) noexcept : text_(text) {}
    detail::tag_text text_;
};

// How an operation ended: sts:ok, sts:fail or sts:cnl (cancelled). Nothing else.
class status {
public:
    template <std::size_t N>
    consteval status(const char (&text)[N]) : text_(std::string_view(text, N - 1)) {  // NOLINT: from literals
        if (!detail::is_status_text(std::string_view(text, N - 1)))
            detail::cep_ops_error_a_status_must_be_sts_ok_sts_fail_or_sts_cnl();
    }
    [[nodiscard]] static result<status> parse(std::string_view text) {
        if (!detail::is_status_text(text))
            return detail::invalid("status", text, "a status is sts:ok, sts:fail or sts:cnl");
        return status(checked{}, text);
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text_.view(); }
    [[nodiscard]] std::string str() const { return std::string(view()); }
    // The state a close with this status leaves the operation in: sts:ok -> ist:ok, and so on.
    [[nodiscard]] constexpr state final_state() const noexcept {
        if (view() == "sts:ok") return state("ist:ok");
        if (view() == "sts:fail") return state("ist:fail");
        return state("ist:cnl");
    }
    [[nodiscard]] friend constexpr bool operator==(const status& a, const status& b) noexcept {
        return a.view() == b.view();
    }

private:
    struct checked {};
    constexpr status(checked, std::string_view text) noexcept : text_(text) {}
    detail::tag_text text_;
};

// Whether an operation has intermediate states: opm:direct (start, then close) or opm:states (start, states that
// can be observed and awaited, then close).
class mode {
public:
    template <std::size_t N>
    consteval mode(const char (&text)[N]) : text_(std::string_view(text, N - 1)) {  // NOLINT: from literals
        if (!detail::is_mode_text(std::string_view(text, N - 1)))
            detail::cep_ops_error_a_mode_must_be_opm_direct_or_opm_states();
    }
    [[nodiscard]] static result<mode> parse(std::string_view text) {
        if (!detail::is_mode_text(text)) return detail::invalid("mode", text, "a mode is opm:direct or opm:states");
        return mode(checked{}, text);
    }
    [[nodiscard]] constexpr std::string_view view() const noexcept { return text_.view(); }
    [[nodiscard]] std::string str() const { return std::string(view()); }
    [[nodiscard]] friend constexpr bool operator==(const mode& a, const mode& b) noexcept { return a.view() == b.view(); }

private:
    struct checked {};
    constexpr mode(checked, std::string_view text) noexcept : text_(text) {}
    detail::tag_text text_;
};

// The values every program uses.
namespace states {
inline constexpr state run = "ist:run";  // a started operation
inline constexpr state ok = "ist:ok";    // closed with sts:ok
inline constexpr state fail = "ist:fail";
inline constexpr state cnl = "ist:cnl";
}  // namespace states
namespace statuses {
inline constexpr status ok = "sts:ok";
inline constexpr status fail = "sts:fail";
inline constexpr status cnl = "sts:cnl";
}  // namespace statuses
namespace modes {
inline constexpr mode direct = "opm:direct";
inline constexpr mode stateful = "opm:states";
}  // namespace modes

}  // namespace cep::ops
