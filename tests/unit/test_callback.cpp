// cep::callback: the type-erased function object cep keeps for listeners and the journal (instead of
// std::function, whose header cep does not include).
#include <cep/core/callback.hpp>

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <type_traits>
#include <utility>

namespace {

int twice(int x) { return 2 * x; }

// Counts live copies: making, copying, assigning and destroying callbacks must neither leak nor double-destroy.
struct counted {
    static inline int live = 0;
    int calls = 0;
    counted() { ++live; }
    counted(const counted& other) : calls(other.calls) { ++live; }
    counted& operator=(const counted&) = default;
    ~counted() { --live; }
    int operator()() { return ++calls; }
};

}  // namespace

TEST_CASE("callback: an empty callback is false, and calling it throws callback_empty") {
    const cep::callback<int(int)> none;
    CHECK_FALSE(none);
    CHECK(none == nullptr);
    try {
        (void)none(1);
        FAIL("an empty callback was called");
    } catch (const cep::exception& e) {
        CHECK(e.code() == cep::errc::callback_empty);
        CHECK(std::string(e.what()) == "called an empty cep::callback (it holds no function)");
    }
    CHECK(cep::to_string(cep::errc::callback_empty) == "callback_empty");
}

TEST_CASE("callback: holds lambdas and function pointers; a null pointer or an empty std::function makes it empty") {
    int base = 10;
    cep::callback<int(int)> add = [&base](int x) { return base + x; };
    REQUIRE(add);
    CHECK(add(5) == 15);
    base = 20;
    CHECK(add(5) == 25);  // holds the lambda itself, which refers to base

    cep::callback<int(int)> pointer = &twice;
    CHECK(pointer(21) == 42);
    int (*null_pointer)(int) = nullptr;
    const cep::callback<int(int)> from_null = null_pointer;
    CHECK_FALSE(from_null);
    const cep::callback<int(int)> from_empty_function = std::function<int(int)>();
    CHECK_FALSE(from_empty_function);
    const cep::callback<int(int)> from_function = std::function<int(int)>(&twice);
    CHECK(from_function(4) == 8);

    // The result converts to R; a void callback drops a value.
    const cep::callback<long(int)> widened = [](int x) { return x + 1; };
    CHECK(widened(1) == 2L);
    int seen = 0;
    const cep::callback<void(int)> ignoring = [&seen](int x) {
        seen = x;
        return x;
    };
    ignoring(7);
    CHECK(seen == 7);
}

TEST_CASE("callback: copies are independent, a move empties its source, nothing leaks") {
    counted::live = 0;
    {
        cep::callback<int()> first = counted{};
        CHECK(counted::live == 1);
        CHECK(first() == 1);
        CHECK(first() == 2);

        cep::callback<int()> copy = first;  // copies the function object and its state
        CHECK(counted::live == 2);
        CHECK(copy() == 3);
        CHECK(first() == 3);

        cep::callback<int()> moved = std::move(first);  // takes the object: no copy
        CHECK(counted::live == 2);
        CHECK_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from callback is empty
        CHECK(moved() == 4);

        copy = moved;  // copy assignment destroys the old object
        CHECK(counted::live == 2);
        CHECK(copy() == 5);
        auto& same = copy;
        copy = same;  // self-assignment keeps it
        CHECK(copy() == 6);
        CHECK(counted::live == 2);

        moved = nullptr;
        CHECK_FALSE(moved);
        CHECK(counted::live == 1);

        using std::swap;
        swap(moved, copy);
        CHECK(moved() == 7);
        CHECK_FALSE(copy);
    }
    CHECK(counted::live == 0);
}

namespace {

struct account {
    int balance = 0;
    int deposit(int amount) { return balance += amount; }
    [[nodiscard]] int doubled() const { return 2 * balance; }
};
struct savings : account {};
struct unrelated {
    int deposit(int amount) { return amount; }
};

// What the constructor's constraint accepts is exactly what a call can do: the rest is no conversion at all (a
// mismatch is a clear "no viable conversion" at the caller, never an error inside callback.hpp).
static_assert(std::is_constructible_v<cep::callback<int(account&, int)>, decltype(&account::deposit)>);
static_assert(std::is_constructible_v<cep::callback<int(account*, int)>, decltype(&account::deposit)>);
static_assert(std::is_constructible_v<cep::callback<int(savings&, int)>, decltype(&account::deposit)>);
static_assert(std::is_constructible_v<cep::callback<int(const account&)>, decltype(&account::balance)>);
static_assert(!std::is_constructible_v<cep::callback<int(const account&, int)>, decltype(&account::deposit)>,
              "a non-const member function cannot be called on a const object");
static_assert(!std::is_constructible_v<cep::callback<int(unrelated&, int)>, decltype(&account::deposit)>);
static_assert(!std::is_constructible_v<cep::callback<int(account&)>, decltype(&account::deposit)>,
              "an argument is missing");
static_assert(!std::is_constructible_v<cep::callback<std::string(int)>, int (*)(int)>,
              "the result does not convert to R");
static_assert(!std::is_constructible_v<cep::callback<int(int)>, int>, "not callable");

}  // namespace

TEST_CASE("callback: holds pointers to members, called with the object or a pointer to it first") {
    account a;
    savings s;
    const cep::callback<int(account&, int)> deposit = &account::deposit;
    CHECK(deposit(a, 5) == 5);
    CHECK(deposit(s, 7) == 7);  // a derived object
    CHECK(a.balance == 5);

    const cep::callback<int(account*, int)> through_pointer = &account::deposit;
    CHECK(through_pointer(&a, 1) == 6);

    const cep::callback<int(const account&)> doubled = &account::doubled;
    CHECK(doubled(a) == 12);

    // A pointer to a data member reads the member (and the reference it gives converts to R).
    const cep::callback<int(const account&)> balance = &account::balance;
    CHECK(balance(s) == 7);
    const cep::callback<int(const account*)> balance_of = &account::balance;
    CHECK(balance_of(&a) == 6);

    // A null pointer to member makes an empty callback, like a null function pointer.
    int (account::*none)(int) = nullptr;
    const cep::callback<int(account&, int)> empty = none;
    CHECK_FALSE(empty);
    CHECK_THROWS_AS(empty(a, 1), cep::exception);
}
