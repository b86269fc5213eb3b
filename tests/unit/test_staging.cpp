// Staging: nothing is visible before commit; everything is visible after, applied in staging order.
#include <cep/core/staging.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace {
cep::path P(const char* text) { return cep::path(text); }
}  // namespace

TEST_CASE("staged writes are invisible until commit, then all visible") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/data/a"), "1").has_value());
    REQUIRE(stage.make_list(P("/rt/beat/2/impulses")).has_value());
    REQUIRE(stage.append_text(P("/rt/beat/2/impulses"), "signal=/x target=/y").has_value());
    REQUIRE(stage.link(P("/rt/beat/2/inbox"), P("/rt/beat/2/impulses")).has_value());
    CHECK(stage.size() == 4);
    CHECK(tree.size() == 1);
    CHECK_FALSE(tree.find(P("/data/a")).has_value());
    CHECK_FALSE(tree.find(P("/rt")).has_value());

    auto report = stage.commit();
    CHECK(report.ok());
    CHECK(report.applied == 4);
    CHECK(stage.empty());
    CHECK(tree.find(P("/data/a"))->text() == "1");
    CHECK(tree.find(P("/rt/beat/2/inbox/1"))->text() == "signal=/x target=/y");
}

TEST_CASE("commit applies writes in the order they were staged") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/v"), "first").has_value());
    REQUIRE(stage.put_text(P("/v"), "second").has_value());
    REQUIRE(stage.make_list(P("/log")).has_value());
    for (const char* entry : {"a", "b", "c"}) REQUIRE(stage.append_text(P("/log"), entry).has_value());
    REQUIRE(stage.put_text(P("/gone/x"), "x").has_value());
    REQUIRE(stage.remove(P("/gone")).has_value());
    REQUIRE(stage.put_text(P("/later"), "before-remove").has_value());
    REQUIRE(stage.remove(P("/later")).has_value());
    REQUIRE(stage.put_text(P("/later"), "after-remove").has_value());
    auto report = stage.commit();
    CHECK(report.ok());
    CHECK(tree.find(P("/v"))->text() == "second");
    CHECK(tree.find(P("/log/1"))->text() == "a");
    CHECK(tree.find(P("/log/2"))->text() == "b");
    CHECK(tree.find(P("/log/3"))->text() == "c");
    CHECK_FALSE(tree.find(P("/gone")).has_value());
    CHECK(tree.find(P("/later"))->text() == "after-remove");
}

TEST_CASE("a write into a branch already sealed is refused when staged") {
    cep::cell_tree tree;
    (void)tree.put_text(P("/ops/1/envelope/verb"), "v").value();
    REQUIRE(tree.seal(P("/ops/1/envelope")).has_value());
    cep::staging_area stage(tree);
    auto refused = stage.put_text(P("/ops/1/envelope/verb"), "w");
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message == R"(cannot write "/ops/1/envelope/verb": "/ops/1/envelope" is sealed)");
    auto deep = stage.put_text(P("/ops/1/envelope/a/b/c"), "w");
    CHECK(deep.error().code == cep::errc::cell_sealed);
    CHECK(stage.empty());
}

TEST_CASE("a write that fails at commit is reported with its position, the others apply") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/box/a"), "1").has_value());
    REQUIRE(stage.seal(P("/box")).has_value());
    REQUIRE(stage.put_text(P("/box/b"), "2").has_value());  // sealed by the time it applies
    REQUIRE(stage.remove(P("/never")).has_value());
    REQUIRE(stage.put_text(P("/free"), "3").has_value());
    auto report = stage.commit();
    CHECK_FALSE(report.ok());
    CHECK(report.applied == 3);
    REQUIRE(report.failures.size() == 2);
    CHECK(report.failures[0].index == 2);
    CHECK(report.failures[0].reason.message == R"(cannot write "/box/b": "/box" is sealed)");
    CHECK(report.failures[1].index == 3);
    CHECK(report.failures[1].reason.message == R"(no cell at "/never")");
    CHECK(tree.find(P("/box/a"))->text() == "1");
    CHECK_FALSE(tree.find(P("/box/b")).has_value());
    CHECK(tree.find(P("/free"))->text() == "3");
}

TEST_CASE("discard_since drops one invocation's writes and keeps the earlier ones") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/keep"), "k").has_value());
    const auto mark = stage.mark();
    REQUIRE(stage.put_text(P("/drop1"), "d").has_value());
    REQUIRE(stage.put_text(P("/drop2"), "d").has_value());
    stage.discard_since(mark);
    CHECK(stage.size() == 1);
    REQUIRE(stage.put_text(P("/after"), "a").has_value());
    auto report = stage.commit();
    CHECK(report.ok());
    CHECK(tree.find(P("/keep"))->text() == "k");
    CHECK(tree.find(P("/after"))->text() == "a");
    CHECK_FALSE(tree.find(P("/drop1")).has_value());
    CHECK_FALSE(tree.find(P("/drop2")).has_value());
}

TEST_CASE("a span's start kept outside the area (as the processor keeps it) works as the area's own") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/keep"), "k").has_value());  // the area's own span: opened at the first write
    std::uint32_t start = 7;
    stage.keep_span_start_in(&start);
    CHECK(start == 0xffffffffu);  // open afresh
    REQUIRE(stage.put_text(P("/drop"), "d").has_value());
    CHECK(start == 1);  // noted by the first write, outside the area
    REQUIRE(stage.put_text(P("/drop2"), "d").has_value());
    CHECK(start == 1);
    stage.discard_span();
    CHECK(stage.size() == 1);
    CHECK(start == 0xffffffffu);
    start = 0xffffffffu;  // what the processor's per-invocation store does
    REQUIRE(stage.put_text(P("/also"), "a").has_value());
    CHECK(start == 1);
    stage.keep_span_start_in(nullptr);  // back to the area's own, open afresh: /also stays
    stage.discard_span();
    CHECK(stage.size() == 2);
    CHECK(start == 1);  // no longer written
    REQUIRE(stage.put_text(P("/own"), "o").has_value());
    stage.discard_span();
    CHECK(stage.size() == 2);
    CHECK(start == 1);
}

TEST_CASE("a span drops the writes made since it opened, and nothing when none were made") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    REQUIRE(stage.put_text(P("/keep"), "k").has_value());
    stage.open_span();
    stage.discard_span();  // nothing written since: /keep stays
    CHECK(stage.size() == 1);
    stage.open_span();
    REQUIRE(stage.put_text(P("/drop1"), "d").has_value());
    REQUIRE(stage.put_text(P("/drop2"), "d").has_value());
    stage.discard_span();
    CHECK(stage.size() == 1);
    stage.discard_span();  // a span is dropped once
    CHECK(stage.size() == 1);
    // A discard_since below the span's start takes the span with it: the next write starts a new one.
    stage.open_span();
    REQUIRE(stage.put_text(P("/gone"), "g").has_value());
    stage.discard_since(0);
    REQUIRE(stage.put_text(P("/late"), "l").has_value());
    stage.discard_span();
    CHECK(stage.empty());
    REQUIRE(stage.put_text(P("/after"), "a").has_value());
    auto report = stage.commit();
    CHECK(report.ok());
    CHECK(tree.find(P("/after"))->text() == "a");
    CHECK_FALSE(tree.find(P("/keep")).has_value());
    CHECK_FALSE(tree.find(P("/drop1")).has_value());
    CHECK_FALSE(tree.find(P("/late")).has_value());
}

TEST_CASE("writes by interned id stage like writes by path; an id of another table is refused up front") {
    cep::cell_tree tree;
    tree.put_text(P("/old/gone"), "x").value();
    cep::staging_area stage(tree);
    const auto id = stage.paths().intern(P("/by/id"));
    REQUIRE(stage.put_text(id, "one").has_value());
    REQUIRE(stage.put_text(P("/by/id"), "two").has_value());  // the same cell: staging order decides
    REQUIRE(stage.remove(stage.paths().intern(P("/old"))).has_value());
    tree.make_list(P("/log")).value();
    REQUIRE(stage.append_text(stage.paths().intern(P("/log")), "entry by id").has_value());
    CHECK(tree.find(P("/old/gone")).has_value());  // staged: nothing visible yet
    cep::path_table other;
    for (int i = 0; i < 100; ++i) (void)other.intern(cep::path("/other/" + std::to_string(i)));
    const auto foreign = other.intern(P("/other/99"));
    const auto refused = stage.put_text(foreign, "no");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == cep::errc::path_unknown_id);
    CHECK(stage.remove(foreign).error().code == cep::errc::path_unknown_id);
    CHECK(stage.append_text(foreign, "no").error().code == cep::errc::path_unknown_id);
    CHECK(stage.size() == 4);  // the refused writes were not staged
    REQUIRE(stage.commit().ok());
    CHECK(tree.find(P("/by/id"))->text() == "two");
    CHECK_FALSE(tree.find(P("/old")).has_value());
    CHECK(tree.find(P("/log/1"))->text() == "entry by id");
}

TEST_CASE("bytes survive staging unchanged") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    const std::byte raw[] = {std::byte{0}, std::byte{1}, std::byte{0x80}};
    REQUIRE(stage.put_bytes(P("/cas/x"), raw).has_value());
    REQUIRE(stage.commit().ok());
    auto cell = *tree.find(P("/cas/x"));
    CHECK(cell.value_type() == cep::value_kind::bytes);
    REQUIRE(cell.bytes().size() == 3);
    CHECK(cell.bytes()[2] == std::byte{0x80});
}

TEST_CASE("two runs staging the same writes build identical trees") {
    auto build = [] {
        cep::cell_tree tree;
        cep::staging_area stage(tree);
        for (int beat = 1; beat <= 3; ++beat) {
            const auto base = cep::path("/rt/beat") / std::to_string(beat);
            (void)stage.make_list(base / "impulses");
            (void)stage.append_text(base / "impulses", "signal=/s target=/t");
            (void)stage.put_text(base / "meta" / "unix_ts_ns", std::to_string(1000 * beat));
            (void)stage.commit();
        }
        std::string dump;
        for (auto cell : tree.subtree(tree.root())) {
            dump += cell.path().str();
            dump += '=';
            dump += cell.text();
            dump += '\n';
        }
        return dump;
    };
    CHECK(build() == build());
}
