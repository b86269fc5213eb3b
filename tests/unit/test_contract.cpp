// Facet contracts: member tags, the signature rule, methods and properties, satisfies, the run-time texts of
// enforce, custom validation, and the contract registry (at compile time and by name at run time).
#include <cep/contract/contract.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>
#include <cep/core/error.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tags {
CEP_MEMBER(push);
CEP_MEMBER(count);
CEP_MEMBER(store);
CEP_MEMBER(limit);
CEP_MEMBER(a);
CEP_MEMBER(b);
CEP_MEMBER(c);
CEP_MEMBER(p);
CEP_MEMBER(q);
CEP_MEMBER(zeta);
CEP_MEMBER(alpha);
}  // namespace tags

namespace {

// ---- contracts ----

// push(std::string_view) -> int
struct push_contract : cep::contract<"push", cep::method<tags::push, int(std::string_view)>> {};
// push(std::string_view) with any result
struct push_any_contract : cep::contract<"push_any", cep::method<tags::push, void(std::string_view)>> {};
// a property named store
struct store_contract : cep::contract<"store", cep::property<tags::store>> {};
// a method named push, known by name only
struct push_by_name_contract : cep::contract<"push_by_name", cep::method<tags::push>> {};
struct empty_contract : cep::contract<"empty"> {};

// "x": methods a, b, c and properties p, q, in that order, and no validation.
struct x_contract : cep::contract<"x", cep::method<tags::a, void()>, cep::method<tags::b, void()>,
                                  cep::method<tags::c, void()>, cep::property<tags::p>, cep::property<tags::q>> {};

// "limited": a method and a property, and a validation that needs the run-time value of the property.
struct limited_contract
    : cep::contract<"limited", cep::method<tags::count, std::size_t()>, cep::property<tags::limit>> {
    template <class Facet>
    static void validate(const Facet& facet) {
        if (facet.limit <= 0) throw std::runtime_error("limit must be positive");
    }
};

// ---- facets ----

struct pushes {
    int push(std::string_view text) { return static_cast<int>(text.size()); }
};
struct pushes_int {
    int push(int value) { return value; }
};
struct pushes_nothing {
    int push() { return 0; }
};
struct pushes_string_back {
    std::string push(std::string_view text) { return std::string(text); }
};
struct pushes_void {
    void push(std::string_view) {}
};
struct pushes_short {
    short push(std::string_view) { return 1; }
};
struct pushes_overloaded {
    int push(std::string_view) { return 1; }
    int push(int) { return 2; }
};
struct pushes_template {
    template <class T>
    int push(const T&) {
        return 3;
    }
};
struct pushes_only_numbers {
    template <class T>
        requires std::is_arithmetic_v<T>
    int push(T) {
        return 4;
    }
};
struct pushes_const {
    int push(std::string_view) const { return 5; }
};
struct pushes_static {
    static int push(std::string_view) { return 6; }
};
struct push_is_a_function_object {
    std::function<int(std::string_view)> push = [](std::string_view) { return 7; };
};
struct pushes_privately {
private:
    int push(std::string_view) { return 8; }
};
struct no_members {};

struct stores {
    int store = 0;
};
struct store_is_a_method {
    int store() { return 0; }
};
struct stores_statically {
    static inline int store = 0;
};
struct stores_constant {
    static constexpr int store = 1;
};

struct base_pushes {
    int push(std::string_view) { return 9; }
};
struct derived_stores : base_pushes {
    int store = 0;
};

struct has_abc_pq {
    void a() {}
    void b() {}
    void c() {}
    int p = 0;
    int q = 0;
};
struct has_c_pq {
    void c() {}
    int p = 0;
    int q = 0;
};
struct has_abc_p {
    void a() {}
    void b() {}
    void c() {}
    int p = 0;
};
struct has_abc {
    void a() {}
    void b() {}
    void c() {}
};
struct has_b_q {
    void b() {}
    int q = 0;
};

struct limited {
    std::size_t items = 0;
    int limit = 1;
    std::size_t count() const { return items; }
};

struct zeta_alpha_contract : cep::contract<"za", cep::method<tags::zeta, void()>, cep::method<tags::alpha, void()>> {};

// The error of the cep::contract_error that f throws (an error of code none when it throws nothing).
template <class F>
cep::error contract_error_of(F&& f) {
    try {
        f();
    } catch (const cep::contract_error& e) {
        return e.error();
    }
    return {};
}

}  // namespace

// ---- member tags ----

TEST_CASE("a member tag knows its name and how to ask a type about the member") {
    STATIC_REQUIRE(tags::push::cep_name == "push");
    STATIC_REQUIRE(tags::push::cep_callable<int, pushes, std::string_view>);
    STATIC_REQUIRE_FALSE(tags::push::cep_callable<int, pushes, int>);
    STATIC_REQUIRE(tags::push::cep_is_function<pushes>);
    STATIC_REQUIRE_FALSE(tags::push::cep_is_data<pushes>);
    STATIC_REQUIRE(tags::store::cep_is_data<stores>);
    STATIC_REQUIRE_FALSE(tags::store::cep_is_function<stores>);
    STATIC_REQUIRE_FALSE(tags::store::cep_is_data<no_members>);
    stores s{42};
    CHECK(tags::store::cep_get(s) == 42);
    tags::store::cep_get(s) = 7;  // a reference to the member
    CHECK(s.store == 7);
}

// ---- methods: the signature rule ----

TEST_CASE("a method with the right signature satisfies the contract") {
    STATIC_REQUIRE(cep::satisfies<pushes, push_contract>);
    STATIC_REQUIRE(cep::check_contract<push_contract, pushes>());
}

TEST_CASE("a method with the wrong argument types does not") {
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_int, push_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_nothing, push_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<no_members, push_contract>);
}

TEST_CASE("a method whose result is not convertible to the signature's return type does not") {
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_string_back, push_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_void, push_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_short, push_contract>);  // short converts to int
}

TEST_CASE("a void return type in the signature accepts any result") {
    STATIC_REQUIRE(cep::satisfies<pushes, push_any_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_string_back, push_any_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_void, push_any_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_int, push_any_contract>);  // the arguments still count
}

TEST_CASE("overloaded and templated methods satisfy the contract when callable with the signature") {
    STATIC_REQUIRE(cep::satisfies<pushes_overloaded, push_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_template, push_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_only_numbers, push_contract>);
}

TEST_CASE("const and static member functions are methods") {
    STATIC_REQUIRE(cep::satisfies<pushes_const, push_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_static, push_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_static, push_by_name_contract>);
}

TEST_CASE("a data member of callable type is not a method") {
    push_is_a_function_object f;
    CHECK(f.push("x") == 7);  // callable with the signature, but a property
    STATIC_REQUIRE(tags::push::cep_callable<int, push_is_a_function_object, std::string_view>);
    STATIC_REQUIRE_FALSE(cep::satisfies<push_is_a_function_object, push_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<push_is_a_function_object, push_by_name_contract>);
    CHECK(cep::detail::missing_members_text<push_contract, push_is_a_function_object>().view() ==
          "FacetContract 'push': facet is missing required methods: push");
}

TEST_CASE("a private method does not satisfy the contract") {
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_privately, push_contract>);
}

TEST_CASE("members inherited from a base class count") {
    struct both : cep::contract<"both", cep::method<tags::push, int(std::string_view)>, cep::property<tags::store>> {};
    STATIC_REQUIRE(cep::satisfies<derived_stores, both>);
    STATIC_REQUIRE(cep::satisfies<derived_stores, push_by_name_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<base_pushes, both>);
}

// ---- properties ----

TEST_CASE("a data member is a property, a method in place of a property is not") {
    STATIC_REQUIRE(cep::satisfies<stores, store_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<store_is_a_method, store_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<no_members, store_contract>);
    CHECK(cep::detail::missing_members_text<store_contract, store_is_a_method>().view() ==
          "FacetContract 'store': facet is missing required properties: store");
}

TEST_CASE("a static data member is a property") {
    STATIC_REQUIRE(cep::satisfies<stores_statically, store_contract>);
    STATIC_REQUIRE(cep::satisfies<stores_constant, store_contract>);
    stores_statically facet;
    stores_statically::store = 5;
    CHECK(tags::store::cep_get(facet) == 5);  // the static member, reached through an object
    CHECK_NOTHROW(cep::enforce<store_contract>(facet));
}

// ---- presence-only methods ----

TEST_CASE("a method known by name only is found when it is a single member function") {
    STATIC_REQUIRE(cep::satisfies<pushes, push_by_name_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_const, push_by_name_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<stores, push_by_name_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<no_members, push_by_name_contract>);
}

TEST_CASE("a method known by name only is not found when overloaded or templated, which is why signatures exist") {
    // &T::push names no single function, so presence alone cannot be detected; a signature makes it a call.
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_overloaded, push_by_name_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes_template, push_by_name_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_overloaded, push_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes_template, push_contract>);
}

// ---- contracts ----

TEST_CASE("an empty contract is satisfied by any facet") {
    STATIC_REQUIRE(cep::satisfies<no_members, empty_contract>);
    STATIC_REQUIRE(cep::satisfies<pushes, empty_contract>);
    STATIC_REQUIRE(cep::detail::missing_members_text<empty_contract, no_members>().size() == 0);
    CHECK_NOTHROW(cep::enforce<empty_contract>(no_members{}));
    CHECK_NOTHROW(cep::enforce_at_run_time<empty_contract>(no_members{}));
}

TEST_CASE("a contract type has a name and a list of requirements") {
    STATIC_REQUIRE(cep::contract_type<push_contract>);
    STATIC_REQUIRE(cep::contract_type<empty_contract>);
    STATIC_REQUIRE_FALSE(cep::contract_type<pushes>);
    STATIC_REQUIRE_FALSE(cep::satisfies<pushes, pushes>);  // not a contract: never satisfied
    STATIC_REQUIRE(x_contract::name == "x");
    STATIC_REQUIRE(x_contract::requirements::size == 5);
    STATIC_REQUIRE(empty_contract::requirements::size == 0);
    STATIC_REQUIRE(cep::satisfies<has_abc_pq, x_contract>);
}

TEST_CASE("the missing-members text is a constant expression, the source of the C++26 static_assert message") {
    static_assert(cep::detail::missing_members_text<x_contract, has_c_pq>().view() ==
                  "FacetContract 'x': facet is missing required methods: a, b");
    static_assert(cep::detail::missing_members_text<x_contract, has_abc>().view() ==
                  "FacetContract 'x': facet is missing required properties: p, q");
    static_assert(cep::detail::missing_members_text<x_contract, has_abc_pq>().view().empty());
    constexpr auto text = cep::detail::missing_members_text<zeta_alpha_contract, no_members>();
    static_assert(text.view() == "FacetContract 'za': facet is missing required methods: zeta, alpha");
    static_assert(text.size() == text.view().size() && text.data()[0] == 'F');
    SUCCEED();
}

// ---- run time ----

TEST_CASE("enforce at run time names the missing methods in declaration order") {
    const auto e = contract_error_of([] { cep::enforce_at_run_time<x_contract>(has_c_pq{}); });
    CHECK(e.code == cep::errc::contract_missing_methods);
    CHECK(e.message == "FacetContract 'x': facet is missing required methods: a, b");
    CHECK(contract_error_of([] { cep::enforce_at_run_time<zeta_alpha_contract>(no_members{}); }).message ==
          "FacetContract 'za': facet is missing required methods: zeta, alpha");
}

TEST_CASE("enforce at run time names the missing properties when no method is missing") {
    const auto e = contract_error_of([] { cep::enforce_at_run_time<x_contract>(has_abc{}); });
    CHECK(e.code == cep::errc::contract_missing_properties);
    CHECK(e.message == "FacetContract 'x': facet is missing required properties: p, q");
    CHECK(contract_error_of([] { cep::enforce_at_run_time<x_contract>(has_abc_p{}); }).message ==
          "FacetContract 'x': facet is missing required properties: q");
}

TEST_CASE("enforce at run time reports missing methods first when both kinds are missing, as the seed does") {
    const auto e = contract_error_of([] { cep::enforce_at_run_time<x_contract>(has_b_q{}); });
    CHECK(e.code == cep::errc::contract_missing_methods);
    CHECK(e.message == "FacetContract 'x': facet is missing required methods: a, c");
    CHECK(contract_error_of([] { cep::enforce_at_run_time<x_contract>(no_members{}); }).message ==
          "FacetContract 'x': facet is missing required methods: a, b, c");
}

TEST_CASE("a custom validation that throws fails the contract with the validation's message") {
    STATIC_REQUIRE(cep::has_custom_validation<limited_contract, limited>);
    STATIC_REQUIRE(cep::satisfies<limited, limited_contract>);
    limited bad;
    bad.limit = 0;
    const auto e = contract_error_of([&] { cep::enforce<limited_contract>(bad); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'limited': validation failed: limit must be positive");
    CHECK_THROWS_AS(cep::enforce_at_run_time<limited_contract>(bad), cep::contract_error);
    CHECK_THROWS_WITH(cep::enforce_at_run_time<limited_contract>(bad),
                      "FacetContract 'limited': validation failed: limit must be positive");
}

TEST_CASE("a custom validation that passes lets the facet through") {
    limited good;
    good.limit = 3;
    CHECK_NOTHROW(cep::enforce<limited_contract>(good));
    CHECK_NOTHROW(cep::enforce_at_run_time<limited_contract>(good));
}

TEST_CASE("a contract without a validation checks members only") {
    STATIC_REQUIRE_FALSE(cep::has_custom_validation<x_contract, has_abc_pq>);
    CHECK_NOTHROW(cep::enforce<x_contract>(has_abc_pq{}));
    CHECK_NOTHROW(cep::enforce_at_run_time<x_contract>(has_abc_pq{}));
}

TEST_CASE("members are checked before the custom validation runs") {
    struct limit_only {
        int limit = 0;  // would fail the validation, but count() is missing first
    };
    const auto e = contract_error_of([] { cep::enforce_at_run_time<limited_contract>(limit_only{}); });
    CHECK(e.code == cep::errc::contract_missing_methods);
    CHECK(e.message == "FacetContract 'limited': facet is missing required methods: count");
}

TEST_CASE("enforce accepts a satisfying facet") {
    CHECK_NOTHROW(cep::enforce<push_contract>(pushes{}));
    CHECK_NOTHROW(cep::enforce<push_contract>(pushes_static{}));
    CHECK_NOTHROW(cep::enforce<store_contract>(stores{}));
    CHECK_NOTHROW(cep::enforce<push_by_name_contract>(derived_stores{}));
}

// ---- the registry ----

namespace {
using registry = cep::contract_registry<x_contract, limited_contract, push_contract>;
}

TEST_CASE("a registry knows its contracts by name at compile time and at run time") {
    STATIC_REQUIRE(registry::size == 3);
    STATIC_REQUIRE(registry::names == std::array<std::string_view, 3>{"x", "limited", "push"});
    STATIC_REQUIRE(registry::has("limited"));
    STATIC_REQUIRE_FALSE(registry::has("nope"));
    STATIC_REQUIRE_FALSE(registry::has(""));
    STATIC_REQUIRE(registry::contains<"push">);
    STATIC_REQUIRE_FALSE(registry::contains<"store">);
    STATIC_REQUIRE(std::is_same_v<registry::find<"x">, x_contract>);
    STATIC_REQUIRE(std::is_same_v<registry::find<"limited">, limited_contract>);
    STATIC_REQUIRE(std::is_same_v<registry::find<"push">, push_contract>);
    const std::string run_time_name = "push";
    CHECK(registry::has(run_time_name));
}

TEST_CASE("add makes a registry with one more contract") {
    using more = registry::add<store_contract>;
    STATIC_REQUIRE(std::is_same_v<more, cep::contract_registry<x_contract, limited_contract, push_contract,
                                                              store_contract>>);
    STATIC_REQUIRE(more::size == 4);
    STATIC_REQUIRE(more::names[3] == "store");
    STATIC_REQUIRE(more::contains<"store">);
    STATIC_REQUIRE(std::is_same_v<more::find<"store">, store_contract>);
    STATIC_REQUIRE_FALSE(registry::has("store"));  // the original is unchanged

    using empty_registry = cep::contract_registry<>;
    STATIC_REQUIRE(empty_registry::size == 0);
    STATIC_REQUIRE_FALSE(empty_registry::has("x"));
    STATIC_REQUIRE(empty_registry::add<x_contract>::has("x"));
}

TEST_CASE("enforce by name runs the named contract") {
    CHECK_NOTHROW(registry::enforce("x", has_abc_pq{}));
    CHECK_NOTHROW(registry::enforce("push", pushes{}));
    limited good;
    CHECK_NOTHROW(registry::enforce("limited", good));
}

TEST_CASE("enforce by name fails with the contract's own text") {
    auto e = contract_error_of([] { registry::enforce("x", has_c_pq{}); });
    CHECK(e.code == cep::errc::contract_missing_methods);
    CHECK(e.message == "FacetContract 'x': facet is missing required methods: a, b");

    e = contract_error_of([] { registry::enforce("x", has_abc{}); });
    CHECK(e.code == cep::errc::contract_missing_properties);
    CHECK(e.message == "FacetContract 'x': facet is missing required properties: p, q");

    limited bad;
    bad.limit = -1;
    e = contract_error_of([&] { registry::enforce("limited", bad); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'limited': validation failed: limit must be positive");

    // The same facet passes the contracts it satisfies and fails the others.
    CHECK_NOTHROW(registry::enforce("push", pushes{}));
    CHECK(contract_error_of([] { registry::enforce("x", pushes{}); }).message ==
          "FacetContract 'x': facet is missing required methods: a, b, c");
}

TEST_CASE("enforce by name with an unknown name fails with contract_not_registered") {
    const auto e = contract_error_of([] { registry::enforce("nope", pushes{}); });
    CHECK(e.code == cep::errc::contract_not_registered);
    CHECK(e.message == "FacetContractRegistry.enforce: no contract found for name 'nope'");
    CHECK(contract_error_of([] { cep::contract_registry<>::enforce("x", has_abc_pq{}); }).message ==
          "FacetContractRegistry.enforce: no contract found for name 'x'");
}

TEST_CASE("contract failures are cep::contract_error, a cep::exception and a std::exception") {
    CHECK_THROWS_AS(registry::enforce("nope", pushes{}), cep::contract_error);
    CHECK_THROWS_AS(registry::enforce("nope", pushes{}), cep::exception);
    CHECK_THROWS_AS(registry::enforce("nope", pushes{}), std::exception);
    CHECK_THROWS_AS(registry::enforce("x", no_members{}), cep::exception);
    limited bad;
    bad.limit = 0;
    CHECK_THROWS_AS(cep::enforce<limited_contract>(bad), std::exception);
    try {
        registry::enforce("nope", pushes{});
        FAIL("no exception");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()) == "FacetContractRegistry.enforce: no contract found for name 'nope'");
        const auto* cep_error = dynamic_cast<const cep::exception*>(&e);
        REQUIRE(cep_error != nullptr);
        CHECK(cep_error->code() == cep::errc::contract_not_registered);
    }
}

// ---- data members that have no address of their own ----

namespace {
struct counter_store {
    int value = 0;
};
struct stores_by_reference {
    counter_store& store;  // a non-static data member of reference type
};
}  // namespace

TEST_CASE("a data member of reference type is a property") {
    counter_store backing;
    stores_by_reference facet{backing};
    CHECK(tags::store::cep_get(facet).value == 0);
    tags::store::cep_get(facet).value = 3;  // the referent itself
    CHECK(backing.value == 3);
    STATIC_REQUIRE(cep::satisfies<stores_by_reference, store_contract>);
}

namespace {
struct stores_in_bits {
    unsigned store : 4;
};
}  // namespace

TEST_CASE("a bit-field is a property") {
    STATIC_REQUIRE(cep::satisfies<stores_in_bits, store_contract>);
}
