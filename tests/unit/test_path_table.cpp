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

TEST_CASE("recycling: below a recycling root, rename() moves an id and its descendants to a new name") {
    cep::path_table table;
    const auto beats = table.intern(cep::path("/rt/beat"));
    const auto old_dir = table.intern(cep::path("/rt/beat/5"));  // interned before the root is declared
    const auto agenda = table.intern(cep::path("/rt/beat/5/agenda"));
    const auto other = table.intern(cep::path("/data/5"));
    table.make_recycling_root(beats);
    CHECK_FALSE(table.recyclable(beats));
    CHECK(table.recyclable(old_dir));
    CHECK(table.recyclable(agenda));
    CHECK_FALSE(table.recyclable(other));
    CHECK(table.recyclable(table.intern(cep::path("/rt/beat/6/stage"))));  // new ids below the root too
    CHECK(table.recycling_unit(agenda) == old_dir);
    CHECK(table.recycling_unit(other) == other);
    CHECK_FALSE(table.owns_plain(agenda));
    CHECK(table.owns_plain(other));

    REQUIRE(table.rename(old_dir, "261"));
    CHECK(table.text_of(old_dir) == "/rt/beat/261");
    CHECK(table.text_of(agenda) == "/rt/beat/261/agenda");  // descendants follow
    CHECK(table.find(cep::path("/rt/beat/261/agenda")) == agenda);
    CHECK_FALSE(table.find(cep::path("/rt/beat/5")).has_value());  // the old name is free (no stale text cache)
    CHECK(table.intern(cep::path("/rt/beat/5")) != old_dir);
    CHECK(table.text_of(other) == "/data/5");  // the segment "5" is still used elsewhere
}

TEST_CASE("recycling: pinned ids, ids outside a root, taken names and bad names are not renamed") {
    cep::path_table table;
    const auto beats = table.intern(cep::path("/rt/beat"));
    table.make_recycling_root(beats);
    const auto a = table.intern(cep::path("/rt/beat/1"));
    const auto b = table.intern(cep::path("/rt/beat/2"));
    const auto deep = table.intern(cep::path("/rt/beat/3/impulses/7"));
    CHECK_FALSE(table.rename(a, "2"));  // a sibling has that name
    CHECK_FALSE(table.rename(a, "bad name"));
    CHECK_FALSE(table.rename(beats, "x"));  // the root itself is not recyclable
    CHECK_FALSE(table.rename(table.intern(cep::path("/data/x")), "y"));
    table.pin(deep);  // pins its ancestors up to the root
    CHECK(table.pinned(deep));
    CHECK(table.pinned(table.parent(deep)));
    CHECK(table.pinned(table.recycling_unit(deep)));
    CHECK_FALSE(table.pinned(b));
    CHECK_FALSE(table.rename(table.recycling_unit(deep), "9"));
    CHECK(table.text_of(deep) == "/rt/beat/3/impulses/7");
    CHECK(table.rename(b, "9"));
    CHECK(table.text_of(a) == "/rt/beat/1");
}

TEST_CASE("recycling: a segment nobody uses any more is forgotten, and its slot serves the next one") {
    cep::path_table table;
    const auto beats = table.intern(cep::path("/rt/beat"));
    table.make_recycling_root(beats);
    const auto dir = table.intern(cep::path("/rt/beat/1000"));
    const std::size_t segments = table.segment_count();
    for (int n = 1001; n < 1100; ++n) REQUIRE(table.rename(dir, std::to_string(n)));
    CHECK(table.segment_count() == segments);  // each number dropped as the next came
    CHECK(table.text_of(dir) == "/rt/beat/1099");
    CHECK_FALSE(table.find(cep::path("/rt/beat/1050")).has_value());
    CHECK(table.size() == 4);  // /, /rt, /rt/beat, the directory
}
