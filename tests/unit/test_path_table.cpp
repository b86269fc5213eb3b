// Interning: identity, structure by id, exact text, no growth on repeat.
#include <cep/core/path_table.hpp>
#include <cep/detail/decimal.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/sorted_map.hpp>
#include <cep/detail/text_less.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

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

TEST_CASE("path_ref / segment builds the path below it, checked like path::child") {
    cep::path_table table;
    const cep::path_ref ref(table, table.intern(cep::path("/env/fs")));
    CHECK(ref / "img.jpg" == cep::path("/env/fs/img.jpg"));
    CHECK((ref / "a" / "b").str() == "/env/fs/a/b");
    CHECK(table.size() == 3);  // built as text: nothing interned
    const auto bad = ref.child("a/b");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == cep::path("/x").child("a/b").error().code);
    CHECK_THROWS_AS(ref / "", cep::path_error);
    CHECK(cep::path_ref(table, cep::path_table::root()) / "top" == cep::path("/top"));
    CHECK(cep::path_ref{} / "top" == cep::path("/top"));  // empty: the root, as to_path()
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

TEST_CASE("interning: a new path under a known parent, under an unknown one, and the root") {
    cep::path_table table;
    CHECK(table.intern(cep::path::root()) == cep::path_table::root());
    const auto parent = table.intern(cep::path("/a/b"));
    const auto child = table.intern(cep::path("/a/b/c"));  // the parent's text is known: one step
    CHECK(table.parent(child) == parent);
    const auto deep = table.intern(cep::path("/x/y/z"));  // nothing known: every segment
    CHECK(table.text_of(deep) == "/x/y/z");
    CHECK(table.text_of(table.parent(deep)) == "/x/y");
    CHECK(table.find(cep::path("/x/y")) == table.parent(deep));  // ancestors interned on the way are found
    // An ancestor interned on the way (not through intern(path)) is found and interned to the same id later.
    CHECK(table.intern(cep::path("/x")) == table.parent(table.parent(deep)));
    CHECK(table.intern(cep::path("/x/y/z/w")) == table.child(deep, "w").value());
    CHECK(table.size() == 8);  // /, a, b, c, x, y, z, w
}

TEST_CASE("interning a compile-time path gives the id interning its text gives, known or new") {
    cep::path_table table;
    const auto known = table.intern(cep::path("/a/b"));
    CHECK(table.intern(cep::path_c<"/a/b">) == known);
    const auto size = table.size();
    const auto fresh = table.intern(cep::path_c<"/a/b/c/d">);  // new: c and d are added, once
    CHECK(table.size() == size + 2);
    CHECK(table.text_of(fresh) == "/a/b/c/d");
    CHECK(table.intern(cep::path("/a/b/c/d")) == fresh);
    CHECK(table.intern(cep::path_c<"/">) == cep::path_table::root());
}

TEST_CASE("child(): the length limit holds whatever the segments' lengths; a known child is found again") {
    // 15 segments of 255 bytes and one of 254: 4095 bytes, so one byte more fits and two do not. The segments are
    // long, so the cheap bound (depth x longest segment) cannot clear the child and the exact length decides.
    std::string long_text;
    for (int i = 0; i < 16; ++i) long_text += "/" + std::string(i == 15 ? 253 : 255, 'l');
    REQUIRE(long_text.size() == 4094);
    cep::path_table table;
    const auto parent = table.intern(cep::path(long_text));
    const auto fits = table.child(parent, "x");  // 4096 bytes: exactly the limit
    REQUIRE(fits.has_value());
    CHECK(table.text_of(*fits).size() == 4096);
    CHECK(table.child(parent, "x").value() == *fits);  // found, not added again
    const auto too_long = table.child(parent, "xy");
    REQUIRE_FALSE(too_long.has_value());
    CHECK(too_long.error().code == cep::errc::path_too_long);
    // Short segments, deep: the bound clears every child up to the depth limit, which still holds.
    std::string deep_text;
    for (int i = 0; i < 128; ++i) deep_text += "/d";
    const auto deep = table.intern(cep::path(deep_text));
    const auto too_deep = table.child(deep, "d");
    REQUIRE_FALSE(too_deep.has_value());
    CHECK(too_deep.error().code == cep::errc::path_too_deep);
    CHECK(table.child(table.parent(deep), "e").has_value());
    // A bad segment is refused even when a valid child of the same parent exists.
    CHECK(table.child(parent, "x y").error().code == cep::errc::path_space);
}

TEST_CASE("interning: paths whose texts share prefixes, lengths and hashes' neighbourhoods stay distinct") {
    cep::path_table table;
    std::vector<cep::path> paths;
    std::vector<cep::path_id> ids;
    for (int i = 0; i < 3000; ++i) {
        // Texts of 7 to 20 bytes: both sides of the hash's 8-byte words, and texts that are prefixes of others.
        std::string text = "/p" + std::to_string(i % 97);
        if (i % 3 != 0) text += "/q" + std::to_string(i);
        if (i % 5 == 0) text += "/r";
        paths.emplace_back(text);
        ids.push_back(table.intern(paths.back()));
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
        CHECK(table.text_of(ids[i]) == paths[i].text());
        CHECK(table.find(paths[i]) == ids[i]);
        CHECK(table.intern(paths[i]) == ids[i]);
    }
    CHECK_FALSE(table.find(cep::path("/p1/q1/r")).has_value());  // i = 1 has no /r
    CHECK_FALSE(table.find(cep::path("/p1/q")).has_value());
}

TEST_CASE("interning: any order of deep paths gives the ids a segment-by-segment walk gives") {
    // Paths up to 9 deep over a small alphabet: they share ancestors at every level, and many ancestors are
    // first interned on the way to a descendant (their own text never asked for) before being asked for.
    std::mt19937 rng(7);
    std::vector<std::string> texts;
    for (int i = 0; i < 4000; ++i) {
        std::string text;
        const int depth = 1 + static_cast<int>(rng() % 9);
        for (int d = 0; d < depth; ++d) text += "/" + std::string(1, static_cast<char>('a' + rng() % 3));
        texts.push_back(text);
    }
    cep::path_table by_text;
    cep::path_table by_walk;
    for (const auto& text : texts) {
        const cep::path p(text);
        const auto id = by_text.intern(p);
        cep::path_id walked = cep::path_table::root();
        for (auto segment : p.segments()) walked = by_walk.child(walked, segment).value();
        CHECK(by_text.text_of(id) == text);
        CHECK(by_text.depth(id) == p.depth());
        CHECK(by_text.find(p.parent()) == by_text.parent(id));
        CHECK(by_text.size() == by_walk.size());  // no path got two ids
    }
    for (const auto& text : texts) CHECK(by_text.intern(cep::path(text)) == by_text.find(cep::path(text)));

    // Below a recycling root nothing is cached on the way: a renamed directory's old name is a new path.
    cep::path_table table;
    table.make_recycling_root(table.intern(cep::path("/rt/beat")));
    const auto deep = table.intern(cep::path("/rt/beat/7/x/y"));
    const auto dir = table.parent(table.parent(deep));
    REQUIRE(table.rename(dir, "8"));
    CHECK(table.text_of(deep) == "/rt/beat/8/x/y");
    const auto again = table.intern(cep::path("/rt/beat/7/x/z"));
    CHECK(table.text_of(again) == "/rt/beat/7/x/z");
    CHECK(table.parent(table.parent(again)) != dir);
}

TEST_CASE("recycling: a text cached before its id became recyclable is no longer served from the cache") {
    cep::path_table table;
    const auto dir = table.intern(cep::path("/rt/beat/7"));  // cached as a plain path
    table.make_recycling_root(table.intern(cep::path("/rt/beat")));
    REQUIRE(table.rename(dir, "8"));
    CHECK_FALSE(table.find(cep::path("/rt/beat/7")).has_value());
    CHECK(table.find(cep::path("/rt/beat/8")) == dir);
    const auto again = table.intern(cep::path("/rt/beat/7"));
    CHECK(again != dir);
    CHECK(table.text_of(again) == "/rt/beat/7");
}

TEST_CASE("flat_index agrees with a reference multimap through inserts, colliding keys and erases") {
    cep::detail::flat_index index;
    std::multimap<std::uint64_t, std::uint32_t> reference;
    std::mt19937_64 random(12345);
    std::uint32_t next_value = 0;
    // Few distinct keys, so that many values share one (like colliding text hashes) and probe runs are long.
    for (int step = 0; step < 20000; ++step) {
        const std::uint64_t key = random() % 600;
        if (random() % 3 != 0) {
            index.insert(key, next_value);
            reference.emplace(key, next_value);
            ++next_value;
        } else {
            // Erase the key's smallest value, if any.
            auto range = reference.equal_range(key);
            std::uint32_t smallest = cep::detail::flat_index::absent;
            for (auto it = range.first; it != range.second; ++it) smallest = std::min(smallest, it->second);
            const bool erased = index.erase(key, [&](std::uint32_t v) { return v == smallest; });
            REQUIRE(erased == (smallest != cep::detail::flat_index::absent));
            for (auto it = range.first; it != range.second; ++it)
                if (it->second == smallest) {
                    reference.erase(it);
                    break;
                }
        }
        REQUIRE(index.size() == reference.size());
    }
    // Every value is found under its key, and only there.
    for (const auto& [key, value] : reference) {
        const std::uint32_t v = value;
        CHECK(index.find(key, [&](std::uint32_t candidate) { return candidate == v; }) == v);
        CHECK(index.find(key + 1000, [&](std::uint32_t candidate) { return candidate == v; }) ==
              cep::detail::flat_index::absent);
    }
    index.clear();
    CHECK(index.size() == 0);
    CHECK(index.find(reference.begin()->first) == cep::detail::flat_index::absent);
}

TEST_CASE("flat_index: a copy is independent, a move leaves an empty index that works, clear() keeps it usable") {
    using cep::detail::flat_index;
    flat_index index;
    for (std::uint32_t v = 0; v < 500; ++v) index.insert(std::uint64_t{v} * 7919, v);  // grows several times
    REQUIRE(index.slots() >= 500);

    flat_index copy = index;
    copy.insert(1, 9999);
    CHECK(copy.size() == 501);
    CHECK(index.size() == 500);
    CHECK(copy.find(1) == 9999);
    CHECK(index.find(1) == flat_index::absent);
    for (std::uint32_t v = 0; v < 500; ++v) REQUIRE(copy.find(std::uint64_t{v} * 7919) == v);

    copy = index;  // copy-assigned over a larger one: the extra value is gone
    CHECK(copy.size() == 500);
    CHECK(copy.find(1) == flat_index::absent);

    flat_index moved = std::move(index);
    CHECK(moved.size() == 500);
    CHECK(moved.find(499 * 7919) == 499);
    // The moved-from index is empty and still usable: it finds nothing, and grows again on insert.
    CHECK(index.size() == 0);  // NOLINT(bugprone-use-after-move): what a move leaves is specified here
    CHECK(index.slots() == 0);
    CHECK(index.find(0) == flat_index::absent);
    CHECK_FALSE(index.erase(0));
    index.insert(42, 7);
    CHECK(index.find(42) == 7);

    const std::size_t slots = moved.slots();
    moved.clear();
    CHECK(moved.size() == 0);
    CHECK(moved.slots() == slots);  // the array is kept
    for (std::uint32_t v = 0; v < 500; ++v) REQUIRE(moved.find(std::uint64_t{v} * 7919) == flat_index::absent);
    moved.insert(5, 5);
    CHECK(moved.find(5) == 5);
}

TEST_CASE("sorted_map agrees with std::map through inserts, assignments, erases and front erases") {
    cep::detail::sorted_map<std::uint64_t, std::uint64_t> map;
    std::map<std::uint64_t, std::uint64_t> reference;
    std::mt19937_64 random(777);
    const auto same = [&] {
        REQUIRE(map.size() == reference.size());
        REQUIRE(std::equal(map.begin(), map.end(), reference.begin(), reference.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first && a.second == b.second; }));
    };
    for (int step = 0; step < 20000; ++step) {
        const std::uint64_t key = random() % 400;
        switch (random() % 6) {
        case 0:
        case 1: {  // try_emplace keeps a value that is there
            const auto [it, inserted] = map.try_emplace(key, std::uint64_t(step));
            const auto [ref, ref_inserted] = reference.try_emplace(key, std::uint64_t(step));
            REQUIRE(inserted == ref_inserted);
            REQUIRE(it->second == ref->second);
            break;
        }
        case 2: {  // insert_or_assign replaces it
            const auto [it, inserted] = map.insert_or_assign(key, std::uint64_t(step));
            REQUIRE(inserted == reference.insert_or_assign(key, std::uint64_t(step)).second);
            REQUIRE(it->second == std::uint64_t(step));
            break;
        }
        case 3: {  // erase one entry, anywhere
            const auto it = map.find(key);
            const auto ref = reference.find(key);
            REQUIRE((it == map.end()) == (ref == reference.end()));
            if (ref != reference.end()) {
                map.erase(it);
                reference.erase(ref);
            }
            break;
        }
        case 4: {  // erase everything below a bound: from the front, as the heartbeat and the queue do
            const std::uint64_t bound = key / 8;
            map.erase(map.begin(), map.lower_bound(bound));
            reference.erase(reference.begin(), reference.lower_bound(bound));
            break;
        }
        default: {  // operator[] and lookups
            map[key] += 1;
            reference[key] += 1;
            REQUIRE(map.contains(key));
            REQUIRE(map.at(key) == reference.at(key));
            const auto lower = map.lower_bound(key + 1);
            const auto ref_lower = reference.lower_bound(key + 1);
            REQUIRE((lower == map.end()) == (ref_lower == reference.end()));
            if (ref_lower != reference.end()) REQUIRE(lower->first == ref_lower->first);
            break;
        }
        }
        same();
    }
    CHECK_THROWS_AS(map.at(100000), std::out_of_range);
    map.clear();
    CHECK(map.empty());
    CHECK(map.find(0) == map.end());
}

TEST_CASE("sorted_map: keys found by view, front erasures give their slots to earlier keys, values are released") {
    cep::detail::sorted_map<std::string, std::vector<int>, cep::detail::text_less> map;
    for (const char* key : {"m", "c", "x", "a", "q"}) map.try_emplace(std::string(key), 3, 1);
    const std::string_view view = "q";
    REQUIRE(map.find(view) != map.end());  // searched with a string_view, no string built
    CHECK(map.find(std::string_view("b")) == map.end());

    // Erasing the two first keys moves a start index; a key that sorts first then takes a dropped slot.
    map.erase(map.begin(), map.lower_bound(std::string_view("d")));
    REQUIRE(map.size() == 3);
    CHECK(map.begin()->first == "m");
    map.try_emplace(std::string("b"), 1, 2);
    std::vector<std::string> keys;
    for (const auto& [key, value] : map) keys.push_back(key);
    CHECK(keys == std::vector<std::string>{"b", "m", "q", "x"});
    CHECK(map.at(std::string_view("b")) == std::vector<int>{2});
    CHECK(map.at(std::string_view("x")) == std::vector<int>{1, 1, 1});

    // Erasing down to nothing from the front, then using the map again.
    map.erase(map.begin(), map.end());
    CHECK(map.empty());
    map.insert_or_assign(std::string("k"), std::vector<int>{4});
    CHECK(map.size() == 1);
    CHECK(map.at(std::string_view("k")) == std::vector<int>{4});
}

TEST_CASE("decimal: the digits of any u64; parse_decimal takes digits only and refuses what overflows") {
    using cep::detail::decimal;
    using cep::detail::parse_decimal;
    CHECK(decimal(0).view() == "0");
    CHECK(decimal(7).view() == "7");
    CHECK(decimal(10).view() == "10");
    CHECK(decimal(1234567890).view() == "1234567890");
    CHECK(decimal(std::numeric_limits<std::uint64_t>::max()).view() == "18446744073709551615");
    static_assert(decimal(4096).view() == "4096");  // usable at compile time
    std::mt19937_64 random(99);
    for (int k = 0; k < 2000; ++k) {
        const std::uint64_t n = random() >> (random() % 64);
        REQUIRE(decimal(n).view() == std::to_string(n));
        REQUIRE(parse_decimal<std::uint64_t>(decimal(n).view()) == n);
    }

    CHECK(parse_decimal<std::uint64_t>("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
    CHECK(parse_decimal<std::uint64_t>("18446744073709551616") == std::nullopt);
    CHECK(parse_decimal<std::uint64_t>("99999999999999999999") == std::nullopt);
    CHECK(parse_decimal<std::uint32_t>("4294967295") == 4294967295u);
    CHECK(parse_decimal<std::uint32_t>("4294967296") == std::nullopt);
    CHECK(parse_decimal<std::uint32_t>("007") == 7u);  // leading zeros, as std::from_chars
    for (const std::string_view bad : {"", "-1", "+1", " 1", "1 ", "1x", "0x10", "1.5"})
        CHECK(parse_decimal<std::uint64_t>(bad) == std::nullopt);
}

TEST_CASE("hash_text: every byte of a text, and its length, change the hash") {
    std::unordered_set<std::uint64_t> seen;
    std::size_t texts = 0;
    for (std::size_t length = 0; length <= 40; ++length) {
        const std::string base(length, 'a');
        const auto h = cep::detail::hash_text(base);
        CHECK(seen.insert(h).second);  // no two lengths of "aaa..." collide
        ++texts;
        for (std::size_t at = 0; at < length; ++at) {
            std::string changed = base;
            changed[at] = 'b';
            const auto hc = cep::detail::hash_text(changed);
            CHECK(hc != h);
            CHECK(seen.insert(hc).second);
            ++texts;
        }
    }
    CHECK(seen.size() == texts);
}

TEST_CASE("same_text: equal exactly when the texts are, whatever the length and wherever they differ") {
    for (std::size_t length = 0; length <= 40; ++length) {
        INFO("length " << length);
        const std::string base(length, 'a');
        const std::string copy = base;  // another buffer: the loads compare bytes, not addresses
        CHECK(cep::detail::same_text(base, copy));
        CHECK_FALSE(cep::detail::same_text(base, base + "a"));
        CHECK_FALSE(cep::detail::same_text(base + "a", base));
        for (std::size_t at = 0; at < length; ++at) {
            INFO("differs at " << at);
            std::string changed = base;
            changed[at] = 'b';
            CHECK_FALSE(cep::detail::same_text(base, changed));
            CHECK_FALSE(cep::detail::same_text(changed, base));
        }
    }
    // Views into a longer buffer: only their own bytes count (the loads overlap inside the view, never past it).
    const std::string buffer = "/env/fs/projects/p1/env/fs/projects/p2";
    const std::string_view first(buffer.data(), 19);
    const std::string_view second(buffer.data() + 19, 19);
    CHECK(first == "/env/fs/projects/p1");
    CHECK_FALSE(cep::detail::same_text(first, second));
    CHECK(cep::detail::same_text(first.substr(0, 17), second.substr(0, 17)));
}

TEST_CASE("hash_text gives the compiler the value it computes at run time") {
    constexpr std::uint64_t at_compile_time = cep::detail::hash_text("/signals/image/thumbnail");
    static_assert(at_compile_time == cep::detail::hash_text("/signals/image/thumbnail"));
    const std::string text = "/signals/image/thumbnail";
    CHECK(cep::detail::hash_text(text) == at_compile_time);
    for (const char* sample : {"", "/", "/ab", "/abc", "/abcdefg", "/abcdefgh", "/a/b/c/d/e/f/g/h/i"}) {
        INFO(sample);
        const std::string runtime(sample);
        CHECK(cep::detail::hash_text(runtime) == cep::detail::hash_text(std::string_view(sample)));
    }
    static_assert(cep::path_c<"/a/b">.hash == cep::detail::hash_text("/a/b"));
}

TEST_CASE("text_length: the length of an id's text without building it") {
    cep::path_table table;
    CHECK(table.text_length(cep::path_table::root()) == 1);  // "/"
    for (const char* text : {"/a", "/a/bc", "/data/CEP/CEP/L1/contexts/0123456789abcdef", "/x/y/z/w"}) {
        INFO(text);
        const auto id = table.intern(cep::path(text));
        CHECK(table.text_length(id) == std::string_view(text).size());
        CHECK(table.text_length(id) == table.text_of(id).size());
    }
    // A renamed (recycled) id: the length follows the new name.
    const auto top = table.intern(cep::path("/rt/beat"));
    table.make_recycling_root(top);
    const auto dir = table.child(top, "7").value();
    REQUIRE(table.rename(dir, "1234"));
    CHECK(table.text_length(dir) == std::string_view("/rt/beat/1234").size());
    CHECK_THROWS_AS(table.text_length(cep::path_id{999999}), cep::path_error);
}

TEST_CASE("kept paths made by their text: child() and find_child() find them, beside children made by child()") {
    cep::path_table table;
    const auto box = table.child(table.child(cep::path_table::root(), "m").value(), "box").value();
    const auto by_walk = table.child(box, "walked").value();  // in the child index
    const std::size_t segments = table.segment_count();
    const auto k1 = table.intern(cep::path("/m/box/k1"));  // made by its text
    const auto k2 = table.intern(cep::path("/m/box/k2"));
    CHECK(table.segment_count() == segments);  // no segment held for them
    CHECK(table.parent(k1) == box);
    CHECK(table.depth(k1) == 3);
    CHECK(table.leaf(k1) == "k1");
    CHECK(table.text_of(k2) == "/m/box/k2");
    CHECK(table.text_length(k2) == 9);
    CHECK(table.child(box, "k1").value() == k1);
    CHECK(table.find_child(box, "k2") == k2);
    CHECK(table.find_child(box, "walked") == by_walk);
    CHECK_FALSE(table.find_child(box, "k3").has_value());
    CHECK(table.intern(cep::path("/m/box/walked")) == by_walk);
    const auto k3 = table.child(box, "k3").value();  // a new child by segment beside them
    CHECK(table.intern(cep::path("/m/box/k3")) == k3);
    CHECK(table.find(cep::path("/m/box/k1")) == k1);
    // Below one: children by text and by segment, and a deep new path whose ancestors are new too.
    const auto x = table.child(k1, "x").value();
    CHECK(table.text_of(x) == "/m/box/k1/x");
    CHECK(table.intern(cep::path("/m/box/k1/x")) == x);
    const auto deep = table.intern(cep::path("/m/box/k1/y/z/w"));
    CHECK(table.text_of(deep) == "/m/box/k1/y/z/w");
    cep::path_id walked = cep::path_table::root();
    const cep::path deep_path("/m/box/k1/y/z/w");  // held: segments() views its text
    for (auto segment : deep_path.segments()) walked = table.child(walked, segment).value();
    CHECK(walked == deep);
    const cep::path_ref ref(table, deep);
    CHECK(ref == cep::path("/m/box/k1/y/z/w"));
    CHECK(ref.str() == "/m/box/k1/y/z/w");
}

TEST_CASE("kept paths made by their text: child() still bounds the length by their long segments") {
    cep::path_table table;
    std::string text;
    for (int k = 0; k < 15; ++k) text += "/" + std::string(255, static_cast<char>('a' + k));
    text += "/" + std::string(200, 'z');  // 4,041 bytes, every id made by its text
    const auto id = table.intern(cep::path(text));
    CHECK(table.leaf(id) == std::string(200, 'z'));
    CHECK(table.text_length(id) == 4041);
    const auto too_long = table.child(id, std::string(255, 'b'));
    REQUIRE_FALSE(too_long.has_value());
    CHECK(too_long.error().code == cep::errc::path_too_long);
    CHECK(table.child(id, std::string(54, 'b')).has_value());  // 4,096 bytes: fits
}

TEST_CASE("kept paths made by their text below a new recycling root get segments: renames carry them along") {
    cep::path_table table;
    const auto dir = table.intern(cep::path("/rt/beat/7"));
    const auto leaf = table.intern(cep::path("/rt/beat/7/agenda/e1"));
    const auto beats = table.find(cep::path("/rt/beat")).value();
    table.make_recycling_root(beats);
    REQUIRE(table.rename(dir, "8"));
    CHECK(table.text_of(leaf) == "/rt/beat/8/agenda/e1");
    CHECK(table.leaf(leaf) == "e1");
    CHECK(table.find(cep::path("/rt/beat/8/agenda/e1")) == leaf);
    CHECK(table.child(table.parent(leaf), "e1").value() == leaf);
    CHECK_FALSE(table.find(cep::path("/rt/beat/7/agenda/e1")).has_value());
    CHECK_FALSE(table.rename(dir, "8"));  // its own name: taken
    const auto sibling = table.intern(cep::path("/rt/beat/9"));
    CHECK_FALSE(table.rename(sibling, "8"));  // a sibling has that name
}

TEST_CASE("kept paths made by their text keep a run mark, which survives the compaction of the text cache") {
    cep::path_table table;
    using claim = cep::path_table::run_claim;
    std::vector<cep::path_id> kept;
    for (int i = 0; i < 8; ++i) kept.push_back(table.intern(cep::path("/keep/k" + std::to_string(i))));
    const auto walked = table.child(table.find(cep::path("/keep")).value(), "walked").value();
    CHECK(table.holds_run_mark(kept[3]));
    CHECK_FALSE(table.holds_run_mark(walked));  // made by segment: its runs are claimed on memo entries
    CHECK(table.claim_run(walked, 5, 77) == claim::taken);  // no mark to claim on: the caller keeps a memo entry
    CHECK(table.last_run(kept[3]).beat == cep::path_table::never_ran);
    CHECK(table.claim_run(kept[3], 5, 77) == claim::claimed);
    CHECK(table.claim_run(kept[3], 5, 77) == claim::ran_already);
    CHECK(table.claim_run(kept[3], 5, 78) == claim::taken);
    CHECK(table.claimed_run(kept[3], 5, 77));
    CHECK(table.last_run(kept[4]).beat == cep::path_table::never_ran);  // marks are per id
    // Texts made dead (a recycling root over many cached ones), then compacted by a release.
    for (int i = 0; i < 400; ++i) (void)table.intern(cep::path("/big/dir/item" + std::to_string(i)));
    const std::size_t before = table.text_bytes();
    table.make_recycling_root(table.find(cep::path("/big")).value());
    (void)table.release_unused([](cep::path_id) { return false; });
    CHECK(table.text_bytes() < before / 2);  // compacted
    CHECK(table.last_run(kept[3]).beat == 5);
    CHECK(table.last_run(kept[3]).signal == 77);
    CHECK(table.claim_run(kept[3], 5, 77) == claim::ran_already);
    CHECK(table.claim_run(kept[5], 5, 77) == claim::claimed);
    CHECK(table.text_of(kept[3]) == "/keep/k3");
    CHECK(table.find(cep::path("/keep/k3")) == kept[3]);
    CHECK(table.text_of(table.find(cep::path("/big/dir/item7")).value()) == "/big/dir/item7");
}
