// result<T> and the exception hierarchy: values, errors, and the exception each code family throws.
#include <cep/core/error.hpp>
#include <cep/core/status.hpp>

#include <catch2/catch.hpp>

#include <string>

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

TEST_CASE("result<void>") {
    cep::result<void> ok;
    CHECK(ok.has_value());
    CHECK_NOTHROW(ok.value());
    cep::result<void> bad = cep::error{cep::errc::name_empty, "empty"};
    CHECK_FALSE(bad.has_value());
    CHECK_THROWS_AS(bad.value(), cep::name_error);
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
