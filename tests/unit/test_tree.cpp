// The cell tree: dictionaries, lists, links, values, sealing, removal, views and deterministic iteration.
#include <cep/core/tree.hpp>

#include <catch2/catch.hpp>

#include <range/v3/range/concepts.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/range/operations.hpp>
#include <range/v3/iterator/operations.hpp>
#include <range/v3/view/transform.hpp>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <ranges>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace {
cep::path P(const char* text) { return cep::path(text); }

std::vector<std::string> child_names(const cep::cell_view& cell) {
    return cell.children() | ranges::views::transform([](const cep::cell_view& c) { return std::string(c.name()); }) |
           ranges::to<std::vector>();
}
std::vector<std::string> subtree_paths(const cep::cell_tree& tree, const cep::cell_view& top) {
    return tree.subtree(top) | ranges::views::transform([](const cep::cell_view& c) { return c.path().str(); }) |
           ranges::to<std::vector>();
}
}  // namespace

TEST_CASE("a new tree has only the root, an empty dictionary") {
    cep::cell_tree tree;
    CHECK(tree.size() == 1);
    auto root = tree.root();
    CHECK(root.is_dictionary());
    CHECK(root.path() == cep::path::root());
    CHECK(root.size() == 0);
    CHECK_FALSE(root.parent().has_value());
    CHECK(tree.find(P("/")).has_value());
    CHECK_FALSE(tree.find(P("/a")).has_value());
}

TEST_CASE("put creates intermediates and sets text or bytes") {
    cep::cell_tree tree;
    auto cell = tree.put_text(P("/data/assets/img123/thumbnail"), "new-bytes").value();
    CHECK(tree.size() == 5);
    CHECK(cell.text() == "new-bytes");
    CHECK(cell.value_type() == cep::value_kind::text);
    auto assets = tree.find(P("/data/assets"));
    REQUIRE(assets.has_value());
    CHECK(assets->is_dictionary());
    CHECK_FALSE(assets->has_value());

    const std::byte raw[] = {std::byte{0}, std::byte{0xff}, std::byte{7}};
    auto bin = tree.put_bytes(P("/cas/abc"), raw).value();
    CHECK(bin.value_type() == cep::value_kind::bytes);
    REQUIRE(bin.bytes().size() == 3);
    CHECK(bin.bytes()[1] == std::byte{0xff});

    // Overwrite, then clear.
    CHECK(tree.put_text(P("/data/assets/img123/thumbnail"), "v2").value().text() == "v2");
    CHECK(tree.clear_value(P("/data/assets/img123/thumbnail")).has_value());
    CHECK_FALSE(tree.find(P("/data/assets/img123/thumbnail"))->has_value());
    CHECK(tree.clear_value(P("/nope")).error().code == cep::errc::cell_not_found);
}

TEST_CASE("find and lookup by path and by interned id agree") {
    cep::cell_tree tree;
    auto made = tree.put_text(P("/a/b/c"), "x").value();
    auto by_path = tree.find(P("/a/b/c"));
    auto by_id = tree.find(made.id());
    REQUIRE(by_path.has_value());
    REQUIRE(by_id.has_value());
    CHECK(*by_path == *by_id);
    CHECK(*by_path == made);
    auto missing = tree.lookup(P("/a/b/zzz"));
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == cep::errc::cell_not_found);
    CHECK(missing.error().message == R"(no cell at "/a/b/zzz")");
    CHECK_FALSE(tree.contains(P("/a/x/c")));
}

TEST_CASE("dictionary children iterate in name order whatever the insertion order") {
    cep::cell_tree a;
    cep::cell_tree b;
    const std::vector<std::string> names = {"zeta", "alpha", "Mid", "beta", "alpha2", "10", "9"};
    for (const auto& n : names) (void)a.put_text(cep::path::root() / n, n);
    for (auto it = names.rbegin(); it != names.rend(); ++it) (void)b.put_text(cep::path::root() / *it, *it);
    const std::vector<std::string> expected = {"10", "9", "Mid", "alpha", "alpha2", "beta", "zeta"};
    CHECK(child_names(a.root()) == expected);
    CHECK(child_names(b.root()) == expected);
    CHECK(a.root().child("beta")->text() == "beta");
    CHECK_FALSE(a.root().child("gamma").has_value());
}

TEST_CASE("children added in any order read in name order after every mix of writes, reads and removals") {
    // New children go to the back and are put in order at the next ordered read (children(), subtree(), remove):
    // check that order against a sorted copy after each step of a scripted mix, with names that tie on their first
    // 8 bytes, names shorter than 8 bytes that prefix others, and bytes above 0x7f (compared unsigned).
    cep::cell_tree tree;
    std::vector<std::string> names;
    std::vector<std::string> pool;
    for (int i = 0; i < 300; ++i) {
        const unsigned x = static_cast<unsigned>(i) * 2654435761u;
        pool.push_back("prefix__" + std::to_string(x % 1000));  // ties on the first 8 bytes
        pool.push_back(std::to_string(x % 97));                   // short, often prefixes of others
        pool.push_back(std::string("\xc3\xa9t\xc3\xa9") + std::to_string(x % 50));  // UTF-8, bytes >= 0x80
        pool.push_back("h" + std::to_string(x));
    }
    const auto expected = [&] {
        auto sorted = names;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    };
    const auto add = [&](const std::string& n) {
        if (std::find(names.begin(), names.end(), n) != names.end()) return;
        REQUIRE(tree.put_text(P("/d") / n, n).has_value());
        names.push_back(n);
    };
    std::size_t next = 0;
    for (int round = 0; round < 40; ++round) {
        const std::size_t batch = round % 3 == 0 ? 1 : static_cast<std::size_t>(round * 7 % 50);  // 1 or a batch
        for (std::size_t k = 0; k < batch && next < pool.size(); ++k) add(pool[next++]);
        if (round % 4 == 1) {
            // A removal orders the siblings first, then takes one out of the middle.
            const std::string gone = expected()[names.size() / 2];
            REQUIRE(tree.remove(P("/d") / gone).has_value());
            std::erase(names, gone);
        }
        if (round % 2 == 0) {
            REQUIRE(child_names(*tree.find(P("/d"))) == expected());
        } else {
            std::vector<std::string> walked;
            for (const auto& p : subtree_paths(tree, *tree.find(P("/d"))))
                if (p != "/d") walked.push_back(p.substr(3));
            REQUIRE(walked == expected());
        }
        for (const auto child : tree.find(P("/d"))->children()) REQUIRE(child.text() == child.name());
    }
    CHECK(names.size() > 300);
}

TEST_CASE("removed children leave their parent's listing and size at once, and their cells are reused safely") {
    // A removed child stays in its parent's vector, dead, until the next ordered read: check that no read sees it,
    // that size() counts only live children, that a removed name can come back, and that removing the parent of
    // such children frees every cell once (a cell freed twice would later be handed to two paths, and writing one
    // would overwrite the other).
    cep::cell_tree tree;
    std::vector<std::string> names;
    for (int i = 0; i < 64; ++i) {
        names.push_back("k" + std::to_string(i * 37 % 64));
        REQUIRE(tree.put_text(P("/d") / names.back(), names.back()).has_value());
    }
    const auto live = [&] {
        auto sorted = names;
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    };
    // Several removals with no read between them (fewer than half: no compaction on the way).
    for (const char* gone : {"k5", "k40", "k0", "k63", "k17"}) {
        REQUIRE(tree.remove(P("/d") / gone).has_value());
        std::erase(names, std::string(gone));
        CHECK(tree.find(P("/d"))->size() == names.size());
        CHECK_FALSE(tree.find(P("/d") / gone).has_value());
    }
    CHECK(child_names(*tree.find(P("/d"))) == live());
    // A removed name comes back once; more removals, then a walk instead of a listing.
    REQUIRE(tree.put_text(P("/d/k40"), "k40").has_value());
    names.push_back("k40");
    for (const char* gone : {"k1", "k2", "k3"}) {
        REQUIRE(tree.remove(P("/d") / gone).has_value());
        std::erase(names, std::string(gone));
    }
    std::vector<std::string> walked;
    for (const auto& p : subtree_paths(tree, *tree.find(P("/d"))))
        if (p != "/d") walked.push_back(p.substr(3));
    CHECK(walked == live());
    // Remove most of them (past half: compactions on the way), then the parent itself with removed children in it.
    while (names.size() > 10) {
        const std::string gone = names[names.size() / 3];
        REQUIRE(tree.remove(P("/d") / gone).has_value());
        std::erase(names, gone);
        REQUIRE(tree.find(P("/d"))->size() == names.size());
    }
    REQUIRE(tree.remove(P("/d") / names[0]).has_value());
    REQUIRE(tree.remove(P("/d")).has_value());
    CHECK_FALSE(tree.find(P("/d")).has_value());
    // Every freed cell is handed out once: new cells each keep their own value.
    for (int i = 0; i < 200; ++i) REQUIRE(tree.put_text(P("/e") / ("n" + std::to_string(i)), std::to_string(i)).has_value());
    for (int i = 0; i < 200; ++i) REQUIRE(tree.find(P("/e") / ("n" + std::to_string(i)))->text() == std::to_string(i));
    CHECK(tree.find(P("/e"))->size() == 200);
}

TEST_CASE("make_dictionary is idempotent; a cell of another kind is an error") {
    cep::cell_tree tree;
    auto first = tree.make_dictionary(P("/x/y")).value();
    auto second = tree.make_dictionary(P("/x/y")).value();
    CHECK(first == second);
    (void)tree.make_list(P("/x/l")).value();
    auto clash = tree.make_dictionary(P("/x/l"));
    REQUIRE_FALSE(clash.has_value());
    CHECK(clash.error().code == cep::errc::cell_wrong_kind);
    CHECK(clash.error().message == R"(cell "/x/l" is a list, not a dictionary)");
    CHECK(tree.make_list(P("/x/y")).error().message == R"(cell "/x/y" is a dictionary, not a list)");
}

TEST_CASE("lists are append-only with automatic entry names") {
    cep::cell_tree tree;
    (void)tree.make_list(P("/rt/ops/op1/history"), "OPH").value();
    auto e1 = tree.append_text(P("/rt/ops/op1/history"), "ist:run").value();
    auto e2 = tree.append(P("/rt/ops/op1/history")).value();
    auto e3 = tree.append_text(P("/rt/ops/op1/history"), "ist:ok").value();
    CHECK(e1.name() == "OPH:1");
    CHECK(e2.name() == "OPH:2");
    CHECK(e3.path().str() == "/rt/ops/op1/history/OPH:3");
    CHECK(e1.is_dictionary());  // an entry can hold fields
    (void)tree.put_text(e2.path() / "beat", "7").value();
    CHECK(tree.find(P("/rt/ops/op1/history/OPH:2/beat"))->text() == "7");

    auto history = *tree.find(P("/rt/ops/op1/history"));
    CHECK(history.is_list());
    CHECK(child_names(history) == std::vector<std::string>{"OPH:1", "OPH:2", "OPH:3"});
    CHECK_FALSE(history.child("OPH:4").has_value());
    CHECK_FALSE(history.child("OPH:0").has_value());
    CHECK_FALSE(history.child("OPH:01").has_value());
    CHECK_FALSE(history.child("3").has_value());
    CHECK_FALSE(history.child("OPW:1").has_value());

    // Unprefixed lists count from 1.
    (void)tree.make_list(P("/rt/beat/1/impulses")).value();
    CHECK(tree.append_text(P("/rt/beat/1/impulses"), "signal=/a target=/b").value().name() == "1");

    auto removed = tree.remove(P("/rt/ops/op1/history/OPH:1"));
    REQUIRE_FALSE(removed.has_value());
    CHECK(removed.error().code == cep::errc::cell_list_append_only);
    CHECK(removed.error().message ==
          R"(cannot remove "/rt/ops/op1/history/OPH:1": entries of list "/rt/ops/op1/history" are append-only)");
    auto named = tree.put_text(P("/rt/ops/op1/history/custom"), "x");
    REQUIRE_FALSE(named.has_value());
    CHECK(named.error().code == cep::errc::cell_not_a_dictionary);
    CHECK(named.error().message ==
          R"(cannot create "/rt/ops/op1/history/custom": "/rt/ops/op1/history" is a list (lists take entries through append))");
    auto not_list = tree.append(P("/rt/ops/op1"));
    CHECK(not_list.error().message == R"(cannot append to "/rt/ops/op1": it is a dictionary, not a list)");
    CHECK(tree.make_list(P("/bad"), "no way").error().code == cep::errc::name_invalid_character);
    CHECK(tree.make_list(P("/rt/ops/op1/history"), "OPW").error().message ==
          R"(list "/rt/ops/op1/history" exists with entry prefix "OPH", not "OPW")");
}

TEST_CASE("links alias another path for reading and writing") {
    cep::cell_tree tree;
    (void)tree.make_list(P("/rt/beat/1/impulses")).value();
    (void)tree.append_text(P("/rt/beat/1/impulses"), "signal=/s target=/t").value();
    auto inbox = tree.link(P("/rt/beat/1/inbox"), P("/rt/beat/1/impulses")).value();
    CHECK(inbox.is_link());
    CHECK(tree.paths().text_of(*inbox.link_target()) == "/rt/beat/1/impulses");

    auto through = tree.find(P("/rt/beat/1/inbox"));
    REQUIRE(through.has_value());
    CHECK(through->is_list());
    CHECK(through->path().str() == "/rt/beat/1/impulses");
    CHECK(tree.find(P("/rt/beat/1/inbox/1"))->text() == "signal=/s target=/t");
    CHECK(tree.find_no_follow(P("/rt/beat/1/inbox"))->is_link());

    // Appending through the link lands in the list.
    (void)tree.append_text(P("/rt/beat/1/inbox"), "second").value();
    CHECK(tree.find(P("/rt/beat/1/impulses/2"))->text() == "second");

    CHECK(tree.link(P("/rt/beat/1/inbox"), P("/rt")).error().code == cep::errc::cell_exists);
    CHECK(tree.link(P("/x"), P("/missing")).error().message == R"(no cell at "/missing")");

    // Removing the link leaves the target; removing the target leaves a dangling link.
    (void)tree.link(P("/alias"), P("/rt/beat")).value();
    REQUIRE(tree.remove(P("/alias")).has_value());
    CHECK(tree.find(P("/rt/beat/1")).has_value());
    REQUIRE(tree.remove(P("/rt/beat/1/impulses")).has_value());
    auto dangling = tree.lookup(P("/rt/beat/1/inbox/1"));
    REQUIRE_FALSE(dangling.has_value());
    CHECK(dangling.error().code == cep::errc::cell_dangling_link);
    CHECK(dangling.error().message ==
          R"(link "/rt/beat/1/inbox" points at "/rt/beat/1/impulses", which does not exist (while resolving "/rt/beat/1/inbox/1"))");
}

TEST_CASE("links must resolve when made (so no cycle can form) and long chains are bounded") {
    cep::cell_tree tree;
    (void)tree.make_dictionary(P("/a")).value();
    (void)tree.link(P("/l1"), P("/a")).value();
    REQUIRE(tree.remove(P("/a")).has_value());
    // /a -> /l1 would close a cycle; /l1 dangles, so the link is refused.
    auto refused = tree.link(P("/a"), P("/l1"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == cep::errc::cell_dangling_link);

    (void)tree.make_dictionary(P("/base")).value();
    (void)tree.link(P("/chain/0"), P("/base")).value();
    for (int i = 1; i <= 32; ++i) {
        const auto from = cep::path("/chain") / std::to_string(i);
        const auto to = cep::path("/chain") / std::to_string(i - 1);
        (void)tree.link(from, to).value();  // /chain/32 -> ... -> /base is 33 links; its target (32) still resolves
    }
    CHECK(tree.find(P("/chain/31")).has_value());
    auto too_long = tree.lookup(P("/chain/32/x"));
    REQUIRE_FALSE(too_long.has_value());
    CHECK(too_long.error().code == cep::errc::cell_too_many_links);
    CHECK(too_long.error().message == R"(too many links while resolving "/chain/32/x" (more than 32 in a chain))");
    CHECK(tree.put_text(P("/chain/32/x"), "v").error().code == cep::errc::cell_too_many_links);
}

TEST_CASE("sealed branches reject every write with an error naming the seal") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/rt/ops/op1/envelope/verb"), "op/resize").value();
    (void)tree.make_list(P("/rt/ops/op1/envelope/notes")).value();
    REQUIRE(tree.seal(P("/rt/ops/op1/envelope")).has_value());
    CHECK(tree.find(P("/rt/ops/op1/envelope/verb"))->sealed());
    CHECK_FALSE(tree.find(P("/rt/ops/op1"))->sealed());

    auto check_sealed = [](const cep::error& e) {
        CHECK(e.code == cep::errc::cell_sealed);
        CHECK(e.message.find(R"("/rt/ops/op1/envelope" is sealed)") != std::string::npos);
    };
    check_sealed(tree.put_text(P("/rt/ops/op1/envelope/verb"), "other").error());
    check_sealed(tree.put_text(P("/rt/ops/op1/envelope/new/deep"), "x").error());
    check_sealed(tree.clear_value(P("/rt/ops/op1/envelope/verb")).error());
    check_sealed(tree.remove(P("/rt/ops/op1/envelope/verb")).error());
    check_sealed(tree.remove(P("/rt/ops/op1/envelope")).error());
    check_sealed(tree.append(P("/rt/ops/op1/envelope/notes")).error());
    check_sealed(tree.make_dictionary(P("/rt/ops/op1/envelope/d")).error());
    check_sealed(tree.link(P("/rt/ops/op1/envelope/l"), P("/rt")).error());
    CHECK(tree.put_text(P("/rt/ops/op1/envelope/verb"), "other").error().message ==
          R"(cannot write "/rt/ops/op1/envelope/verb": "/rt/ops/op1/envelope" is sealed)");
    CHECK(tree.find(P("/rt/ops/op1/envelope/verb"))->text() == "op/resize");
    // Outside the sealed branch, writes go on.
    CHECK(tree.put_text(P("/rt/ops/op1/state"), "ist:run").has_value());
    CHECK(tree.can_write(tree.paths().intern(P("/rt/ops/op1/envelope/x/y"))).error().code == cep::errc::cell_sealed);
    CHECK(tree.can_write(tree.paths().intern(P("/rt/ops/op1/other/x"))).has_value());
}

TEST_CASE("a seal reaches every cell below, those made later from deferred entries too, and ends with the cell") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/box/a/b/c/d"), "deep").value();
    (void)tree.put_text(P("/box/a/side"), "s").value();
    tree.make_list(P("/box/log")).value();
    REQUIRE(tree.append_entry(tree.paths().intern(P("/box/log")), "waiting"));  // not a cell until read
    (void)tree.put_text(P("/beside/x"), "x").value();
    REQUIRE(tree.seal(P("/box/a/b")).has_value());  // an inner seal first, then the whole box
    REQUIRE(tree.seal(P("/box")).has_value());

    for (const char* inside : {"/box", "/box/a", "/box/a/side", "/box/a/b/c", "/box/a/b/c/d", "/box/log"}) {
        INFO(inside);
        CHECK(tree.find(P(inside))->sealed());
    }
    CHECK(tree.put_text(P("/box/a/b/c/d"), "x").error().message ==
          R"(cannot write "/box/a/b/c/d": "/box/a/b" is sealed)");  // the nearest seal is named
    CHECK(tree.put_text(P("/box/a/side"), "x").error().message == R"(cannot write "/box/a/side": "/box" is sealed)");
    // The deferred entry becomes a cell when the list is read: inside the seal like the rest.
    const auto log = *tree.find(P("/box/log"));
    REQUIRE(child_names(log).size() == 1);
    const auto entry = *log.children().begin();
    CHECK(entry.text() == "waiting");
    CHECK(entry.sealed());
    CHECK_FALSE(tree.find(P("/beside/x"))->sealed());
    CHECK(tree.put_text(P("/beside/x/y/z"), "new").has_value());  // a new branch made outside: writable
    CHECK_FALSE(tree.find(P("/beside/x/y"))->sealed());
}

TEST_CASE("a cell whose parents are missing is made with them, in place, by path and by id") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/a/b/c/d/e"), "deep").value();  // four missing dictionaries above it
    for (const char* level : {"/a", "/a/b", "/a/b/c", "/a/b/c/d"}) {
        INFO(level);
        CHECK(tree.find(P(level))->kind() == cep::cell_kind::dictionary);
    }
    CHECK(tree.find(P("/a/b/c/d/e"))->text() == "deep");
    CHECK(child_names(*tree.find(P("/a"))) == std::vector<std::string>{"b"});  // nothing made beside the chain
    const auto id = tree.paths().intern(P("/a/b/x/y"));
    (void)tree.put_text(id, "by id").value();
    CHECK(child_names(*tree.find(P("/a/b"))) == std::vector<std::string>{"c", "x"});
    CHECK(child_names(*tree.find(P("/a/b/x"))) == std::vector<std::string>{"y"});
    CHECK(tree.find(P("/a/b/x/y"))->text() == "by id");
    // Under a link, a missing cell is made below the link's target.
    tree.link(P("/alias"), P("/a/b/c")).value();
    (void)tree.put_text(P("/alias/new/leaf"), "through").value();
    CHECK(tree.find(P("/a/b/c/new/leaf"))->text() == "through");
    CHECK(child_names(*tree.find(P("/a/b/c"))) == std::vector<std::string>{"d", "new"});
}

TEST_CASE("remove takes exactly the named cell out of many siblings, wherever it sits among them") {
    cep::cell_tree tree;
    std::vector<std::string> names;
    for (int i = 0; i < 40; ++i) {
        names.push_back("n" + std::to_string(i));  // sorted by name, not by number: n0 n1 n10 n11 ...
        (void)tree.put_text(P("/d") / names.back(), names.back()).value();
    }
    // Middle, back, front, then the rest in a scrambled order.
    std::vector<std::string> order{"n25", "n9", "n0"};
    for (int i = 1; i < 40; i += 7) order.push_back("n" + std::to_string(i));
    for (int i = 39; i >= 0; --i)
        if (std::find(order.begin(), order.end(), "n" + std::to_string(i)) == order.end())
            order.push_back("n" + std::to_string(i));
    for (const auto& gone : order) {
        REQUIRE(tree.remove(P("/d") / gone).has_value());
        std::erase(names, gone);
        std::vector<std::string> left;
        for (const auto child : tree.find(P("/d"))->children()) {
            left.emplace_back(child.name());
            CHECK(child.text() == child.name());
        }
        std::vector<std::string> expected = names;
        std::sort(expected.begin(), expected.end());
        REQUIRE(left == expected);
    }
}

TEST_CASE("remove takes the subtree; views of removed cells are stale, not dangling") {
    cep::cell_tree tree;
    auto leaf = tree.put_text(P("/a/b/c"), "x").value();
    (void)tree.put_text(P("/a/b/d"), "y").value();
    (void)tree.put_text(P("/a/e"), "z").value();
    CHECK(tree.size() == 6);
    REQUIRE(tree.remove(P("/a/b")).has_value());
    CHECK(tree.size() == 3);
    CHECK_FALSE(tree.find(P("/a/b/c")).has_value());
    CHECK_FALSE(leaf.valid());
    try {
        (void)leaf.text();
        FAIL("stale view read");
    } catch (const cep::tree_error& e) {
        CHECK(e.code() == cep::errc::cell_stale_view);
        CHECK(std::string(e.what()) == "the cell view is stale: its cell was removed");
    }
    CHECK_THROWS_AS(cep::cell_view{}.kind(), cep::tree_error);
    // The slot is reused; the old view stays stale.
    auto again = tree.put_text(P("/a/b/c"), "new").value();
    CHECK(again.text() == "new");
    CHECK_FALSE(leaf.valid());
    CHECK(tree.remove(P("/")).error().message == "cannot remove the root");
    CHECK(tree.remove(P("/nothing")).error().code == cep::errc::cell_not_found);
}

TEST_CASE("subtree walks depth-first in deterministic order") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/b/y"), "1").value();
    (void)tree.put_text(P("/a/z"), "2").value();
    (void)tree.put_text(P("/a/x/deep"), "3").value();
    (void)tree.make_list(P("/c")).value();
    (void)tree.append(P("/c")).value();
    (void)tree.append(P("/c")).value();
    (void)tree.link(P("/d"), P("/a")).value();
    const std::vector<std::string> expected = {"/", "/a", "/a/x", "/a/x/deep", "/a/z", "/b", "/b/y",
                                               "/c", "/c/1", "/c/2", "/d"};
    CHECK(subtree_paths(tree, tree.root()) == expected);
    CHECK(subtree_paths(tree, *tree.find(P("/a"))) == std::vector<std::string>{"/a", "/a/x", "/a/x/deep", "/a/z"});
    CHECK(subtree_paths(tree, *tree.find(P("/b/y"))) == std::vector<std::string>{"/b/y"});
}

TEST_CASE("a child is found by name among many siblings, through a link, and never under another parent") {
    cep::cell_tree tree;
    for (int i = 0; i < 300; ++i) (void)tree.put_text(P("/d") / ("c" + std::to_string(i)), std::to_string(i)).value();
    const auto d = tree.find(P("/d")).value();
    for (int i = 0; i < 300; ++i) {
        const std::string name = "c" + std::to_string(i);
        REQUIRE(tree.find(P("/d") / name).has_value());
        CHECK(tree.find(P("/d") / name)->text() == std::to_string(i));
        REQUIRE(d.child(name).has_value());
        CHECK(d.child(name)->text() == std::to_string(i));
    }
    // The names are interned under other parents too: that must not make them children of /d, nor theirs.
    (void)tree.paths().intern(P("/other/c5"));
    (void)tree.put_text(P("/e/only_in_e"), "e").value();
    CHECK_FALSE(tree.find(P("/other/c5")).has_value());
    CHECK_FALSE(d.child("only_in_e").has_value());
    CHECK_FALSE(tree.find(P("/d/only_in_e")).has_value());
    CHECK_FALSE(tree.find(P("/e/c5")).has_value());
    // Through a link: /alias/c7 is /d/c7, whether /alias/c7 was interned before or not.
    (void)tree.link(P("/alias"), P("/d")).value();
    CHECK(tree.find(P("/alias/c7"))->path().str() == "/d/c7");
    (void)tree.paths().intern(P("/alias/c8"));
    CHECK(tree.find(P("/alias/c8"))->path().str() == "/d/c8");
    CHECK_FALSE(tree.find(P("/alias/only_in_e")).has_value());
    // Removed, then made again: gone in between, found after.
    REQUIRE(tree.remove(P("/d/c7")).has_value());
    CHECK_FALSE(tree.find(P("/d/c7")).has_value());
    CHECK_FALSE(d.child("c7").has_value());
    CHECK_FALSE(tree.find(P("/alias/c7")).has_value());
    (void)tree.put_text(P("/d/c7"), "again").value();
    CHECK(d.child("c7")->text() == "again");
    CHECK(tree.find(P("/alias/c7"))->text() == "again");
}

TEST_CASE("a child is found by name among a few siblings as among many: removed ones and other names are not") {
    // Up to a handful of children, a dictionary's child is found by comparing names (no path-table probe): the
    // same answers as the probe gives, across the threshold too.
    cep::cell_tree tree;
    for (const char* name : {"ab", "a", "abc"}) (void)tree.put_text(P("/r") / name, name).value();
    (void)tree.paths().intern(P("/elsewhere/abcd"));  // a name interned under another parent
    const auto r = tree.find(P("/r")).value();
    for (const char* name : {"a", "ab", "abc"}) {
        REQUIRE(r.child(name).has_value());
        CHECK(r.child(name)->text() == name);
        CHECK(tree.find(P("/r") / name)->text() == name);
    }
    CHECK_FALSE(r.child("abcd").has_value());
    CHECK_FALSE(r.child("b").has_value());
    CHECK_FALSE(r.child("").has_value());
    // A removed child stays in its parent's vector until the next listing: not found, and its name can come back.
    REQUIRE(tree.remove(P("/r/ab")).has_value());
    CHECK_FALSE(r.child("ab").has_value());
    CHECK_FALSE(tree.find(P("/r/ab")).has_value());
    (void)tree.put_text(P("/r/ab"), "again").value();
    CHECK(r.child("ab")->text() == "again");
    // Past the threshold, the same answers.
    for (int i = 0; i < 12; ++i) {
        (void)tree.put_text(P("/r") / ("n" + std::to_string(i)), std::to_string(i)).value();
        for (int j = 0; j <= i; ++j) CHECK(r.child("n" + std::to_string(j))->text() == std::to_string(j));
        CHECK(r.child("ab")->text() == "again");
        CHECK_FALSE(r.child("abcd").has_value());
    }
    // Below a transient root the children's names are part of their texts: compared all the same.
    auto& paths = tree.paths();
    REQUIRE(paths.make_transient_root(paths.intern(P("/t"))));
    for (const char* name : {"x", "xy"}) (void)tree.put_text(P("/t/rec") / name, name).value();
    const auto rec = tree.find(P("/t/rec")).value();
    CHECK(rec.child("x")->text() == "x");
    CHECK(rec.child("xy")->text() == "xy");
    CHECK_FALSE(rec.child("xyz").has_value());
}

TEST_CASE("writes through a link's intermediate segment land in the target") {
    cep::cell_tree tree;
    (void)tree.make_dictionary(P("/real")).value();
    (void)tree.link(P("/alias"), P("/real")).value();
    auto made = tree.put_text(P("/alias/child"), "v").value();
    CHECK(made.path().str() == "/real/child");
    CHECK(tree.find(P("/real/child"))->text() == "v");
}

TEST_CASE("children() and subtree() are range-v3 views") {
    using subtree_type = decltype(std::declval<const cep::cell_tree&>().subtree(cep::cell_view{}));
    using children_type = decltype(std::declval<const cep::cell_view&>().children());
    STATIC_REQUIRE(ranges::view_<subtree_type>);
    STATIC_REQUIRE(ranges::forward_range<subtree_type>);
    STATIC_REQUIRE(ranges::view_<children_type>);
    STATIC_REQUIRE(ranges::random_access_range<children_type>);
    STATIC_REQUIRE(ranges::sized_range<children_type>);
    STATIC_REQUIRE(std::ranges::view<subtree_type>);
    STATIC_REQUIRE(std::ranges::forward_range<subtree_type>);
    STATIC_REQUIRE(std::ranges::view<children_type>);
    STATIC_REQUIRE(std::ranges::random_access_range<children_type>);
    cep::cell_tree tree;
    (void)tree.put_text(P("/a"), "1").value();
    (void)tree.put_text(P("/b"), "2").value();
    CHECK(ranges::size(tree.root().children()) == 2);
    CHECK(ranges::distance(tree.subtree(tree.root())) == 3);
}

namespace {
// "<a>+<b>" from a record's first two words.
void render_sum(const cep::path_table&, const cep::entry_record& r, std::string& out) {
    out.append(std::to_string(r.words[0])).append("+").append(std::to_string(r.words[1]));
}
void render_path(const cep::path_table& paths, const cep::entry_record& r, std::string& out) {
    paths.append_text(cep::path_id{r.words[0]}, out);
}
std::vector<std::string> entry_texts(const cep::cell_tree& tree, const char* list) {
    std::vector<std::string> out;
    for (const auto& entry : tree.find(P(list))->children()) out.emplace_back(entry.text());
    return out;
}
}  // namespace

TEST_CASE("deferred list entries read exactly like appended ones, in order, whatever reads them first") {
    auto fill = [](cep::cell_tree& tree) {
        tree.make_list(P("/log"), "e").value();
        const auto log = tree.paths().intern(P("/log"));
        REQUIRE(tree.append_entry(log, "one"));
        REQUIRE(tree.append_record(log, cep::entry_record{{2, 3, 0}}, &render_sum));
        REQUIRE(tree.append_text(P("/log"), "three"));  // eager: the deferred ones become cells first
        REQUIRE(tree.append_entry(log, "four"));
        REQUIRE(tree.append_record(log, cep::entry_record{{tree.paths().intern(P("/a/b")).value, 0, 0}},
                                   &render_path));
        REQUIRE(tree.append_entry(log, "six"));
    };
    const std::vector<std::string> expected{"one", "2+3", "three", "four", "/a/b", "six"};

    cep::cell_tree by_children;
    fill(by_children);
    CHECK(entry_texts(by_children, "/log") == expected);
    CHECK(child_names(*by_children.find(P("/log"))) ==
          std::vector<std::string>{"e:1", "e:2", "e:3", "e:4", "e:5", "e:6"});

    cep::cell_tree by_path;
    fill(by_path);
    CHECK(by_path.find(P("/log/e:5"))->text() == "/a/b");
    CHECK(by_path.find(by_path.paths().intern(P("/log/e:6")))->text() == "six");
    CHECK(entry_texts(by_path, "/log") == expected);

    cep::cell_tree by_size;
    fill(by_size);
    CHECK(by_size.find(P("/log"))->size() == 6);
    const std::size_t cells = by_size.size();  // root, /log, 6 entries, and /a? no: /a/b is only a path
    CHECK(cells == 8);

    cep::cell_tree by_walk;
    fill(by_walk);
    CHECK(subtree_paths(by_walk, by_walk.root()) ==
          std::vector<std::string>{"/", "/log", "/log/e:1", "/log/e:2", "/log/e:3", "/log/e:4", "/log/e:5",
                                   "/log/e:6"});

    cep::cell_tree by_child;
    fill(by_child);
    CHECK(by_child.find(P("/log"))->child("e:4")->text() == "four");
}

TEST_CASE("deferred list entries: errors are reported at append time") {
    cep::cell_tree tree;
    tree.make_dictionary(P("/dict")).value();
    tree.make_list(P("/sealed/log")).value();
    tree.make_list(P("/open/log")).value();
    const auto missing = tree.append_entry(tree.paths().intern(P("/nope")), "x");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
    const auto not_list = tree.append_entry(tree.paths().intern(P("/dict")), "x");
    REQUIRE_FALSE(not_list);
    CHECK(not_list.error().code == cep::errc::cell_not_a_list);
    CHECK(not_list.error().message == "cannot append to \"/dict\": it is a dictionary, not a list");
    REQUIRE(tree.append_entry(tree.paths().intern(P("/sealed/log")), "before"));
    tree.seal(P("/sealed")).value();  // after a successful append to the same list: the next one is refused
    const auto sealed = tree.append_entry(tree.paths().intern(P("/sealed/log")), "after");
    REQUIRE_FALSE(sealed);
    CHECK(sealed.error().code == cep::errc::cell_sealed);
    CHECK(entry_texts(tree, "/sealed/log") == std::vector<std::string>{"before"});
    // Removing a list drops what was waiting; a new list there starts empty.
    REQUIRE(tree.append_entry(tree.paths().intern(P("/open/log")), "gone"));
    tree.remove(P("/open")).value();
    tree.make_list(P("/open/log")).value();
    CHECK(tree.find(P("/open/log"))->size() == 0);
    REQUIRE(tree.append_entry(tree.paths().intern(P("/open/log")), "fresh"));
    CHECK(entry_texts(tree, "/open/log") == std::vector<std::string>{"fresh"});
}

TEST_CASE("deferred list entries: an entry whose path would be too long is refused up front") {
    cep::cell_tree tree;
    // A list path two characters short of the limit: room for "/1" to "/9", not for "/10".
    std::string long_path;
    while (long_path.size() + 201 <= cep::path_limits::max_length - 2) long_path += "/" + std::string(200, 'x');
    long_path += "/" + std::string(cep::path_limits::max_length - 2 - long_path.size() - 1, 'y');
    REQUIRE(long_path.size() == cep::path_limits::max_length - 2);
    tree.make_list(cep::path(long_path)).value();
    const auto id = tree.paths().intern(cep::path(long_path));
    REQUIRE(tree.append_entry(id, "1 fits"));        // "/...x/1": exactly the limit
    for (int n = 2; n <= 9; ++n) REQUIRE(tree.append_entry(id, "fits"));
    const auto tenth = tree.append_entry(id, "10 does not");  // "/...x/10": one character too many
    REQUIRE_FALSE(tenth);
    CHECK(tenth.error().code == cep::errc::path_too_long);
    CHECK(tree.find(cep::path(long_path))->size() == 9);
}

TEST_CASE("deferred list entries: a batch of records reads like the same records appended one by one") {
    const std::vector<cep::entry_record> batch{{{1, 2, 0}}, {{3, 4, 0}}, {{5, 6, 0}}};
    cep::cell_tree tree;
    tree.make_list(P("/log"), "e").value();
    const auto log = tree.paths().intern(P("/log"));
    REQUIRE(tree.append_entry(log, "text first"));  // another kind: the batch starts a new run after it
    REQUIRE(tree.append_records(log, batch, &render_sum));
    REQUIRE(tree.append_record(log, cep::entry_record{{7, 8, 0}}, &render_sum));  // continues the same run
    REQUIRE(tree.append_records(log, std::span<const cep::entry_record>{}, &render_sum));  // nothing: no error
    CHECK(entry_texts(tree, "/log") == std::vector<std::string>{"text first", "1+2", "3+4", "5+6", "7+8"});
    CHECK(child_names(*tree.find(P("/log"))) == std::vector<std::string>{"e:1", "e:2", "e:3", "e:4", "e:5"});
    const auto missing = tree.append_records(tree.paths().intern(P("/nope")), batch, &render_sum);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
}

TEST_CASE("deferred list entries: try_append_record takes a record only where append_record needs no check") {
    cep::cell_tree tree;
    tree.make_list(P("/log"), "e").value();
    tree.make_list(P("/other")).value();
    const auto log = tree.paths().intern(P("/log"));
    const auto other = tree.paths().intern(P("/other"));
    // Nothing appended yet: the list was never checked, so nothing is taken.
    CHECK_FALSE(tree.try_append_record(log, cep::entry_record{{0, 0, 0}}, &render_sum));
    CHECK(tree.find(P("/log"))->size() == 0);
    REQUIRE(tree.append_record(log, cep::entry_record{{1, 1, 0}}, &render_sum));  // checks the list
    for (std::uint32_t n = 2; n <= 9; ++n) CHECK(tree.try_append_record(log, cep::entry_record{{n, n, 0}}, &render_sum));
    // Entry 10's name is one digit longer than the check covered: refused, and append_record takes it.
    CHECK_FALSE(tree.try_append_record(log, cep::entry_record{{10, 10, 0}}, &render_sum));
    REQUIRE(tree.append_record(log, cep::entry_record{{10, 10, 0}}, &render_sum));
    CHECK(tree.try_append_record(log, cep::entry_record{{11, 11, 0}}, &render_sum));
    // Another renderer, another list, or text entries in between: each needs the full check.
    CHECK_FALSE(tree.try_append_record(log, cep::entry_record{{0, 0, 0}}, &render_path));
    CHECK_FALSE(tree.try_append_record(other, cep::entry_record{{0, 0, 0}}, &render_sum));
    REQUIRE(tree.append_entry(log, "text"));
    CHECK_FALSE(tree.try_append_record(log, cep::entry_record{{0, 0, 0}}, &render_sum));
    std::vector<std::string> expected;
    for (int n = 1; n <= 11; ++n) expected.push_back(std::to_string(n) + "+" + std::to_string(n));
    expected.emplace_back("text");
    CHECK(entry_texts(tree, "/log") == expected);
    // A sealed or removed list takes nothing.
    REQUIRE(tree.append_record(other, cep::entry_record{{1, 2, 0}}, &render_sum));
    tree.seal(P("/other")).value();
    CHECK_FALSE(tree.try_append_record(other, cep::entry_record{{3, 4, 0}}, &render_sum));
    tree.make_list(P("/gone")).value();
    const auto gone = tree.paths().intern(P("/gone"));
    REQUIRE(tree.append_record(gone, cep::entry_record{{1, 2, 0}}, &render_sum));
    tree.remove(P("/gone")).value();
    CHECK_FALSE(tree.try_append_record(gone, cep::entry_record{{3, 4, 0}}, &render_sum));
    CHECK(entry_texts(tree, "/other") == std::vector<std::string>{"1+2"});
}

TEST_CASE("deferred list entries: a batch projected from the caller's own records reads like the records") {
    struct pair_of {
        std::uint32_t left, right;
    };
    const std::vector<pair_of> mine{{1, 2}, {3, 4}, {5, 6}};
    const auto packed = [](const pair_of& p) { return cep::entry_record{{p.left, p.right, 0}}; };
    cep::cell_tree tree;
    tree.make_list(P("/log"), "e").value();
    const auto log = tree.paths().intern(P("/log"));
    REQUIRE(tree.append_records(log, mine, &render_sum, packed));
    REQUIRE(tree.append_records(log, mine, &render_sum, packed));  // grows past the first batch
    REQUIRE(tree.append_records(log, std::vector<pair_of>{}, &render_sum, packed));  // nothing: no error
    CHECK(entry_texts(tree, "/log") == std::vector<std::string>{"1+2", "3+4", "5+6", "1+2", "3+4", "5+6"});
    const auto missing = tree.append_records(tree.paths().intern(P("/nope")), mine, &render_sum, packed);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
}

namespace {
// A record of the caller's own with an entry_record's bytes: a tag, its padding spelled out, two numbers.
struct tagged_pair {
    std::uint8_t tag;
    std::uint8_t unused[3];
    std::uint32_t left, right;
};
static_assert(cep::same_bytes_as_entry_record<tagged_pair>);
struct padded_pair {
    std::uint8_t tag;  // three bytes of padding follow
    std::uint32_t left, right;
};
static_assert(!cep::same_bytes_as_entry_record<padded_pair>);
static_assert(!cep::same_bytes_as_entry_record<std::uint64_t>);
// "<tag>:<left>-<right>", read back from the record's bytes.
void render_tagged(const cep::path_table&, const cep::entry_record& packed, std::string& out) {
    const auto r = std::bit_cast<tagged_pair>(packed);
    out.append(1, static_cast<char>(r.tag)).append(":").append(std::to_string(r.left)).append("-");
    out.append(std::to_string(r.right));
}
}  // namespace

TEST_CASE("deferred list entries: the caller's records with an entry_record's bytes go in verbatim, in order") {
    const std::vector<tagged_pair> mine{{'a', {}, 1, 2}, {'b', {}, 3, 4}, {'c', {}, 5, 6}};
    cep::cell_tree tree;
    tree.make_list(P("/log"), "e").value();
    const auto log = tree.paths().intern(P("/log"));
    REQUIRE(tree.append_entry(log, "text first"));  // another kind: the batch starts a new run after it
    REQUIRE(tree.append_records_verbatim(log, std::span<const tagged_pair>(mine), &render_tagged));
    REQUIRE(tree.append_records_verbatim(log, std::span<const tagged_pair>(mine).first(1), &render_tagged));
    REQUIRE(tree.append_record(log, std::bit_cast<cep::entry_record>(tagged_pair{'z', {}, 9, 9}), &render_tagged));
    REQUIRE(tree.append_records_verbatim(log, std::span<const tagged_pair>{}, &render_tagged));  // nothing: no error
    CHECK(entry_texts(tree, "/log") ==
          std::vector<std::string>{"text first", "a:1-2", "b:3-4", "c:5-6", "a:1-2", "z:9-9"});
    CHECK(child_names(*tree.find(P("/log"))) == std::vector<std::string>{"e:1", "e:2", "e:3", "e:4", "e:5", "e:6"});
    const auto missing = tree.append_records_verbatim(tree.paths().intern(P("/nope")),
                                                      std::span<const tagged_pair>(mine), &render_tagged);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
}

TEST_CASE("deferred list entries: a batch whose last entry's path would be too long appends nothing") {
    cep::cell_tree tree;
    // As above: room for entries "1" to "9" under this list, not for "10".
    std::string long_path;
    while (long_path.size() + 201 <= cep::path_limits::max_length - 2) long_path += "/" + std::string(200, 'x');
    long_path += "/" + std::string(cep::path_limits::max_length - 2 - long_path.size() - 1, 'y');
    tree.make_list(cep::path(long_path)).value();
    const auto id = tree.paths().intern(cep::path(long_path));
    const std::vector<cep::entry_record> eight(8, cep::entry_record{{1, 1, 0}});
    REQUIRE(tree.append_records(id, eight, &render_sum));  // entries 1..8
    const std::vector<cep::entry_record> two(2, cep::entry_record{{2, 2, 0}});
    const auto refused = tree.append_records(id, two, &render_sum);  // 9 would fit, 10 would not: neither goes in
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == cep::errc::path_too_long);
    CHECK(refused.error().message.find("entry 10's path") != std::string::npos);
    CHECK(tree.find(cep::path(long_path))->size() == 8);
    REQUIRE(tree.append_record(id, cep::entry_record{{3, 3, 0}}, &render_sum));  // 9 alone still fits
    CHECK(tree.find(cep::path(long_path))->size() == 9);
}

TEST_CASE("a reserved branch cannot be sealed or removed whole, nor can what holds it; inside, cells can go") {
    cep::cell_tree tree;
    tree.reserve(tree.paths().intern(cep::path("/rt/beat")));
    REQUIRE(tree.put_text(cep::path("/rt/beat/1/x"), "a"));
    REQUIRE(tree.put_text(cep::path("/rt/other"), "b"));
    REQUIRE(tree.link(cep::path("/alias"), cep::path("/rt/beat")));
    const auto refused = [&](const cep::result<void>& r, const std::string& message) {
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code == cep::errc::cell_reserved);
        CHECK(r.error().message == message);
    };
    refused(tree.seal(cep::path("/")), "cannot seal \"/\": \"/rt/beat\" is reserved for the runtime's own writes");
    refused(tree.seal(cep::path("/rt")), "cannot seal \"/rt\": \"/rt/beat\" is reserved for the runtime's own writes");
    refused(tree.seal(cep::path("/rt/beat/1")),
            "cannot seal \"/rt/beat/1\": \"/rt/beat\" is reserved for the runtime's own writes");
    refused(tree.seal(cep::path("/alias")),  // through a link: what would be sealed is the branch
            "cannot seal \"/rt/beat\": \"/rt/beat\" is reserved for the runtime's own writes");
    refused(tree.remove(cep::path("/rt")),
            "cannot remove \"/rt\": \"/rt/beat\" is reserved for the runtime's own writes");
    refused(tree.remove(cep::path("/rt/beat")),
            "cannot remove \"/rt/beat\": \"/rt/beat\" is reserved for the runtime's own writes");
    CHECK(tree.seal(cep::path("/rt/other")));  // beside it: fine
    CHECK(tree.remove(cep::path("/rt/beat/1")));  // inside it: fine (retention does this)
    CHECK(tree.put_text(cep::path("/rt/beat/2/y"), "c"));
}

TEST_CASE("find_below finds cells under a found cell by name, and follows links as find() does") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/rec/state"), "direct").value();
    (void)tree.put_text(P("/rec/meta/attempts"), "2").value();
    (void)tree.put_text(P("/elsewhere/state"), "linked").value();
    (void)tree.put_text(P("/elsewhere/meta/attempts"), "7").value();
    const auto rec = tree.find(P("/rec")).value();
    CHECK(tree.find_below(rec, P("/rec"), {"state"})->text() == "direct");
    CHECK(tree.find_below(rec, P("/rec"), {"meta", "attempts"})->text() == "2");
    CHECK_FALSE(tree.find_below(rec, P("/rec"), {"missing"}).has_value());
    CHECK_FALSE(tree.find_below(rec, P("/rec"), {"meta", "missing"}).has_value());
    (void)tree.link(P("/rec2"), P("/rec")).value();
    (void)tree.make_dictionary(P("/rec3")).value();
    (void)tree.link(P("/rec3/state"), P("/elsewhere/state")).value();  // the cell itself is a link
    (void)tree.link(P("/rec3/meta"), P("/elsewhere/meta")).value();    // a link on the way
    const auto rec3 = tree.find(P("/rec3")).value();
    CHECK(tree.find_below(rec3, P("/rec3"), {"state"})->text() == "linked");
    CHECK(tree.find_below(rec3, P("/rec3"), {"meta", "attempts"})->text() == "7");
    // A base reached through a link: the same cells as find() by path.
    const auto rec2 = tree.find(P("/rec2")).value();
    CHECK(tree.find_below(rec2, P("/rec2"), {"meta", "attempts"})->path() == tree.find(P("/rec2/meta/attempts"))->path());
    // Without the base's path: the same cells.
    CHECK(tree.find_below(rec, {"meta", "attempts"})->text() == "2");
    CHECK_FALSE(tree.find_below(rec, {"meta", "missing"}).has_value());
    CHECK(tree.find_below(rec3, {"state"})->text() == "linked");
    CHECK(tree.find_below(rec3, {"meta", "attempts"})->text() == "7");
    CHECK(tree.find_below(rec2, {"meta", "attempts"})->path() == tree.find(P("/rec2/meta/attempts"))->path());
    (void)tree.put_text(P("/gone"), "soon").value();
    (void)tree.link(P("/rec3/dangling"), P("/gone")).value();
    (void)tree.remove(P("/gone")).value();  // the link now points at nothing: nothing found, as find() finds
    CHECK_FALSE(tree.find(P("/rec3/dangling")).has_value());
    CHECK_FALSE(tree.find_below(tree.find(P("/rec3")).value(), {"dangling"}).has_value());
}

TEST_CASE("a read-only tree refuses every write (cell_read_only) and changes nothing; writable again, it takes them") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/a/value"), "old").value();
    const auto list = tree.make_list(P("/log")).value().id();
    (void)tree.append_text(P("/log"), "first").value();
    REQUIRE(tree.append_record(list, cep::entry_record{{1, 2, 0}}, &render_sum));
    tree.set_read_only(true);
    CHECK(tree.read_only());
    const auto refused = [](const auto& outcome, const char* path) {
        REQUIRE_FALSE(outcome);
        CHECK(outcome.error().code == cep::errc::cell_read_only);
        CHECK(outcome.error().message ==
              std::string("cannot write \"") + path +
                  "\": the committed tree is read-only while enzymes run (write through the invocation's context: the "
                  "write is staged for the commit)");
    };
    refused(tree.make_dictionary(P("/b")), "/b");
    refused(tree.make_list(P("/c")), "/c");
    refused(tree.put_text(P("/a/value"), "new"), "/a/value");
    refused(tree.put_bytes(P("/a/bytes"), {}), "/a/bytes");
    refused(tree.clear_value(P("/a/value")), "/a/value");
    refused(tree.append_text(P("/log"), "second"), "/log");
    refused(tree.append_entry(list, "deferred"), "/log");
    refused(tree.append_record(list, cep::entry_record{{3, 4, 0}}, &render_sum), "/log");
    CHECK_FALSE(tree.try_append_record(list, cep::entry_record{{3, 4, 0}}, &render_sum));
    const std::vector<cep::entry_record> batch{cep::entry_record{{5, 6, 0}}};
    refused(tree.append_records(list, std::span<const cep::entry_record>(batch), &render_sum), "/log");
    refused(tree.link(P("/to_a"), P("/a")), "/to_a");
    refused(tree.seal(P("/a")), "/a");
    refused(tree.remove(P("/a/value")), "/a/value");
    // Nothing changed; reads still work (the deferred entries become cells when read).
    CHECK(tree.find(P("/a/value"))->text() == "old");
    CHECK_FALSE(tree.contains(P("/b")));
    CHECK_FALSE(tree.contains(P("/to_a")));
    CHECK(entry_texts(tree, "/log") == std::vector<std::string>{"first", "1+2"});
    tree.set_read_only(false);
    CHECK(tree.put_text(P("/a/value"), "new"));
    REQUIRE(tree.append_record(list, cep::entry_record{{3, 4, 0}}, &render_sum));
    CHECK(tree.find(P("/a/value"))->text() == "new");
    CHECK(entry_texts(tree, "/log") == std::vector<std::string>{"first", "1+2", "3+4"});
}
