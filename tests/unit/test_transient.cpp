// Transient roots: ids below them that nothing uses are released and their slots reused, so a program that sends
// impulses to a new target per message keeps a bounded path table; whatever still uses an id keeps it.
#include <cep/cep.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace cep::literals;

namespace {

cep::path numbered(const char* prefix, std::size_t n, const char* suffix = "") {
    return cep::path(std::string(prefix) + std::to_string(n) + suffix);
}

bool nothing_in_use(cep::path_id) { return false; }

}  // namespace

TEST_CASE("path table: unused transient ids are released and their slots serve new paths") {
    cep::path_table table;
    const auto top = table.intern("/m"_path);
    REQUIRE(table.make_transient_root(top));
    const auto ab = table.intern("/m/a/b"_path);
    const auto a = table.parent(ab);
    const auto c = table.intern("/m/c"_path);
    const auto other = table.intern("/other/x"_path);
    CHECK(table.transient(ab));
    CHECK(table.transient(a));
    CHECK_FALSE(table.transient(top));
    CHECK_FALSE(table.transient(other));
    CHECK(table.transient_count() == 3);
    // Interned twice before a release: the same id (the text is not cached, the walk finds it).
    CHECK(table.intern("/m/a/b"_path) == ab);

    const auto slots = table.size();
    CHECK(table.release_unused(nothing_in_use) == 3);
    CHECK(table.transient_count() == 0);
    CHECK(table.released_count() == 3);
    for (const auto id : {ab, a, c}) {
        CHECK_FALSE(table.owns(id));
        CHECK_FALSE(table.owns_plain(id));
        CHECK_THROWS_AS(table.depth(id), cep::path_error);
    }
    CHECK_FALSE(table.find("/m/a/b"_path).has_value());
    CHECK_FALSE(table.find("/m/c"_path).has_value());
    CHECK(table.find("/other/x"_path) == other);
    CHECK(table.text_of(other) == "/other/x");

    // New paths take the released slots: the table does not grow, and texts are right.
    const auto d = table.intern("/m/d/e"_path);
    const auto f = table.intern("/m/f"_path);
    CHECK(table.size() == slots);
    CHECK(table.released_count() == 0);
    CHECK(table.text_of(d) == "/m/d/e");
    CHECK(table.text_of(f) == "/m/f");
    CHECK(table.text_of(table.parent(d)) == "/m/d");
    CHECK(table.find("/m/d/e"_path) == d);
    // A permanent path may take a slot too, and keeps it.
    CHECK(table.release_unused(nothing_in_use) == 3);
    const auto kept = table.intern("/kept/y"_path);
    CHECK(table.size() == slots);
    CHECK_FALSE(table.transient(kept));
    CHECK(table.release_unused(nothing_in_use) == 0);
    CHECK(table.text_of(kept) == "/kept/y");
}

TEST_CASE("path table: a mark, a pin or in_use keeps a transient id and its ancestors; marks last one release") {
    cep::path_table table;
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    const auto marked = table.intern("/m/a/b"_path);
    const auto pinned = table.intern("/m/p/q"_path);
    const auto used = table.intern("/m/u/v"_path);
    const auto loose = table.intern("/m/a/loose"_path);
    table.mark_in_use(marked);
    table.pin(pinned);
    const auto released = table.release_unused([&](cep::path_id id) { return id == used; });
    CHECK(released == 1);  // only /m/a/loose
    CHECK_FALSE(table.owns(loose));
    CHECK(table.text_of(marked) == "/m/a/b");
    CHECK(table.text_of(table.parent(marked)) == "/m/a");
    CHECK(table.text_of(used) == "/m/u/v");
    CHECK(table.text_of(table.parent(used)) == "/m/u");
    // Pinned ids are kept for good, and no longer walked.
    CHECK(table.pinned(pinned));
    CHECK(table.pinned(table.parent(pinned)));
    CHECK(table.transient_count() == 4);  // /m/a, /m/a/b, /m/u, /m/u/v
    // The marks were for that release only.
    CHECK(table.release_unused(nothing_in_use) == 4);
    CHECK_FALSE(table.owns(marked));
    CHECK_FALSE(table.owns(used));
    CHECK(table.text_of(pinned) == "/m/p/q");
    CHECK(table.release_unused(nothing_in_use) == 0);
    CHECK(table.text_of(pinned) == "/m/p/q");
}

TEST_CASE("path table: a transient id's text is stored when it is made and goes with it; the store stays bounded") {
    cep::path_table table;
    const auto kept = table.intern("/kept/a/long/permanent/path/name"_path);
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    const auto bytes = table.text_bytes();
    const std::string_view text = "/m/once-only-target-with-a-long-name";
    const auto once = table.intern(cep::path(text));
    CHECK(table.text_bytes() >= bytes + text.size());
    CHECK(table.intern(cep::path(text)) == once);
    CHECK(table.find(cep::path(text)) == once);
    CHECK(table.find_child(table.parent(once), "once-only-target-with-a-long-name") == once);
    CHECK(table.text_of(once) == text);
    CHECK(table.leaf(once) == "once-only-target-with-a-long-name");
    CHECK(table.text_length(once) == text.size());
    CHECK(table.release_unused(nothing_in_use) == 1);
    CHECK(table.text_bytes() == bytes);
    CHECK_FALSE(table.find(cep::path(text)).has_value());
    CHECK_FALSE(table.find_child(table.intern("/m"_path), "once-only-target-with-a-long-name").has_value());

    // Rounds of paths two deep, released after each round: the store is reused, not grown.
    std::size_t largest = 0;
    for (std::size_t round = 0; round < 40; ++round) {
        for (std::size_t i = 0; i < 200; ++i) {
            const auto p = numbered("/m/dossier-with-a-long-name-", round * 200 + i, "/field");
            const auto id = table.intern(p);
            REQUIRE(table.intern(p) == id);
            REQUIRE(table.find(p) == id);
            REQUIRE(table.text_of(id) == p.text());
        }
        CHECK(table.release_unused(nothing_in_use) == 400);
        largest = std::max(largest, table.text_bytes());
        REQUIRE(table.find("/kept/a/long/permanent/path/name"_path) == kept);
        REQUIRE(table.find("/kept/a/long"_path) == table.parent(table.parent(table.parent(kept))));
    }
    CHECK(largest == bytes);
    CHECK(table.text_of(kept) == "/kept/a/long/permanent/path/name");
}

TEST_CASE("path table: a transient id takes no entry in the segment table") {
    cep::path_table table;
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    const auto before = table.segment_count();
    const auto bytes = table.text_bytes();
    for (int i = 0; i < 100; ++i) (void)table.intern(numbered("/m/unique", static_cast<std::size_t>(i)));
    CHECK(table.segment_count() == before);
    CHECK(table.text_bytes() > bytes);
    CHECK(table.release_unused(nothing_in_use) == 100);
    CHECK(table.segment_count() == before);
    CHECK(table.text_bytes() == bytes);
}

TEST_CASE("path table: a transient id's leaf stays in place while the id is held") {
    cep::path_table table;
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    const auto held = table.intern("/m/held-target"_path);
    table.pin(held);  // kept for good
    const std::string_view leaf = table.leaf(held);
    const char* where = leaf.data();
    // Enough paths to fill many chunks of the store, released round after round.
    for (std::size_t round = 0; round < 20; ++round) {
        for (std::size_t i = 0; i < 500; ++i) (void)table.intern(numbered("/m/passing-through-", round * 500 + i));
        (void)table.release_unused(nothing_in_use);
    }
    CHECK(table.leaf(held).data() == where);
    CHECK(leaf == "held-target");
    CHECK(table.text_of(held) == "/m/held-target");
    CHECK(table.find("/m/held-target"_path) == held);
}

TEST_CASE("path table: child() and find_child() below a transient root find what intern() made, and check") {
    cep::path_table table;
    const auto top = table.intern("/m"_path);
    REQUIRE(table.make_transient_root(top));
    const auto made = table.child(top, "t1").value();
    CHECK(table.transient(made));
    CHECK(table.intern("/m/t1"_path) == made);
    CHECK(table.child(top, "t1").value() == made);
    CHECK(table.find_child(top, "t1") == made);
    const auto deeper = table.intern("/m/t1/x/y"_path);
    CHECK(table.child(made, "x").value() == table.parent(deeper));
    CHECK(table.child(table.parent(deeper), "y").value() == deeper);
    CHECK(table.text_of(deeper) == "/m/t1/x/y");
    CHECK(table.depth(deeper) == 4);
    CHECK(table.contains(made, deeper));
    // The same checks as anywhere else.
    const auto bad = table.child(top, "has space");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == cep::errc::path_space);
    CHECK_FALSE(table.find_child(top, "has space").has_value());
    CHECK_FALSE(table.find_child(top, "t1/x").has_value());  // /m/t1/x is held, but it is no child of /m
    CHECK_FALSE(table.child(top, "t1/x").has_value());
    CHECK_FALSE(table.find_child(top, std::string(5000, 'x')).has_value());
    // A held child is looked up before the segment is checked: a text too long for any path is not built at all.
    const auto too_long = table.child(top, std::string(5000, 'x'));
    REQUIRE_FALSE(too_long.has_value());
    CHECK(too_long.error().code == cep::errc::path_segment_too_long);
    auto at = top;
    for (std::size_t depth = 1; depth < cep::path_limits::max_depth; ++depth) at = table.child(at, "d").value();
    const auto too_deep = table.child(at, "d");
    REQUIRE_FALSE(too_deep.has_value());
    CHECK(too_deep.error().code == cep::errc::path_too_deep);
}

TEST_CASE("path table: ids held before a transient root was made are still found by segment and by text") {
    cep::path_table table;
    const auto old_child = table.child(table.intern("/m"_path), "old").value();  // made by segment: no text cached
    const auto recycled = table.intern("/m/r/x"_path);
    table.make_recycling_root(table.parent(recycled));  // /m/r/x may be renamed: its text is never cached
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    CHECK_FALSE(table.transient(old_child));
    CHECK(table.find_child(table.intern("/m"_path), "old") == old_child);
    CHECK(table.child(table.intern("/m"_path), "old").value() == old_child);
    CHECK(table.intern("/m/old"_path) == old_child);
    CHECK(table.find_child(table.parent(recycled), "x") == recycled);
    CHECK(table.child(table.parent(recycled), "x").value() == recycled);
    const auto fresh = table.intern("/m/r/y"_path);
    CHECK(table.transient(fresh));
    CHECK(table.find_child(table.parent(recycled), "y") == fresh);
    // A renamed id is not taken for its old name, and does not take a transient sibling's.
    CHECK_FALSE(table.rename(recycled, "y"));
    REQUIRE(table.rename(recycled, "z"));
    CHECK(table.find("/m/r/z"_path) == recycled);
    CHECK_FALSE(table.find("/m/r/x"_path).has_value());
}

TEST_CASE("path table: a parent released and its slot reused is not taken for the old parent") {
    cep::path_table table;
    REQUIRE(table.make_transient_root(table.intern("/m"_path)));
    const auto x = table.intern("/m/p/x"_path);
    (void)table.intern("/m/p/w"_path);  // found under /m/p by text: /m/p is the parent tried first from now on
    CHECK(table.text_of(table.parent(x)) == "/m/p");
    const auto old_parent = table.parent(x);
    CHECK(table.release_unused(nothing_in_use) == 3);
    // The three slots serve new paths (child() does not change the parent tried first): one of them is the old
    // parent's.
    const auto top = table.intern("/m"_path);
    const std::vector<cep::path_id> reused{table.child(top, "q1").value(), table.child(top, "q2").value(),
                                           table.child(top, "q3").value()};
    REQUIRE(std::find(reused.begin(), reused.end(), old_parent) != reused.end());
    const auto y = table.intern("/m/p/y"_path);
    CHECK(table.text_of(y) == "/m/p/y");
    CHECK(table.text_of(table.parent(y)) == "/m/p");
    CHECK(std::find(reused.begin(), reused.end(), table.parent(y)) == reused.end());
    CHECK(table.text_of(reused[0]) == "/m/q1");
    CHECK(table.text_of(reused[2]) == "/m/q3");
}

TEST_CASE("path table: what cannot be a transient root, and what transient ids refuse") {
    cep::path_table table;
    CHECK_FALSE(table.make_transient_root(cep::path_table::root()));
    const auto recycled = table.intern("/r"_path);
    table.make_recycling_root(recycled);
    CHECK_FALSE(table.make_transient_root(table.intern("/r/x"_path)));
    const auto top = table.intern("/m"_path);
    REQUIRE(table.make_transient_root(top));
    const auto inner = table.intern("/m/inner"_path);
    CHECK_FALSE(table.make_transient_root(inner));
    // rename() serves the heartbeat's recycled beat directories only: transient ids are released, not renamed.
    CHECK_FALSE(table.rename(inner, "other"));
    CHECK(table.text_of(inner) == "/m/inner");
    // pin_in_use() pins a recyclable id, not a transient one.
    const auto beat = table.intern("/r/x"_path);
    table.pin_in_use(beat);
    CHECK(table.pinned(beat));
    table.pin_in_use(inner);
    CHECK_FALSE(table.pinned(inner));
    // Ids interned before their ancestor became a root stay for good (anything may hold them); the paths interned
    // below them afterwards are transient.
    const auto early = table.intern("/n/early/leaf"_path);
    REQUIRE(table.make_transient_root(table.intern("/n"_path)));
    CHECK_FALSE(table.transient(early));
    CHECK_FALSE(table.transient(table.parent(early)));
    const auto late = table.intern("/n/early/leaf/late"_path);
    CHECK(table.transient(late));
    CHECK(table.transient(table.intern("/n/other"_path)));
    CHECK(table.release_unused(nothing_in_use) == 3);  // /m/inner, /n/early/leaf/late, /n/other
    CHECK(table.text_of(early) == "/n/early/leaf");
    CHECK(table.find("/n/early/leaf"_path) == early);
}

namespace {

struct target_log {
    std::vector<std::string> targets;
    int runs = 0;
};
target_log seen;

struct recorder {
    static constexpr cep::name name = "recorder";
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        seen.targets.push_back(impulse.target.str());
        ++seen.runs;
        return cep::status::success;
    }
};

// Writes "kept" at its target when the target's last segment is "keep".
struct writer {
    static constexpr cep::name name = "writer";
    static constexpr auto query = "/signals/write"_query;
    static constexpr cep::access access = cep::access::read_write;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& context) {
        if (impulse.target.leaf() == "keep") (void)context.put_text(impulse.target, "kept");
        return cep::status::success;
    }
};

// Asks for one retry per target (the run after it succeeds), recording the target of every run.
struct retrier {
    static constexpr cep::name name = "retrier";
    static constexpr auto query = "/signals/retry"_query;
    static constexpr cep::access access = cep::access::read_only;
    std::vector<std::string> asked;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        const std::string target = impulse.target.str();
        seen.targets.push_back(target);
        for (const auto& t : asked)
            if (t == target) return cep::status::success;
        asked.push_back(target);
        return cep::status::retry;
    }
};

// Records "tock <target>": a second signal for the same targets.
struct tock_recorder {
    static constexpr cep::name name = "tock_recorder";
    static constexpr auto query = "/signals/tock"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        seen.targets.push_back("tock " + impulse.target.str());
        ++seen.runs;
        return cep::status::success;
    }
};

using transient_registry = cep::enzyme_registry<recorder, writer, retrier, tock_recorder>;
using transient_heartbeat = cep::heartbeat<transient_registry>;

// Calls `during_run` from inside its invocation, keeping what it returned.
std::function<cep::result<void>()> during_run;
std::optional<cep::result<void>> returned_during_run;
struct rooter {
    static constexpr cep::name name = "rooter";
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        returned_during_run = during_run();
        return cep::status::success;
    }
};

void bind_all(transient_heartbeat& hb) {
    hb.register_all();
    for (const char* name : {"recorder", "writer", "retrier", "tock_recorder"})
        hb.bind("/msgs"_path, name, cep::propagate).value();
    hb.make_transient_root("/msgs"_path).value();
    hb.step();
}

}  // namespace

TEST_CASE("heartbeat: a new target per impulse below a transient root keeps the table bounded") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 64});
    bind_all(hb);
    const auto signal = "/signals/tick"_path;
    std::size_t n = 0;
    std::size_t largest = 0;
    for (int beat = 0; beat < 400; ++beat) {
        seen = {};
        for (std::size_t i = 0; i < 50; ++i) hb.enqueue(signal, numbered("/msgs/m", n + i, "/x")).value();
        // The same target twice in a beat still runs once.
        hb.enqueue(signal, numbered("/msgs/m", n, "/x")).value();
        REQUIRE(hb.step());
        REQUIRE(seen.targets.size() == 50);
        for (std::size_t i = 0; i < 50; ++i) REQUIRE(seen.targets[i] == numbered("/msgs/m", n + i, "/x").str());
        n += 50;
        if (beat >= 10) largest = std::max(largest, hb.tree().paths().size());
    }
    // 20,000 targets of two new ids each: without releases the table holds 40,000 more ids.
    CHECK(largest < 600);
    CHECK(hb.tree().paths().size() == largest);
}

TEST_CASE("heartbeat: ledger entries not read yet keep their ids, and read right after ids were reused") {
    transient_heartbeat hb(cep::heartbeat_policy{.keep_beats = 4, .transient_release_floor = 16});
    bind_all(hb);
    const auto signal = "/signals/tick"_path;
    std::size_t n = 0;
    for (int beat = 0; beat < 60; ++beat) {
        for (std::size_t i = 0; i < 10; ++i) hb.enqueue(signal, numbered("/msgs/m", n + i)).value();
        n += 10;
        REQUIRE(hb.step());
    }
    CHECK(hb.tree().paths().size() < 400);  // 600 targets; four beats of ledger keep 40 of them
    // The last kept beat's impulses, rendered now, after many releases: each names its own target.
    const auto last = hb.beat() - 1;
    const auto impulses = hb.tree().find(cep::path("/rt/beat/" + std::to_string(last) + "/impulses"));
    REQUIRE(impulses.has_value());
    std::vector<std::string> lines;
    for (const auto& entry : impulses->children()) lines.emplace_back(entry.text());
    // The 10 queued at this beat (logged when queued for it: the previous beat's lines are the next 10).
    REQUIRE(lines.size() >= 10);
    std::size_t found = 0;
    for (std::size_t i = 0; i < 10; ++i) {
        const std::string want = "signal=/signals/tick target=" + numbered("/msgs/m", n - 10 + i).str();
        for (const auto& line : lines) found += line == want;
    }
    CHECK(found == 10);
}

TEST_CASE("heartbeat: agenda lines not read yet keep their targets after the impulse lines were read") {
    transient_heartbeat hb(cep::heartbeat_policy{.keep_beats = 8, .transient_release_floor = 0});
    bind_all(hb);
    for (std::size_t i = 0; i < 4; ++i) hb.enqueue("/signals/tick"_path, numbered("/msgs/first/m", i)).value();
    REQUIRE(hb.step());
    const std::string dir = "/rt/beat/" + std::to_string(hb.beat() - 1);
    // Read, the impulse lines become cells of text: from then on only the agenda records name the targets.
    REQUIRE(hb.tree().find(cep::path(dir + "/impulses"))->size() == 4);
    (void)hb.release_unused_paths();
    // New targets take whatever slots the release freed.
    for (std::size_t i = 0; i < 4; ++i) hb.enqueue("/signals/tick"_path, numbered("/msgs/second/m", i)).value();
    REQUIRE(hb.step());
    std::vector<std::string> targets;
    for (const auto& entry : hb.tree().find(cep::path(dir + "/agenda"))->children()) {
        const std::string_view line = entry.text();
        targets.emplace_back(line.substr(line.find("target=") + 7));
    }
    CHECK(targets == std::vector<std::string>{"/msgs/first/m0", "/msgs/first/m1", "/msgs/first/m2",
                                              "/msgs/first/m3"});
}

TEST_CASE("heartbeat: impulses for later beats and pending retries keep their targets through releases") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false,
                                                 .retry = {.max_attempts = 3, .backoff_beats = 3},
                                                 .transient_release_floor = 1});
    bind_all(hb);
    seen = {};
    hb.enqueue_at(hb.beat() + 6, "/signals/tick"_path, "/msgs/later/one"_path).value();
    hb.enqueue("/signals/retry"_path, "/msgs/retried/two"_path).value();
    for (int beat = 0; beat < 8; ++beat) {
        // Other targets come and go meanwhile, so released slots are reused.
        for (std::size_t i = 0; i < 5; ++i)
            hb.enqueue("/signals/write"_path, numbered("/msgs/noise", static_cast<std::size_t>(beat) * 5 + i)).value();
        hb.step();
        (void)hb.release_unused_paths();
    }
    const std::vector<std::string> want{"/msgs/retried/two", "/msgs/retried/two", "/msgs/later/one"};
    CHECK(seen.targets == want);
}

TEST_CASE("heartbeat: a cell, a binding or a link keeps a transient id; a removed cell's id is released") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    bind_all(hb);
    hb.enqueue("/signals/write"_path, "/msgs/a/keep"_path).value();
    hb.enqueue("/signals/write"_path, "/msgs/b/drop"_path).value();
    hb.step();
    hb.bind("/msgs/bound/here"_path, "recorder").value();
    hb.tree().link("/msgs/c/link"_path, "/msgs/a/keep"_path).value();
    hb.step();
    (void)hb.release_unused_paths();
    auto& paths = hb.tree().paths();
    CHECK_FALSE(paths.find("/msgs/b/drop"_path).has_value());
    CHECK_FALSE(paths.find("/msgs/b"_path).has_value());
    const auto keep = paths.find("/msgs/a/keep"_path);
    REQUIRE(keep.has_value());
    CHECK(paths.find("/msgs/bound/here"_path).has_value());
    CHECK(paths.find("/msgs/c/link"_path).has_value());
    CHECK(hb.tree().find("/msgs/c/link"_path)->text() == "kept");

    // The binding still applies after releases (the memo started over): recorder runs there, by its own binding.
    seen = {};
    hb.enqueue("/signals/tick"_path, "/msgs/bound/here"_path).value();
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/msgs/bound/here"});

    // Removing the link and the cell lets the id go (the link pinned its target: that one stays).
    hb.tree().remove("/msgs/c/link"_path).value();
    (void)hb.release_unused_paths();
    CHECK_FALSE(paths.find("/msgs/c/link"_path).has_value());
    CHECK(paths.find("/msgs/a/keep"_path) == keep);
}

TEST_CASE("heartbeat: transient roots refused, and no release during a beat") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false});
    for (const auto& top : {cep::path("/"), cep::path("/rt"), cep::path("/rt/beat"), cep::path("/rt/beat/x"),
                            cep::path("/rt/cei"), cep::path("/rt/cei/7"), cep::path("/rt/analytics")}) {
        INFO(top.str());
        const std::size_t held = hb.tree().paths().size();
        const auto made = hb.make_transient_root(top);
        REQUIRE_FALSE(made);
        CHECK(made.error().code == cep::errc::invalid_policy);
        CHECK(hb.tree().paths().size() == held);  // refused on its text: nothing interned
    }
    CHECK_FALSE(hb.tree().paths().find("/rt/cei/7"_path).has_value());
    REQUIRE(hb.make_transient_root("/rt/elsewhere"_path));  // the rest of /rt is the program's (OPS uses rt/ops)
    REQUIRE(hb.make_transient_root("/msgs"_path));
    CHECK_FALSE(hb.make_transient_root("/msgs/inner"_path));
    hb.register_all();
    hb.bind("/msgs"_path, "recorder", cep::propagate).value();
    hb.step();
    hb.enqueue("/signals/tick"_path, "/msgs/during"_path).value();
    hb.begin_beat();
    CHECK(hb.release_unused_paths() == 0);
    // Nor a new transient root: refused before its path is interned.
    const auto during = hb.make_transient_root("/jobs"_path);
    REQUIRE_FALSE(during);
    CHECK(during.error().code == cep::errc::beat_reentered);
    CHECK(during.error().message.find("between beats") != std::string::npos);
    CHECK_FALSE(hb.tree().paths().find("/jobs"_path).has_value());
    hb.resolve_agenda();
    CHECK(hb.release_unused_paths() == 0);
    seen = {};
    hb.stage_commit();
    CHECK(seen.targets == std::vector<std::string>{"/msgs/during"});
    // /msgs/during, and /msgs/inner that the refused call interned
    CHECK(hb.release_unused_paths() == 2);
    CHECK_FALSE(hb.tree().paths().find("/msgs/during"_path).has_value());
}

TEST_CASE("heartbeat: a release on the path table itself keeps what the heartbeat holds, and none runs mid-beat") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    bind_all(hb);
    auto& paths = hb.tree().paths();
    seen = {};
    hb.enqueue("/signals/tick"_path, "/msgs/queued"_path).value();
    const auto queued = paths.find("/msgs/queued"_path);
    REQUIRE(queued.has_value());
    // The program says nothing is in use; the heartbeat's queue still holds the target: it stays, and the next
    // new path does not take its slot.
    CHECK(paths.release_unused(nothing_in_use) == 0);
    CHECK(paths.find("/msgs/queued"_path) == queued);
    CHECK(paths.intern("/msgs/other"_path) != *queued);
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/msgs/queued"});
    // Between beats, what nothing holds goes (/msgs/queued and /msgs/other).
    CHECK(paths.release_unused(nothing_in_use) == 2);
}

TEST_CASE("heartbeat: a release on the path table from an enzyme releases nothing") {
    cep::heartbeat<cep::enzyme_registry<rooter>> hb(cep::heartbeat_policy{.ensure_directories = false,
                                                                          .transient_release_floor = 0});
    hb.register_all();
    hb.bind("/jobs"_path, "rooter", cep::propagate).value();
    hb.make_transient_root("/jobs"_path).value();
    hb.step();
    auto& paths = hb.tree().paths();
    std::optional<std::size_t> released;
    during_run = [&] {
        released = paths.release_unused(nothing_in_use);
        return cep::result<void>{};
    };
    hb.enqueue("/signals/tick"_path, "/jobs/a"_path).value();
    hb.enqueue_at(hb.beat() + 1, "/signals/tick"_path, "/jobs/later"_path).value();
    const auto later = paths.find("/jobs/later"_path);
    CHECK(hb.step());
    during_run = nullptr;
    REQUIRE(released.has_value());
    CHECK(*released == 0);
    CHECK(paths.find("/jobs/later"_path) == later);
    // Between beats the same call releases /jobs/a (its impulse ran); /jobs/later is still queued.
    CHECK(paths.release_unused(nothing_in_use) == 1);
    CHECK_FALSE(paths.find("/jobs/a"_path).has_value());
    CHECK(paths.find("/jobs/later"_path) == later);
}

TEST_CASE("heartbeat: make_transient_root() from an enzyme is refused (beat_reentered) and changes nothing") {
    cep::heartbeat<cep::enzyme_registry<rooter>> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/jobs"_path, "rooter", cep::propagate).value();
    hb.step();
    during_run = [&] { return hb.make_transient_root("/jobs"_path); };
    returned_during_run.reset();
    hb.enqueue("/signals/tick"_path, "/jobs/a"_path).value();
    CHECK(hb.step());  // the refusal is a result: the invocation itself succeeds
    during_run = nullptr;
    REQUIRE(returned_during_run.has_value());
    REQUIRE_FALSE(*returned_during_run);
    CHECK(returned_during_run->error().code == cep::errc::beat_reentered);
    auto& paths = hb.tree().paths();
    CHECK_FALSE(paths.transient(paths.intern("/jobs/b"_path)));  // /jobs did not become a transient root
    // Between beats it is made, and paths interned below it from then on are transient.
    REQUIRE(hb.make_transient_root("/jobs"_path));
    CHECK(paths.transient(paths.intern("/jobs/c"_path)));
}

TEST_CASE("heartbeat: agendas resolved for released ids are forgotten, so a reused id gets its own agenda") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    hb.register_all();
    hb.bind("/msgs"_path, "recorder", cep::propagate).value();
    hb.tombstone("/msgs/quiet"_path, "recorder").value();  // pinned by the binding: never released
    hb.make_transient_root("/msgs"_path).value();
    hb.step();
    seen = {};
    hb.enqueue("/signals/tick"_path, "/msgs/loud"_path).value();
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/msgs/loud"});
    const auto loud = hb.tree().paths().find("/msgs/loud"_path);
    REQUIRE(loud.has_value());
    CHECK(hb.release_unused_paths() == 1);
    // The next new path takes the released slot; its agenda is its own (the tombstone), not /msgs/loud's.
    seen = {};
    hb.enqueue("/signals/tick"_path, "/msgs/quiet/hush"_path).value();
    REQUIRE(hb.tree().paths().find("/msgs/quiet/hush"_path) == loud);
    hb.step();
    CHECK(seen.targets.empty());
    CHECK(hb.agenda("/signals/tick"_path, "/msgs/quiet/hush"_path).empty());
}

namespace {
// What a new target goes through below `area` (transient, or kept and held by its text), each (signal, target)
// running once a beat: a first beat of (tick a, tick b, tock a) twice; a second of (tock a, tick a) twice; then,
// through the processor contract in a third beat, c run twice and d accepted. The memo's size after each of them.
std::vector<std::size_t> run_each_pair_once(transient_heartbeat& hb, const std::string& area) {
    const auto tick = "/signals/tick"_path;
    const auto tock = "/signals/tock"_path;
    const auto at = [&](const char* leaf) { return cep::path(area + "/" + leaf); };
    hb.enqueue(tick, at("warm")).value();  // the agenda the area gives its children, resolved once
    hb.step();
    std::vector<std::size_t> sizes{hb.memo_size()};
    seen = {};
    for (int i = 0; i < 2; ++i) {
        hb.enqueue(tick, at("a")).value();
        hb.enqueue(tick, at("b")).value();
        hb.enqueue(tock, at("a")).value();  // another signal on a target that already ran in this beat
    }
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{area + "/a", area + "/b", "tock " + area + "/a"});
    sizes.push_back(hb.memo_size());
    // The next beat, in the other order: each pair runs again, once.
    seen = {};
    for (int i = 0; i < 2; ++i) {
        hb.enqueue(tock, at("a")).value();
        hb.enqueue(tick, at("a")).value();
    }
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"tock " + area + "/a", area + "/a"});
    sizes.push_back(hb.memo_size());
    // Ran now through the processor contract, in a later beat: once, and not again in that beat.
    seen = {};
    hb.begin_beat();
    auto& processor = hb.processor();
    CHECK(processor.process_message(cep::impulse{tick, at("c")}) == cep::status::success);
    CHECK(processor.process_message(cep::impulse{tick, at("c")}) == cep::status::success);
    CHECK(processor.accept(cep::impulse{tick, at("d")}));  // has an agenda; runs nothing
    hb.stage_commit();
    CHECK(seen.targets == std::vector<std::string>{area + "/c"});
    sizes.push_back(hb.memo_size());
    return sizes;
}
}  // namespace

TEST_CASE("heartbeat: a transient target's agenda is not memoised, and each (signal, target) still runs once a beat") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    bind_all(hb);
    const auto sizes = run_each_pair_once(hb, "/msgs");
    // Only a pair that found its target run by another signal in the beat was memoised, to run it once.
    CHECK(sizes == std::vector<std::size_t>{sizes[0], sizes[0] + 1, sizes[0] + 2, sizes[0] + 2});
}

TEST_CASE("heartbeat: a release keeps every agenda that names no transient id") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    bind_all(hb);
    hb.bind("/kept"_path, "recorder", cep::propagate).value();
    hb.step();
    seen = {};
    // Twice: a kept target's pairs are memoised from its second run (see the kept targets below).
    for (int beat = 0; beat < 2; ++beat) {
        for (std::size_t i = 0; i < 8; ++i) hb.enqueue("/signals/tick"_path, numbered("/kept/k", i)).value();
        for (std::size_t i = 0; i < 8; ++i) hb.enqueue("/signals/tick"_path, numbered("/msgs/m", i)).value();
        hb.step();
    }
    CHECK(seen.targets.size() == 32);
    const std::size_t memoised = hb.memo_size();
    CHECK(memoised >= 8);
    CHECK(hb.release_unused_paths() == 8);
    // Nothing memoised named a released id: the memo did not start over (it used to, at every release).
    CHECK(hb.memo_size() == memoised);
    seen = {};
    hb.enqueue("/signals/tick"_path, numbered("/kept/k", 3)).value();
    hb.enqueue("/signals/tick"_path, numbered("/msgs/m", 3)).value();
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/kept/k3", "/msgs/m3"});
    CHECK(hb.memo_size() == memoised);
}

TEST_CASE("heartbeat: what was resolved for a transient parent is forgotten when its id goes to another path") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 0});
    bind_all(hb);                                // recorder bound on /msgs
    hb.make_transient_root("/jobs"_path).value();  // nothing bound on /jobs
    hb.step();
    seen = {};
    hb.enqueue("/signals/tick"_path, "/msgs/p/x"_path).value();  // resolved by (tick, /msgs/p)
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/msgs/p/x"});
    const auto parent = hb.tree().paths().find("/msgs/p"_path);
    REQUIRE(parent.has_value());
    SECTION("released by the heartbeat") { CHECK(hb.release_unused_paths() == 2); }
    SECTION("released on the path table itself: the heartbeat's router hears of it all the same") {
        CHECK(hb.tree().paths().release_unused(nothing_in_use) == 2);
    }
    seen = {};
    hb.enqueue("/signals/tick"_path, "/jobs/q/y/z"_path).value();
    // The slots are reused last released first: /jobs/q/y is /msgs/p's old id, the parent of the new target.
    REQUIRE(hb.tree().paths().find("/jobs/q/y"_path) == parent);
    hb.step();
    CHECK(seen.targets.empty());  // /jobs binds nothing: not the agenda (tick, /msgs/p) had
}

namespace {
// A retry asked for in one beat, due in the next, where the target's impulse came again: that run is the attempt.
void check_retry_runs_once(transient_heartbeat& hb, const cep::path& target) {
    seen = {};
    hb.enqueue("/signals/retry"_path, target).value();
    hb.step();  // asks for a retry in the next beat
    hb.enqueue("/signals/retry"_path, target).value();
    hb.step();  // the impulse runs it again: that run is the attempt
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{std::string(target.text()), std::string(target.text())});
}
}  // namespace

TEST_CASE("heartbeat: a retry due in a beat where its transient target's impulse came again is not run twice") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false,
                                                 .retry = {.max_attempts = 3, .backoff_beats = 0},
                                                 .transient_release_floor = 0});
    bind_all(hb);
    check_retry_runs_once(hb, "/msgs/r"_path);
}

TEST_CASE("heartbeat: what releases leave forgotten in the router's caches stays bounded") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 1});
    bind_all(hb);
    std::size_t largest = 0;
    for (std::size_t beat = 0; beat < 6000; ++beat) {
        // Two signals on one new target (the second pair is memoised), below a new transient parent (its agenda
        // for children is cached under it): each release forgets three entries keyed by released ids.
        const auto target = numbered("/msgs/p", beat, "/x");
        hb.enqueue("/signals/tick"_path, target).value();
        hb.enqueue("/signals/tock"_path, target).value();
        REQUIRE(hb.step());
        largest = std::max(largest, hb.memo_size());
    }
    CHECK(largest > 1000);    // the memo kept the forgotten pairs' entries for a while...
    CHECK(largest <= 4200);   // ...and was cleared once they added up
    CHECK(hb.memo_size() < largest);
}

// Kept targets (no transient root) interned by their text: a new target per message, kept for good. On its first
// run, such a target takes the agenda its parent gives new children, not memoised, its run claimed on the target;
// from its second run on, its pairs are memoised.
namespace {
void bind_kept(transient_heartbeat& hb) {
    hb.register_all();
    for (const char* name : {"recorder", "retrier", "tock_recorder"}) hb.bind("/inbox"_path, name, cep::propagate).value();
    hb.step();
}
}  // namespace

TEST_CASE("heartbeat: a new kept target's first run is not memoised, its next ones are; each pair runs once a beat") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false});
    bind_kept(hb);
    const auto sizes = run_each_pair_once(hb, "/inbox");
    // A pair is memoised from its target's second impulse on, the second in the same beat included (agendas are
    // looked up as impulses run). First beat: (tock, a), whose target another signal had run, then the repeated
    // (tick, a) and (tick, b), whose memo entries take over the runs claimed on the targets (so each ran once);
    // second: nothing new; third: c's second run in the beat, the same way.
    CHECK(sizes == std::vector<std::size_t>{sizes[0], sizes[0] + 3, sizes[0] + 3, sizes[0] + 4});
    seen = {};
    hb.enqueue("/signals/tick"_path, "/inbox/a"_path).value();  // memo hits
    hb.enqueue("/signals/tick"_path, "/inbox/b"_path).value();
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"/inbox/a", "/inbox/b"});
    CHECK(hb.memo_size() == sizes[0] + 4);
}

TEST_CASE("heartbeat: a kept target with bindings of its own does not take its parent's agenda") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/inbox"_path, "tock_recorder", cep::propagate).value();
    hb.bind("/inbox/special"_path, "recorder").value();         // this cell only
    hb.tombstone("/inbox/quiet"_path, "tock_recorder").value();  // cancels what /inbox passes down
    hb.step();
    seen = {};
    for (const char* target : {"/inbox/plain", "/inbox/special", "/inbox/quiet"}) {
        hb.enqueue("/signals/tick"_path, cep::path(target)).value();
        hb.enqueue("/signals/tock"_path, cep::path(target)).value();
    }
    hb.step();
    CHECK(seen.targets == std::vector<std::string>{"tock /inbox/plain", "/inbox/special", "tock /inbox/special"});
}

TEST_CASE("heartbeat: a retry due in a beat where its new kept target's impulse came again is not run twice") {
    transient_heartbeat hb(cep::heartbeat_policy{.ensure_directories = false,
                                                 .retry = {.max_attempts = 3, .backoff_beats = 0}});
    bind_kept(hb);
    check_retry_runs_once(hb, "/inbox/r"_path);
}

TEST_CASE("heartbeat: a recycling or transient root made on the table itself is refused during a beat "
          "(beat_reentered), so a kept target keeps the run mark of its run in that beat") {
    cep::heartbeat<cep::enzyme_registry<rooter>> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind("/jobs"_path, "rooter", cep::propagate).value();
    hb.step();
    auto& paths = hb.tree().paths();
    // From an enzyme (as any code holding the heartbeat can): x1 ran, claimed on its mark; a segment for it now
    // would drop that mark, and x1's second impulse would run again.
    int runs = 0;
    std::string refusal;
    during_run = [&]() -> cep::result<void> {
        if (runs++ != 0) return {};
        try {
            paths.make_recycling_root(paths.find("/jobs/a"_path).value());
        } catch (const cep::heartbeat_error& e) {
            CHECK(e.code() == cep::errc::beat_reentered);
            refusal = e.what();
        }
        return {};
    };
    hb.enqueue("/signals/tick"_path, "/jobs/a/x1"_path).value();
    hb.enqueue("/signals/tick"_path, "/jobs/a/x1"_path).value();
    hb.enqueue("/signals/tick"_path, "/jobs/a/x2"_path).value();
    CHECK(hb.step());
    during_run = nullptr;
    CHECK(refusal ==
          "cannot call paths().make_recycling_root() while beat 2 is in progress: make the root between beats (before "
          "begin_beat() or step(), or after the commit)");
    CHECK(runs == 2);  // x1 once, x2 once
    const auto a = paths.find("/jobs/a"_path).value();
    CHECK_FALSE(paths.recyclable(paths.find("/jobs/a/x1"_path).value()));
    CHECK(paths.holds_run_mark(paths.find("/jobs/a/x1"_path).value()));
    // Between the phases too, and for a transient root; between beats, both are made.
    hb.begin_beat();
    CHECK_THROWS_AS(paths.make_recycling_root(a), cep::heartbeat_error);
    CHECK_THROWS_WITH((void)paths.make_transient_root(a),
                      "cannot call paths().make_transient_root() while beat 3 is in progress: make the root between "
                      "beats (before begin_beat() or step(), or after the commit)");
    hb.stage_commit();
    CHECK(paths.make_transient_root(paths.intern("/jobs/t"_path)));
    paths.make_recycling_root(a);
    CHECK(paths.recyclable(paths.find("/jobs/a/x1"_path).value()));
    CHECK_FALSE(paths.holds_run_mark(paths.find("/jobs/a/x1"_path).value()));
}
