// Names: compile-time literals and run-time checks follow the same rules.
#include <cep/core/name.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace cep::literals;

TEST_CASE("name literals are checked at compile time and compare by text") {
    constexpr cep::name resize = "resize_image";
    constexpr cep::name tag = "ist:run";
    static_assert(resize.view() == "resize_image");
    static_assert(tag.size() == 7);
    static_assert(resize != tag);
    static_assert(cep::name("a") < cep::name("b"));
    constexpr auto typed = "opm:direct"_name;
    static_assert(typed.text == "opm:direct");
    constexpr cep::name converted = typed;
    CHECK(converted == std::string_view("opm:direct"));
    CHECK(resize.str() == "resize_image");
}

TEST_CASE("run-time names: valid ones pass") {
    for (const char* ok : {"a", "_x", "resize_image", "ist:run", "custom-processor", "v1.2", "OPH",
                           "A234567890123456789012345678901234567890123456789012345678901234"}) {
        INFO(ok);
        CHECK(cep::check_name(ok).has_value());
    }
}

TEST_CASE("run-time names: each rule has its message") {
    struct row {
        std::string text;
        cep::errc code;
        std::string message;
    };
    const std::string too_long(65, 'a');
    const row rows[] = {
        {"", cep::errc::name_empty, R"(invalid name "" at offset 0: a name must not be empty)"},
        {too_long, cep::errc::name_too_long,
         "invalid name \"" + too_long + "\" at offset 64: a name is at most 64 characters long"},
        {"9lives", cep::errc::name_bad_first_character,
         R"(invalid name "9lives" at offset 0: a name must start with an ASCII letter or '_')"},
        {"-x", cep::errc::name_bad_first_character,
         R"(invalid name "-x" at offset 0: a name must start with an ASCII letter or '_')"},
        {"a b", cep::errc::name_invalid_character,
         R"(invalid name "a b" at offset 1: a name may contain only ASCII letters, digits, '_', '-', '.' and ':')"},
        {"a/b", cep::errc::name_invalid_character,
         R"(invalid name "a/b" at offset 1: a name may contain only ASCII letters, digits, '_', '-', '.' and ':')"},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        auto checked = cep::check_name(r.text);
        REQUIRE_FALSE(checked.has_value());
        CHECK(checked.error().code == r.code);
        CHECK(checked.error().message == r.message);
        CHECK_THROWS_AS(checked.value(), cep::name_error);
    }
}
