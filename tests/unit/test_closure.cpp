// Layer 1, facets and closure guarantees: the seed's layout and outcomes, its Q&A (attempt counters, chained facets
// without loops, cancel, context tags sharing a facet tag), the attempt budget, idempotent upserts, the hash, and
// ticking from the heartbeat with N -> N+1 visibility.
#include <cep/closure.hpp>
#include <cep/dispatch.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace cep::literals;
namespace closure = cep::closure;

namespace {

// Every cell with a value, "path = text", in tree order.
std::vector<std::string> dump(const cep::cell_tree& tree) {
    std::vector<std::string> out;
    for (auto cell : tree.subtree(tree.root()))
        out.push_back(cell.path().str() + (cell.has_value() ? " = " + std::string(cell.text()) : ""));
    return out;
}

std::optional<std::string> text(const cep::cell_tree& tree, const cep::path& p) {
    const auto cell = tree.find(p);
    if (!cell) return std::nullopt;
    return std::string(cell->text());
}

// A sink for staged contexts in tests that emit nothing.
struct no_sink final : cep::impulse_sink {
    cep::result<void> emit(cep::beat_number, const cep::path&, const cep::path*) override { return {}; }
};

// Runs `use(store, stage)` with a store that stages its writes in a beat's staging area over `tree`.
template <class Use>
void with_staged_store(cep::cell_tree& tree, Use&& use) {
    cep::staging_area stage(tree);
    no_sink sink;
    cep::write_context ctx(tree, stage, sink, 1);
    closure::store s(ctx);
    use(s, stage);
}

closure::context_spec edit_spec(std::string label = "alice edits readme rev 3") {
    return {.tag = "edit",
            .label = std::move(label),
            .facets = {"audit_log", "notify"},
            .participants = {{.role = "editor", .entity = "/data/users/alice"_path},
                             {.role = "document", .entity = "/data/docs/readme"_path}}};
}

// Scripted handlers: each returns the next status of its script (the last one repeats) and records its calls.
std::map<std::string, std::vector<cep::status>> scripts;
std::vector<std::string> calls;  // "<facet>/<context tag> attempt=<n> entry=<path> record=<path>"

template <cep::fixed_string Facet, cep::fixed_string Context, closure::facet_policy Policy = closure::facet_policy{}>
struct scripted {
    static constexpr cep::name facet = Facet;
    static constexpr cep::name context = Context;
    static constexpr closure::facet_policy policy = Policy;
    std::size_t runs = 0;
    cep::status operator()(const closure::facet_job& job, closure::store&) {
        calls.push_back(std::string(job.facet) + "/" + std::string(job.context_tag) +
                        " attempt=" + std::to_string(job.attempt) + " entry=" + job.queue_entry.str() +
                        " record=" + job.facet_record.str());
        const auto& script = scripts[std::string(Facet.view()) + "/" + std::string(Context.view())];
        const auto rc = script.empty() ? cep::status::success : script[std::min(runs, script.size() - 1)];
        ++runs;
        return rc;
    }
};

using audit_edit = scripted<"audit_log", "edit">;
using notify_edit = scripted<"notify", "edit">;
using notify_comment = scripted<"notify", "comment">;

void reset() {
    scripts.clear();
    calls.clear();
}

}  // namespace

namespace {
struct throws {
    static constexpr cep::name facet = "notify";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job&, closure::store&) { throw std::runtime_error("smtp down"); }
};
struct audit_cancels_notify {
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job& job, closure::store& s) {
        return closure::cancel(s, "notify", job.hash, "superseded by the audit") ? cep::status::success
                                                                                  : cep::status::fatal;
    }
};
}  // namespace

TEST_CASE("an upsert writes the context record, a pending facet record and a queue entry per facet") {
    cep::cell_tree tree;
    const auto r = closure::context_upsert(tree, edit_spec()).value();
    const std::string h = r.hash;
    CHECK(h.size() == 16);
    CHECK(r.context == closure::context_record(h));
    CHECK(r.queued == std::vector<std::string>{"audit_log", "notify"});
    CHECK(r.already_promised.empty());

    const auto c = cep::path("/data/CEP/CEP/L1/contexts") / h;
    CHECK(text(tree, c / "tag") == "edit");
    CHECK(text(tree, c / "label") == "alice edits readme rev 3");
    CHECK(text(tree, c / "participants" / "editor") == "/data/users/alice");
    CHECK(text(tree, c / "participants" / "document") == "/data/docs/readme");
    for (const char* facet : {"audit_log", "notify"}) {
        const auto record = cep::path("/data/CEP/CEP/L1/facets") / facet / h;
        const auto entry = cep::path("/bonds/facet_queue") / facet / h;
        CHECK(text(tree, record / "facet_state") == "pending");
        CHECK(text(tree, record / "value") == "alice edits readme rev 3");
        CHECK(text(tree, record / "context_tag") == "edit");
        CHECK(text(tree, record / "meta" / "attempts") == "0");
        CHECK(text(tree, entry / "queue_state") == "pending");
        CHECK(text(tree, entry / "value") == "alice edits readme rev 3");
        CHECK(text(tree, entry / "context_tag") == "edit");
    }
}

TEST_CASE("upserting the same context twice changes nothing; a new facet tag adds only that facet") {
    cep::cell_tree tree;
    const auto first = closure::context_upsert(tree, edit_spec()).value();
    const auto before = dump(tree);
    const auto again = closure::context_upsert(tree, edit_spec()).value();
    CHECK(dump(tree) == before);
    CHECK(again.hash == first.hash);
    CHECK(again.queued.empty());
    CHECK(again.already_promised == std::vector<std::string>{"audit_log", "notify"});

    auto more = edit_spec();
    more.facets.push_back("rollup");
    more.facets.push_back("rollup");  // listed twice: promised once
    const auto added = closure::context_upsert(tree, more).value();
    CHECK(added.queued == std::vector<std::string>{"rollup"});
    CHECK(tree.contains(closure::queue_entry("rollup", first.hash)));
    CHECK(dump(tree).size() == before.size() + 2 /*queue and record families*/ + 4 /*entry, 3 fields*/ +
                                    6 /*record, 3 fields, meta/attempts*/);
}

TEST_CASE("the context hash is deterministic over tag, label and participants, in any participant order") {
    const auto spec = edit_spec();
    CHECK(closure::context_hash(spec) == closure::context_hash(edit_spec()));
    // Pinned: the same on every platform and in every run. It is the first 16 hex digits of the SHA-256 of
    // "cep.closure.context/1;4:edit24:alice edits readme rev 38:document17:/data/docs/readme6:editor17:/data/users/alice".
    CHECK(closure::context_hash(spec) == "579ffc6dd70644ba");

    auto reordered = spec;
    std::swap(reordered.participants[0], reordered.participants[1]);
    CHECK(closure::context_hash(reordered) == closure::context_hash(spec));
    auto other_facets = spec;
    other_facets.facets = {"rollup"};
    CHECK(closure::context_hash(other_facets) == closure::context_hash(spec));  // facets are not identity

    auto other_label = spec;
    other_label.label = "alice edits readme rev 4";
    auto other_tag = spec;
    other_tag.tag = "comment";
    auto other_entity = spec;
    other_entity.participants[0].entity = cep::path("/data/users/bob");
    auto fewer = spec;
    fewer.participants.pop_back();
    for (const auto& changed : {other_label, other_tag, other_entity, fewer})
        CHECK(closure::context_hash(changed) != closure::context_hash(spec));
    // Fields are length-prefixed: moving text between tag and label cannot collide.
    CHECK(closure::context_hash({.tag = "ab", .label = "c", .facets = {}, .participants = {}}) !=
          closure::context_hash({.tag = "a", .label = "bc", .facets = {}, .participants = {}}));
}

TEST_CASE("an upsert refuses a role named twice and a different context at the same hash") {
    cep::cell_tree tree;
    auto twice = edit_spec();
    twice.participants.push_back({.role = "editor", .entity = "/data/users/bob"_path});
    auto refused = closure::context_upsert(tree, twice);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == cep::errc::closure_context_conflict);
    CHECK(refused.error().message == "context 'edit' (\"alice edits readme rev 3\") names the role 'editor' twice");
    CHECK(tree.size() == 1);  // nothing written

    // A collision of the 64-bit hash, simulated by a record of another context at this hash.
    const std::string h = closure::context_hash(edit_spec());
    tree.put_text(closure::context_record(h) / "tag", "comment").value();
    auto collision = closure::context_upsert(tree, edit_spec());
    REQUIRE_FALSE(collision);
    CHECK(collision.error().code == cep::errc::closure_context_conflict);
    CHECK(collision.error().message == "context 'edit' (\"alice edits readme rev 3\") hashes to " + h +
                                           ", which holds a different context ('comment')");
    CHECK_FALSE(tree.contains("/bonds/facet_queue"_path));
}

TEST_CASE("success completes the facet and removes its queue entry after the pass, and the empty family") {
    reset();
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::handler_set<audit_edit, notify_edit> handlers;
    const auto summary = handlers.tick(tree);

    CHECK(calls == std::vector<std::string>{
                       "audit_log/edit attempt=1 entry=/bonds/facet_queue/audit_log/" + h +
                           " record=/data/CEP/CEP/L1/facets/audit_log/" + h,
                       "notify/edit attempt=1 entry=/bonds/facet_queue/notify/" + h +
                           " record=/data/CEP/CEP/L1/facets/notify/" + h});
    CHECK(summary.count(closure::outcome::completed) == 2);
    CHECK(summary.visited() == 2);
    CHECK(summary.ok());
    CHECK_FALSE(summary.more_work);
    CHECK(summary.removed_families == std::vector<std::string>{"audit_log", "notify"});
    CHECK(text(tree, closure::facet_record("audit_log", h) / "facet_state") == "complete");
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "attempts") == "1");
    CHECK(tree.find("/bonds/facet_queue"_path)->size() == 0);

    const auto idle = handlers.tick(tree);
    CHECK(idle.visited() == 0);
    CHECK(calls.size() == 2);
}

TEST_CASE("retry keeps both pending and counts attempts in the facet record") {
    reset();
    scripts["notify/edit"] = {cep::status::retry, cep::status::success};
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::handler_set<audit_edit, notify_edit> handlers;

    const auto first = handlers.tick(tree);
    CHECK(first.count(closure::outcome::completed) == 1);
    CHECK(first.count(closure::outcome::retrying) == 1);
    CHECK(first.more_work);
    CHECK(first.visits[1] == closure::facet_visit{"notify", "edit", h, closure::outcome::retrying, 1});
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "pending");
    CHECK(text(tree, closure::queue_entry("notify", h) / "queue_state") == "pending");
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "attempts") == "1");
    CHECK(first.removed_families == std::vector<std::string>{"audit_log"});

    const auto second = handlers.tick(tree);
    CHECK(second.visits == std::vector<closure::facet_visit>{{"notify", "edit", h, closure::outcome::completed, 2}});
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "attempts") == "2");
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "complete");
    CHECK_FALSE(tree.contains(closure::queue_entry("notify", h)));
}

TEST_CASE("fatal fails the facet and leaves the entry in the queue, not visited again; a throw is fatal too") {
    reset();
    scripts["audit_log/edit"] = {cep::status::fatal};
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::handler_set<audit_edit, throws> handlers;

    const auto summary = handlers.tick(tree);
    CHECK(summary.count(closure::outcome::failed) == 2);
    CHECK_FALSE(summary.more_work);
    for (const char* facet : {"audit_log", "notify"}) {
        CHECK(text(tree, closure::facet_record(facet, h) / "facet_state") == "failed");
        CHECK(text(tree, closure::queue_entry(facet, h) / "queue_state") == "fatal");
    }
    CHECK_FALSE(tree.contains(closure::facet_record("audit_log", h) / "meta" / "error"));
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "error") == "handler threw: smtp down");

    CHECK(handlers.tick(tree).visited() == 0);  // fatal is final: cancel it to clear it
    CHECK(calls.size() == 1);
}

TEST_CASE("no handler: queue_state=missing, left in place; a handler set that has one picks it up") {
    reset();
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::handler_set<audit_edit> partial;
    const auto summary = partial.tick(tree);
    CHECK(summary.count(closure::outcome::completed) == 1);
    CHECK(summary.visits[1] == closure::facet_visit{"notify", "edit", h, closure::outcome::missing, 0});
    CHECK_FALSE(summary.more_work);  // nothing a later pass of this set can do
    CHECK(text(tree, closure::queue_entry("notify", h) / "queue_state") == "missing");
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "pending");
    CHECK(partial.tick(tree).count(closure::outcome::missing) == 1);  // still there

    closure::handler_set<audit_edit, notify_edit> full;
    CHECK(full.tick(tree).count(closure::outcome::completed) == 1);
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "complete");
    CHECK(tree.find("/bonds/facet_queue"_path)->size() == 0);
}

TEST_CASE("the attempt budget: after the last allowed run a retry fails or cancels, as the policy says") {
    reset();
    using fail_after_two = scripted<"audit_log", "edit", closure::facet_policy{.max_attempts = 2}>;
    using cancel_after_one =
        scripted<"notify", "edit", closure::facet_policy{.max_attempts = 0, .exhausted = closure::on_exhaustion::cancel}>;
    static_assert(closure::handler_set<fail_after_two, cancel_after_one>::policies[1].budget() == 1);
    scripts["audit_log/edit"] = {cep::status::retry};
    scripts["notify/edit"] = {cep::status::retry};
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::handler_set<fail_after_two, cancel_after_one> handlers;

    const auto first = handlers.tick(tree);
    CHECK(first.visits == std::vector<closure::facet_visit>{{"audit_log", "edit", h, closure::outcome::retrying, 1},
                                                            {"notify", "edit", h, closure::outcome::exhausted, 1}});
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "cancelled");
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "cancel_reason") ==
          "retry budget exhausted after 1 attempt(s)");
    CHECK_FALSE(tree.contains(closure::queue_entry("notify", h)));

    const auto second = handlers.tick(tree);
    CHECK(second.visits == std::vector<closure::facet_visit>{{"audit_log", "edit", h, closure::outcome::exhausted, 2}});
    CHECK_FALSE(second.more_work);
    CHECK(text(tree, closure::facet_record("audit_log", h) / "facet_state") == "failed");
    CHECK(text(tree, closure::facet_record("audit_log", h) / "meta" / "error") ==
          "retry budget exhausted after 2 attempt(s)");
    CHECK(text(tree, closure::queue_entry("audit_log", h) / "queue_state") == "fatal");
    CHECK(handlers.tick(tree).visited() == 0);
    CHECK(calls.size() == 3);
}

namespace {
// A chain: auditing an edit promises a rollup of the document; rolling it up promises the audit of the same edit
// again, which is already promised, so the chain ends.
closure::context_spec rollup_spec() {
    return {.tag = "doc_rollup", .label = "rollup of /data/docs/readme", .facets = {"rollup"}, .participants = {}};
}
cep::status audit_then_rollup(const closure::facet_job&, closure::store& s) {
    return closure::context_upsert(s, rollup_spec()) ? cep::status::success : cep::status::fatal;
}
cep::status rollup_then_audit(const closure::facet_job&, closure::store& s) {
    auto again = edit_spec();
    again.facets = {"audit_log"};
    const auto r = closure::context_upsert(s, again);
    return r && r->queued.empty() ? cep::status::success : cep::status::fatal;
}
using chained_audit = closure::facet_handler<"audit_log", "edit", &audit_then_rollup>;
using chained_rollup = closure::facet_handler<"rollup", "doc_rollup", &rollup_then_audit>;
}  // namespace

TEST_CASE("a handler may promise more facets; work already promised is not queued again, so chains end") {
    cep::cell_tree tree;
    auto spec = edit_spec();
    spec.facets = {"audit_log"};
    const auto h = closure::context_upsert(tree, spec).value().hash;
    closure::handler_set<chained_audit, chained_rollup> handlers;

    const auto first = handlers.tick(tree);  // audit, which queues the rollup for the next pass
    CHECK(first.visits.size() == 1);
    CHECK(first.more_work);
    const std::string r = closure::context_hash(rollup_spec());
    CHECK(text(tree, closure::queue_entry("rollup", r) / "queue_state") == "pending");

    const auto second = handlers.tick(tree);  // rollup, whose audit promise exists already
    CHECK(second.visits == std::vector<closure::facet_visit>{{"rollup", "doc_rollup", r, closure::outcome::completed, 1}});
    CHECK_FALSE(second.more_work);
    CHECK(text(tree, closure::facet_record("audit_log", h) / "facet_state") == "complete");
    CHECK(handlers.tick(tree).visited() == 0);
    CHECK(tree.find("/bonds/facet_queue"_path)->size() == 0);
}

TEST_CASE("cancel removes the queue entry and records why; cancelling what is not queued is an error") {
    reset();
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    closure::cancel(tree, "notify", h, "alice asked for no notifications").value();
    CHECK_FALSE(tree.contains(closure::queue_entry("notify", h)));
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "cancelled");
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "cancel_reason") ==
          "alice asked for no notifications");

    auto again = closure::cancel(tree, "notify", h, "twice");
    REQUIRE_FALSE(again);
    CHECK(again.error().code == cep::errc::closure_not_queued);
    CHECK(again.error().message == "cannot cancel facet 'notify' of context " + h +
                                       ": it is not queued (no /bonds/facet_queue/notify/" + h + ")");
    CHECK(closure::cancel(tree, "bad facet", h, "x").error().code == cep::errc::path_space);
    CHECK(text(tree, closure::facet_record("notify", h) / "meta" / "cancel_reason") ==
          "alice asked for no notifications");

    closure::handler_set<audit_edit, notify_edit> handlers;
    const auto summary = handlers.tick(tree);
    CHECK(summary.visited() == 1);  // the audit only
    // A cancelled promise is still a promise made: upserting the context again does not queue it again.
    CHECK(closure::context_upsert(tree, edit_spec()).value().queued.empty());
    CHECK_FALSE(tree.contains(closure::queue_entry("notify", h)));
}

TEST_CASE("context tags sharing a facet tag: each (facet, context tag) pair has its own handler") {
    reset();
    scripts["notify/comment"] = {cep::status::retry, cep::status::success};
    cep::cell_tree tree;
    const auto e = closure::context_upsert(tree, edit_spec()).value().hash;
    const auto c = closure::context_upsert(tree, {.tag = "comment",
                                                  .label = "bob comments on readme",
                                                  .facets = {"notify"},
                                                  .participants = {}})
                       .value()
                       .hash;
    using handlers_t = closure::handler_set<audit_edit, notify_edit, notify_comment>;
    static_assert(handlers_t::ok && handlers_t::size == 3);
    static_assert(handlers_t::index_of("notify", "comment") == 2 && handlers_t::index_of("notify", "other") == 3);
    handlers_t handlers;

    const auto first = handlers.tick(tree);
    CHECK(handlers.handler<notify_edit>().runs == 1);
    CHECK(handlers.handler<notify_comment>().runs == 1);
    CHECK(text(tree, closure::facet_record("notify", e) / "facet_state") == "complete");
    CHECK(text(tree, closure::facet_record("notify", c) / "facet_state") == "pending");
    CHECK(first.count(closure::outcome::retrying) == 1);
    handlers.tick(tree);
    CHECK(handlers.handler<notify_comment>().runs == 2);
    CHECK(text(tree, closure::facet_record("notify", c) / "facet_state") == "complete");
}

TEST_CASE("tick visits facets in name order, then contexts in hash order, whatever the upsert order") {
    reset();
    std::vector<std::vector<std::string>> orders;
    for (int run = 0; run < 2; ++run) {
        cep::cell_tree tree;
        std::vector<closure::context_spec> specs;
        for (int i = 0; i < 5; ++i) specs.push_back(edit_spec("edit " + std::to_string(i)));
        if (run == 1) std::reverse(specs.begin(), specs.end());
        for (const auto& spec : specs) closure::context_upsert(tree, spec).value();
        closure::handler_set<audit_edit, notify_edit> handlers;
        std::vector<std::string> order;
        for (const auto& v : handlers.tick(tree).visits) order.push_back(v.facet + "/" + v.hash);
        CHECK(std::is_sorted(order.begin(), order.end()));
        CHECK(order.size() == 10);
        orders.push_back(order);
    }
    CHECK(orders[0] == orders[1]);
}

namespace {
// The staged pass of the two tests below: the tick writes into a beat's staging, the commit applies it. `queue` is
// where the queue's cells are (behind a link, in the second test).
void staged_cancel_pass(cep::cell_tree& tree, const std::string& h, const cep::path& queue) {
    cep::staging_area stage(tree);
    no_sink sink;
    cep::write_context ctx(tree, stage, sink, 1);
    closure::handler_set<audit_cancels_notify, notify_edit> handlers;
    const auto summary = handlers.tick(ctx);
    CHECK(summary.visited() == 1);
    CHECK(calls.empty());
    CHECK(tree.contains(queue / "notify" / h));  // nothing visible before the commit
    CHECK(stage.commit().ok());
    CHECK_FALSE(tree.contains(queue / "audit_log" / h));
    CHECK_FALSE(tree.contains(queue / "notify" / h));
    CHECK(text(tree, closure::facet_record("notify", h) / "facet_state") == "cancelled");
    CHECK(text(tree, closure::facet_record("audit_log", h) / "facet_state") == "complete");
}
}  // namespace

TEST_CASE("a handler that cancels an entry later in the same pass: that entry is not visited (staged too)") {
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    reset();
    SECTION("immediate") {
        closure::handler_set<audit_cancels_notify, notify_edit> handlers;
        const auto summary = handlers.tick(tree);
        CHECK(summary.visited() == 1);
        CHECK(calls.empty());
    }
    SECTION("staged") { staged_cancel_pass(tree, h, cep::path(closure::queue_root)); }
}

TEST_CASE("the same with the queue behind a link: the entries are known by their paths below the link") {
    // The store's journal keys entries by their ids below /bonds/facet_queue, which cancel() writes through; the
    // tick must name the entries it visits the same way, not by the ids of the cells behind the link.
    cep::cell_tree tree;
    REQUIRE(tree.make_dictionary("/elsewhere/queue"_path).has_value());
    REQUIRE(tree.link("/bonds/facet_queue"_path, "/elsewhere/queue"_path).has_value());
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    reset();
    staged_cancel_pass(tree, h, "/elsewhere/queue"_path);
}

TEST_CASE("an unreadable attempt counter and a refused write are reported, and the pass goes on") {
    reset();
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    tree.put_text(closure::facet_record("audit_log", h) / "meta" / "attempts", "many").value();
    tree.seal(closure::facet_record("notify", h)).value();
    closure::handler_set<audit_edit, notify_edit> handlers;
    const auto summary = handlers.tick(tree);
    CHECK(summary.count(closure::outcome::completed) == 2);
    REQUIRE(summary.errors.size() == 3);  // the counter; the sealed record's attempts and facet_state
    CHECK(summary.errors[0].message == "/data/CEP/CEP/L1/facets/audit_log/" + h +
                                           "/meta/attempts holds \"many\", not a number of attempts: counting from 0");
    CHECK(summary.errors[1].code == cep::errc::cell_sealed);
    CHECK(text(tree, closure::facet_record("audit_log", h) / "meta" / "attempts") == "1");
}

namespace {
// An enzyme that makes an edit and promises its facets (staged: they appear at the next beat), then asks for a tick.
cep::status edit_document(const cep::impulse_ref&, cep::write_context& ctx) {
    if (!ctx.put_text("/data/docs/readme"_path, "rev 3")) return cep::status::fatal;
    if (!closure::context_upsert(ctx, edit_spec())) return cep::status::fatal;
    return ctx.emit(closure::tick_signal) ? cep::status::success : cep::status::fatal;
}
using edit_enzyme = cep::enzyme<"edit_document", "/signals/doc/edit", &edit_document>;
using closure_enzyme = closure::tick_enzyme<closure::handler_set<audit_edit, notify_edit>>;
}  // namespace

TEST_CASE("from the heartbeat: one pass per beat, N -> N+1 visibility, re-emitted while work remains") {
    reset();
    scripts["notify/edit"] = {cep::status::retry, cep::status::success};
    static_assert(closure_enzyme::name.view() == "closure_tick");
    cep::heartbeat<cep::enzyme_registry<edit_enzyme, closure_enzyme>> hb;
    hb.register_all();
    hb.enqueue("/signals/doc/edit"_path).value();
    const std::string h = closure::context_hash(edit_spec());
    auto& tick = hb.enzyme<closure_enzyme>();

    CHECK(hb.step());  // beat 1: the edit stages the promises
    CHECK(tick.passes() == 0);
    CHECK(text(hb.tree(), closure::queue_entry("notify", h) / "queue_state") == "pending");

    CHECK(hb.step());  // beat 2: audit completes, notify retries; neither visible until the commit
    CHECK(tick.last_beat() == 2);
    CHECK(tick.last_summary().count(closure::outcome::completed) == 1);
    CHECK(tick.last_summary().count(closure::outcome::retrying) == 1);
    CHECK(tick.last_summary().more_work);
    CHECK_FALSE(hb.tree().contains(closure::queue_entry("audit_log", h)));
    CHECK(text(hb.tree(), closure::facet_record("notify", h) / "meta" / "attempts") == "1");
    CHECK(hb.pending(3) == 1);  // the tick signal, re-emitted

    CHECK(hb.step());  // beat 3: notify completes
    CHECK(tick.last_beat() == 3);
    CHECK(tick.last_summary().visits ==
          std::vector<closure::facet_visit>{{"notify", "edit", h, closure::outcome::completed, 2}});
    CHECK_FALSE(tick.last_summary().more_work);
    CHECK(text(hb.tree(), closure::facet_record("notify", h) / "facet_state") == "complete");
    CHECK(hb.pending(4) == 0);

    CHECK(hb.step());  // beat 4: nothing queued, the tick does not run
    CHECK(tick.passes() == 2);
    CHECK(tick.errors().empty());
    CHECK(calls.size() == 3);

    // Inside a beat the enzyme leaves empty families (see the header); a tick between beats clears them.
    CHECK(hb.tree().find("/bonds/facet_queue/notify"_path)->size() == 0);
    const auto between = tick.handlers().tick(hb.tree());
    CHECK(between.removed_families == std::vector<std::string>{"audit_log", "notify"});
}

TEST_CASE("from the heartbeat, chained facets: queued by a handler in beat N, visited in N+1, and the chain ends") {
    using chain_tick = closure::tick_enzyme<closure::handler_set<chained_audit, chained_rollup>>;
    cep::heartbeat<cep::enzyme_registry<chain_tick>> hb;
    hb.register_all();
    auto spec = edit_spec();
    spec.facets = {"audit_log"};
    const auto h = closure::context_upsert(hb.tree(), spec).value().hash;  // between beats: written at once
    hb.enqueue(closure::tick_signal).value();
    const std::string r = closure::context_hash(rollup_spec());
    auto& tick = hb.enzyme<chain_tick>();

    CHECK(hb.step());  // beat 1: the audit; the rollup it promises is staged
    CHECK(tick.last_summary().visits.size() == 1);
    CHECK(tick.last_summary().more_work);
    CHECK(text(hb.tree(), closure::queue_entry("rollup", r) / "queue_state") == "pending");
    CHECK(hb.step());  // beat 2: the rollup; the audit it asks for is already promised
    CHECK(tick.last_summary().visits ==
          std::vector<closure::facet_visit>{{"rollup", "doc_rollup", r, closure::outcome::completed, 1}});
    CHECK_FALSE(tick.last_summary().more_work);
    CHECK(hb.step());  // beat 3: nothing to do
    CHECK(tick.passes() == 2);
    CHECK(text(hb.tree(), closure::facet_record("audit_log", h) / "facet_state") == "complete");
}

TEST_CASE("an empty handler set is valid: every entry is missing") {
    static_assert(closure::handler_set<>::ok && closure::handler_set<>::size == 0);
    cep::cell_tree tree;
    closure::context_upsert(tree, edit_spec()).value();
    closure::handler_set<> none;
    const auto summary = none.tick(tree);
    CHECK(summary.count(closure::outcome::missing) == 2);
    CHECK(summary.visited() == 2);
}

TEST_CASE("the store journals a write below a queue entry as the entry; a later removal above it wins until the next "
          "write") {
    cep::cell_tree tree;
    closure::store s(tree);
    using access = closure::detail::store_access;
    const auto entry = closure::queue_entry("notify", "h1");
    const auto mark = access::mark(s);
    s.put_text(entry / "meta" / "note", "deep").value();                   // two levels below the entry
    s.put_text(cep::path(closure::queue_root) / "other", "x").value();        // a facet's directory: not an entry
    s.put_text("/bonds/facet_queue_other/notify/h2"_path, "y").value();   // beside the queue root: not journalled
    CHECK(access::entries_written_since(s, mark) == std::vector<cep::path>{entry});
    CHECK(access::exists_after(s, entry, false));
    CHECK_FALSE(access::exists_after(s, closure::queue_entry("notify", "h2"), false));  // never written: as it was
    CHECK(access::exists_after(s, closure::queue_entry("notify", "h2"), true));
    s.remove(cep::path(closure::queue_root) / "notify").value();  // an ancestor
    CHECK_FALSE(access::exists_after(s, entry, true));
    s.put_text(entry / "queue_state", "pending").value();
    CHECK(access::exists_after(s, entry, false));
    s.remove("/bonds"_path).value();  // further up
    CHECK_FALSE(access::exists_after(s, entry, true));
}

TEST_CASE("the store reads and writes by interned id as by path, in both modes, and journals id writes too") {
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    const auto entry_path = closure::queue_entry("notify", h);
    tree.make_list("/data/log"_path).value();
    using access = closure::detail::store_access;
    const auto exercise = [&](closure::store& s) {
        auto& paths = s.paths();
        const auto entry = paths.intern(entry_path);
        const auto state = paths.child(entry, "queue_state").value();
        CHECK(s.text(state) == "pending");
        CHECK(s.find(state)->text() == "pending");
        const auto mark = access::mark(s);
        const auto meta = paths.child(entry, "meta").value();
        REQUIRE(s.put_text(paths.child(meta, "note").value(), "below the entry").has_value());
        // Journalled as the entry.
        CHECK(access::entries_written_since(s, mark) == std::vector<cep::path>{entry_path});
        REQUIRE(s.remove(entry).has_value());
        CHECK_FALSE(access::exists_after(s, entry_path, true));
        cep::path_table other;
        for (int i = 0; i < 1000; ++i) (void)other.intern(cep::path("/x/" + std::to_string(i)));
        const auto foreign = other.intern("/x/999"_path);
        CHECK(s.put_text(foreign, "no").error().code == cep::errc::path_unknown_id);
        CHECK(s.append_text(foreign, "no").error().code == cep::errc::path_unknown_id);
        REQUIRE(s.append_text(paths.intern("/data/log"_path), "by id").has_value());
        CHECK(s.remove(foreign).error().code == cep::errc::path_unknown_id);
        CHECK_FALSE(s.find(foreign).has_value());
        CHECK_FALSE(s.text(foreign).has_value());
    };
    SECTION("immediate") {
        closure::store s(tree);
        exercise(s);
        CHECK_FALSE(tree.contains(entry_path));
        CHECK(text(tree, "/data/log/1"_path) == "by id");
    }
    SECTION("staged") {
        with_staged_store(tree, [&](closure::store& s, cep::staging_area& stage) {
            exercise(s);
            CHECK(tree.contains(entry_path));  // nothing visible before the commit
            CHECK_FALSE(tree.contains("/data/log/1"_path));
            REQUIRE(stage.commit().ok());
        });
        CHECK_FALSE(tree.contains(entry_path));
        CHECK(text(tree, "/data/log/1"_path) == "by id");
    }
}

namespace {
// What a handler saw of its job's path_refs, and what it could do with them.
struct ref_report {
    bool entry_is_queue_entry = false;
    bool record_is_facet_record = false;
    bool context_is_context_record = false;
    bool same_table = false;
    std::optional<std::string> context_tag_read;
    std::string built;  // job.facet_record / "meta" / "note", as text
};
ref_report refs_seen;
struct ref_user {
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job& job, closure::store& s) {
        refs_seen.entry_is_queue_entry = job.queue_entry == closure::queue_entry(job.facet, job.hash);
        refs_seen.record_is_facet_record = job.facet_record == closure::facet_record(job.facet, job.hash);
        refs_seen.context_is_context_record = job.context == closure::context_record(job.hash);
        refs_seen.same_table = job.queue_entry.table() == &s.paths() && job.context.table() == &s.paths();
        refs_seen.context_tag_read = s.text(job.queue_entry.id()).has_value()
                                         ? s.text(s.paths().child(job.queue_entry.id(), "context_tag").value())
                                         : std::nullopt;
        const cep::path note = job.facet_record / "meta" / "note";
        refs_seen.built = note.str();
        (void)s.put_text(note, "by a built path");
        (void)s.put_text(job.context, "context value by ref");
        return cep::status::success;
    }
};
}  // namespace

TEST_CASE("a facet_job names its entry, record and context as path_refs of the store's table") {
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    refs_seen = {};
    closure::handler_set<ref_user> set;
    const auto summary = set.tick(tree);
    CHECK(summary.count(closure::outcome::completed) == 1);
    CHECK(refs_seen.entry_is_queue_entry);
    CHECK(refs_seen.record_is_facet_record);
    CHECK(refs_seen.context_is_context_record);
    CHECK(refs_seen.same_table);
    CHECK(refs_seen.context_tag_read == "edit");
    CHECK(refs_seen.built == closure::facet_record("audit_log", h).str() + "/meta/note");
    CHECK(text(tree, closure::facet_record("audit_log", h) / "meta" / "note") == "by a built path");
    CHECK(text(tree, closure::context_record(h)) == "context value by ref");
}

TEST_CASE("the store takes path_refs: by id in its own table, by text from another, and refuses empty ones") {
    cep::cell_tree tree;
    const auto h = closure::context_upsert(tree, edit_spec()).value().hash;
    tree.make_list("/data/log"_path).value();
    const auto exercise = [&](closure::store& s) {
        auto& paths = s.paths();
        const cep::path_ref state(paths, paths.intern(closure::queue_entry("notify", h) / "queue_state"));
        CHECK(s.text(state) == "pending");
        CHECK(s.find(state)->text() == "pending");
        REQUIRE(s.put_text(state, "changed").has_value());
        const cep::path_ref log(paths, paths.intern("/data/log"_path));
        REQUIRE(s.append_text(log, "by ref").has_value());
        const cep::path_ref record(paths, paths.intern(closure::facet_record("notify", h)));
        REQUIRE(s.remove(record).has_value());

        // A ref of another table goes by its text (its id there names something else here).
        cep::path_table other;
        for (int i = 0; i < 1000; ++i) (void)other.intern(cep::path("/x/" + std::to_string(i)));
        const cep::path_ref foreign_state(other, other.intern(closure::queue_entry("audit_log", h) / "queue_state"));
        CHECK(s.text(foreign_state) == "pending");
        REQUIRE(s.put_text(foreign_state, "by text").has_value());
        REQUIRE(s.append_text(cep::path_ref(other, other.intern("/data/log"_path)), "by text").has_value());
        REQUIRE(s.remove(cep::path_ref(other, other.intern("/data/CEP"_path))).has_value());
        CHECK_FALSE(s.find(cep::path_ref(other, other.intern("/x/999"_path))).has_value());

        const cep::path_ref empty;
        const auto refused = s.put_text(empty, "no");
        REQUIRE_FALSE(refused.has_value());
        CHECK(refused.error().code == cep::errc::path_unknown_id);
        CHECK(refused.error().message == "put_text: an empty path_ref names no cell");
        CHECK(s.append_text(empty, "no").error().code == cep::errc::path_unknown_id);
        CHECK(s.remove(empty).error().code == cep::errc::path_unknown_id);
        CHECK_FALSE(s.find(empty).has_value());
        CHECK_FALSE(s.text(empty).has_value());
    };
    const auto check_tree = [&] {
        CHECK(text(tree, closure::queue_entry("notify", h) / "queue_state") == "changed");
        CHECK(text(tree, closure::queue_entry("audit_log", h) / "queue_state") == "by text");
        CHECK(text(tree, "/data/log/1"_path) == "by ref");
        CHECK(text(tree, "/data/log/2"_path) == "by text");
        CHECK_FALSE(tree.contains(closure::facet_record("notify", h)));
        CHECK_FALSE(tree.contains("/data/CEP"_path));
    };
    SECTION("immediate") {
        closure::store s(tree);
        exercise(s);
        check_tree();
    }
    SECTION("staged") {
        with_staged_store(tree, [&](closure::store& s, cep::staging_area& stage) {
            exercise(s);
            CHECK(text(tree, closure::queue_entry("notify", h) / "queue_state") == "pending");
            REQUIRE(stage.commit().ok());
        });
        check_tree();
    }
}

namespace {
std::string label_seen;
struct label_reader {
    static constexpr cep::name facet = "audit_log";
    static constexpr cep::name context = "edit";
    cep::status operator()(const closure::facet_job& job, closure::store&) {
        label_seen = std::string(job.label);
        return cep::status::success;
    }
};
}  // namespace

TEST_CASE("tick reads a queue entry's fields through links, as reading their paths does") {
    cep::cell_tree tree;
    const auto made = closure::context_upsert(tree, {.tag = "edit", .label = "direct", .facets = {"audit_log"}, .participants = {}});
    REQUIRE(made.has_value());
    const cep::path entry = closure::queue_entry("audit_log", made->hash);
    // value and queue_state become links to cells elsewhere.
    REQUIRE(tree.put_text("/elsewhere/label"_path, "through a link").has_value());
    REQUIRE(tree.put_text("/elsewhere/state"_path, "pending").has_value());
    REQUIRE(tree.remove(entry / "value").has_value());
    REQUIRE(tree.remove(entry / "queue_state").has_value());
    REQUIRE(tree.link(entry / "value", "/elsewhere/label"_path).has_value());
    REQUIRE(tree.link(entry / "queue_state", "/elsewhere/state"_path).has_value());
    closure::handler_set<label_reader> set;
    label_seen.clear();
    const auto summary = set.tick(tree);
    CHECK(summary.count(closure::outcome::completed) == 1);
    CHECK(label_seen == "through a link");
}

namespace {
int audited = 0;
cep::status audit_once(const closure::facet_job&, closure::store&) {
    ++audited;
    return cep::status::success;
}
using one_audit = closure::handler_set<closure::facet_handler<"audit_log", "edit", &audit_once>>;

TEST_CASE("tick finds the queue and the facet records through links, and writes and removes through them") {
    // The tick takes the ids of entries and fields from their cells when the cells sit at their own paths; here the
    // queue and the facets are links to elsewhere, so every id is the one named below the link, as before.
    cep::cell_tree tree;
    REQUIRE(tree.make_dictionary("/elsewhere/queue"_path).has_value());
    REQUIRE(tree.make_dictionary("/elsewhere/facets"_path).has_value());
    REQUIRE(tree.link("/bonds/facet_queue"_path, "/elsewhere/queue"_path).has_value());
    REQUIRE(tree.link("/data/CEP/CEP/L1/facets"_path, "/elsewhere/facets"_path).has_value());
    std::vector<std::string> hashes;
    for (int i = 0; i < 3; ++i) {
        const auto made = closure::context_upsert(
            tree, {.tag = "edit", .label = "edit " + std::to_string(i), .facets = {"audit_log"}, .participants = {}});
        REQUIRE(made.has_value());
        hashes.push_back(made->hash);
        // Landed behind the links.
        CHECK(tree.find(cep::path("/elsewhere/queue/audit_log") / made->hash / "queue_state")->text() == "pending");
    }
    one_audit set;
    audited = 0;
    const auto summary = set.tick(tree);
    CHECK(summary.ok());
    CHECK(summary.count(closure::outcome::completed) == 3);
    CHECK(audited == 3);
    for (const auto& hash : hashes) {
        CHECK_FALSE(tree.find(cep::path("/elsewhere/queue/audit_log") / hash).has_value());
        CHECK(tree.find(closure::facet_record("audit_log", hash) / "facet_state")->text() == "complete");
        CHECK(tree.find(cep::path("/elsewhere/facets/audit_log") / hash / "meta" / "attempts")->text() == "1");
    }
    audited = 0;
    CHECK(set.tick(tree).visited() == 0);
    CHECK(audited == 0);
}

// Rounds of 100 new contexts each, ticked to completion; returns the path table's size after `rounds`.
std::size_t table_after_rounds(bool transient_queue, int rounds) {
    cep::cell_tree tree;
    auto& paths = tree.paths();
    if (transient_queue) REQUIRE(paths.make_transient_root(paths.intern(cep::path("/bonds/facet_queue"))));
    one_audit set;
    std::size_t n = 0;
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < 100; ++i, ++n)
            closure::context_upsert(tree, {.tag = "edit", .label = "edit " + std::to_string(n),
                                           .facets = {"audit_log"}, .participants = {}})
                .value();
        audited = 0;
        REQUIRE(set.tick(tree).count(closure::outcome::completed) == 100);
        REQUIRE(audited == 100);
        (void)paths.release_unused([&](cep::path_id id) { return tree.holds_cell(id); });
    }
    return paths.size();
}
}  // namespace

TEST_CASE("a facet queue below a transient root: completed entries release their ids, the records keep theirs") {
    const std::size_t kept = table_after_rounds(false, 10);
    const std::size_t released = table_after_rounds(true, 10);
    // Each completed queue entry leaves four ids (the entry, value, queue_state, context_tag) without the root.
    CHECK(kept - released >= 4 * 100 * 9);
    CHECK(table_after_rounds(true, 20) - released < table_after_rounds(false, 20) - kept);
}
