// Interning: identity, structure by id, exact text, no growth on repeat.
#include <cep/core/path_table.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <unordered_set>

TEST_CASE("the same path always gets the same id; different paths get different ids") {
    cep::path_table table;
    const auto a = table.intern(cep::path("/signals/image/thumbnail"));
    const auto b = table.intern(cep::path("/signals/image/thumbnail"));
    const auto c = table.intern(cep::path("/signals/image"));
    const auto d = table.intern(cep::path("/signals/db/write"));
    CHECK(a == b);
    CHECK(a != c);
    CHECK(c != d);
    CHECK(table.parent(a) == c);
    CHECK(table.intern(cep::path::root()) == cep::path_table::root());
    auto by_text = table.intern(std::string_view("/signals/image/thumbnail"));
    REQUIRE(by_text.has_value());
    CHECK(*by_text == a);
}

TEST_CASE("interning a known path adds nothing") {
    cep::path_table table;
    (void)table.intern(cep::path("/a/b/c"));
    const auto size = table.size();
    CHECK(size == 4);  // root, /a, /a/b, /a/b/c
    (void)table.intern(cep::path("/a/b/c"));
    (void)table.intern(cep::path("/a/b"));
    CHECK(table.size() == size);
    CHECK(table.find(cep::path("/a/b/c")).has_value());
    CHECK_FALSE(table.find(cep::path("/a/b/x")).has_value());
    CHECK(table.size() == size);
}

TEST_CASE("ids expose structure and rebuild their exact text") {
    cep::path_table table;
    const auto id = table.intern(cep::path("/env/fs/projects/p1/img123.jpg"));
    CHECK(table.depth(id) == 5);
    CHECK(table.leaf(id) == "img123.jpg");
    CHECK(table.text_of(id) == "/env/fs/projects/p1/img123.jpg");
    CHECK(table.path_of(id) == cep::path("/env/fs/projects/p1/img123.jpg"));
    CHECK(table.text_of(cep::path_table::root()) == "/");
    CHECK(table.leaf(cep::path_table::root()).empty());
    CHECK(table.parent(cep::path_table::root()) == cep::path_table::root());
    const auto projects = *table.find(cep::path("/env/fs/projects"));
    CHECK(table.contains(projects, id));
    CHECK(table.contains(id, id));
    CHECK_FALSE(table.contains(id, projects));
    CHECK(table.contains(cep::path_table::root(), id));
    const auto other = table.intern(cep::path("/env/fs/other"));
    CHECK_FALSE(table.contains(projects, other));
}

TEST_CASE("the same segment under different parents is told apart") {
    cep::path_table table;
    const auto x1 = table.intern(cep::path("/a/x"));
    const auto x2 = table.intern(cep::path("/b/x"));
    CHECK(x1 != x2);
    CHECK(table.leaf(x1) == table.leaf(x2));
    CHECK(table.text_of(x1) == "/a/x");
    CHECK(table.text_of(x2) == "/b/x");
}

TEST_CASE("child() checks the segment; unknown ids are errors, not undefined behaviour") {
    cep::path_table table;
    const auto a = table.intern(cep::path("/a"));
    auto ok = table.child(a, "b");
    REQUIRE(ok.has_value());
    CHECK(table.text_of(*ok) == "/a/b");
    auto bad = table.child(a, "b c");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message == R"(invalid path "/a/b c" at offset 4: space is not allowed)");
    CHECK(table.child(a, "**").error().code == cep::errc::path_glob_outside_query);
    CHECK(table.child(cep::path_table::root(), "").error().message ==
          R"(invalid path "/" at offset 1: empty segment ('//'))");
    try {
        (void)table.text_of(cep::path_id{999});
        FAIL("unknown id accepted");
    } catch (const cep::path_error& e) {
        CHECK(e.code() == cep::errc::path_unknown_id);
        CHECK(std::string(e.what()) == "path id 999 does not belong to this path table");
    }
    CHECK(table.intern(std::string_view("nope")).error().code == cep::errc::path_not_absolute);
}

TEST_CASE("many paths intern to dense ids") {
    cep::path_table table;
    std::unordered_set<std::uint32_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const auto id = table.intern(cep::path("/n/" + std::to_string(i)));
        CHECK(seen.insert(id.value).second);
        CHECK(table.text_of(id) == "/n/" + std::to_string(i));
    }
    CHECK(table.size() == 1002);
}

TEST_CASE("path_ref: an interned path as enzymes see it, compared and walked without allocation") {
    cep::path_table table;
    const auto id = table.intern(cep::path("/env/fs/img.jpg"));
    const cep::path_ref ref(table, id);
    CHECK_FALSE(ref.empty());
    CHECK(ref.depth() == 3);
    CHECK(ref.leaf() == "img.jpg");
    CHECK(ref.parent().leaf() == "fs");
    CHECK(ref.str() == "/env/fs/img.jpg");
    CHECK(ref.to_path() == cep::path("/env/fs/img.jpg"));
    CHECK(ref == cep::path("/env/fs/img.jpg"));
    CHECK_FALSE(ref == cep::path("/env/fs/img.png"));
    CHECK_FALSE(ref == cep::path("/env/fs"));
    CHECK_FALSE(ref == cep::path("/env/fx/img.jpg"));
    std::string_view segments[4];
    REQUIRE(ref.segments(segments) == 3);
    CHECK(segments[0] == "env");
    CHECK(segments[2] == "img.jpg");
    CHECK(ref == cep::path_ref(table, table.intern(cep::path("/env/fs/img.jpg"))));
    const cep::path_ref root(table, cep::path_table::root());
    CHECK(root.is_root());
    CHECK(root == cep::path("/"));
    const cep::path_ref none;
    CHECK(none.empty());
    CHECK(none.str().empty());
    CHECK_FALSE(none == cep::path("/"));
    CHECK_THROWS_AS(cep::path_ref(table, cep::path_id{12345}), cep::path_error);
}
