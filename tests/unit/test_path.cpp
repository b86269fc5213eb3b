// Paths and queries: the grammar (valid and invalid text with the exact error), round trips, structure,
// compile-time literals, glob matching and specificity.
#include <cep/core/path.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace cep::literals;

TEST_CASE("valid paths parse and round-trip exactly") {
    const std::vector<std::string> valid = {
        "/",
        "/a",
        "/signals/image/thumbnail",
        "/env/fs/projects/p1/img123.jpg",
        "/rt/beat/42/impulses",
        "/sig_cei/warn",
        "/history/OPH:1",
        "/a-b/c.d/e_f/g:h",
        "/UPPER/lower/123",
        "/utf8/\xc3\xa9t\xc3\xa9",
        "/..a/a../.a./...",  // dots inside a segment are fine; only "." and ".." alone are not
        "/" + std::string(255, 'x'),
    };
    for (const auto& text : valid) {
        INFO(text);
        auto parsed = cep::path::parse(text);
        REQUIRE(parsed.has_value());
        CHECK(parsed->str() == text);
        CHECK(cep::path(text) == *parsed);
    }
}

struct invalid_case {
    std::string text;
    cep::errc code;
    std::string message;
};

TEST_CASE("invalid paths are rejected with the rule and the offset") {
    const std::string long_segment(256, 'x');
    std::string too_long;
    while (too_long.size() <= cep::path_limits::max_length) too_long += "/abcdefg";
    std::string too_deep;
    for (int i = 0; i < 129; ++i) too_deep += "/d";

    const std::vector<invalid_case> cases = {
        {"", cep::errc::path_empty, R"(invalid path "" at offset 0: the text is empty)"},
        {"a/b", cep::errc::path_not_absolute, R"(invalid path "a/b" at offset 0: it must start with '/')"},
        {"relative", cep::errc::path_not_absolute, R"(invalid path "relative" at offset 0: it must start with '/')"},
        {" /a", cep::errc::path_not_absolute, R"(invalid path " /a" at offset 0: it must start with '/')"},
        {"//", cep::errc::path_empty_segment, R"(invalid path "//" at offset 1: empty segment ('//'))"},
        {"/a//b", cep::errc::path_empty_segment, R"(invalid path "/a//b" at offset 3: empty segment ('//'))"},
        {"//a", cep::errc::path_empty_segment, R"(invalid path "//a" at offset 1: empty segment ('//'))"},
        {"/a/", cep::errc::path_trailing_slash, R"(invalid path "/a/" at offset 2: trailing '/')"},
        {"/a/b/", cep::errc::path_trailing_slash, R"(invalid path "/a/b/" at offset 4: trailing '/')"},
        {"/a/./b", cep::errc::path_dot_segment,
         R"(invalid path "/a/./b" at offset 3: '.' and '..' segments are not allowed)"},
        {"/a/..", cep::errc::path_dot_segment,
         R"(invalid path "/a/.." at offset 3: '.' and '..' segments are not allowed)"},
        {"/..", cep::errc::path_dot_segment, R"(invalid path "/.." at offset 1: '.' and '..' segments are not allowed)"},
        {std::string("/a\tb"), cep::errc::path_control_character,
         R"(invalid path "/a\x09b" at offset 2: control character (bytes 0x00-0x1f and 0x7f are not allowed))"},
        {std::string("/a\nb"), cep::errc::path_control_character,
         R"(invalid path "/a\x0ab" at offset 2: control character (bytes 0x00-0x1f and 0x7f are not allowed))"},
        {std::string("/a\0b", 4), cep::errc::path_control_character,
         R"(invalid path "/a\x00b" at offset 2: control character (bytes 0x00-0x1f and 0x7f are not allowed))"},
        {std::string("/del\x7f"), cep::errc::path_control_character,
         R"(invalid path "/del\x7f" at offset 4: control character (bytes 0x00-0x1f and 0x7f are not allowed))"},
        {"/a b", cep::errc::path_space, R"(invalid path "/a b" at offset 2: space is not allowed)"},
        {"/" + long_segment, cep::errc::path_segment_too_long,
         "invalid path \"/" + std::string(79, 'x') + "...\" at offset 1: segment longer than 255 bytes"},
        {too_long, cep::errc::path_too_long,
         "invalid path \"" + too_long.substr(0, 80) + "...\" at offset 4096: longer than 4096 bytes"},
        {too_deep, cep::errc::path_too_deep,
         "invalid path \"" + too_deep.substr(0, 80) + "...\" at offset 257: more than 128 segments"},
        {"/a/*", cep::errc::path_glob_outside_query,
         R"(invalid path "/a/*" at offset 3: '*' and '**' segments are only allowed in a query)"},
        {"/**/b", cep::errc::path_glob_outside_query,
         R"(invalid path "/**/b" at offset 1: '*' and '**' segments are only allowed in a query)"},
        {"/img*.jpg", cep::errc::path_partial_glob,
         R"(invalid path "/img*.jpg" at offset 4: '*' must be a whole segment ('*' or '**'))"},
        {"/a/***", cep::errc::path_partial_glob,
         R"(invalid path "/a/***" at offset 3: '*' must be a whole segment ('*' or '**'))"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto parsed = cep::path::parse(c.text);
        REQUIRE_FALSE(parsed.has_value());
        CHECK(parsed.error().code == c.code);
        CHECK(parsed.error().message == c.message);
        try {
            cep::path thrown(c.text);
            FAIL("constructor accepted invalid text");
        } catch (const cep::path_error& e) {
            CHECK(e.code() == c.code);
            CHECK(std::string(e.what()) == c.message);
        }
    }
    CHECK(cases.size() >= 20);
}

TEST_CASE("a quote or backslash in rejected text is escaped in the message") {
    auto parsed = cep::path::parse("a\"b\\");
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().message == R"(invalid path "a\"b\\" at offset 0: it must start with '/')");
}

TEST_CASE("limits are inclusive") {
    std::string deepest;
    for (std::size_t i = 0; i < cep::path_limits::max_depth; ++i) deepest += "/d";
    CHECK(cep::path::parse(deepest).has_value());
    std::string longest = "/" + std::string(255, 'a');
    while (longest.size() + 256 < cep::path_limits::max_length) longest += "/" + std::string(255, 'b');
    longest += "/" + std::string(cep::path_limits::max_length - longest.size() - 1, 'c');
    REQUIRE(longest.size() == cep::path_limits::max_length);
    CHECK(cep::path::parse(longest).has_value());
    CHECK_FALSE(cep::path::parse(longest + "c").has_value());
}

TEST_CASE("path structure: depth, segments, leaf, parent, child, contains") {
    const cep::path p("/env/fs/projects");
    CHECK(p.depth() == 3);
    std::vector<std::string> segments;
    for (auto s : p.segments()) segments.emplace_back(s);
    CHECK(segments == std::vector<std::string>{"env", "fs", "projects"});
    CHECK(p.leaf() == "projects");
    CHECK(p.parent() == cep::path("/env/fs"));
    CHECK(cep::path("/env").parent() == cep::path::root());
    CHECK(cep::path::root().depth() == 0);
    CHECK(cep::path::root().segments().empty());
    CHECK(cep::path::root().leaf().empty());
    CHECK(cep::path().is_root());

    CHECK((p / "p1").str() == "/env/fs/projects/p1");
    CHECK((cep::path::root() / "a").str() == "/a");
    auto bad = p.child("x/y");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == cep::errc::path_empty_segment);
    CHECK(p.child("*").error().code == cep::errc::path_glob_outside_query);
    CHECK(p.child("..").error().message ==
          R"(invalid path "/env/fs/projects/.." at offset 17: '.' and '..' segments are not allowed)");
    CHECK_THROWS_AS(p / "", cep::path_error);

    try {
        (void)cep::path::root().parent();
        FAIL("root has a parent");
    } catch (const cep::path_error& e) {
        CHECK(e.code() == cep::errc::path_root_has_no_parent);
        CHECK(std::string(e.what()) == R"(invalid path operation on "/": the root has no parent)");
    }

    CHECK(p.contains(cep::path("/env/fs/projects/p1/img.jpg")));
    CHECK(p.contains(p));
    CHECK_FALSE(p.contains(cep::path("/env/fs/projectsX")));
    CHECK_FALSE(p.contains(cep::path("/env/fs")));
    CHECK(cep::path::root().contains(p));
}

TEST_CASE("paths order by text and hash by text") {
    CHECK(cep::path("/a") < cep::path("/a/b"));
    CHECK(cep::path("/a/b") < cep::path("/b"));
    CHECK(std::hash<cep::path>{}(cep::path("/x/y")) == std::hash<cep::path>{}(cep::path("/x/y")));
    CHECK(std::hash<cep::path>{}(cep::path("/x/y")) != std::hash<cep::path>{}(cep::path("/x/z")));
}

TEST_CASE("a path's kept hash is its text's, however the path was made") {
    const auto expect = [](const cep::path& p) {
        INFO(p.str());
        CHECK(p.hash() == cep::detail::hash_text(p.text()));
        CHECK(std::hash<cep::path>{}(p) == static_cast<std::size_t>(p.hash()));
    };
    expect(cep::path());
    expect(cep::path::root());
    expect(cep::path("/env/fs/projects/p1"));
    expect(cep::path::parse("/a/b").value());
    expect("/signals/image/thumbnail"_path);
    expect(cep::path("/a") / "b");
    expect(cep::path("/a/b/c").parent());
    expect(cep::path("/a").parent());
    cep::path assigned = cep::path("/first");
    assigned = cep::path("/second/text/longer/than/the/buffer/of/a/short/string");
    expect(assigned);
    cep::path copied = assigned;
    expect(copied);
    // Equal texts made different ways are equal paths; the hash rejects unequal ones first.
    CHECK(cep::path("/a/b") == cep::path("/a") / "b");
    CHECK(cep::path("/a/b") == cep::path("/a/b/c").parent());
    CHECK(cep::path("/a/b") == cep::path("/a/b"_path));
    CHECK_FALSE(cep::path("/a/b") == cep::path("/a/c"));
    CHECK_FALSE(cep::path("/a/b") == cep::path("/a/bb"));
}

TEST_CASE("compile-time literals are validated and convert to runtime values") {
    constexpr auto literal = "/signals/image/thumbnail"_path;
    static_assert(literal.text == "/signals/image/thumbnail");
    static_assert(literal.depth == 3);
    static_assert(cep::path_c<"/">.depth == 0);
    cep::path runtime = literal;
    CHECK(runtime.str() == "/signals/image/thumbnail");

    constexpr auto q = "/env/fs/projects/*"_query;
    static_assert(q.depth == 4);
    cep::query query = q;
    CHECK(query.specificity() == 3);
    cep::query from_path = "/a/b"_path;
    CHECK(from_path.text() == "/a/b");
    // The same rules as run time: a literal and parse() agree.
    static_assert(cep::detail::check_path_text("/a//b", cep::detail::path_grammar::path).code ==
                  cep::errc::path_empty_segment);
    static_assert(cep::detail::check_path_text("/a/**", cep::detail::path_grammar::query).code == cep::errc::none);
}

TEST_CASE("queries accept glob segments and reject partial ones") {
    CHECK(cep::query::parse("/a/*/c").has_value());
    CHECK(cep::query::parse("/**").has_value());
    CHECK(cep::query::parse("/a/**/b/*").has_value());
    auto partial = cep::query::parse("/a/b*");
    REQUIRE_FALSE(partial.has_value());
    CHECK(partial.error().message == R"(invalid query "/a/b*" at offset 4: '*' must be a whole segment ('*' or '**'))");
    CHECK(cep::query::parse("/a//b").error().code == cep::errc::path_empty_segment);
    CHECK(cep::query::parse("a").error().code == cep::errc::path_not_absolute);
    CHECK_THROWS_AS(cep::query("/a/"), cep::path_error);
}

TEST_CASE("query matching: exact segments, '*' one segment, '**' zero or more") {
    struct row {
        const char* query;
        const char* path;
        bool match;
    };
    const std::vector<row> rows = {
        {"/a/b", "/a/b", true},
        {"/a/b", "/a/b/c", false},
        {"/a/b", "/a", false},
        {"/a/*", "/a/b", true},
        {"/a/*", "/a", false},
        {"/a/*", "/a/b/c", false},
        {"/*/*", "/x/y", true},
        {"/a/**", "/a", true},
        {"/a/**", "/a/b/c/d", true},
        {"/a/**", "/b", false},
        {"/**", "/", true},
        {"/**", "/x/y/z", true},
        {"/**/z", "/z", true},
        {"/**/z", "/a/b/z", true},
        {"/**/z", "/a/b/z/q", false},
        {"/a/**/b/**/c", "/a/x/b/y/y/c", true},
        {"/a/**/b/**/c", "/a/b/c", true},
        {"/a/**/b/**/c", "/a/c/b", false},
        {"/a/**/*/c", "/a/c", false},
        {"/a/**/*/c", "/a/x/c", true},
        {"/", "/", true},
        {"/", "/a", false},
        {"/env/fs/projects/*", "/env/fs/projects/p1", true},
        {"/env/fs/projects/*", "/env/fs/projects/p1/img123.jpg", false},
    };
    for (const auto& r : rows) {
        INFO(r.query << " ~ " << r.path);
        CHECK(cep::query(r.query).matches(cep::path(r.path)) == r.match);
    }
}

TEST_CASE("specificity counts literal segments") {
    CHECK(cep::query("/").specificity() == 0);
    CHECK(cep::query("/a/b/c").specificity() == 3);
    CHECK(cep::query("/a/*/c").specificity() == 2);
    CHECK(cep::query("/**").specificity() == 0);
    CHECK_FALSE(cep::query("/a/b").has_glob());
    CHECK(cep::query("/a/**").has_glob());
}

namespace {
template <class T>
cep::path literal_in_template() {
    return "/inside/a/template"_path;  // clang++ 14 failed to link consteval literal templates used here
}
}  // namespace

TEST_CASE("literals work inside templates") {
    CHECK(literal_in_template<int>().str() == "/inside/a/template");
}
