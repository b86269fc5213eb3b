// cep::callback<R(Args...)>: a copyable, type-erased function object, for the callbacks cep keeps (listeners, the
// heartbeat's journal). It does what std::function does for those, without <functional>: with the unordered
// containers it brings along, that header was a tenth of the time it takes to compile <cep/cep.hpp>.
//
// The callable is held on the heap: making or copying a callback allocates once, calling one does not (one
// indirect call). Anything callable as R(Args...) and copyable is accepted, function pointers included, and pointers
// to members called as std::invoke calls them (the object, or a pointer to it, first); a null pointer, or an empty
// object that converts to false (an empty std::function, say), makes an empty callback. Calling an empty callback
// throws cep::exception (callback_empty): never undefined behaviour. What cannot be called so is rejected by the
// constructor's constraint, not by an error inside this header.
#pragma once

#include <cep/core/error.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace cep {

namespace detail {

template <class Member>
struct member_owner;
template <class T, class Owner>
struct member_owner<T Owner::*> {
    using type = Owner;
};
// Whether `Object` is the member's class (or derived from it), rather than something that points to one.
template <class Member, class Object>
concept owner_itself = std::is_base_of_v<typename member_owner<Member>::type, std::remove_cvref_t<Object>>;

// The call forms of std::invoke that a callback holds, each with its expression as its return type, so that a form
// that does not apply drops out of overload resolution (the constructor's constraint asks for exactly these).
template <class F, class... Args>
    requires(!std::is_member_pointer_v<F>)
constexpr auto call_held(F& f, Args&&... args) -> decltype(f(std::forward<Args>(args)...)) {
    return f(std::forward<Args>(args)...);
}
template <class Member, class Object, class... Args>
    requires std::is_member_function_pointer_v<Member> && owner_itself<Member, Object>
constexpr auto call_held(Member& m, Object&& object, Args&&... args)
    -> decltype((std::forward<Object>(object).*m)(std::forward<Args>(args)...)) {
    return (std::forward<Object>(object).*m)(std::forward<Args>(args)...);
}
template <class Member, class Object, class... Args>
    requires std::is_member_function_pointer_v<Member> && (!owner_itself<Member, Object>)
constexpr auto call_held(Member& m, Object&& object, Args&&... args)
    -> decltype(((*std::forward<Object>(object)).*m)(std::forward<Args>(args)...)) {
    return ((*std::forward<Object>(object)).*m)(std::forward<Args>(args)...);
}
template <class Member, class Object>
    requires std::is_member_object_pointer_v<Member> && owner_itself<Member, Object>
constexpr auto call_held(Member& m, Object&& object) -> decltype(std::forward<Object>(object).*m) {
    return std::forward<Object>(object).*m;
}
template <class Member, class Object>
    requires std::is_member_object_pointer_v<Member> && (!owner_itself<Member, Object>)
constexpr auto call_held(Member& m, Object&& object) -> decltype((*std::forward<Object>(object)).*m) {
    return (*std::forward<Object>(object)).*m;
}

// F (held as an lvalue) called with Args gives something R can be made of (anything, when R is void).
template <class F, class R, class... Args>
concept callable_as = requires(F& f, Args&&... args) { detail::call_held(f, std::forward<Args>(args)...); } &&
                      (std::is_void_v<R> ||
                       std::is_convertible_v<decltype(detail::call_held(std::declval<F&>(), std::declval<Args>()...)),
                                             R>);

}  // namespace detail

template <class Signature>
class callback;

template <class R, class... Args>
class callback<R(Args...)> {
public:
    callback() noexcept = default;
    callback(std::nullptr_t) noexcept {}  // NOLINT: like std::function

    template <class F>
        // Invocable first: the conjunction stops there for a type that is not a function at all (checking whether
        // it is copyable could ask again whether it converts to a callback).
        requires(!std::is_same_v<std::remove_cvref_t<F>, callback> &&
                 detail::callable_as<std::decay_t<F>, R, Args...> && std::is_copy_constructible_v<std::decay_t<F>>)
    callback(F&& f) {  // NOLINT: implicit, like std::function
        using held = std::decay_t<F>;
        if constexpr (std::is_constructible_v<bool, const held&>)
            if (!static_cast<bool>(f)) return;  // a null function pointer, an empty std::function
        object_ = new held(std::forward<F>(f));
        operations_ = &operations_of<held>;
    }

    callback(const callback& other)
        : object_(other.operations_ != nullptr ? other.operations_->copy(other.object_) : nullptr),
          operations_(other.operations_) {}
    callback(callback&& other) noexcept
        : object_(std::exchange(other.object_, nullptr)), operations_(std::exchange(other.operations_, nullptr)) {}
    callback& operator=(const callback& other) {
        callback copy(other);
        swap(copy);
        return *this;
    }
    callback& operator=(callback&& other) noexcept {
        callback moved(std::move(other));
        swap(moved);
        return *this;
    }
    ~callback() {
        if (operations_ != nullptr) operations_->destroy(object_);
    }

    void swap(callback& other) noexcept {
        std::swap(object_, other.object_);
        std::swap(operations_, other.operations_);
    }
    friend void swap(callback& a, callback& b) noexcept { a.swap(b); }

    [[nodiscard]] explicit operator bool() const noexcept { return operations_ != nullptr; }
    [[nodiscard]] friend bool operator==(const callback& c, std::nullptr_t) noexcept { return !c; }

    R operator()(Args... args) const {
        if (operations_ == nullptr) [[unlikely]]
            called_empty();
        return operations_->call(object_, std::forward<Args>(args)...);
    }

private:
    struct operations {
        R (*call)(void* object, Args&&... args);
        void* (*copy)(const void* object);
        void (*destroy)(void* object) noexcept;
    };
    template <class F>
    static constexpr operations operations_of{
        [](void* object, Args&&... args) -> R {
            return static_cast<R>(detail::call_held(*static_cast<F*>(object), std::forward<Args>(args)...));
        },
        [](const void* object) -> void* { return new F(*static_cast<const F*>(object)); },
        [](void* object) noexcept { delete static_cast<F*>(object); },
    };

    [[noreturn, gnu::cold]] static void called_empty() {
        throw exception(error{errc::callback_empty, "called an empty cep::callback (it holds no function)"});
    }

    void* object_ = nullptr;
    const operations* operations_ = nullptr;
};

}  // namespace cep
