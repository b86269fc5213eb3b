// The kernel: the heartbeat's six parts satisfy the default contracts and the kernel concepts; each part's contract
// operations; listeners observe the ledger; the scheduler drives beats; a swapped part is used by the heartbeat.
#include <cep/contract/contract.hpp>
#include <cep/dispatch.hpp>
#include <cep/kernel.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace cep::literals;

namespace {

cep::path P(const char* text) { return cep::path(text); }

struct write_thumb {
    static constexpr cep::name name = "write_thumb";
    static constexpr auto query = "/signals/image"_query;
    using match = cep::prefix;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        ++calls;
        const std::string leaf = impulse.target.empty() ? "all" : std::string(impulse.target.leaf());
        (void)ctx.put_text(cep::path("/data/thumbs") / leaf, "small");
        return cep::status::success;
    }
};
struct index_thumb {
    static constexpr cep::name name = "index_thumb";
    static constexpr auto query = "/signals/image/thumbnail"_query;
    using after = cep::enzymes<write_thumb>;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) {
        ++calls;
        return cep::status::success;
    }
};
struct flaky {
    static constexpr cep::name name = "flaky";
    static constexpr auto query = "/signals/flaky"_query;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) {
        return ++calls < 2 ? cep::status::retry : cep::status::success;
    }
};
using registry = cep::enzyme_registry<write_thumb, index_thumb, flaky>;
using heart = cep::heartbeat<registry>;
using parts = heart::parts;

// ---- every default part satisfies its contract and what the heartbeat calls on it ----
static_assert(cep::satisfies<cep::tree_hierarchy, cep::hierarchy_contract>);
static_assert(cep::satisfies<parts::router, cep::router_contract>);
static_assert(cep::satisfies<cep::beat_queue, cep::queue_contract>);
static_assert(cep::satisfies<cep::beat_scheduler, cep::scheduler_contract>);
static_assert(cep::satisfies<cep::listener_hub, cep::listeners_contract>);
static_assert(cep::satisfies<parts::processor, cep::processor_contract>);
static_assert(cep::kernel_hierarchy<cep::tree_hierarchy>);
static_assert(cep::kernel_queue<cep::beat_queue>);
static_assert(cep::kernel_scheduler<cep::beat_scheduler>);
static_assert(cep::kernel_listeners<cep::listener_hub>);
static_assert(!cep::kernel_queue<cep::listener_hub>);

// A user's queue: the default one, counting what it is given. It keeps the base's other push overloads visible:
// the heartbeat must still give it every impulse through push(queued_impulse), not through the base's
// push(beat, signal, target) that it uses on cep's own queue.
struct counting_queue : cep::beat_queue {
    std::size_t pushes = 0;
    std::size_t takes = 0;
    using beat_queue::push;
    void push(const cep::queued_impulse& item) {
        ++pushes;
        beat_queue::push(item);
    }
    void take(cep::beat_number at, std::vector<cep::queued_impulse>& out) {
        ++takes;
        beat_queue::take(at, out);
    }
};
struct counting_kernel : cep::default_kernel {
    using queue = counting_queue;
};

std::vector<std::string> ledger(const cep::cell_tree& tree, cep::beat_number beat, const char* list) {
    std::vector<std::string> lines;
    if (const auto cell = tree.find(cep::path("/rt/beat") / std::to_string(beat) / list))
        for (const auto& entry : cell->children()) lines.emplace_back(entry.text());
    return lines;
}

}  // namespace

TEST_CASE("the kernel is a subsystem built in dependency order and verified at construction") {
    heart hb;
    const auto& plan = heart::kernel_type::plan();
    REQUIRE(plan.size() == 6);
    std::vector<std::string_view> kinds;
    for (const auto& step : plan) kinds.push_back(step.kind);
    CHECK(kinds.front() == "hierarchy");
    // Every part comes after the parts it depends on.
    auto position = [&](std::string_view kind) { return std::find(kinds.begin(), kinds.end(), kind) - kinds.begin(); };
    CHECK(position("router") > position("hierarchy"));
    CHECK(position("queue") > position("hierarchy"));
    CHECK(position("processor") > position("router"));
    CHECK(position("processor") > position("scheduler"));
    for (const auto& step : plan) CHECK(step.contract == step.kind);
    // The heartbeat's accessors are the subsystem's facets.
    CHECK(&hb.part<"queue">() == &hb.queue());
    CHECK(&hb.kernel().get<"hierarchy">().tree() == &hb.tree());
    // The run-time validations of the contracts pass on the wired parts.
    CHECK_NOTHROW(cep::enforce_at_run_time<cep::queue_contract>(hb.queue()));
    CHECK_NOTHROW(cep::enforce_at_run_time<cep::listeners_contract>(hb.listeners()));
    CHECK_NOTHROW(cep::enforce_at_run_time<cep::router_contract>(hb.router()));
}

TEST_CASE("a swapped part is the one the heartbeat calls") {
    cep::heartbeat<registry, cep::bound_then_matched, counting_kernel> custom;
    heart plain;
    for (auto* hb : {static_cast<void*>(&custom), static_cast<void*>(&plain)}) (void)hb;
    auto drive = [](auto& hb) {
        hb.template register_enzyme<write_thumb>();
        hb.template register_enzyme<index_thumb>();
        hb.template bind<write_thumb>(P("/env"), cep::propagate);
        hb.template bind<index_thumb>(P("/env"), cep::propagate);
        REQUIRE(hb.enqueue(P("/signals/image/thumbnail"), P("/env/a.jpg")));
        REQUIRE(hb.enqueue(P("/signals/image/thumbnail"), P("/env/b.jpg")));
        REQUIRE(hb.enqueue_at(3, P("/signals/image/thumbnail"), P("/env/c.jpg")));
        // By ids too (the enqueue's inlined fast path).
        const auto signal = hb.tree().paths().intern(P("/signals/image/thumbnail"));
        REQUIRE(hb.enqueue(signal, hb.tree().paths().intern(P("/env/d.jpg"))));
        for (int n = 0; n < 3; ++n) hb.step();
    };
    drive(custom);
    drive(plain);
    CHECK(custom.queue().pushes == 4);
    CHECK(custom.queue().takes == 3);  // one take per beat
    // Same behaviour, byte for byte.
    for (cep::beat_number beat = 1; beat <= 3; ++beat)
        for (const char* list : {"impulses", "agenda", "stage"})
            CHECK(ledger(custom.tree(), beat, list) == ledger(plain.tree(), beat, list));
    CHECK(custom.enzyme<index_thumb>().calls == 4);
}

TEST_CASE("listeners observe every ledger line, CEI records and commits") {
    heart hb;
    std::vector<std::string> heard;
    hb.listeners().on("", [&](const cep::event& e) {
        heard.push_back(std::string(e.topic) + "@" + std::to_string(e.beat) + ": " + std::string(e.text));
    });
    hb.register_all();
    hb.bind<write_thumb>(P("/env"), cep::propagate);
    REQUIRE(hb.enqueue(P("/signals/image/x"), P("/env/a.jpg")));
    hb.step();
    REQUIRE(hb.cei_emit("warn", "disk", "almost full"));
    const std::vector<std::string> expected{
        "impulses@1: signal=/signals/image/x target=/env/a.jpg",
        "agenda@1: enzyme=write_thumb rc=success signal=/signals/image/x target=/env/a.jpg",
        "stage@1: commit: promoted 0 impulse(s) -> beat 2",
        "commit@1: ",
        "impulses@2: signal=/sig_cei/warn target=/rt/cei/1",
        "cei@2: warn disk: almost full",
    };
    CHECK(heard == expected);
    // The lines are the ledger's.
    CHECK(ledger(hb.tree(), 1, "agenda") == std::vector<std::string>{
                                                "enzyme=write_thumb rc=success signal=/signals/image/x target=/env/a.jpg"});
}

TEST_CASE("listeners hear the ledger lines also when the ledger is off") {
    heart hb(cep::heartbeat_policy{.ensure_directories = false});
    std::vector<std::string> agenda;
    hb.listeners().on("agenda", [&](const cep::event& e) { agenda.emplace_back(e.text); });
    hb.register_all();
    REQUIRE(hb.enqueue(P("/signals/image/thumbnail")));
    hb.step();
    CHECK(agenda == std::vector<std::string>{"enzyme=write_thumb rc=success signal=/signals/image/thumbnail target=",
                                             "enzyme=index_thumb rc=success signal=/signals/image/thumbnail target="});
    CHECK_FALSE(hb.tree().contains(P("/rt/beat/1")));
}

TEST_CASE("a listener that enqueues while it hears a ledger line leaves that line intact for the next listener") {
    // The enqueue renders the new impulse's line for the listeners while the outer line is still being delivered:
    // it must not go into the buffer the outer event views. Long paths: a buffer that grows moves its bytes.
    for (const bool ledger_on : {false, true}) {
        INFO("ledger " << (ledger_on ? "on" : "off"));
        heart hb(cep::heartbeat_policy{.ensure_directories = ledger_on});
        hb.register_all();
        hb.bind<write_thumb>(P("/env"), cep::propagate);
        std::vector<std::string> first, second;
        bool enqueued = false;
        for (const char* topic : {"impulses", "agenda", "stage"}) {
            hb.listeners().on(topic, [&, topic](const cep::event& e) {
                first.push_back(std::string(topic) + ": " + std::string(e.text));
                if (e.beat == 1 && !std::exchange(enqueued, true))
                    REQUIRE(hb.enqueue(P("/signals/image/a-signal-with-a-long-name"),
                                       P("/env/a/target/path/long/enough/to/need/a/bigger/buffer/than/before.jpg")));
            });
        }
        for (const char* topic : {"impulses", "agenda", "stage"})
            hb.listeners().on(topic, [&, topic](const cep::event& e) {
                second.push_back(std::string(topic) + ": " + std::string(e.text));
            });
        REQUIRE(hb.enqueue(P("/signals/image/x"), P("/env/a.jpg")));
        hb.step();
        REQUIRE(enqueued);
        // The first listener hears the outer line before it enqueues, the second after the inner line: the same
        // lines in another order, each of them intact.
        auto sorted = [](std::vector<std::string> lines) {
            std::sort(lines.begin(), lines.end());
            return lines;
        };
        CHECK(sorted(first) == sorted(second));
        CHECK(second.size() == 5);  // two impulses, two agenda lines, one stage line
        CHECK(std::count(second.begin(), second.end(),
                         "impulses: signal=/signals/image/x target=/env/a.jpg") == 1);
        CHECK(std::count(second.begin(), second.end(),
                         "impulses: signal=/signals/image/a-signal-with-a-long-name "
                         "target=/env/a/target/path/long/enough/to/need/a/bigger/buffer/than/before.jpg") == 1);
        CHECK(std::count(second.begin(), second.end(),
                         "agenda: enzyme=write_thumb rc=success signal=/signals/image/x target=/env/a.jpg") == 1);
        CHECK(std::count(second.begin(), second.end(), "stage: commit: promoted 0 impulse(s) -> beat 2") == 1);
    }
}

TEST_CASE("a commit listener enqueues for the next beat") {
    heart hb;
    hb.register_all();
    hb.listeners().on("commit", [&](const cep::event& e) {
        if (e.beat == 1) REQUIRE(hb.enqueue(P("/signals/image/thumbnail")));
    });
    hb.step();
    CHECK(hb.pending(2) == 1);
    hb.step();
    CHECK(hb.enzyme<index_thumb>().calls == 1);
}

TEST_CASE("a listener that throws is reported in CEI and does not stop the others") {
    heart hb;
    int second = 0;
    hb.listeners().on("commit", [](const cep::event&) { throw std::runtime_error("observer broke"); });
    hb.listeners().on("commit", [&](const cep::event&) { ++second; });
    CHECK(hb.step());
    CHECK(second == 1);
    const auto note = hb.tree().find(P("/rt/cei/1/note"));
    REQUIRE(note);
    CHECK(note->text() == "listener 1 on 'commit' threw: observer broke");
    CHECK(hb.tree().find(P("/rt/cei/1/topic"))->text() == "listener");
    CHECK(hb.pending(2) == 1);  // its sig_cei/warn impulse
}

TEST_CASE("a listener that throws on every event gets one CEI record per beat, not one per failure") {
    // Found by fuzz_heartbeat_script: each record about a failure is itself an event (cei, impulses) the
    // listener throws on; one record per failure doubled the records every beat.
    heart hb;
    hb.listeners().on("", [](const cep::event&) { throw std::runtime_error("always"); });
    constexpr int beats = 24;
    for (int b = 0; b < beats; ++b) hb.step();
    const auto cei = hb.tree().find(P("/rt/cei"));
    REQUIRE(cei);
    CHECK(cei->size() == beats);  // the first commit's events, then each record's own events, one beat later
    const auto first = hb.tree().find(P("/rt/cei/1/note"));
    REQUIRE(first);
    CHECK(first->text().starts_with("listener 1 on '"));
    CHECK(first->text().find("threw: always (and ") != std::string_view::npos);  // the beat's other failures
    CHECK(first->text().ends_with(" since)"));
}

TEST_CASE("listener_hub: one failure line per failing listener, counting the others") {
    cep::listener_hub hub;
    hub.on("x", [](const cep::event&) { throw std::runtime_error("bad x"); });
    hub.on("", [](const cep::event& e) {
        if (e.topic == "y") throw 7;
    });
    (void)hub.emit(cep::event{"y", ""});
    (void)hub.emit(cep::event{"x", ""});
    (void)hub.emit(cep::event{"x", ""});
    (void)hub.emit(cep::event{"y", ""});
    (void)hub.emit(cep::event{"x", ""});
    const auto failures = hub.take_failures();
    CHECK(failures ==
          std::vector<std::string>{"listener 2 on 'y' threw an unknown exception (and 1 more failure since)",
                                   "listener 1 on 'x' threw: bad x (and 2 more failures since)"});
    CHECK(hub.take_failures().empty());
    (void)hub.emit(cep::event{"x", ""});
    CHECK(hub.take_failures() == std::vector<std::string>{"listener 1 on 'x' threw: bad x"});
}

TEST_CASE("listener_hub: topics, removal during emit, disable") {
    cep::listener_hub hub;
    std::vector<std::string> calls;
    const auto a = hub.on("x", [&](const cep::event& e) { calls.push_back("a:" + std::string(e.text)); });
    cep::listener_id self = 0;
    self = hub.on("", [&](const cep::event& e) {
        calls.push_back("b:" + std::string(e.text));
        hub.off(self);  // removes itself while running
        hub.on("x", [&](const cep::event& f) { calls.push_back("c:" + std::string(f.text)); });
    });
    CHECK(hub.has_listeners("x"));
    CHECK(hub.has_listeners("y"));  // the catch-all
    CHECK(hub.emit(cep::event{"x", "1"}) == 2);
    CHECK(calls == std::vector<std::string>{"a:1", "b:1"});
    CHECK_FALSE(hub.has_listeners("y"));  // the catch-all is gone
    CHECK(hub.emit(cep::event{"x", "2"}) == 2);
    CHECK(calls == std::vector<std::string>{"a:1", "b:1", "a:2", "c:2"});
    CHECK(hub.off(a));
    CHECK_FALSE(hub.off(a));
    hub.disable_listeners();
    CHECK_FALSE(hub.active());
    CHECK(hub.emit(cep::event{"x", "3"}) == 0);
    hub.enable_listeners();
    CHECK(hub.emit(cep::event{"x", "4"}) == 1);
    CHECK(calls.back() == "c:4");
    CHECK(hub.take_failures().empty());
}

TEST_CASE("the scheduler drives beats, pauses, and holds the budget") {
    heart hb(cep::heartbeat_policy{.max_impulses_per_beat = 1});
    hb.register_all();
    for (int n = 0; n < 3; ++n) REQUIRE(hb.enqueue(P("/signals/image/thumbnail")));
    CHECK(hb.scheduler().get_scheduler().max_impulses_per_beat == 1);
    bool processing_seen = false;
    hb.listeners().on("commit", [&](const cep::event&) { processing_seen = hb.scheduler().is_processing(); });
    CHECK(hb.scheduler().process(2) == 2);
    CHECK(processing_seen);
    CHECK_FALSE(hb.scheduler().is_processing());
    CHECK(hb.beat() == 3);
    CHECK(hb.enzyme<index_thumb>().calls == 2);  // one impulse per beat
    hb.scheduler().pause_processing();
    CHECK(hb.scheduler().is_paused());
    CHECK(hb.scheduler().process(5) == 0);
    hb.scheduler().resume_processing();
    hb.scheduler().configure_scheduler(cep::scheduler_config{0, 7});  // no limit from now on
    CHECK(hb.scheduler().get_priority() == 7);
    hb.scheduler().set_priority(3);
    CHECK(hb.scheduler().get_priority() == 3);
    CHECK(hb.scheduler().process(1) == 1);
    CHECK(hb.enzyme<index_thumb>().calls == 3);
    // The retry policy came from the heartbeat's policy.
    CHECK(hb.scheduler().plan_retry(1, 10).again);
    CHECK(hb.scheduler().plan_retry(1, 10).due == 11);
    CHECK_FALSE(hb.scheduler().plan_retry(3, 10).again);
}

TEST_CASE("beat_scheduler: backoff and budget arithmetic") {
    cep::beat_scheduler s;
    s.configure_retry(cep::retry_policy{.max_attempts = 4, .backoff_beats = 2});
    CHECK(s.plan_retry(1, 5).due == 8);
    CHECK(s.plan_retry(3, 5).again);
    CHECK_FALSE(s.plan_retry(4, 5).again);
    CHECK(s.admit(10) == 10);
    s.configure_scheduler(cep::scheduler_config{3, 0});
    CHECK(s.admit(10) == 3);
    CHECK(s.admit(2) == 2);
    CHECK(s.process(4) == 0);  // not driving a heartbeat
}

TEST_CASE("router contract: routes, matches, registrations by query") {
    heart hb;
    auto& router = hb.router();
    const auto unknown = router.register_route("/signals/x"_query, "nobody");
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == cep::errc::unknown_enzyme);
    CHECK(unknown.error().message == "no enzyme named 'nobody' in this heartbeat's registry");
    REQUIRE(router.register_route("/signals/image"_query, "write_thumb"));            // its own query
    REQUIRE(router.register_route("/signals/video/*"_query, "index_thumb"));          // another one
    CHECK_FALSE(router.has_route("/signals/image"_query));  // from the next boundary
    hb.begin_beat();
    CHECK(router.has_route("/signals/image"_query));
    CHECK(router.has_route("/signals/video/*"_query));
    CHECK_FALSE(router.has_route("/signals/flaky"_query));
    CHECK(router.get_routes() == std::vector<cep::route_entry>{{"write_thumb", "/signals/image"},
                                                               {"index_thumb", "/signals/video/*"}});
    CHECK(router.match(P("/signals/video/clip")) == std::vector<std::string_view>{"index_thumb"});
    CHECK(router.match(P("/signals/image/a")) == std::vector<std::string_view>{"write_thumb"});
    CHECK(router.route(cep::impulse{P("/signals/image/a"), P("/")}) == 1);
    CHECK(router.route(cep::impulse{P("/signals/image/a"), P("/env/x")}) == 0);  // nothing bound there
    CHECK_FALSE(router.unregister_route("/signals/other"_query, "write_thumb"));
    CHECK_FALSE(router.unregister_route("/signals/image"_query, "nobody"));
    CHECK(router.unregister_route("/signals/video/*"_query, "index_thumb"));
    hb.step();
    hb.begin_beat();
    CHECK_FALSE(router.has_route("/signals/video/*"_query));
    CHECK(router.get_routes() == std::vector<cep::route_entry>{{"write_thumb", "/signals/image"}});
}

TEST_CASE("queue contract: select, status, enqueue by paths") {
    heart hb;
    auto& queue = hb.queue();
    CHECK_FALSE(queue.has_messages_to_process());
    REQUIRE(queue.queue_manager->enqueue(cep::impulse{P("/signals/a"), P("/env/x")}));
    REQUIRE(hb.enqueue_at(5, P("/signals/b"), std::nullopt));
    REQUIRE(hb.enqueue_at(40, P("/signals/c"), std::nullopt));
    CHECK(queue.has_messages_to_process());
    CHECK(queue.get_queue_status() == cep::queue_status{3, 1});
    const auto first = queue.select_next_message();
    REQUIRE(first);
    CHECK(*first == cep::impulse{P("/signals/a"), P("/env/x")});
    CHECK_FALSE(queue.select_next_message());  // beat 1 is empty now
    CHECK(queue.get_queue_status() == cep::queue_status{2, 5});
    hb.step();
    CHECK(queue.current_beat() == 2);
    CHECK(hb.pending(40) == 1);
    cep::beat_queue alone;
    CHECK(alone.enqueue(cep::impulse{P("/signals/a"), P("/")}).error().code == cep::errc::invalid_policy);
}

TEST_CASE("processor contract: accept, process_message (single run), process_tick") {
    heart hb;
    hb.register_all();
    hb.begin_beat();
    auto& processor = hb.processor();
    CHECK(processor.accept(cep::impulse{P("/signals/image/thumbnail"), P("/")}));
    CHECK_FALSE(processor.accept(cep::impulse{P("/signals/nothing"), P("/")}));
    const cep::impulse thumb{P("/signals/image/thumbnail"), P("/")};
    CHECK(processor.process_message(thumb) == cep::status::success);
    CHECK(processor.process_immediately(thumb) == cep::status::success);  // already ran in this beat: not again
    CHECK(hb.enzyme<write_thumb>().calls == 1);
    CHECK(processor.process_message(cep::impulse{P("/signals/flaky"), P("/")}) == cep::status::retry);
    CHECK(processor.process_tick() == 0);  // nothing was taken from the queue
    hb.stage_commit();
    hb.step();  // the retry of flaky is due in beat 2
    CHECK(hb.enzyme<flaky>().calls == 2);
}

TEST_CASE("hierarchy contract: children, parents, lineage; cells do not move") {
    cep::tree_hierarchy h;
    REQUIRE(h.add_child(P("/"), "env"));
    REQUIRE(h.add_child(P("/env"), "fs"));
    REQUIRE(h.add_child(P("/env"), "db"));
    CHECK(h.add_child(P("/env"), "bad name").error().code == cep::errc::path_space);
    CHECK(h.list_children(P("/env")) == std::vector<std::string>{"db", "fs"});
    CHECK(h.get_child(P("/env"), "fs").has_value());
    CHECK_FALSE(h.get_child(P("/env"), "nope").has_value());
    CHECK_FALSE(h.get_child(P("/missing"), "fs").has_value());
    CHECK(h.get_parent(P("/env/fs")) == P("/env"));
    CHECK_FALSE(h.get_parent(P("/")).has_value());
    CHECK(h.is_root(P("/")));
    CHECK_FALSE(h.is_root(P("/env")));
    CHECK(h.get_root() == P("/"));
    CHECK(h.get_lineage(P("/env/fs")) == std::vector<cep::path>{P("/"), P("/env"), P("/env/fs")});
    const auto moved = h.set_parent(P("/env/fs"), P("/env/db"));
    REQUIRE_FALSE(moved);
    CHECK(moved.error().code == cep::errc::cell_cannot_move);
    CHECK(moved.error().message == "cannot move /env/fs under /env/db: cells are addressed by path and do not move");
    REQUIRE(h.remove_child(P("/env"), "db"));
    CHECK(h.list_children(P("/env")) == std::vector<std::string>{"fs"});
    CHECK(h.remove_child(P("/env"), "db").error().code == cep::errc::cell_not_found);
    // staging() stages against children (the tree).
    REQUIRE(h.staging().put_text(P("/env/fs/x"), "1"));
    CHECK_FALSE(h.tree().contains(P("/env/fs/x")));
    h.staging().commit();
    CHECK(h.tree().contains(P("/env/fs/x")));
}

// ---- re-entry: what an enzyme or a listener may call on its own heartbeat while a beat runs ----
namespace {

using reentry_heart = cep::heartbeat<cep::enzyme_registry<struct re_first, struct re_second, struct re_inner>>;
reentry_heart* reentering = nullptr;  // the heartbeat the enzymes below call into (the test's, while it runs)
// What re_first does to its own heartbeat in the middle of its invocation.
enum class reentry_action { grow_router, nested_message, step, process_tick, write_tree };
reentry_action action = reentry_action::grow_router;
std::vector<std::string> seen;  // "<enzyme> <signal leaf>" per invocation, in order

// Prefix queries: /signals/outer/<anything> selects both outer enzymes too.
struct re_first {
    static constexpr cep::name name = "re_first";
    static constexpr auto query = "/signals/outer"_query;
    using match = cep::prefix;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx);
};

struct re_second {
    static constexpr cep::name name = "re_second";
    static constexpr auto query = "/signals/outer"_query;
    using match = cep::prefix;
    using after = cep::enzymes<re_first>;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        (void)ctx.put_text(P("/data/second"), "1");
        seen.push_back("re_second " + std::string(impulse.signal.leaf()));
        return cep::status::success;
    }
};
struct re_inner {
    static constexpr cep::name name = "re_inner";
    static constexpr auto query = "/signals/inner"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        (void)ctx.put_text(P("/data/inner"), "1");
        seen.push_back("re_inner " + std::string(impulse.signal.leaf()));
        return cep::status::fatal;
    }
};

// (Out of line: it calls the heartbeat, complete only once every enzyme is.)
cep::status re_first::operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    (void)ctx.put_text(P("/data/first_before"), "1");
    switch (action) {
        case reentry_action::grow_router:
            // Each new signal resolves a new broadcast agenda: the router's step storage grows many times
            // while this agenda's steps are being walked.
            for (int i = 0; i < 3000; ++i)
                if (reentering->router().match(P("/signals/outer") / ("s" + std::to_string(i))).size() != 2)
                    FAIL("a new signal did not match both outer enzymes");
            break;
        case reentry_action::nested_message:
            CHECK(reentering->processor().process_message(cep::impulse{P("/signals/inner"), P("/")}) ==
                  cep::status::fatal);
            break;
        case reentry_action::step: (void)reentering->step(); break;
        case reentry_action::process_tick: (void)reentering->processor().process_tick(); break;
        case reentry_action::write_tree: {
            const auto direct = reentering->tree().put_text(P("/data/direct"), "1");
            REQUIRE_FALSE(direct);
            CHECK(direct.error().code == cep::errc::cell_read_only);
            // The heartbeat's own writers of the committed tree refuse too, before changing anything.
            const auto wallclock = reentering->publish_wallclock(reentering->beat(), 1'000);
            REQUIRE_FALSE(wallclock);
            CHECK(wallclock.error().code == cep::errc::cell_read_only);
            CHECK(wallclock.error().message ==
                  "cannot publish the wallclock of beat " + std::to_string(reentering->beat()) +
                      " while enzymes run: the committed tree is read-only until the commit (call it between beats "
                      "or from a listener)");
            CHECK_FALSE(reentering->beat_to_unix(reentering->beat()).has_value());
            const auto window = reentering->set_spacing_window(1);
            REQUIRE_FALSE(window);
            CHECK(window.error().code == cep::errc::cell_read_only);
            CHECK(reentering->spacing_window() == 256);
            break;
        }
    }
    (void)ctx.put_text(P("/data/first_after"), "1");
    seen.push_back("re_first " + std::string(impulse.signal.leaf()));
    return action == reentry_action::grow_router || action == reentry_action::write_tree ? cep::status::success
                                                                                            : cep::status::fatal;
}

// One beat of /signals/outer (re_first, then re_second) with re_first doing `what`.
void run_reentry(reentry_heart& hb, reentry_action what) {
    reentering = &hb;
    action = what;
    seen.clear();
    hb.register_all();
    REQUIRE(hb.enqueue(P("/signals/outer")));
    hb.step();
}

}  // namespace

TEST_CASE("re-entry: an enzyme that makes the router resolve new agendas does not disturb its running agenda") {
    // Before the fix the router's steps grew in place, freeing the steps the loop was walking (ASan: a
    // heap-use-after-free in the agenda loop).
    reentry_heart hb;
    run_reentry(hb, reentry_action::grow_router);
    CHECK(seen == std::vector<std::string>{"re_first outer", "re_second outer"});
    CHECK(hb.tree().find(P("/data/first_after")).has_value());
    CHECK(hb.tree().find(P("/data/second")).has_value());
    // The next beats run the same agenda, from the memo.
    seen.clear();
    REQUIRE(hb.enqueue(P("/signals/outer")));
    hb.step();
    CHECK(seen == std::vector<std::string>{"re_first outer", "re_second outer"});
}

TEST_CASE("re-entry: process_message from an enzyme runs inside its invocation, which keeps its impulse and writes") {
    reentry_heart hb;
    run_reentry(hb, reentry_action::nested_message);
    // The nested agenda saw its own impulse; re_first and the rest of its agenda still see theirs.
    CHECK(seen == std::vector<std::string>{"re_inner inner", "re_first outer", "re_second outer"});
    // re_first failed: everything it staged is dropped, before the nested run and after it.
    CHECK_FALSE(hb.tree().find(P("/data/first_before")).has_value());
    CHECK_FALSE(hb.tree().find(P("/data/first_after")).has_value());
    CHECK_FALSE(hb.tree().find(P("/data/inner")).has_value());
    CHECK(hb.tree().find(P("/data/second")).has_value());
}

TEST_CASE("re-entry: step() from an enzyme is refused (beat_reentered): the invocation fails, the beat commits once") {
    reentry_heart hb;
    run_reentry(hb, reentry_action::step);
    CHECK(hb.beat() == 2);
    // re_first threw out of step(): its invocation is fatal, its writes dropped; re_second ran as usual.
    CHECK(seen == std::vector<std::string>{"re_second outer"});
    CHECK_FALSE(hb.tree().find(P("/data/first_before")).has_value());
    CHECK(hb.tree().find(P("/data/second")).has_value());
    const auto note = hb.tree().find(P("/rt/cei/1/note"));
    REQUIRE(note);
    CHECK(note->text() ==
          "enzyme=re_first signal=/signals/outer target= error=cannot call heartbeat::step() while beat 1 is in "
          "progress (from an enzyme, a listener or the journal): enqueue or emit instead, for a later beat");
}

TEST_CASE("re-entry: process_tick() from an enzyme is refused (beat_reentered)") {
    reentry_heart hb;
    run_reentry(hb, reentry_action::process_tick);
    CHECK(hb.beat() == 2);
    CHECK(seen == std::vector<std::string>{"re_second outer"});
    const auto note = hb.tree().find(P("/rt/cei/1/note"));
    REQUIRE(note);
    CHECK(note->text() == "enzyme=re_first signal=/signals/outer target= error=cannot run beat 1's agendas "
                          "(process_tick()) while an agenda runs");
}

TEST_CASE("re-entry: a phase called from a listener is refused (beat_reentered), and the cycle goes on") {
    heart hb;
    int refused = 0;
    hb.listeners().on("commit", [&](const cep::event&) {
        try {
            hb.stage_commit();
        } catch (const cep::heartbeat_error& e) {
            CHECK(e.code() == cep::errc::beat_reentered);
            CHECK(std::string(e.what()).starts_with("cannot call heartbeat::stage_commit() while beat "));
            ++refused;
        }
    });
    CHECK(hb.step());
    CHECK(hb.step());
    CHECK(refused == 2);
    CHECK(hb.beat() == 3);
    // Between beats every phase may be called again.
    hb.begin_beat();
    hb.resolve_agenda();
    hb.execute_agenda();
    CHECK(hb.stage_commit());
    CHECK(hb.beat() == 4);
}

TEST_CASE("re-entry: an enzyme that writes to the committed tree directly is refused (cell_read_only)") {
    // Its writes go through its context into staging (N -> N+1); a direct write would be seen in this beat.
    reentry_heart hb;
    run_reentry(hb, reentry_action::write_tree);
    CHECK(seen == std::vector<std::string>{"re_first outer", "re_second outer"});
    CHECK_FALSE(hb.tree().find(P("/data/direct")).has_value());
    CHECK(hb.tree().find(P("/data/first_after")).has_value());  // through the context
    // Between beats the tree takes writes again; and process_message() from outside a beat refuses them too.
    CHECK_FALSE(hb.tree().read_only());
    CHECK(hb.tree().put_text(P("/data/between"), "1"));
    CHECK(hb.publish_wallclock(1, 1'000));
    CHECK(hb.beat_to_unix(1) == 1'000u);
    seen.clear();
    CHECK(hb.processor().process_message(cep::impulse{P("/signals/outer/now"), P("/")}) == cep::status::success);
    CHECK(seen == std::vector<std::string>{"re_first now", "re_second now"});
    CHECK_FALSE(hb.tree().read_only());
    CHECK(hb.tree().put_text(P("/data/after"), "1"));
}
