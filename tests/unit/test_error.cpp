// result<T> and the exception hierarchy: values, errors, and the exception each code family throws.
#include <cep/core/error.hpp>
#include <cep/core/status.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

TEST_CASE("result holds a value or an error") {
    cep::result<int> ok = 42;
    CHECK(ok.has_value());
    CHECK(static_cast<bool>(ok));
    CHECK(*ok == 42);
    CHECK(ok.value_or(7) == 42);
    CHECK(ok.error().code == cep::errc::none);

    cep::result<int> bad = cep::error{cep::errc::cell_not_found, "no cell at \"/x\""};
    CHECK_FALSE(bad.has_value());
    CHECK(bad.value_or(7) == 7);
    CHECK(bad.error().message == "no cell at \"/x\"");
    CHECK_THROWS_AS(bad.value(), cep::tree_error);
    CHECK_THROWS_WITH(bad.value(), "no cell at \"/x\"");
}

namespace {
// Counts live instances, and can be told to throw when copied: result's own storage must neither leak nor
// double-destroy whatever assignment does.
struct tracked {
    static inline int live = 0;
    static inline bool throw_on_copy = false;
    std::string text;
    explicit tracked(std::string t) : text(std::move(t)) { ++live; }
    tracked(const tracked& other) : text(other.text) {
        if (throw_on_copy) throw std::runtime_error("copy refused");
        ++live;
    }
    tracked(tracked&& other) noexcept : text(std::move(other.text)) { ++live; }
    tracked& operator=(const tracked&) = default;
    tracked& operator=(tracked&&) noexcept = default;
    ~tracked() { --live; }
};
}  // namespace

TEST_CASE("result copies, moves and assigns between a value and an error without leaking either") {
    tracked::live = 0;
    {
        const cep::error missing{cep::errc::cell_not_found, "missing"};
        cep::result<tracked> a = tracked("a");
        cep::result<tracked> b = missing;
        CHECK(tracked::live == 1);

        cep::result<tracked> copy = a;  // value copied
        CHECK(copy->text == "a");
        CHECK(tracked::live == 2);
        copy = b;  // value -> error
        CHECK_FALSE(copy.has_value());
        CHECK(copy.error().message == "missing");
        CHECK(tracked::live == 1);
        copy = a;  // error -> value
        CHECK(copy->text == "a");
        CHECK(tracked::live == 2);
        copy = cep::result<tracked>(tracked("c"));  // value -> value, by move
        CHECK(copy->text == "c");
        CHECK(tracked::live == 2);
        cep::result<tracked> moved = std::move(copy);
        CHECK(moved->text == "c");
        b = std::move(moved);  // error -> value, by move
        CHECK(b->text == "c");

        // A copy that throws while an error turns into a value leaves an empty error, not a dead member.
        cep::result<tracked> target = missing;
        tracked::throw_on_copy = true;
        CHECK_THROWS_WITH(target = a, "copy refused");
        tracked::throw_on_copy = false;
        CHECK_FALSE(target.has_value());
        CHECK(target.error().code == cep::errc::none);
        target = a;
        CHECK(target->text == "a");
    }
    CHECK(tracked::live == 0);
}

TEST_CASE("result of a move-only type moves but does not copy") {
    using owning = cep::result<std::unique_ptr<int>>;
    STATIC_REQUIRE(std::is_move_constructible_v<owning>);
    STATIC_REQUIRE(std::is_move_assignable_v<owning>);
    STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<owning>);
    STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<owning>);
    owning r = std::make_unique<int>(5);
    owning other = std::move(r);
    CHECK(**other == 5);
    std::unique_ptr<int> taken = std::move(other).value();
    CHECK(*taken == 5);
}

TEST_CASE("result<void>") {
    cep::result<void> ok;
    CHECK(ok.has_value());
    CHECK_NOTHROW(ok.value());
    cep::result<void> bad = cep::error{cep::errc::name_empty, "empty"};
    CHECK_FALSE(bad.has_value());
    CHECK_THROWS_AS(bad.value(), cep::name_error);

    // An error whose code is none is a success.
    CHECK(cep::result<void>(cep::error{}).has_value());
    // Copies and moves carry the error, or its absence, both ways.
    cep::result<void> copy = bad;
    CHECK(copy.error().message == "empty");
    copy = ok;
    CHECK(copy.has_value());
    CHECK(copy.error().code == cep::errc::none);
    copy = bad;
    CHECK(copy.error().code == cep::errc::name_empty);
    cep::result<void> moved = std::move(copy);
    CHECK(moved.error().message == "empty");
    moved = cep::result<void>(cep::error{cep::errc::cell_exists, "again"});  // error -> another error
    CHECK(moved.error().message == "again");
    moved = cep::result<void>();
    CHECK(moved.has_value());
}

TEST_CASE("each error family throws its own exception type, all derived from cep::exception") {
    CHECK_THROWS_AS(cep::throw_error({cep::errc::path_empty, "p"}), cep::path_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::path_unknown_id, "p"}), cep::path_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::name_invalid_character, "n"}), cep::name_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::cell_sealed, "t"}), cep::tree_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::cell_stale_view, "t"}), cep::tree_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::contract_validation_failed, "c"}), cep::contract_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::build_init_failed, "b"}), cep::build_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::beat_in_past, "h"}), cep::heartbeat_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::unknown_enzyme, "h"}), cep::heartbeat_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::invalid_policy, "h"}), cep::heartbeat_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::cell_cannot_move, "t"}), cep::tree_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::op_unknown, "o"}), cep::ops_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::op_invalid, "o"}), cep::ops_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::mailbox_id_collision, "m"}), cep::mailbox_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::mailbox_bad_record, "m"}), cep::mailbox_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::closure_context_conflict, "c"}), cep::closure_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::closure_bad_record, "c"}), cep::closure_error);
    CHECK_THROWS_AS(cep::throw_error({cep::errc::closure_store_outlived, "c"}), cep::closure_error);
    // A general code is thrown as cep::exception itself, none of the family types.
    try {
        cep::throw_error({cep::errc::callback_empty, "g"});
    } catch (const cep::closure_error&) {
        FAIL("callback_empty was thrown as a closure_error");
    } catch (const cep::exception& e) {
        CHECK(e.code() == cep::errc::callback_empty);
    }
    try {
        cep::throw_error({cep::errc::cell_sealed, "sealed!"});
    } catch (const cep::exception& e) {
        CHECK(e.code() == cep::errc::cell_sealed);
        CHECK(std::string(e.what()) == "sealed!");
        CHECK(e.error().message == "sealed!");
    }
    CHECK_THROWS_AS(cep::throw_error({cep::errc::cell_sealed, "x"}), std::exception);
}

TEST_CASE("codes and statuses have stable names") {
    CHECK(cep::to_string(cep::errc::path_empty_segment) == "path_empty_segment");
    CHECK(cep::to_string(cep::errc::cell_too_many_links) == "cell_too_many_links");
    CHECK(cep::to_string(cep::errc::cell_cannot_move) == "cell_cannot_move");
    CHECK(cep::to_string(cep::errc::op_status_conflict) == "op_status_conflict");
    CHECK(cep::to_string(cep::errc::mailbox_missing_origin) == "mailbox_missing_origin");
    CHECK(cep::to_string(cep::errc::closure_not_queued) == "closure_not_queued");
    CHECK(cep::to_string(cep::status::success) == "success");
    CHECK(cep::to_string(cep::status::retry) == "retry");
    CHECK(cep::to_string(cep::status::fatal) == "fatal");
}
