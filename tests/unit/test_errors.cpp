// The error catalogue (docs/errors.md), checked: every run-time error text that no other test asserts exactly is
// asserted here, with its code and, for the throwing entry points, its exception type. Test names follow the
// catalogue's families: "errors: <family>: <case>".
#include <cep/cep.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace cep::literals;
namespace ops = cep::ops;

namespace {

// The error a throwing call throws, as (type check, code, message).
template <class Exception, class F>
cep::error thrown(F&& f) {
    try {
        f();
    } catch (const Exception& e) {
        CHECK(std::string(e.what()) == e.error().message);
        return e.error();
    } catch (const std::exception& e) {
        FAIL("unexpected exception type: " << e.what());
    }
    FAIL("nothing was thrown");
    return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// paths and queries

TEST_CASE("errors: paths: child() reports the whole text it would build") {
    const cep::path deep(std::string_view("/" + [] {
        std::string s = "d";
        for (int i = 1; i < 128; ++i) s += "/d";
        return s;
    }()));
    REQUIRE(deep.depth() == 128);
    const auto too_deep = deep.child("e");
    REQUIRE_FALSE(too_deep);
    CHECK(too_deep.error().code == cep::errc::path_too_deep);
    CHECK(too_deep.error().message.starts_with("invalid path \"/d/d/d/"));
    CHECK(too_deep.error().message.ends_with("...\" at offset 257: more than 128 segments"));

    const cep::path long_path("/" + std::string(255, 'a') + "/" + std::string(255, 'b'));
    cep::path at = long_path;
    for (int i = 0; i < 14; ++i) at = at / std::string(255, 'c');  // 16 segments of 255: 4096 bytes
    REQUIRE(at.str().size() == 4096);
    const auto too_long = at.child("x");
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == cep::errc::path_too_long);
    CHECK(too_long.error().message.ends_with("...\" at offset 4096: longer than 4096 bytes"));

    // The throwing form throws cep::path_error with the same error.
    const auto e = thrown<cep::path_error>([&] { (void)(at / "x"); });
    CHECK(e == too_long.error());
}

TEST_CASE("errors: paths: a query is reported as a query, a glob segment of a path as a path") {
    CHECK(cep::query::parse("signals/x").error().message ==
          R"(invalid query "signals/x" at offset 0: it must start with '/')");
    CHECK(cep::query::parse("").error().message == R"(invalid query "" at offset 0: the text is empty)");
    const auto e = thrown<cep::path_error>([] { (void)cep::query("/a//b"); });
    CHECK(e.code == cep::errc::path_empty_segment);
    CHECK(e.message == R"(invalid query "/a//b" at offset 3: empty segment ('//'))");
    CHECK(cep::path::parse("/a/").error().message == R"(invalid path "/a/" at offset 2: trailing '/')");
}

TEST_CASE("errors: paths: an unknown path id throws path_error from every id-based call") {
    cep::path_table table;
    const cep::path_id foreign{12345};
    for (auto call : std::vector<void (*)(cep::path_table&, cep::path_id)>{
             [](cep::path_table& t, cep::path_id id) { (void)t.parent(id); },
             [](cep::path_table& t, cep::path_id id) { (void)t.depth(id); },
             [](cep::path_table& t, cep::path_id id) { (void)t.leaf(id); },
             [](cep::path_table& t, cep::path_id id) { (void)t.text_of(id); },
             [](cep::path_table& t, cep::path_id id) { (void)t.child(id, "x"); },
         }) {
        const auto e = thrown<cep::path_error>([&] { call(table, foreign); });
        CHECK(e.code == cep::errc::path_unknown_id);
        CHECK(e.message == "path id 12345 does not belong to this path table");
    }
    CHECK(table.child(cep::path_table::root(), "a b").error().message ==
          R"(invalid path "/a b" at offset 2: space is not allowed)");
}

// ---------------------------------------------------------------------------------------------------------------
// names

TEST_CASE("errors: names: a long name is shown up to 72 characters in the message") {
    const std::string text(100, 'n');
    const auto checked = cep::check_name(text);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == cep::errc::name_too_long);
    CHECK(checked.error().message ==
          "invalid name \"" + std::string(72, 'n') + "...\" at offset 64: a name is at most 64 characters long");
    const auto e = thrown<cep::name_error>([&] { checked.value(); });
    CHECK(e == checked.error());
}

TEST_CASE("errors: names: a list's entry prefix is a name") {
    cep::cell_tree tree;
    const auto bad = tree.make_list("/l"_path, "op w");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == cep::errc::name_invalid_character);
    CHECK(bad.error().message ==
          R"(invalid name "op w" at offset 2: a name may contain only ASCII letters, digits, '_', '-', '.' and ':')");
}

// ---------------------------------------------------------------------------------------------------------------
// the cell tree

TEST_CASE("errors: tree: cell_exists") {
    cep::cell_tree tree;
    tree.put_text("/a"_path, "x").value();
    const auto root = tree.link("/"_path, "/a"_path);
    REQUIRE_FALSE(root);
    CHECK(root.error().code == cep::errc::cell_exists);
    CHECK(root.error().message == "cannot make the root a link");
    const auto taken = tree.link("/a"_path, "/a"_path);
    REQUIRE_FALSE(taken);
    CHECK(taken.error().code == cep::errc::cell_exists);
    CHECK(taken.error().message == R"(a cell already exists at "/a")");
}

TEST_CASE("errors: tree: cell_not_a_dictionary") {
    cep::cell_tree tree;
    tree.make_list("/rt/log"_path).value();
    const auto made = tree.put_text("/rt/log/note"_path, "x");
    REQUIRE_FALSE(made);
    CHECK(made.error().code == cep::errc::cell_not_a_dictionary);
    CHECK(made.error().message ==
          R"(cannot create "/rt/log/note": "/rt/log" is a list (lists take entries through append))");
    // Through the throwing form: cep::tree_error.
    const auto e = thrown<cep::tree_error>([&] { tree.make_dictionary("/rt/log/x"_path).value(); });
    CHECK(e.code == cep::errc::cell_not_a_dictionary);
}

TEST_CASE("errors: tree: cell_wrong_kind for a list with another entry prefix") {
    cep::cell_tree tree;
    tree.make_list("/h"_path, "OPH").value();
    CHECK(tree.make_list("/h"_path, "OPW").error().message ==
          R"(list "/h" exists with entry prefix "OPH", not "OPW")");
    CHECK(tree.make_list("/h"_path).error().message == R"(list "/h" exists with entry prefix "OPH", not "")");
}

TEST_CASE("errors: tree: cell_stale_view of a default-constructed view") {
    const cep::cell_view empty;
    const auto e = thrown<cep::tree_error>([&] { (void)empty.text(); });
    CHECK(e.code == cep::errc::cell_stale_view);
    CHECK(e.message == "the cell view is empty (default-constructed)");
}

TEST_CASE("errors: tree: deferred list entries whose paths would be too deep or too long") {
    cep::cell_tree tree;
    std::string deep_text;
    for (int i = 0; i < 128; ++i) deep_text += "/d";
    const auto deep = tree.paths().intern(cep::path(deep_text));
    tree.make_list(deep).value();
    const auto too_deep = tree.append_entry(deep, "x");
    REQUIRE_FALSE(too_deep);
    CHECK(too_deep.error().code == cep::errc::path_too_deep);
    CHECK(too_deep.error().message ==
          "cannot append to \"" + deep_text + "\": its entries would be deeper than 128 segments");

    std::string long_text;
    for (int i = 0; i < 16; ++i) long_text += "/" + std::string(i == 15 ? 254 : 255, 'l');  // 4095 bytes
    const auto list = tree.paths().intern(cep::path(long_text));
    tree.make_list(list).value();
    const auto too_long = tree.append_entry(list, "x");
    REQUIRE_FALSE(too_long);
    CHECK(too_long.error().code == cep::errc::path_too_long);
    CHECK(too_long.error().message ==
          "cannot append to \"" + long_text + "\": entry 1's path would be longer than 4096 bytes");
}

// ---------------------------------------------------------------------------------------------------------------
// builds

namespace {
std::vector<std::string> build_journal;
struct steady {
    void init() { build_journal.emplace_back("init steady"); }
    void dispose() { throw std::runtime_error("stuck"); }
};
struct crashing {
    void init() { throw std::runtime_error("no disk"); }
};
}  // namespace

TEST_CASE("errors: builds: build_init_failed with a dispose that fails while rolling back") {
    constexpr cep::hook<steady, cep::kind<"steady">> use_steady{};
    constexpr cep::hook<crashing, cep::kind<"crashing">, cep::depends_on<"steady">> use_crashing{};
    const auto e = thrown<cep::build_error>([&] { auto system = cep::build(use_steady, use_crashing); });
    CHECK(e.code == cep::errc::build_init_failed);
    CHECK(e.message == "Facet 'crashing' (from " + use_crashing.source.text() +
                           ") failed to initialise: no disk (while rolling back, dispose failed: Facet 'steady' (from " +
                           use_steady.source.text() + "): stuck;)");
}

// ---------------------------------------------------------------------------------------------------------------
// the heartbeat

namespace {
std::vector<cep::error> emit_errors;
struct echo {
    static constexpr cep::name name = "echo";
    static constexpr auto query = "/signals/echo"_query;
    // Each form of emit reaches the sink by its own route (a literal signal with a path, with the impulse's
    // path_ref, a cep::path signal): all three report the same error.
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        if (auto r = ctx.emit_at(ctx.beat(), "/signals/later"_path, "/t"_path); !r) emit_errors.push_back(r.error());
        if (auto r = ctx.emit_at(ctx.beat(), "/signals/later"_path, impulse.target); !r)
            emit_errors.push_back(r.error());
        if (auto r = ctx.emit_at(ctx.beat(), cep::path("/signals/later"), impulse.target); !r)
            emit_errors.push_back(r.error());
        return cep::status::success;
    }
};
using echo_registry = cep::enzyme_registry<echo>;
}  // namespace

// A queue part that does not list what it keeps (the default one's listing hidden): no transient roots then.
struct opaque_queue : cep::beat_queue {
    void for_each_waiting() = delete;
};
struct opaque_kernel : cep::default_kernel {
    using queue = opaque_queue;
};

TEST_CASE("errors: heartbeat: invalid_policy") {
    const auto window = thrown<cep::heartbeat_error>([] {
        cep::heartbeat<echo_registry> hb(cep::heartbeat_policy{.spacing_window = 0});
    });
    CHECK(window.code == cep::errc::invalid_policy);
    CHECK(window.message == "the spacing window must be at least 1");
    const auto memo = thrown<cep::heartbeat_error>([] {
        cep::heartbeat<echo_registry> hb(cep::heartbeat_policy{.memo_capacity = 0});
    });
    CHECK(memo.code == cep::errc::invalid_policy);
    CHECK(memo.message == "the memo capacity must be at least 1");

    cep::heartbeat<echo_registry> hb;
    const auto set = hb.set_spacing_window(0);
    REQUIRE_FALSE(set);
    CHECK(set.error() == window);

    cep::beat_queue loose;
    const auto queued = loose.enqueue(cep::impulse{"/signals/echo"_path, "/t"_path});
    REQUIRE_FALSE(queued);
    CHECK(queued.error().code == cep::errc::invalid_policy);
    CHECK(queued.error().message == "this queue is not part of a kernel yet (no path table)");

    const auto runtime = hb.make_transient_root("/rt/cei"_path);
    REQUIRE_FALSE(runtime);
    CHECK(runtime.error().code == cep::errc::invalid_policy);
    CHECK(runtime.error().message ==
          "cannot make /rt/cei a transient root: it is the root, /rt, holds or lies in rt/beat, rt/cei or "
          "rt/analytics/spacing, or lies below a recycling or transient root");
    cep::heartbeat<echo_registry, cep::bound_then_matched, opaque_kernel> opaque;
    const auto unlisted = opaque.make_transient_root("/msgs"_path);
    REQUIRE_FALSE(unlisted);
    CHECK(unlisted.error().code == cep::errc::invalid_policy);
    CHECK(unlisted.error().message ==
          "cannot make /msgs a transient root: this kernel's queue, processor or router part cannot list the ids "
          "it keeps (for_each_waiting, for_each_held_id, start_over)");
    CHECK(opaque.release_unused_paths() == 0);
}

TEST_CASE("errors: general: callback_empty, an empty listener is reported as a listener failure") {
    cep::listener_hub hub;
    hub.on("x", cep::listener{});
    CHECK(hub.emit(cep::event{"x", "line", 1}) == 1);
    const auto failures = hub.take_failures();
    REQUIRE(failures.size() == 1);
    CHECK(failures[0] == "listener 1 on 'x' threw: called an empty cep::callback (it holds no function)");
}

TEST_CASE("errors: heartbeat: beat_in_past from an enzyme's emit") {
    emit_errors.clear();
    cep::heartbeat<echo_registry> hb;
    hb.register_all();
    hb.bind<echo>("/t"_path);
    hb.enqueue("/signals/echo"_path, "/t"_path).value();
    hb.step();
    REQUIRE(emit_errors.size() == 3);
    for (const auto& e : emit_errors) {
        CHECK(e.code == cep::errc::beat_in_past);
        CHECK(e.message == "cannot emit /signals/later for beat 1: the earliest beat open for impulses is 2");
    }
}

TEST_CASE("errors: heartbeat: unknown_enzyme from every by-name call, a bad CEI severity") {
    cep::heartbeat<echo_registry> hb;
    const std::string expected = "no enzyme named 'nobody' in this heartbeat's registry";
    CHECK(hb.register_enzyme("nobody").error().message == expected);
    CHECK(hb.register_enzyme("nobody", "/signals/**"_query).error().message == expected);
    CHECK(hb.unregister_enzyme("nobody").error().message == expected);
    CHECK(hb.bind("/t"_path, "nobody").error().message == expected);
    CHECK(hb.tombstone("/t"_path, "nobody").error().message == expected);
    const auto unbound = hb.unbind("/t"_path, "nobody");
    REQUIRE_FALSE(unbound);
    CHECK(unbound.error().code == cep::errc::unknown_enzyme);
    const auto e = thrown<cep::heartbeat_error>([&] { hb.register_enzyme("nobody").value(); });
    CHECK(e.message == expected);

    const auto severity = hb.cei_emit("very bad", "topic", "note");
    REQUIRE_FALSE(severity);
    CHECK(severity.error().code == cep::errc::name_invalid_character);
    CHECK(severity.error().message ==
          R"(invalid name "very bad" at offset 4: a name may contain only ASCII letters, digits, '_', '-', '.' and ':')");
}

// ---------------------------------------------------------------------------------------------------------------
// ops

TEST_CASE("errors: ops: invalid verbs, states, statuses and modes from run-time text") {
    const auto verb = ops::verb::parse("image resize");
    REQUIRE_FALSE(verb);
    CHECK(verb.error().code == cep::errc::op_invalid);
    CHECK(verb.error().message ==
          "invalid verb \"image resize\": invalid name \"image resize\" at offset 5: a name may contain only ASCII "
          "letters, digits, '_', '-', '.' and ':'");
    CHECK(ops::state::parse("run").error().message ==
          "invalid state \"run\": a state is \"ist:\" followed by ASCII letters, digits, '_', '-', '.' or ':' (at "
          "most 64 characters in all)");
    CHECK(ops::mode::parse("opm:batch").error().message == "invalid mode \"opm:batch\": a mode is opm:direct or opm:states");
    const std::string long_status(100, 's');
    CHECK(ops::status::parse(long_status).error().message ==
          "invalid status \"" + std::string(80, 's') + "...\": a status is sts:ok, sts:fail or sts:cnl");
    const auto e = thrown<cep::ops_error>([] { (void)ops::mode::parse("direct").value(); });
    CHECK(e.code == cep::errc::op_invalid);
}

TEST_CASE("errors: ops: invalid operation ids and records that are not dossiers") {
    cep::cell_tree tree;
    ops::session s(tree, 1);
    CHECK(ops::op_get(s, "").error().message == "invalid operation id \"\": it is empty");
    CHECK(ops::op_get(s, "a/b").error().message ==
          "invalid operation id \"a/b\": invalid path \"/rt/ops/a/b\" at offset 9: empty segment ('//')");
    CHECK(ops::dossier_path("..").error().message ==
          "invalid operation id \"..\": invalid path \"/rt/ops/..\" at offset 8: '.' and '..' segments are not "
          "allowed");
    tree.put_text("/rt/ops/stray"_path, "x").value();
    const auto stray = ops::op_get(s, "stray");
    REQUIRE_FALSE(stray);
    CHECK(stray.error().code == cep::errc::op_invalid);
    CHECK(stray.error().message ==
          "operation stray has no envelope/mode or state: \"/rt/ops/stray\" is not a dossier");
}

TEST_CASE("errors: ops: a watcher on the root, a deadline past the beat counter") {
    cep::cell_tree tree;
    ops::session s(tree, 1);
    const auto oid = ops::op_start(s, "v", "/t"_path, ops::modes::stateful).value();
    const auto root = ops::op_await(s, oid, "ist:x", 1, "/"_path);
    REQUIRE_FALSE(root);
    CHECK(root.error().code == cep::errc::op_invalid);
    CHECK(root.error().message == "a watcher's continuation signal and payload path cannot be the root \"/\"");
    CHECK(ops::op_await(s, oid, "ist:x", 1, "/c"_path, "/"_path).error() == root.error());
    const auto overflow = ops::op_await(s, oid, "ist:x", std::numeric_limits<std::uint64_t>::max(), "/c"_path);
    REQUIRE_FALSE(overflow);
    CHECK(overflow.error().code == cep::errc::op_invalid);
    CHECK(overflow.error().message ==
          "the deadline of beat 1 + ttl 18446744073709551615 does not fit in a beat number");
}

TEST_CASE("errors: ops: a corrupt operation counter") {
    cep::cell_tree tree;
    tree.put_text("/rt/ops_meta/next_oid"_path, "many").value();
    ops::session s(tree, 1);
    const auto started = ops::op_start(s, "v", "/t"_path, ops::modes::direct);
    REQUIRE_FALSE(started);
    CHECK(started.error().code == cep::errc::op_invalid);
    CHECK(started.error().message == "the counter \"/rt/ops_meta/next_oid\" holds \"many\", not a number");
}

namespace {
struct null_sink final : cep::impulse_sink {
    cep::result<void> emit(cep::beat_number, const cep::path&, const cep::path*) override { return {}; }
};
}  // namespace

TEST_CASE("errors: ops: a staged name already taken in the committed tree") {
    // A staged session names an operation OPS:<beat>-<first 12 hex digits of SHA-256(request;seq=n)>. The name
    // can only be taken if the committed tree already holds a dossier of that beat (the same beat staged twice).
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    null_sink sink;
    const std::string request = "cep.ops.start/1;verb=v;target=/t;mode=opm:direct;ttl=0;payload=;seq=1";
    const std::string digest = cep::detail::sha256::hex(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(request.data()), request.size()));
    const std::string name = "OPS:7-" + digest.substr(0, 12);
    tree.put_text(cep::path("/rt/ops") / name, "").value();
    cep::write_context ctx(tree, stage, sink, 7);
    ops::session s(ctx);
    const auto started = ops::op_start(s, "v", "/t"_path, ops::modes::direct);
    REQUIRE_FALSE(started);
    CHECK(started.error().code == cep::errc::op_invalid);
    CHECK(started.error().message == "the name " + name + " is already taken in the committed tree");
}

TEST_CASE("errors: closure: closure_store_outlived, a store kept across a release of transient ids") {
    cep::cell_tree tree;
    auto& paths = tree.paths();
    REQUIRE(paths.make_transient_root(paths.intern(cep::path("/bonds/facet_queue"))));
    cep::closure::store kept(tree);
    const cep::path entry("/bonds/facet_queue/audit_log/00ff/value");
    REQUIRE(kept.put_text(entry, "queued"));  // the journal now holds the entry's id
    cep::closure::store idle(tree);           // holds no id: it goes on after the release
    tree.remove(cep::path("/bonds/facet_queue/audit_log")).value();
    REQUIRE(paths.release_unused([&](cep::path_id id) { return tree.holds_cell(id); }) > 0);
    const auto refused = kept.put_text(cep::path("/bonds/facet_queue/audit_log/0100/value"), "again");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == cep::errc::closure_store_outlived);
    CHECK(refused.error().message ==
          "this closure::store outlived a release of transient path ids (the end of a commit, or "
          "release_unused_paths): the ids in its journal may name other paths now; use one store per call or beat");
    CHECK(thrown<cep::closure_error>([&] { kept.remove(cep::path("/bonds")).value(); }).code ==
          cep::errc::closure_store_outlived);
    CHECK(idle.put_text(entry, "queued"));
    cep::closure::store fresh(tree);
    CHECK(fresh.put_text(cep::path("/bonds/facet_queue/audit_log/0101/value"), "new"));
}

// ---------------------------------------------------------------------------------------------------------------
// the family of a code decides the exception type

TEST_CASE("errors: exceptions: value() on an error throws the type of the code's family") {
    CHECK(thrown<cep::mailbox_error>([] {
              cep::result<int>(cep::error{cep::errc::mailbox_bad_record, "m"}).value();
          }).code == cep::errc::mailbox_bad_record);
    CHECK(thrown<cep::closure_error>([] {
              cep::result<void>(cep::error{cep::errc::closure_not_queued, "c"}).value();
          }).message == "c");
    CHECK(thrown<cep::contract_error>([] {
              cep::result<void>(cep::error{cep::errc::contract_validation_failed, "v"}).value();
          }).code == cep::errc::contract_validation_failed);
    CHECK(thrown<cep::build_error>([] {
              cep::result<void>(cep::error{cep::errc::build_disposed, "d"}).value();
          }).code == cep::errc::build_disposed);
    CHECK(thrown<cep::ops_error>([] {
              cep::result<void>(cep::error{cep::errc::op_status_conflict, "o"}).value();
          }).code == cep::errc::op_status_conflict);
    CHECK(thrown<cep::heartbeat_error>([] {
              cep::result<void>(cep::error{cep::errc::wallclock_conflict, "w"}).value();
          }).code == cep::errc::wallclock_conflict);
    CHECK(thrown<cep::tree_error>([] {
              cep::result<void>(cep::error{cep::errc::cell_cannot_move, "t"}).value();
          }).code == cep::errc::cell_cannot_move);
}
