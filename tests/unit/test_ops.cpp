// OPS/STATES operations: the names (checked at compile time, parsed at run time), the dossier layout, direct and
// stateful lifecycles, same-beat repeats, awaiters that fire exactly once (continuations and timeouts) through a
// heartbeat, close rules, op_get, staged sessions inside enzymes (journal, sealing at commit), the pending index,
// and determinism (two identical runs give identical trees and ledgers).
#include <cep/dispatch.hpp>
#include <cep/ops.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

using namespace cep::literals;
namespace ops = cep::ops;

namespace {

// Every cell below `top` as "path[=value]", in pre-order: a snapshot to compare trees.
std::vector<std::string> dump(const cep::cell_tree& tree, const cep::path& top = cep::path("/")) {
    std::vector<std::string> out;
    const auto cell = tree.find(top);
    if (!cell) return out;
    for (auto c : tree.subtree(*cell))
        out.push_back(c.path().str() + (c.is_link() ? " -> link" : "") +
                      (c.has_value() && c.value_type() == cep::value_kind::text ? "=" + std::string(c.text()) : "") +
                      (c.sealed() ? " [sealed]" : ""));
    return out;
}

std::string text(const cep::cell_tree& tree, const cep::path& p) {
    const auto cell = tree.find(p);
    return cell ? std::string(cell->text()) : std::string("(missing)");
}

std::vector<std::string> history(const cep::cell_tree& tree, std::string_view oid) {
    std::vector<std::string> out;
    if (const auto h = tree.find(ops::dossier_path(oid).value() / "history"))
        for (auto entry : h->children()) out.push_back(std::string(entry.name()) + " " + std::string(entry.text()));
    return out;
}

// Test enzymes. Each records what it saw; `driver` runs whatever the test puts in `body`.
struct seen {
    cep::beat_number beat;
    std::string target;
    friend bool operator==(const seen&, const seen&) = default;
};
struct on_continue {
    static constexpr cep::name name = "on_continue";
    static constexpr auto query = "/signals/op/cont"_query;
    std::vector<seen> runs;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        runs.push_back({ctx.beat(), impulse.target.str()});
        return cep::status::success;
    }
};
struct on_timeout {
    static constexpr cep::name name = "on_timeout";
    static constexpr auto query = "/op/tmo"_query;
    std::vector<seen> runs;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        runs.push_back({ctx.beat(), impulse.target.str()});
        return cep::status::success;
    }
};
struct driver {
    static constexpr cep::name name = "driver";
    static constexpr auto query = "/signals/drive"_query;
    std::function<cep::status(const cep::impulse_ref&, cep::write_context&)> body;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        return body ? body(impulse, ctx) : cep::status::success;
    }
};
// A second driver, for two invocations in one beat.
struct other_driver {
    static constexpr cep::name name = "other_driver";
    static constexpr auto query = "/signals/drive"_query;
    using after = cep::enzymes<driver>;
    std::function<cep::status(const cep::impulse_ref&, cep::write_context&)> body;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        return body ? body(impulse, ctx) : cep::status::success;
    }
};

using registry = cep::enzyme_registry<on_continue, on_timeout, driver, other_driver>;
using heartbeat = cep::heartbeat<registry>;

void wire(heartbeat& hb) {
    hb.register_all();
    hb.bind<on_continue>("/rt/ops"_path, cep::propagate);
    hb.bind<on_timeout>("/rt/ops"_path, cep::propagate);
    hb.bind<on_continue>("/data"_path, cep::propagate);
    hb.bind<driver>("/data"_path, cep::propagate);
    hb.bind<other_driver>("/data"_path, cep::propagate);
    (void)ops::attach(hb);
}

std::vector<std::string> cei_notes(const cep::cell_tree& tree) {
    std::vector<std::string> out;
    if (const auto cei = tree.find("/rt/cei"_path))
        for (auto record : cei->children())
            out.push_back(text(tree, record.path() / "severity") + " " + text(tree, record.path() / "topic") + ": " +
                          text(tree, record.path() / "note"));
    return out;
}

}  // namespace

// ---- names ----

static_assert(ops::states::run.view() == "ist:run" && !ops::states::run.terminal() && ops::states::ok.terminal());
static_assert(ops::statuses::fail.final_state() == ops::states::fail);
static_assert(ops::statuses::cnl.final_state().view() == "ist:cnl");
static_assert(ops::modes::direct.view() == "opm:direct" && ops::modes::stateful.view() == "opm:states");
static_assert(ops::verb("image:resize").view() == "image:resize");
static_assert(ops::state("ist:uploading") != ops::states::run);

TEST_CASE("ops names: run-time text is parsed with the compile-time rules", "[ops]") {
    CHECK(ops::state::parse("ist:resized").value() == ops::state("ist:resized"));
    CHECK(ops::status::parse("sts:cnl").value() == ops::statuses::cnl);
    CHECK(ops::mode::parse("opm:direct").value() == ops::modes::direct);
    CHECK(ops::verb::parse("upload").value().view() == "upload");

    const auto bad_state = ops::state::parse("run");
    REQUIRE_FALSE(bad_state);
    CHECK(bad_state.error().code == cep::errc::op_invalid);
    CHECK(bad_state.error().message.starts_with("invalid state \"run\": a state is \"ist:\""));
    CHECK_FALSE(ops::state::parse("ist:"));
    CHECK_FALSE(ops::state::parse("ist:a b"));
    CHECK(ops::status::parse("sts:done").error().message == "invalid status \"sts:done\": a status is sts:ok, sts:fail or sts:cnl");
    CHECK(ops::mode::parse("opm:other").error().code == cep::errc::op_invalid);
    CHECK(ops::verb::parse("9lives").error().code == cep::errc::op_invalid);
    CHECK_THROWS_AS(ops::state::parse("nope").value(), cep::ops_error);
}

// ---- lifecycles between beats ----

TEST_CASE("ops: a direct operation, started and closed between beats", "[ops]") {
    cep::cell_tree tree;
    tree.put_text("/rt/beat/3/meta/unix_ts_ns"_path, "1700000000000000000").value();
    ops::session at3(tree, 3);
    const std::string oid =
        ops::op_start(at3, "image:resize", "/data/img/1"_path, ops::modes::direct, "the payload", 10).value();
    CHECK(oid == "OPS:1");
    const cep::path dossier = ops::dossier_path(oid).value();
    CHECK(dossier == "/rt/ops/OPS:1"_path);

    const auto payload_id = text(tree, dossier / "envelope" / "payload_id");
    CHECK(tree.find(cep::path("/cas") / payload_id)->text() == "the payload");
    CHECK(dump(tree, dossier) == std::vector<std::string>{
                                     "/rt/ops/OPS:1",
                                     "/rt/ops/OPS:1/envelope [sealed]",
                                     "/rt/ops/OPS:1/envelope/issued_beat=3 [sealed]",
                                     "/rt/ops/OPS:1/envelope/mode=opm:direct [sealed]",
                                     "/rt/ops/OPS:1/envelope/payload_id=" + payload_id + " [sealed]",
                                     "/rt/ops/OPS:1/envelope/target=/data/img/1 [sealed]",
                                     "/rt/ops/OPS:1/envelope/ttl=10 [sealed]",
                                     "/rt/ops/OPS:1/envelope/verb=image:resize [sealed]",
                                     "/rt/ops/OPS:1/history",
                                     "/rt/ops/OPS:1/history/OPH:1=state=ist:run beat=3 unix_ts_ns=1700000000000000000",
                                     "/rt/ops/OPS:1/state=ist:run",
                                     "/rt/ops/OPS:1/watchers",
                                 });

    // A direct operation has no intermediate states.
    const auto refused = ops::op_state_set(at3, oid, "ist:halfway");
    CHECK(refused.error().code == cep::errc::op_invalid);
    CHECK(refused.error().message ==
          "cannot set operation OPS:1 to ist:halfway: it is opm:direct (start it with opm:states to record "
          "intermediate states)");

    ops::session at5(tree, 5);
    CHECK(ops::op_close(at5, oid, ops::statuses::ok, "42 thumbnails").value() == ops::close_outcome::closed);
    CHECK(text(tree, dossier / "state") == "ist:ok");
    CHECK(text(tree, dossier / "close" / "status") == "sts:ok");
    CHECK(text(tree, dossier / "close" / "closed_beat") == "5");
    CHECK(tree.find(cep::path("/cas") / text(tree, dossier / "close" / "summary_id"))->text() == "42 thumbnails");
    CHECK(tree.find(dossier / "close")->sealed());
    CHECK(history(tree, oid) == std::vector<std::string>{
                                    "OPH:1 state=ist:run beat=3 unix_ts_ns=1700000000000000000",
                                    "OPH:2 state=ist:ok beat=5",
                                });
    // Nothing left for the commit pass: a direct operation without watchers is never pending.
    CHECK_FALSE(tree.contains("/rt/ops_meta/pending"_path));
    CHECK(ops::op_start(at5, "image:resize", "/data/img/2"_path, ops::modes::direct).value() == "OPS:2");
}

TEST_CASE("ops: stateful history; the same state again in the same beat is a refresh", "[ops]") {
    cep::cell_tree tree;
    ops::session at1(tree, 1);
    const auto oid = ops::op_start(at1, "upload", "/data/file"_path, ops::modes::stateful).value();
    CHECK(ops::op_state_set(at1, oid, "ist:sending", 1, "first chunk").value() == ops::state_change::recorded);
    CHECK(ops::op_state_set(at1, oid, "ist:sending", 2, "second chunk").value() == ops::state_change::refreshed);
    const cep::path dossier = ops::dossier_path(oid).value();
    CHECK(text(tree, dossier / "code") == "2");
    CHECK(text(tree, dossier / "note") == "second chunk");

    ops::session at2(tree, 2);
    CHECK(ops::op_state_set(at2, oid, "ist:sending", 3, "").value() == ops::state_change::recorded);  // a later beat
    CHECK(ops::op_state_set(at2, oid, "ist:verifying").value() == ops::state_change::recorded);
    CHECK(ops::op_state_set(at2, oid, "ist:sending").value() == ops::state_change::recorded);  // not the latest
    CHECK(history(tree, oid) == std::vector<std::string>{
                                    "OPH:1 state=ist:run beat=1",
                                    "OPH:2 state=ist:sending beat=1",
                                    "OPH:3 state=ist:sending beat=2",
                                    "OPH:4 state=ist:verifying beat=2",
                                    "OPH:5 state=ist:sending beat=2",
                                });
    CHECK(text(tree, dossier / "state") == "ist:sending");
    CHECK(text(tree, dossier / "code") == "0");

    // Terminal states come from op_close.
    const auto terminal = ops::op_state_set(at2, oid, ops::states::ok);
    CHECK(terminal.error().code == cep::errc::op_invalid);
    CHECK(terminal.error().message == "cannot set operation OPS:1 to ist:ok: a terminal state is reached by closing it (op_close)");
}

TEST_CASE("ops: after close, state changes are refused and change nothing; close twice", "[ops]") {
    cep::cell_tree tree;
    ops::session at1(tree, 1);
    const auto oid = ops::op_start(at1, "upload", "/data/file"_path, ops::modes::stateful).value();
    ops::op_state_set(at1, oid, "ist:sending").value();
    CHECK(ops::op_close(at1, oid, ops::statuses::fail, "disk full").value() == ops::close_outcome::closed);
    const auto before = dump(tree);

    ops::session at2(tree, 2);
    const auto late = ops::op_state_set(at2, oid, "ist:sending", 9, "retry");
    REQUIRE_FALSE(late);
    CHECK(late.error().code == cep::errc::op_closed);
    CHECK(late.error().message == "operation OPS:1 is closed (sts:fail); cannot set its state to ist:sending");
    CHECK_THROWS_AS(late.value(), cep::ops_error);

    CHECK(ops::op_close(at2, oid, ops::statuses::fail, "again").value() == ops::close_outcome::already_closed);
    const auto conflict = ops::op_close(at2, oid, ops::statuses::ok);
    CHECK(conflict.error().code == cep::errc::op_status_conflict);
    CHECK(conflict.error().message == "operation OPS:1 is already closed with sts:fail; refusing sts:ok");
    const auto never = ops::op_await(at2, oid, ops::states::ok, 0, "/signals/op/cont"_path);
    CHECK(never.error().code == cep::errc::op_closed);
    CHECK(never.error().message == "operation OPS:1 is closed (sts:fail, ist:fail); it will never reach ist:ok");
    CHECK(dump(tree) == before);  // nothing changed

    // The sealed close record refuses direct writes too.
    CHECK(tree.put_text(ops::dossier_path(oid).value() / "close" / "status", "sts:ok").error().code ==
          cep::errc::cell_sealed);
}

TEST_CASE("ops: a dossier's cells are read through links, as reading their paths does", "[ops]") {
    cep::cell_tree tree;
    ops::session s(tree, 1);
    const auto oid = ops::op_start(s, "v", "/t"_path, ops::modes::stateful).value();
    const auto dossier = ops::dossier_path(oid).value();
    tree.put_text("/elsewhere/state"_path, "ist:linked").value();
    tree.put_text("/elsewhere/close/status"_path, "sts:ok").value();
    tree.put_text("/elsewhere/watchers/w1"_path, "").value();
    tree.put_text("/elsewhere/watchers/w2"_path, "").value();
    REQUIRE(tree.remove(dossier / "state").has_value());
    REQUIRE(tree.remove(dossier / "watchers").has_value());
    tree.link(dossier / "state", "/elsewhere/state"_path).value();            // the cell read is a link
    tree.link(dossier / "close", "/elsewhere/close"_path).value();            // a link on the way to it
    tree.link(dossier / "watchers", "/elsewhere/watchers"_path).value();
    CHECK(ops::op_get(s, oid).value() == "oid=" + oid + " state=ist:linked status=sts:ok watchers=2");
}

TEST_CASE("ops: unknown and invalid operation ids", "[ops]") {
    cep::cell_tree tree;
    ops::session s(tree, 1);
    CHECK(ops::op_get(s, "OPS:7").error().code == cep::errc::op_unknown);
    CHECK(ops::op_get(s, "OPS:7").error().message == "no operation OPS:7 under /rt/ops");
    CHECK(ops::op_state_set(s, "OPS:7", "ist:x").error().code == cep::errc::op_unknown);
    CHECK(ops::op_close(s, "OPS:7", ops::statuses::ok).error().code == cep::errc::op_unknown);
    CHECK(ops::op_await(s, "OPS:7", "ist:x", 1, "/c"_path).error().code == cep::errc::op_unknown);
    CHECK_FALSE(tree.paths().find("/rt/ops/OPS:7"_path).has_value());  // asking about it interned nothing
    CHECK(ops::op_get(s, "a/b").error().code == cep::errc::op_invalid);
    CHECK(ops::op_get(s, "").error().code == cep::errc::op_invalid);
    tree.put_text("/rt/ops/stray"_path, "x").value();
    CHECK(ops::op_get(s, "stray").error().code == cep::errc::op_invalid);

    const auto oid = ops::op_start(s, "v", "/t"_path, ops::modes::stateful).value();
    const auto overflow = ops::op_await(s, oid, "ist:x", ~std::uint64_t{0}, "/c"_path);
    CHECK(overflow.error().code == cep::errc::op_invalid);
    CHECK(ops::op_await(s, oid, "ist:x", 1, "/"_path).error().code == cep::errc::op_invalid);
    CHECK(ops::op_await(s, oid, "ist:x", 1, "/c"_path, cep::path("/")).error().code == cep::errc::op_invalid);
}

TEST_CASE("ops: op_get is a compact, deterministic summary", "[ops]") {
    cep::cell_tree tree;
    ops::session s(tree, 4);
    const auto oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
    CHECK(ops::op_get(s, oid).value() == "oid=OPS:1 state=ist:run status=open watchers=0");
    ops::op_await(s, oid, "ist:done", 5, "/signals/op/cont"_path).value();
    ops::op_await(s, oid, "ist:done", 0, "/signals/op/cont"_path, "/data/resume"_path).value();
    ops::op_state_set(s, oid, "ist:sending").value();
    CHECK(ops::op_get(s, oid).value() == "oid=OPS:1 state=ist:sending status=open watchers=2");
    ops::op_close(s, oid, ops::statuses::cnl).value();
    CHECK(ops::op_get(s, oid).value() == "oid=OPS:1 state=ist:cnl status=sts:cnl watchers=2");
}

// ---- awaiters through a heartbeat ----

TEST_CASE("ops: an awaiter's continuation fires exactly once, the beat after its state came", "[ops]") {
    heartbeat hb;
    wire(hb);
    std::string oid;
    {
        ops::session s(hb.tree(), hb.beat());
        oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
        const auto w = ops::op_await(s, oid, "ist:done", 0, "/signals/op/cont"_path).value();
        CHECK(w.watcher == "OPW:1");
        CHECK_FALSE(w.armed);
        CHECK(w.deadline == 0);
    }
    const cep::path dossier = ops::dossier_path(oid).value();
    hb.step();  // beat 1: nothing due
    hb.step();  // beat 2
    CHECK(hb.enzyme<on_continue>().runs.empty());
    CHECK(hb.tree().contains(dossier / "watchers" / "OPW:1"));
    CHECK(hb.tree().contains("/rt/ops_meta/pending/OPS:1"_path));

    {
        ops::session s(hb.tree(), hb.beat());  // between beats 2 and 3: beat 3
        CHECK(ops::op_state_set(s, oid, "ist:done").value() == ops::state_change::recorded);
        CHECK(text(hb.tree(), dossier / "watchers" / "OPW:1" / "armed") == "true");
    }
    hb.step();  // beat 3: its commit fires the watcher
    CHECK(hb.enzyme<on_continue>().runs.empty());
    CHECK_FALSE(hb.tree().contains(dossier / "watchers" / "OPW:1"));
    CHECK_FALSE(hb.tree().contains("/rt/ops_meta/pending/OPS:1"_path));  // nothing left to watch
    for (int i = 0; i < 4; ++i) hb.step();
    CHECK(hb.enzyme<on_continue>().runs == std::vector<seen>{{4, "/rt/ops/OPS:1"}});
    CHECK(text(hb.tree(), "/rt/beat/4/impulses/1"_path) == "signal=/signals/op/cont target=/rt/ops/OPS:1");
    CHECK(hb.enzyme<on_timeout>().runs.empty());
    CHECK(cei_notes(hb.tree()).empty());
}

TEST_CASE("ops: an awaiter already satisfied is armed and fires at the next commit, to its payload", "[ops]") {
    heartbeat hb;
    wire(hb);
    ops::session s(hb.tree(), hb.beat());
    const auto oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
    const auto w = ops::op_await(s, oid, ops::states::run, 2, "/signals/op/cont"_path, "/data/resume/7"_path).value();
    CHECK(w.armed);
    CHECK(w.deadline == 3);
    hb.step();  // beat 1's commit fires it
    hb.step();
    hb.step();
    CHECK(hb.enzyme<on_continue>().runs == std::vector<seen>{{2, "/data/resume/7"}});
    CHECK(hb.enzyme<on_timeout>().runs.empty());
}

TEST_CASE("ops: a watcher that times out sends op/tmo once, at its deadline, with a CEI warning", "[ops]") {
    heartbeat hb;
    wire(hb);
    hb.step();  // beat 1
    std::string oid;
    {
        ops::session s(hb.tree(), hb.beat());  // beat 2
        oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
        CHECK(ops::op_await(s, oid, "ist:done", 3, "/signals/op/cont"_path).value().deadline == 5);
    }
    std::vector<cep::beat_number> commits_with_watcher;
    for (int i = 0; i < 6; ++i) {
        hb.step();  // beats 2..7
        if (hb.tree().contains("/rt/ops/OPS:1/watchers/OPW:1"_path)) commits_with_watcher.push_back(hb.beat() - 1);
    }
    CHECK(commits_with_watcher == std::vector<cep::beat_number>{2, 3, 4});  // removed by beat 5's commit
    CHECK(hb.enzyme<on_timeout>().runs == std::vector<seen>{{6, "/rt/ops/OPS:1"}});
    CHECK(hb.enzyme<on_continue>().runs.empty());
    CHECK(cei_notes(hb.tree()) ==
          std::vector<std::string>{"warn ops: operation OPS:1 did not reach ist:done by beat 5: watcher OPW:1 sends "
                                   "/op/tmo instead of /signals/op/cont"});
    CHECK(text(hb.tree(), "/rt/cei/1/beat"_path) == "5");

    // The state coming later fires nothing: the watcher is gone.
    ops::session s(hb.tree(), hb.beat());
    ops::op_state_set(s, oid, "ist:done").value();
    hb.step();
    hb.step();
    CHECK(hb.enzyme<on_continue>().runs.empty());
    CHECK(hb.enzyme<on_timeout>().runs.size() == 1);
}

TEST_CASE("ops: closing fires the watchers of the final state, and op/tmo for the others", "[ops]") {
    heartbeat hb;
    wire(hb);
    ops::session s(hb.tree(), hb.beat());
    const auto oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::direct).value();
    ops::op_await(s, oid, ops::states::ok, 0, "/signals/op/cont"_path).value();   // OPW:1
    ops::op_await(s, oid, ops::states::fail, 0, "/signals/op/cont"_path).value();  // OPW:2
    ops::op_close(s, oid, ops::statuses::ok).value();
    hb.step();
    hb.step();
    CHECK(hb.enzyme<on_continue>().runs == std::vector<seen>{{2, "/rt/ops/OPS:1"}});
    CHECK(hb.enzyme<on_timeout>().runs == std::vector<seen>{{2, "/rt/ops/OPS:1"}});
    CHECK(cei_notes(hb.tree()) ==
          std::vector<std::string>{"warn ops: operation OPS:1 closed (sts:ok, ist:ok) without reaching ist:fail: "
                                   "watcher OPW:2 sends /op/tmo instead of /signals/op/cont"});
    CHECK_FALSE(hb.tree().contains(cep::path("/rt/ops_meta/pending") / "OPS:1"));
}

TEST_CASE("ops: a state passed through between two commits still fires its watchers", "[ops]") {
    heartbeat hb;
    wire(hb);
    ops::session s(hb.tree(), hb.beat());
    const auto oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
    ops::op_await(s, oid, "ist:a", 0, "/signals/op/cont"_path).value();
    ops::op_state_set(s, oid, "ist:a").value();
    ops::op_state_set(s, oid, "ist:b").value();
    hb.step();
    hb.step();
    CHECK(hb.enzyme<on_continue>().runs.size() == 1);
}

// ---- inside enzymes: staged sessions ----

TEST_CASE("ops: staged in an enzyme: start, states, await and close, sealed at commit", "[ops]") {
    heartbeat hb;
    wire(hb);
    std::string oid;
    std::vector<std::string> results;
    hb.enzyme<driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        if (ctx.beat() == 1) {
            oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful, "bytes").value();
            // The session sees what it staged: the new operation, its state, its watcher.
            results.push_back(ops::op_get(s, oid).value());
            results.push_back(ops::op_await(s, oid, "ist:sending", 0, "/signals/op/cont"_path).value().armed ? "armed"
                                                                                                            : "waiting");
            results.push_back(ops::op_state_set(s, oid, "ist:sending").value() == ops::state_change::recorded ? "recorded"
                                                                                                              : "refreshed");
            results.push_back(ops::op_state_set(s, oid, "ist:sending", 5).value() == ops::state_change::recorded
                                  ? "recorded"
                                  : "refreshed");
            results.push_back(ops::op_get(s, oid).value());
            // Nothing is visible in this beat.
            results.push_back(ctx.find(ops::dossier_path(oid).value()) ? "visible" : "invisible");
        } else if (ctx.beat() == 2) {
            results.push_back(ops::op_close(s, oid, ops::statuses::ok, "done").value() == ops::close_outcome::closed
                                  ? "closed"
                                  : "?");
            results.push_back(ops::op_close(s, oid, ops::statuses::ok).value() == ops::close_outcome::already_closed
                                  ? "already closed"
                                  : "?");
            results.push_back(ops::op_close(s, oid, ops::statuses::fail).error().code == cep::errc::op_status_conflict
                                  ? "conflict"
                                  : "?");
            results.push_back(ops::op_state_set(s, oid, "ist:x").error().code == cep::errc::op_closed ? "op_closed" : "?");
        }
        return cep::status::success;
    };
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK(hb.step());  // beat 1: staged, committed, then the commit pass seals the envelope and fires the watcher
    REQUIRE(oid.starts_with("OPS:1-"));
    CHECK(oid.size() == 6 + 12);
    const cep::path dossier = ops::dossier_path(oid).value();
    CHECK(hb.tree().find(dossier / "envelope")->sealed());
    CHECK(history(hb.tree(), oid) == std::vector<std::string>{"OPH:1 state=ist:run beat=1", "OPH:2 state=ist:sending beat=1"});
    CHECK(text(hb.tree(), dossier / "code") == "5");
    CHECK(hb.tree().find(dossier / "watchers")->size() == 0);

    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK(hb.step());  // beat 2: the continuation runs; the close is staged, then sealed by the pass
    CHECK(hb.enzyme<on_continue>().runs == std::vector<seen>{{2, dossier.str()}});
    CHECK(hb.tree().find(dossier / "close")->sealed());
    CHECK(text(hb.tree(), dossier / "state") == "ist:ok");
    CHECK(history(hb.tree(), oid).back() == "OPH:3 state=ist:ok beat=2");
    CHECK_FALSE(hb.tree().contains(cep::path("/rt/ops_meta/pending") / oid));
    CHECK(results == std::vector<std::string>{
                         "oid=" + oid + " state=ist:run status=open watchers=0",
                         "waiting",
                         "recorded",
                         "refreshed",
                         "oid=" + oid + " state=ist:sending status=open watchers=1",
                         "invisible",
                         "closed",
                         "already closed",
                         "conflict",
                         "op_closed",
                     });
    CHECK(cei_notes(hb.tree()).empty());
}

TEST_CASE("ops: staged awaits and state changes from two enzymes in one beat", "[ops]") {
    heartbeat hb;
    wire(hb);
    std::string oid;
    {
        ops::session s(hb.tree(), hb.beat());
        oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
    }
    // driver awaits ist:done, other_driver (after it) sets ist:done: neither sees the other's staging, and the
    // commit pass fires the watcher anyway, because its state is the operation's state at commit.
    hb.enzyme<driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        return ops::op_await(s, oid, "ist:done", 0, "/signals/op/cont"_path) ? cep::status::success : cep::status::fatal;
    };
    hb.enzyme<other_driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        return ops::op_state_set(s, oid, "ist:done") ? cep::status::success : cep::status::fatal;
    };
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK(hb.step());
    CHECK(hb.step());
    CHECK(hb.enzyme<on_continue>().runs == std::vector<seen>{{2, "/rt/ops/OPS:1"}});

    // Two different staged closes in one beat: the later stands, and the pass says so.
    hb.enzyme<driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        return ops::op_close(s, oid, ops::statuses::ok) ? cep::status::success : cep::status::fatal;
    };
    hb.enzyme<other_driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        return ops::op_close(s, oid, ops::statuses::cnl) ? cep::status::success : cep::status::fatal;
    };
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK(hb.step());
    CHECK(text(hb.tree(), "/rt/ops/OPS:1/state"_path) == "ist:cnl");
    CHECK(text(hb.tree(), "/rt/ops/OPS:1/close/status"_path) == "sts:cnl");
    CHECK(cei_notes(hb.tree()) ==
          std::vector<std::string>{"warn ops: operation OPS:1 was closed 2 times in one beat; the last close (sts:cnl) stands"});
}

TEST_CASE("ops: identical staged starts in one beat share one dossier; different ones do not", "[ops]") {
    heartbeat hb;
    wire(hb);
    std::vector<std::string> oids;
    const auto start = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        oids.push_back(ops::op_start(s, "upload", "/data/file"_path, ops::modes::direct).value());
        oids.push_back(ops::op_start(s, "upload", "/data/file"_path, ops::modes::direct).value());  // a second one
        return cep::status::success;
    };
    hb.enzyme<driver>().body = start;
    hb.enzyme<other_driver>().body = start;
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK(hb.step());
    REQUIRE(oids.size() == 4);
    CHECK(oids[0] != oids[1]);
    CHECK(oids[0] == oids[2]);
    CHECK(oids[1] == oids[3]);
    CHECK(cei_notes(hb.tree()).size() == 2);
    CHECK(cei_notes(hb.tree())[0].find("records its start 2 times") != std::string::npos);
}

TEST_CASE("ops: a failed invocation's staged operation leaves nothing behind", "[ops]") {
    heartbeat hb;
    wire(hb);
    hb.enzyme<driver>().body = [&](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        ops::op_start(s, "upload", "/data/file"_path, ops::modes::direct).value();
        return cep::status::fatal;
    };
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    CHECK_FALSE(hb.step());
    CHECK_FALSE(hb.tree().contains("/rt/ops"_path));
    CHECK_FALSE(hb.tree().contains("/rt/ops_meta/pending"_path));
}

// ---- the commit pass alone, and determinism ----

TEST_CASE("ops: stage_commit without a heartbeat; malformed watchers are reported, not fired", "[ops]") {
    cep::cell_tree tree;
    ops::session s(tree, 1);
    const auto oid = ops::op_start(s, "upload", "/data/file"_path, ops::modes::stateful).value();
    ops::op_await(s, oid, ops::states::run, 0, "/signals/op/cont"_path).value();
    tree.put_text("/rt/ops/OPS:1/watchers/OPW:9/want"_path, "ist:run").value();  // no cont, no deadline
    const auto outcome = ops::stage_commit(tree, 1);
    REQUIRE(outcome.fired.size() == 1);
    CHECK(outcome.fired[0].why == ops::firing::reason::reached);
    CHECK(outcome.fired[0].signal == "/signals/op/cont"_path);
    CHECK(outcome.fired[0].target == "/rt/ops/OPS:1"_path);
    CHECK(outcome.warnings == std::vector<std::string>{
                                  "watcher \"/rt/ops/OPS:1/watchers/OPW:9\" is malformed (want, cont, deadline or "
                                  "payload); removed without firing"});
    CHECK(tree.find("/rt/ops/OPS:1/watchers"_path)->size() == 0);
    CHECK(ops::stage_commit(tree, 2).fired.empty());  // once
}

namespace {
std::vector<std::string> scripted_run() {
    heartbeat hb;
    wire(hb);
    for (cep::beat_number b = 1; b <= 8; ++b) hb.publish_wallclock(b, 1'000'000'000 * b).value();
    hb.enzyme<driver>().body = [](const cep::impulse_ref&, cep::write_context& ctx) {
        ops::session s(ctx);
        const auto oid = ops::op_start(s, "job", "/data/job"_path, ops::modes::stateful, "input").value();
        ops::op_await(s, oid, "ist:never", 2, "/signals/op/cont"_path).value();
        ops::op_await(s, oid, ops::states::ok, 0, "/signals/op/cont"_path, "/data/after"_path).value();
        return cep::status::success;
    };
    {
        ops::session s(hb.tree(), hb.beat());
        const auto oid = ops::op_start(s, "job", "/data/other"_path, ops::modes::stateful).value();
        ops::op_await(s, oid, "ist:half", 3, "/signals/op/cont"_path).value();
        ops::op_state_set(s, oid, "ist:half", 1, "halfway").value();
    }
    hb.enqueue("/signals/drive"_path, "/data/job"_path).value();
    for (int i = 0; i < 5; ++i) hb.step();
    std::string staged_oid;
    for (auto c : hb.tree().find("/rt/ops"_path)->children())
        if (c.name() != "OPS:1") staged_oid = std::string(c.name());
    ops::session s(hb.tree(), hb.beat());
    ops::op_close(s, staged_oid, ops::statuses::ok, "summary").value();
    for (int i = 0; i < 3; ++i) hb.step();
    return dump(hb.tree());
}
}  // namespace

TEST_CASE("ops: two identical runs give identical trees and ledgers", "[ops]") {
    const auto first = scripted_run();
    const auto second = scripted_run();
    CHECK(first == second);
    const auto count = [&](std::string_view needle) {
        std::size_t n = 0;
        for (const auto& line : first)
            n += line.find("/impulses/") != std::string::npos && line.find(needle) != std::string::npos;
        return n;
    };
    CHECK(count("signal=/signals/op/cont target=/rt/ops/OPS:1") == 1);
    CHECK(count("signal=/signals/op/cont target=/data/after") == 1);
    CHECK(count("signal=/op/tmo") == 1);
}

// ---- bounded memory ----

TEST_CASE("OPS: the ids of removed dossiers are released, so a long run of operations keeps the path table flat") {
    heartbeat hb(cep::heartbeat_policy{.ensure_directories = false, .transient_release_floor = 256});
    wire(hb);
    CHECK(hb.tree().paths().transient(hb.tree().paths().intern(cep::path("/rt/ops/probe"))));
    std::size_t settled = 0;
    auto& runs = hb.enzyme<on_continue>().runs;
    for (int round = 0; round < 40; ++round) {
        std::vector<std::string> oids;
        {
            ops::session s(hb.tree(), hb.beat());
            for (int i = 0; i < 16; ++i) {
                const auto target = cep::path("/data/files") / ("f" + std::to_string(i));
                const auto oid = ops::op_start(s, "upload", target, ops::modes::direct).value();
                (void)ops::op_await(s, oid, ops::states::ok, 0, "/signals/op/cont"_path).value();
                (void)ops::op_close(s, oid, ops::statuses::ok).value();
                oids.push_back(oid);
            }
        }
        runs.clear();
        hb.step();  // the commit pass fires the watchers
        hb.step();  // the continuations run, each with its own dossier as target (ids reused meanwhile)
        std::vector<std::string> targets;
        for (const auto& run : runs) targets.push_back(run.target);
        std::vector<std::string> dossiers;
        for (const auto& oid : oids) dossiers.push_back(ops::dossier_path(oid).value().str());
        std::sort(targets.begin(), targets.end());
        std::sort(dossiers.begin(), dossiers.end());
        REQUIRE(targets == dossiers);
        for (const auto& oid : oids) hb.tree().remove(ops::dossier_path(oid).value()).value();
        if (round == 10) settled = hb.tree().paths().size();
        if (round > 10) REQUIRE(hb.tree().paths().size() <= settled);
    }
    // 640 operations of about twenty ids each: without releases the table would hold some 12,000 more.
    CHECK(settled < 2000);
}
