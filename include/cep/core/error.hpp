// Errors: one code enumeration for the whole library, an `error` value (code + message) for results the caller
// should branch on, `result<T>` (an expected-like type, C++20 has no std::expected), and exception types derived
// from std::exception for the throwing entry points.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <type_traits>
#include <new>
#include <utility>

namespace cep {

// `none` is zero so that a value-initialised errc means "no error" inside constexpr checks.
enum class errc : std::uint16_t {
    none = 0,
    // paths and queries
    path_empty,
    path_not_absolute,
    path_empty_segment,
    path_trailing_slash,
    path_dot_segment,
    path_control_character,
    path_space,
    path_segment_too_long,
    path_too_long,
    path_too_deep,
    path_glob_outside_query,
    path_partial_glob,
    path_root_has_no_parent,
    path_unknown_id,
    // names
    name_empty,
    name_too_long,
    name_bad_first_character,
    name_invalid_character,
    // the cell tree
    cell_not_found,
    cell_exists,
    cell_wrong_kind,
    cell_not_a_dictionary,
    cell_not_a_list,
    cell_sealed,
    cell_root,
    cell_list_append_only,
    cell_dangling_link,
    cell_too_many_links,
    cell_cannot_move,
    cell_reserved,
    cell_stale_view,
    cell_read_only,
    // facet contracts
    contract_not_registered,
    contract_missing_methods,
    contract_missing_properties,
    contract_validation_failed,
    // subsystem builds
    build_init_failed,
    build_disposed,
    // the heartbeat
    beat_in_past,
    unknown_enzyme,
    wallclock_conflict,
    invalid_policy,
    beat_reentered,
    // OPS/STATES operations
    op_unknown,
    op_closed,
    op_status_conflict,
    op_invalid,
    // mailboxes
    mailbox_id_collision,
    mailbox_missing_origin,
    mailbox_invalid_ttl,
    mailbox_bad_record,
    // layer 1 closure
    closure_context_conflict,
    closure_not_queued,
    closure_bad_record,
    closure_store_outlived,
    // general (thrown as cep::exception itself)
    callback_empty,
};

// Short, stable identifier of a code (the enumerator's name).
[[nodiscard]] constexpr std::string_view to_string(errc code) noexcept {
    switch (code) {
        case errc::none: return "none";
        case errc::path_empty: return "path_empty";
        case errc::path_not_absolute: return "path_not_absolute";
        case errc::path_empty_segment: return "path_empty_segment";
        case errc::path_trailing_slash: return "path_trailing_slash";
        case errc::path_dot_segment: return "path_dot_segment";
        case errc::path_control_character: return "path_control_character";
        case errc::path_space: return "path_space";
        case errc::path_segment_too_long: return "path_segment_too_long";
        case errc::path_too_long: return "path_too_long";
        case errc::path_too_deep: return "path_too_deep";
        case errc::path_glob_outside_query: return "path_glob_outside_query";
        case errc::path_partial_glob: return "path_partial_glob";
        case errc::path_root_has_no_parent: return "path_root_has_no_parent";
        case errc::path_unknown_id: return "path_unknown_id";
        case errc::name_empty: return "name_empty";
        case errc::name_too_long: return "name_too_long";
        case errc::name_bad_first_character: return "name_bad_first_character";
        case errc::name_invalid_character: return "name_invalid_character";
        case errc::cell_not_found: return "cell_not_found";
        case errc::cell_exists: return "cell_exists";
        case errc::cell_wrong_kind: return "cell_wrong_kind";
        case errc::cell_not_a_dictionary: return "cell_not_a_dictionary";
        case errc::cell_not_a_list: return "cell_not_a_list";
        case errc::cell_sealed: return "cell_sealed";
        case errc::cell_root: return "cell_root";
        case errc::cell_list_append_only: return "cell_list_append_only";
        case errc::cell_dangling_link: return "cell_dangling_link";
        case errc::cell_too_many_links: return "cell_too_many_links";
        case errc::cell_cannot_move: return "cell_cannot_move";
        case errc::cell_reserved: return "cell_reserved";
        case errc::cell_stale_view: return "cell_stale_view";
        case errc::cell_read_only: return "cell_read_only";
        case errc::contract_not_registered: return "contract_not_registered";
        case errc::contract_missing_methods: return "contract_missing_methods";
        case errc::contract_missing_properties: return "contract_missing_properties";
        case errc::contract_validation_failed: return "contract_validation_failed";
        case errc::build_init_failed: return "build_init_failed";
        case errc::build_disposed: return "build_disposed";
        case errc::beat_in_past: return "beat_in_past";
        case errc::unknown_enzyme: return "unknown_enzyme";
        case errc::wallclock_conflict: return "wallclock_conflict";
        case errc::invalid_policy: return "invalid_policy";
        case errc::beat_reentered: return "beat_reentered";
        case errc::op_unknown: return "op_unknown";
        case errc::op_closed: return "op_closed";
        case errc::op_status_conflict: return "op_status_conflict";
        case errc::op_invalid: return "op_invalid";
        case errc::mailbox_id_collision: return "mailbox_id_collision";
        case errc::mailbox_missing_origin: return "mailbox_missing_origin";
        case errc::mailbox_invalid_ttl: return "mailbox_invalid_ttl";
        case errc::mailbox_bad_record: return "mailbox_bad_record";
        case errc::closure_context_conflict: return "closure_context_conflict";
        case errc::closure_not_queued: return "closure_not_queued";
        case errc::closure_bad_record: return "closure_bad_record";
        case errc::closure_store_outlived: return "closure_store_outlived";
        case errc::callback_empty: return "callback_empty";
    }
    return "unknown";
}

// An error value: what went wrong (code) and a complete, human-readable sentence (message).
struct error {
    errc code = errc::none;
    std::string message;

    [[nodiscard]] friend bool operator==(const error&, const error&) = default;
};

// Base of every exception cep throws. what() is the error's message.
class exception : public std::exception {
public:
    explicit exception(cep::error err) : error_(std::move(err)) {}
    [[nodiscard]] const char* what() const noexcept override { return error_.message.c_str(); }
    [[nodiscard]] errc code() const noexcept { return error_.code; }
    [[nodiscard]] const cep::error& error() const noexcept { return error_; }

private:
    cep::error error_;
};

class path_error : public exception {
    using exception::exception;
};
class name_error : public exception {
    using exception::exception;
};
class tree_error : public exception {
    using exception::exception;
};
class contract_error : public exception {
    using exception::exception;
};
class build_error : public exception {
    using exception::exception;
};
class ops_error : public exception {
    using exception::exception;
};
class mailbox_error : public exception {
    using exception::exception;
};
class closure_error : public exception {
    using exception::exception;
};
class heartbeat_error : public exception {
    using exception::exception;
};

// Throws the exception type that matches the code's family.
[[noreturn]] inline void throw_error(cep::error err) {
    const auto code = static_cast<std::uint16_t>(err.code);
    if (code >= static_cast<std::uint16_t>(errc::path_empty) &&
        code <= static_cast<std::uint16_t>(errc::path_unknown_id))
        throw path_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::name_empty) &&
        code <= static_cast<std::uint16_t>(errc::name_invalid_character))
        throw name_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::cell_not_found) &&
        code <= static_cast<std::uint16_t>(errc::cell_read_only))
        throw tree_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::contract_not_registered) &&
        code <= static_cast<std::uint16_t>(errc::contract_validation_failed))
        throw contract_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::build_init_failed) &&
        code <= static_cast<std::uint16_t>(errc::build_disposed))
        throw build_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::beat_in_past) &&
        code <= static_cast<std::uint16_t>(errc::beat_reentered))
        throw heartbeat_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::op_unknown) && code <= static_cast<std::uint16_t>(errc::op_invalid))
        throw ops_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::mailbox_id_collision) &&
        code <= static_cast<std::uint16_t>(errc::mailbox_bad_record))
        throw mailbox_error(std::move(err));
    if (code >= static_cast<std::uint16_t>(errc::closure_context_conflict) &&
        code <= static_cast<std::uint16_t>(errc::closure_store_outlived))
        throw closure_error(std::move(err));
    throw exception(std::move(err));
}

// A value or an error. value() on an error throws the matching cep exception (never undefined behaviour).
// Storage is a two-member union rather than std::variant: every result<T> a program names is instantiated, and a
// variant's machinery made those instantiations a sixth of what compiling <cep/cep.hpp> cost.
template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_same_v<std::remove_cv_t<T>, cep::error>, "result<error> is ambiguous");
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported: hold a pointer or a reference_wrapper");

public:
    using value_type = T;

    result(T value) : value_(std::move(value)), has_value_(true) {}  // NOLINT: implicit like expected
    result(cep::error err) : error_(std::move(err)), has_value_(false) {}  // NOLINT

    result(const result& other)
        requires std::is_copy_constructible_v<T>
        : has_value_(other.has_value_) {
        if (has_value_)
            ::new (static_cast<void*>(&value_)) T(other.value_);
        else
            ::new (static_cast<void*>(&error_)) cep::error(other.error_);
    }
    result(result&& other) noexcept(std::is_nothrow_move_constructible_v<T>) : has_value_(other.has_value_) {
        if (has_value_)
            ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
        else
            ::new (static_cast<void*>(&error_)) cep::error(std::move(other.error_));
    }
    result& operator=(const result& other)
        requires std::is_copy_constructible_v<T> && std::is_copy_assignable_v<T>
    {
        if (this != &other) assign(other);
        return *this;
    }
    result& operator=(result&& other) noexcept(std::is_nothrow_move_constructible_v<T> &&
                                               std::is_nothrow_move_assignable_v<T>) {
        if (this != &other) assign(std::move(other));
        return *this;
    }
    ~result() { destroy(); }

    [[nodiscard]] bool has_value() const noexcept { return has_value_; }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value_; }

    T& value() & {
        check();
        return value_;
    }
    const T& value() const& {
        check();
        return value_;
    }
    T&& value() && {
        check();
        return std::move(value_);
    }
    [[nodiscard]] T& operator*() & { return value(); }
    [[nodiscard]] const T& operator*() const& { return value(); }
    [[nodiscard]] T* operator->() { return &value(); }
    [[nodiscard]] const T* operator->() const { return &value(); }

    template <class U>
    [[nodiscard]] T value_or(U&& fallback) const& {
        return has_value_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

    // Precondition: !has_value(). Asking a success for its error is answered with an error of code none.
    [[nodiscard]] const cep::error& error() const noexcept {
        static const cep::error no_error{};
        return has_value_ ? no_error : error_;
    }

private:
    void check() const {
        if (!has_value_) throw_error(error_);
    }
    void destroy() noexcept {
        if (has_value_)
            value_.~T();
        else
            error_.~error();
    }
    // Same alternative: plain assignment. Otherwise the old one is destroyed first; if building the new one
    // throws, the result is left holding an empty error (code none), never a destroyed member.
    template <class Other>
    void assign(Other&& other) {
        if (has_value_ == other.has_value_) {
            if (has_value_)
                value_ = std::forward<Other>(other).value_;
            else
                error_ = std::forward<Other>(other).error_;
            return;
        }
        destroy();
        try {
            if (other.has_value_)
                ::new (static_cast<void*>(&value_)) T(std::forward<Other>(other).value_);
            else
                ::new (static_cast<void*>(&error_)) cep::error(std::forward<Other>(other).error_);
            has_value_ = other.has_value_;
        } catch (...) {
            ::new (static_cast<void*>(&error_)) cep::error();  // noexcept: an empty message allocates nothing
            has_value_ = false;
            throw;
        }
    }

    union {
        T value_;
        cep::error error_;
    };
    bool has_value_;
};

// A success holds nothing: only a failure builds an error (an empty one, string and all, was built and destroyed by
// every call that succeeded). An error of code none is a success.
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;

    result() noexcept : has_value_(true) {}
    result(cep::error err) : has_value_(err.code == errc::none) {  // NOLINT: implicit like expected
        if (!has_value_) ::new (static_cast<void*>(&error_)) cep::error(std::move(err));
    }
    result(const result& other) : has_value_(other.has_value_) {
        if (!has_value_) ::new (static_cast<void*>(&error_)) cep::error(other.error_);
    }
    result(result&& other) noexcept : has_value_(other.has_value_) {
        if (!has_value_) ::new (static_cast<void*>(&error_)) cep::error(std::move(other.error_));
    }
    // Copied first: if copying the error throws, *this is unchanged.
    result& operator=(const result& other) {
        if (this != &other) assign(result(other));
        return *this;
    }
    result& operator=(result&& other) noexcept {
        if (this != &other) assign(std::move(other));
        return *this;
    }
    ~result() {
        if (!has_value_) error_.~error();
    }

    [[nodiscard]] bool has_value() const noexcept { return has_value_; }
    [[nodiscard]] explicit operator bool() const noexcept { return has_value_; }
    void value() const {
        if (!has_value_) throw_error(error_);
    }
    // A success answers with an error of code none.
    [[nodiscard]] const cep::error& error() const noexcept {
        static const cep::error no_error{};
        return has_value_ ? no_error : error_;
    }

private:
    void assign(result&& other) noexcept {
        if (other.has_value_) {
            if (!has_value_) error_.~error();
            has_value_ = true;
        } else if (has_value_) {
            ::new (static_cast<void*>(&error_)) cep::error(std::move(other.error_));
            has_value_ = false;
        } else {
            error_ = std::move(other.error_);
        }
    }

    union {
        cep::error error_;
    };
    bool has_value_;
};

}  // namespace cep
