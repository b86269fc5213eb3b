// The heartbeat: the seed's testing notes for layer 0 (matching with fixed registries and synthetic ledgers,
// ordering, single run, memoisation, N -> N+1 visibility, retries, failures, budgets, determinism, wallclock).
#include <cep/dispatch.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <random>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace cep::literals;

namespace {

std::vector<std::string> runs;  // "<enzyme> <signal> <target>" in execution order

template <cep::fixed_string Name, cep::fixed_string Query, class Match = cep::exact, class Before = cep::enzymes<>,
          class After = cep::enzymes<>>
struct probe {
    static constexpr cep::name name = Name;
    static constexpr cep::query_constant<Query> query{};
    using match = Match;
    using before = Before;
    using after = After;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context&) {
        runs.push_back(std::string(Name.view()) + " " + impulse.signal.str() + " " + impulse.target.str());
        return cep::status::success;
    }
};

std::vector<std::string> names_of(const std::vector<std::string_view>& agenda) {
    return {agenda.begin(), agenda.end()};
}

std::vector<std::string> ledger(const cep::cell_tree& tree, cep::beat_number beat, const char* list) {
    std::vector<std::string> out;
    const auto cell = tree.find(cep::path("/rt/beat") / std::to_string(beat) / list);
    if (!cell) return out;
    for (auto entry : cell->children()) out.emplace_back(entry.text());
    return out;
}

using thumb = probe<"resize_image", "/signals/image/thumbnail">;
using metadata = probe<"image_metadata", "/env/fs/projects/*", cep::prefix>;
using any_image = probe<"any_image", "/signals/image/*">;
using everything = probe<"everything", "/signals", cep::prefix>;
using images = cep::enzyme_registry<thumb, metadata, any_image, everything>;

}  // namespace

TEST_CASE("with a target, only enzymes bound on its ancestor chain are candidates, filtered by the signal") {
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.bind<thumb>("/env/fs"_path, cep::propagate);
    hb.bind<any_image>("/env/fs/projects/p1"_path);  // this cell only: not the image below it
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/fs/projects/p1/img.jpg"_path)) ==
          std::vector<std::string>{"resize_image"});
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/fs/projects/p1"_path)) ==
          std::vector<std::string>{"resize_image", "any_image"});
    // Bound but the query does not match the signal: filtered out.
    CHECK(hb.agenda("/signals/db/write"_path, "/env/fs/projects/p1"_path).empty());
    // Not bound anywhere on the chain: nothing.
    CHECK(hb.agenda("/signals/image/thumbnail"_path, "/data/x"_path).empty());
}

TEST_CASE("bindings without propagate stay on their cell; tombstones cancel inherited names at and below") {
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.bind<everything>("/"_path, cep::propagate);
    hb.bind<any_image>("/env"_path);
    hb.tombstone<everything>("/env/private"_path);
    hb.bind<everything>("/env/private/shared"_path);  // bound again below the tombstone, on this cell only
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/x"_path, "/env/public"_path)) == std::vector<std::string>{"everything"});
    CHECK(names_of(hb.agenda("/signals/image/x"_path, "/env"_path)) ==
          std::vector<std::string>{"any_image", "everything"});
    CHECK(hb.agenda("/signals/image/x"_path, "/env/private"_path).empty());
    CHECK(hb.agenda("/signals/image/x"_path, "/env/private/deep/er"_path).empty());
    CHECK(names_of(hb.agenda("/signals/image/x"_path, "/env/private/shared"_path)) ==
          std::vector<std::string>{"everything"});
    CHECK(hb.agenda("/signals/image/x"_path, "/env/private/shared/below"_path).empty());
}

TEST_CASE("without a target, the signal index decides (broadcast)") {
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) ==
          std::vector<std::string>{"resize_image", "any_image", "everything"});
    CHECK(names_of(hb.agenda("/signals/db/write"_path)) == std::vector<std::string>{"everything"});
    CHECK(hb.agenda("/elsewhere"_path).empty());
}

TEST_CASE("only registered enzymes are candidates, from the next beat boundary on") {
    cep::heartbeat<images> hb;
    hb.register_enzyme<any_image>();
    CHECK(hb.agenda("/signals/image/thumbnail"_path).empty());  // not active before the boundary
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) == std::vector<std::string>{"any_image"});
    REQUIRE(hb.register_enzyme("resize_image").has_value());
    auto unknown = hb.register_enzyme("resize");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(unknown.error().code == cep::errc::unknown_enzyme);
    CHECK(unknown.error().message == "no enzyme named 'resize' in this heartbeat's registry");
    CHECK(hb.bind("/x"_path, "nope").error().code == cep::errc::unknown_enzyme);
    CHECK(hb.tombstone("/x"_path, "nope").error().code == cep::errc::unknown_enzyme);
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) ==
          std::vector<std::string>{"resize_image", "any_image"});
}

TEST_CASE("tie-breaks: dual match, then specificity, then exact over prefix, then name, then registration order") {
    using a_prefix = probe<"a_prefix", "/s/x", cep::prefix>;
    using b_exact = probe<"b_exact", "/s/x">;
    using c_general = probe<"c_general", "/s/*">;
    using d_same = probe<"d_same", "/s/*">;
    using e_bound_only = probe<"e_bound_only", "/elsewhere">;
    using reg = cep::enzyme_registry<d_same, c_general, b_exact, a_prefix, e_bound_only>;
    cep::heartbeat<reg, cep::bound_or_matched> hb;
    hb.register_all();
    hb.bind<c_general>("/t"_path);
    hb.bind<e_bound_only>("/t"_path);
    hb.step();
    // c_general is bound and matches (dual) -> first. Then by specificity 2: b_exact (exact) before a_prefix;
    // then d_same (specificity 1); e_bound_only (bound, no match: single, specificity 1) after d by name.
    CHECK(names_of(hb.agenda("/s/x"_path, "/t"_path)) ==
          std::vector<std::string>{"c_general", "b_exact", "a_prefix", "d_same", "e_bound_only"});
    // Without the target nothing is dual: specificity first.
    CHECK(names_of(hb.agenda("/s/x"_path)) == std::vector<std::string>{"b_exact", "a_prefix", "c_general", "d_same"});
}

namespace {
struct late;
struct middle;
using early = probe<"zz_early", "/s", cep::exact, cep::enzymes<middle>>;
struct middle : probe<"middle", "/elsewhere", cep::exact, cep::enzymes<late>> {};
struct late : probe<"aa_late", "/s"> {};
using ordered = cep::enzyme_registry<late, middle, early>;
}  // namespace

TEST_CASE("before/after hold transitively, even through an enzyme that is not on the agenda") {
    cep::heartbeat<ordered> hb;
    hb.register_all();
    hb.step();
    // By name aa_late would go first; zz_early before middle before aa_late puts zz_early first although middle
    // does not match /s.
    CHECK(names_of(hb.agenda("/s"_path)) == std::vector<std::string>{"zz_early", "aa_late"});
}

namespace {
template <int I>
struct node_enzyme {
    static constexpr cep::fixed_string<3> label = [] {
        cep::fixed_string<3> s{};
        s.chars[0] = 'n';
        s.chars[1] = static_cast<char>('0' + I / 10);
        s.chars[2] = static_cast<char>('0' + I % 10);
        return s;
    }();
    static constexpr cep::name name = label;
    static constexpr auto query = "/r"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
// A fixed DAG over 12 enzymes, written so that names disagree with the constraints.
template <int I>
struct dag_node;
#define CEP_DAG_NODE(I, ...)                                                      \
    template <>                                                                   \
    struct dag_node<I> : node_enzyme<I> {                                         \
        using before = cep::enzymes<__VA_ARGS__>;                                 \
    }
CEP_DAG_NODE(11, dag_node<0>, dag_node<5>);
CEP_DAG_NODE(10, dag_node<11>, dag_node<3>);
CEP_DAG_NODE(9, dag_node<10>);
CEP_DAG_NODE(8, dag_node<0>);
CEP_DAG_NODE(7, dag_node<2>, dag_node<4>);
CEP_DAG_NODE(6, dag_node<1>);
CEP_DAG_NODE(5, dag_node<1>, dag_node<2>);
CEP_DAG_NODE(4, dag_node<0>);
CEP_DAG_NODE(3, );
CEP_DAG_NODE(2, dag_node<0>);
CEP_DAG_NODE(1, );
CEP_DAG_NODE(0, );
#undef CEP_DAG_NODE
using dag = cep::enzyme_registry<dag_node<0>, dag_node<1>, dag_node<2>, dag_node<3>, dag_node<4>, dag_node<5>,
                                 dag_node<6>, dag_node<7>, dag_node<8>, dag_node<9>, dag_node<10>, dag_node<11>>;
}  // namespace

TEST_CASE("random subsets of a DAG: every ordering constraint holds on every agenda") {
    std::mt19937 random(7);
    for (int round = 0; round < 200; ++round) {
        cep::heartbeat<dag> hb;
        std::vector<std::size_t> chosen;
        for (std::size_t i = 0; i < dag::size; ++i)
            if (random() % 2) {
                REQUIRE(hb.register_enzyme(dag::names[i]).has_value());
                chosen.push_back(i);
            }
        hb.step();
        const auto agenda = hb.agenda("/r"_path);
        REQUIRE(agenda.size() == chosen.size());
        std::vector<std::size_t> position(dag::size, 0);
        for (std::size_t p = 0; p < agenda.size(); ++p) position[dag::index_of(agenda[p])] = p;
        for (auto i : chosen)
            for (auto j : chosen)
                if (dag::runs_before(i, j)) CHECK(position[i] < position[j]);
    }
}

TEST_CASE("each agenda runs once per (signal, target, beat), however often the impulse comes") {
    runs.clear();
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.bind<thumb>("/env"_path, cep::propagate);
    for (int i = 0; i < 3; ++i) REQUIRE(hb.enqueue("/signals/image/thumbnail"_path, "/env/a"_path).has_value());
    REQUIRE(hb.enqueue("/signals/image/thumbnail"_path, "/env/b"_path).has_value());
    hb.step();
    CHECK(runs == std::vector<std::string>{"resize_image /signals/image/thumbnail /env/a",
                                           "resize_image /signals/image/thumbnail /env/b"});
    CHECK(ledger(hb.tree(), 1, "impulses").size() == 4);  // every impulse is in the ledger
    CHECK(ledger(hb.tree(), 1, "agenda").size() == 2);
    REQUIRE(hb.enqueue("/signals/image/thumbnail"_path, "/env/a"_path).has_value());
    hb.step();  // a new beat: runs again
    CHECK(runs.size() == 3);
}

TEST_CASE("agendas are memoised across beats and recomputed when bindings change") {
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.bind<thumb>("/env"_path, cep::propagate);
    hb.step();
    const auto generation = hb.generation();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image"});
    CHECK(hb.memo_size() == 1);
    hb.step();
    CHECK(hb.generation() == generation);  // nothing changed: the memo survives
    CHECK(hb.memo_size() == 1);
    hb.bind<any_image>("/env/a"_path);
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image"});  // not before the boundary
    hb.step();
    CHECK(hb.generation() == generation + 1);
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image", "any_image"});
}

namespace {
struct writer {
    static constexpr cep::name name = "writer";
    static constexpr auto query = "/signals/write"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        const auto seen = ctx.find("/data/value"_path);
        runs.push_back("writer sees " + (seen ? std::string(seen->text()) : std::string("nothing")));
        (void)ctx.put_text("/data/value"_path, "beat " + std::to_string(ctx.beat()));
        (void)ctx.emit("/signals/read"_path, "/data/value"_path);
        return cep::status::success;
    }
};
struct reader {
    static constexpr cep::name name = "reader";
    static constexpr auto query = "/signals/*"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context& ctx) {
        const auto seen = ctx.find("/data/value"_path);
        runs.push_back("reader(" + impulse.signal.str() + ") sees " +
                       (seen ? std::string(seen->text()) : std::string("nothing")));
        return cep::status::success;
    }
};
using visibility = cep::enzyme_registry<writer, reader>;
}  // namespace

TEST_CASE("N -> N+1: nothing written or emitted in a beat is visible in that beat") {
    runs.clear();
    cep::heartbeat<visibility> hb;
    hb.register_all();
    hb.bind<reader>("/data"_path, cep::propagate);  // the emitted impulse has a target: it needs a binding
    REQUIRE(hb.enqueue("/signals/write"_path).has_value());
    hb.step();
    // writer runs first (specificity 2 > 1); reader, later in the same beat, does not see its write.
    CHECK(runs == std::vector<std::string>{"writer sees nothing", "reader(/signals/write) sees nothing"});
    CHECK(hb.tree().find("/data/value"_path)->text() == "beat 1");
    runs.clear();
    hb.step();  // the emitted /signals/read arrives now
    CHECK(runs == std::vector<std::string>{"reader(/signals/read) sees beat 1"});
    CHECK(ledger(hb.tree(), 1, "stage") == std::vector<std::string>{"commit: promoted 1 impulse(s) -> beat 2"});
    CHECK(ledger(hb.tree(), 2, "impulses") == std::vector<std::string>{"signal=/signals/read target=/data/value"});
}

namespace {
// Passes each impulse on to /signals/next for the same target, by path_ref (the target is not written out), and
// for a path_ref of another table (written out as its text).
cep::path_table& other_table() {
    static cep::path_table table;
    return table;
}
std::vector<std::string> relay_errors;
struct relay {
    static constexpr cep::name name = "relay";
    static constexpr cep::query_constant<"/signals/start"> query{};
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        runs.push_back("relay " + impulse.target.str());
        if (!ctx.emit("/signals/next"_path, impulse.target)) return cep::status::fatal;
        const cep::path_ref elsewhere(other_table(), other_table().intern("/data/y"_path));
        if (!ctx.emit_at(ctx.beat() + 2, "/signals/next"_path, elsewhere)) return cep::status::fatal;
        if (auto r = ctx.emit("/signals/next"_path, cep::path_ref{}); !r) relay_errors.push_back(r.error().message);
        if (auto r = ctx.emit_at(ctx.beat(), "/signals/next"_path, impulse.target); !r)
            relay_errors.push_back(r.error().message);
        return cep::status::success;
    }
};
using next_probe = probe<"next_probe", "/signals/next">;
}  // namespace

TEST_CASE("an enzyme emits to a path_ref: its own table's by id, another table's by text; empty and past refused") {
    runs.clear();
    relay_errors.clear();
    for (int i = 0; i < 50; ++i) (void)other_table().intern(cep::path("/pad/" + std::to_string(i)));  // ids differ
    cep::heartbeat<cep::enzyme_registry<relay, next_probe>> hb;
    hb.register_all();
    hb.bind<relay>("/data"_path, cep::propagate);
    hb.bind<next_probe>("/data"_path, cep::propagate);
    REQUIRE(hb.enqueue("/signals/start"_path, "/data/x"_path).has_value());
    hb.step();
    CHECK(runs == std::vector<std::string>{"relay /data/x"});
    CHECK(relay_errors == std::vector<std::string>{
                              "emit: an empty path_ref names no target (emit(signal) broadcasts)",
                              "cannot emit /signals/next for beat 1: the earliest beat open for impulses is 2"});
    runs.clear();
    hb.step();  // beat 2: the emit to the impulse's own target
    CHECK(runs == std::vector<std::string>{"next_probe /signals/next /data/x"});
    runs.clear();
    hb.step();  // beat 3: the emit_at to the other table's path
    CHECK(runs == std::vector<std::string>{"next_probe /signals/next /data/y"});
    CHECK(ledger(hb.tree(), 2, "impulses") == std::vector<std::string>{"signal=/signals/next target=/data/x"});
    CHECK(ledger(hb.tree(), 3, "impulses") == std::vector<std::string>{"signal=/signals/next target=/data/y"});
}

TEST_CASE("enqueue honours the beat argument and rejects the past") {
    cep::heartbeat<visibility> hb;
    hb.register_all();
    REQUIRE(hb.enqueue_at(3, "/signals/read"_path, std::nullopt).has_value());
    hb.step();
    auto past = hb.enqueue_at(1, "/signals/read"_path, std::nullopt);
    REQUIRE_FALSE(past.has_value());
    CHECK(past.error().code == cep::errc::beat_in_past);
    CHECK(past.error().message ==
          "cannot enqueue /signals/read for beat 1: the earliest beat open for impulses is 2");
    CHECK(hb.pending(3) == 1);
    runs.clear();
    hb.step();
    CHECK(runs.empty());
    hb.step();
    CHECK(runs == std::vector<std::string>{"reader(/signals/read) sees nothing"});
}

namespace {
struct flaky {
    static constexpr cep::name name = "flaky";
    static constexpr auto query = "/signals/job"_query;
    int calls = 0;
    int succeed_on = 0;  // 0: never
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        ++calls;
        (void)ctx.put_text("/data/flaky"_path, std::to_string(calls));
        return calls == succeed_on ? cep::status::success : cep::status::retry;
    }
};
struct crashes {
    static constexpr cep::name name = "crashes";
    static constexpr auto query = "/signals/job"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/crash"_path, "partial");
        throw std::runtime_error("disk on fire");
    }
};
struct gives_up {
    static constexpr cep::name name = "gives_up";
    static constexpr auto query = "/signals/job"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/gave_up"_path, "partial");
        (void)ctx.emit("/signals/followup"_path, "/data"_path);
        return cep::status::fatal;
    }
};
struct steady {
    static constexpr cep::name name = "steady";
    static constexpr auto query = "/signals/job"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/steady"_path, "done");
        return cep::status::success;
    }
};
using failing = cep::enzyme_registry<flaky, crashes, gives_up, steady>;
}  // namespace

TEST_CASE("retries run at the next beats with an attempt counter, and stop at the budget") {
    cep::heartbeat<failing> hb(cep::heartbeat_policy{.retry = {.max_attempts = 3, .backoff_beats = 0}});
    hb.register_enzyme<flaky>();
    hb.enzyme<flaky>().succeed_on = 0;
    REQUIRE(hb.enqueue("/signals/job"_path).has_value());
    for (int i = 0; i < 6; ++i) hb.step();
    CHECK(hb.enzyme<flaky>().calls == 3);  // 3 attempts in all, no growth
    CHECK(ledger(hb.tree(), 1, "agenda") ==
          std::vector<std::string>{"enzyme=flaky rc=retry signal=/signals/job target="});
    CHECK(ledger(hb.tree(), 3, "agenda") ==
          std::vector<std::string>{"enzyme=flaky rc=retry signal=/signals/job target="});
    CHECK(ledger(hb.tree(), 4, "agenda").empty());
    CHECK_FALSE(hb.tree().find("/data/flaky"_path).has_value());  // a retrying invocation's writes are dropped
    const auto cei = hb.tree().find("/rt/cei/1/note"_path);
    REQUIRE(cei.has_value());
    CHECK(cei->text() == "enzyme=flaky signal=/signals/job target= error=retry budget exhausted after 3 attempt(s)");
    CHECK(ledger(hb.tree(), 4, "impulses") == std::vector<std::string>{"signal=/sig_cei/error target=/rt/cei/1"});
}

TEST_CASE("a retry that succeeds stops; backoff waits extra beats") {
    cep::heartbeat<failing> hb(cep::heartbeat_policy{.retry = {.max_attempts = 5, .backoff_beats = 1}});
    hb.register_enzyme<flaky>();
    hb.enzyme<flaky>().succeed_on = 2;
    REQUIRE(hb.enqueue("/signals/job"_path).has_value());
    for (int i = 0; i < 6; ++i) hb.step();
    CHECK(hb.enzyme<flaky>().calls == 2);
    CHECK(ledger(hb.tree(), 2, "agenda").empty());  // backoff: beat 2 skipped
    CHECK(ledger(hb.tree(), 3, "agenda") ==
          std::vector<std::string>{"enzyme=flaky rc=success signal=/signals/job target="});
    CHECK(hb.tree().find("/data/flaky"_path)->text() == "2");
    CHECK_FALSE(hb.tree().find("/rt/cei"_path).has_value());
}

TEST_CASE("a success forgets the attempt count: the next series of retries has the whole budget") {
    for (const bool ledger_on : {false, true}) {
        CAPTURE(ledger_on);
        cep::heartbeat<failing> hb(
            cep::heartbeat_policy{.ensure_directories = ledger_on, .retry = {.max_attempts = 3, .backoff_beats = 0}});
        hb.register_enzyme<flaky>();
        for (int series = 0; series < 3; ++series) {
            hb.enzyme<flaky>().calls = 0;
            hb.enzyme<flaky>().succeed_on = 3;  // two retries, then a success: 2 of the 3 attempts used
            REQUIRE(hb.enqueue("/signals/job"_path).has_value());
            for (int i = 0; i < 4; ++i) hb.step();
            CHECK(hb.enzyme<flaky>().calls == 3);
            CHECK(hb.tree().find("/data/flaky"_path)->text() == "3");
        }
        CHECK_FALSE(hb.tree().contains("/rt/cei"_path));  // no series ran out of attempts
    }
}

TEST_CASE("fatal results and exceptions discard that invocation's writes and emits; the beat goes on") {
    cep::heartbeat<failing> hb;
    hb.register_enzyme<crashes>();
    hb.register_enzyme<gives_up>();
    hb.register_enzyme<steady>();
    REQUIRE(hb.enqueue("/signals/job"_path).has_value());
    CHECK_FALSE(hb.step());  // false: something failed in this beat
    CHECK(hb.tree().find("/data/steady"_path)->text() == "done");
    CHECK_FALSE(hb.tree().find("/data/crash"_path).has_value());
    CHECK_FALSE(hb.tree().find("/data/gave_up"_path).has_value());
    CHECK(ledger(hb.tree(), 1, "agenda") ==
          std::vector<std::string>{"enzyme=crashes rc=fatal signal=/signals/job target=",
                                   "enzyme=gives_up rc=fatal signal=/signals/job target=",
                                   "enzyme=steady rc=success signal=/signals/job target="});
    CHECK(hb.tree().find("/rt/cei/1/note"_path)->text() ==
          "enzyme=crashes signal=/signals/job target= error=disk on fire");
    CHECK(hb.tree().find("/rt/cei/2/note"_path)->text() == "enzyme=gives_up signal=/signals/job target=");
    CHECK(ledger(hb.tree(), 2, "impulses") == std::vector<std::string>{"signal=/sig_cei/error target=/rt/cei/1",
                                                                       "signal=/sig_cei/error target=/rt/cei/2"});
    // The two CEI impulses are what this beat added to the next.
    CHECK(ledger(hb.tree(), 1, "stage") == std::vector<std::string>{"commit: promoted 2 impulse(s) -> beat 2"});
}

TEST_CASE("with the ledger off, an exception in the agenda loop is caught there too: the invocation is fatal") {
    // Ledger off, the agenda loop inlines each enzyme's invocation (its own handler included) rather than calling
    // a thunk: the same rules.
    cep::heartbeat<failing> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_enzyme<crashes>();
    hb.register_enzyme<steady>();
    REQUIRE(hb.enqueue("/signals/job"_path).has_value());
    CHECK_FALSE(hb.step());
    CHECK(hb.tree().find("/data/steady"_path)->text() == "done");  // the agenda went on after the throw
    CHECK_FALSE(hb.tree().find("/data/crash"_path).has_value());
    CHECK(hb.tree().find("/rt/cei/1/note"_path)->text() ==
          "enzyme=crashes signal=/signals/job target= error=disk on fire");
    CHECK_FALSE(hb.tree().find("/rt/beat/1"_path).has_value());  // no ledger
}

namespace {
// One agenda of five, in name order: successes and failures interleaved, with and without writes and emits.
std::vector<std::string> next_targets;
std::function<void()> enqueue_from_inside;
struct a_writes {
    static constexpr cep::name name = "a_writes";
    static constexpr auto query = "/signals/mixed"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/a"_path, "a");
        (void)ctx.emit("/signals/next"_path, "/data/a"_path);
        return cep::status::success;
    }
};
struct b_fails_quietly {  // writes and emits nothing: its failure must drop nothing of a_writes
    static constexpr cep::name name = "b_fails_quietly";
    static constexpr auto query = "/signals/mixed"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::fatal; }
};
struct c_writes_then_fails {
    static constexpr cep::name name = "c_writes_then_fails";
    static constexpr auto query = "/signals/mixed"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/c"_path, "c");
        (void)ctx.emit("/signals/next"_path, "/data/c"_path);
        return cep::status::fatal;
    }
};
struct d_reads_enqueues_fails {  // read-only: queues through the heartbeat itself, then fails
    static constexpr cep::name name = "d_reads_enqueues_fails";
    static constexpr auto query = "/signals/mixed"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        enqueue_from_inside();
        return cep::status::fatal;
    }
};
struct e_writes {
    static constexpr cep::name name = "e_writes";
    static constexpr auto query = "/signals/mixed"_query;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        (void)ctx.put_text("/data/e"_path, "e");
        (void)ctx.emit("/signals/next"_path, "/data/e"_path);
        return cep::status::success;
    }
};
struct next_recorder {
    static constexpr cep::name name = "next_recorder";
    static constexpr auto query = "/signals/next"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        next_targets.push_back(impulse.target.str());
        return cep::status::success;
    }
};
using mixed = cep::enzyme_registry<a_writes, b_fails_quietly, c_writes_then_fails, d_reads_enqueues_fails, e_writes,
                                   next_recorder>;
}  // namespace

TEST_CASE("a failed invocation drops only its own writes and emits, with the ledger on or off") {
    for (const bool ledger_on : {false, true}) {
        CAPTURE(ledger_on);
        next_targets.clear();
        cep::heartbeat<mixed> hb(cep::heartbeat_policy{.ensure_directories = ledger_on});
        enqueue_from_inside = [&hb] { REQUIRE(hb.enqueue("/signals/next"_path, "/data/d"_path).has_value()); };
        hb.register_all();
        REQUIRE(hb.bind("/data"_path, "next_recorder", cep::propagate).has_value());  // impulses with a target
        REQUIRE(hb.enqueue("/signals/mixed"_path).has_value());
        CHECK_FALSE(hb.step());
        CHECK(hb.tree().find("/data/a"_path)->text() == "a");
        CHECK(hb.tree().find("/data/e"_path)->text() == "e");
        CHECK_FALSE(hb.tree().contains("/data/c"_path));
        hb.step();
        CHECK(next_targets == std::vector<std::string>{"/data/a", "/data/e"});
        enqueue_from_inside = {};  // it refers to this heartbeat
    }
}

TEST_CASE("a budget defers the overflow to the next beat, in order, and says so") {
    runs.clear();
    cep::heartbeat<visibility> hb(cep::heartbeat_policy{.max_impulses_per_beat = 2});
    hb.register_enzyme<reader>();
    for (const char* s : {"/signals/a", "/signals/b", "/signals/c", "/signals/d", "/signals/e"})
        REQUIRE(hb.enqueue(cep::path(s)).has_value());
    hb.step();
    CHECK(runs.size() == 2);
    CHECK(ledger(hb.tree(), 1, "stage") == std::vector<std::string>{"commit: promoted 0 impulse(s) -> beat 2",
                                                                    "budget: deferred 3 impulse(s) -> beat 2"});
    hb.step();
    hb.step();
    CHECK(runs == std::vector<std::string>{"reader(/signals/a) sees nothing", "reader(/signals/b) sees nothing",
                                           "reader(/signals/c) sees nothing", "reader(/signals/d) sees nothing",
                                           "reader(/signals/e) sees nothing"});
}

TEST_CASE("reordering registrations changes nothing; reordering impulses changes only the execution order") {
    auto run_with = [](bool reversed_registration, bool reversed_impulses) {
        runs.clear();
        cep::heartbeat<images> hb;
        std::vector<std::string_view> order(images::names.begin(), images::names.end());
        if (reversed_registration) std::reverse(order.begin(), order.end());
        for (auto n : order) REQUIRE(hb.register_enzyme(n).has_value());
        std::vector<const char*> signals = {"/signals/image/thumbnail", "/signals/db/write"};
        if (reversed_impulses) std::reverse(signals.begin(), signals.end());
        for (auto s : signals) REQUIRE(hb.enqueue(cep::path(s)).has_value());
        hb.step();
        return runs;
    };
    const auto base = run_with(false, false);
    CHECK(run_with(true, false) == base);
    auto swapped = run_with(false, true);
    CHECK(swapped != base);
    std::sort(swapped.begin(), swapped.end());
    auto sorted_base = base;
    std::sort(sorted_base.begin(), sorted_base.end());
    CHECK(swapped == sorted_base);
}

TEST_CASE("wallclock: stored once, the same value accepted, a different one rejected; spacing is pruned") {
    cep::heartbeat<visibility> hb;
    REQUIRE(hb.publish_wallclock(1, 1'000'000).has_value());
    REQUIRE(hb.publish_wallclock(1, 1'000'000).has_value());
    auto conflict = hb.publish_wallclock(1, 2'000'000);
    REQUIRE_FALSE(conflict.has_value());
    CHECK(conflict.error().code == cep::errc::wallclock_conflict);
    CHECK(conflict.error().message == "beat 1 already has unix_ts_ns 1000000; refusing 2000000");
    CHECK(hb.tree().find("/rt/beat/1/meta/unix_ts_ns"_path)->text() == "1000000");
    CHECK(*hb.beat_to_unix(1) == 1'000'000);
    CHECK_FALSE(hb.beat_to_unix(2).has_value());
    for (cep::beat_number b = 2; b <= 10; ++b) REQUIRE(hb.publish_wallclock(b, 1'000'000 + (b - 1) * 250).has_value());
    CHECK(hb.tree().find("/rt/analytics/spacing/10/interval_ns"_path)->text() == "250");
    CHECK(hb.tree().find("/rt/analytics/spacing"_path)->size() == 9);
    CHECK(hb.set_spacing_window(0).error().code == cep::errc::invalid_policy);
    REQUIRE(hb.set_spacing_window(3).has_value());  // shrinking prunes at once
    const auto spacing = *hb.tree().find("/rt/analytics/spacing"_path);
    std::vector<std::string> kept;
    for (auto c : spacing.children()) kept.emplace_back(c.name());
    CHECK(kept == std::vector<std::string>{"10", "8", "9"});  // dictionary order; the newest three beats
    hb.step();
    CHECK(ledger(hb.tree(), 1, "stage") ==
          std::vector<std::string>{"commit: promoted 0 impulse(s) -> beat 2 ts=1000000"});
}

TEST_CASE("the default spacing window keeps 256 entries") {
    cep::heartbeat<visibility> hb;
    CHECK(hb.spacing_window() == 256);
    for (cep::beat_number b = 1; b <= 300; ++b) REQUIRE(hb.publish_wallclock(b, b * 10).has_value());
    CHECK(hb.tree().find("/rt/analytics/spacing"_path)->size() == 256);
    CHECK_FALSE(hb.tree().find("/rt/analytics/spacing/44"_path).has_value());
    CHECK(hb.tree().find("/rt/analytics/spacing/45"_path).has_value());
}

TEST_CASE("cei_emit queues sig_cei/<severity> with a record like any impulse") {
    runs.clear();
    cep::heartbeat<images> hb;
    hb.register_enzyme<everything>();
    REQUIRE(hb.cei_emit("warn", "disk", "90% full").has_value());
    CHECK(hb.cei_emit("not valid", "t", "n").error().code == cep::errc::name_invalid_character);
    CHECK(hb.tree().find("/rt/cei/1/topic"_path)->text() == "disk");
    CHECK(ledger(hb.tree(), 1, "impulses") == std::vector<std::string>{"signal=/sig_cei/warn target=/rt/cei/1"});
}

TEST_CASE("two identical runs write byte-identical ledgers") {
    auto run = [] {
        cep::heartbeat<failing> hb;
        hb.register_all();
        hb.enzyme<flaky>().succeed_on = 2;
        REQUIRE(hb.publish_wallclock(1, 5000).has_value());
        REQUIRE(hb.enqueue("/signals/job"_path).has_value());
        REQUIRE(hb.enqueue("/signals/job"_path, "/data/x"_path).has_value());
        for (int i = 0; i < 4; ++i) hb.step();
        std::string dump;
        for (auto cell : hb.tree().subtree(hb.tree().root())) {
            dump += cell.path().str();
            dump += '=';
            dump += cell.text();
            dump += '\n';
        }
        return dump;
    };
    const auto first = run();
    CHECK(first == run());
    CHECK(first.find("0x") == std::string::npos);  // no addresses in the ledger
}

TEST_CASE("with ensure_directories off, no ledger is written") {
    cep::heartbeat<images> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    REQUIRE(hb.enqueue("/signals/image/thumbnail"_path).has_value());
    hb.step();
    CHECK_FALSE(hb.tree().find("/rt/beat"_path).has_value());
}

TEST_CASE("the union resolution runs bound enzymes whose query does not match the signal") {
    cep::heartbeat<images, cep::bound_or_matched> hb;
    hb.register_all();
    hb.bind<metadata>("/env/fs/projects"_path, cep::propagate);
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/fs/projects/p1/img123.jpg"_path)) ==
          std::vector<std::string>{"resize_image", "image_metadata", "any_image", "everything"});
}

TEST_CASE("impulses for far beats wait in order and run at their beat") {
    runs.clear();
    cep::heartbeat<visibility> hb;
    hb.register_enzyme<reader>();
    REQUIRE(hb.enqueue_at(40, "/signals/far"_path, std::nullopt).has_value());
    REQUIRE(hb.enqueue_at(17, "/signals/near"_path, std::nullopt).has_value());
    CHECK(hb.pending(40) == 1);
    CHECK(hb.pending(17) == 1);
    for (int i = 0; i < 16; ++i) hb.step();
    CHECK(runs.empty());
    hb.step();  // beat 17
    CHECK(runs == std::vector<std::string>{"reader(/signals/near) sees nothing"});
    while (hb.beat() < 40) hb.step();
    CHECK(runs.size() == 1);
    hb.step();  // beat 40
    CHECK(runs.size() == 2);
    CHECK(runs.back() == "reader(/signals/far) sees nothing");
}

TEST_CASE("a signal known at compile time uses the compiler's candidate set") {
    runs.clear();
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.bind<thumb>("/env"_path, cep::propagate);
    hb.bind<any_image>("/env"_path, cep::propagate);
    REQUIRE(hb.enqueue<cep::signal<"/signals/image/thumbnail">>("/env/a"_path).has_value());
    REQUIRE(hb.enqueue<cep::signal<"/signals/image/other">>().has_value());
    hb.step();
    CHECK(runs == std::vector<std::string>{"resize_image /signals/image/thumbnail /env/a",
                                           "any_image /signals/image/thumbnail /env/a",
                                           "any_image /signals/image/other ", "everything /signals/image/other "});
    STATIC_REQUIRE(images::candidates_for<"/signals/image/thumbnail">[0]);
}

TEST_CASE("a resolved agenda as Graphviz DOT and Mermaid") {
    cep::heartbeat<ordered> hb;
    hb.register_all();
    hb.step();
    CHECK(hb.agenda_dot("/s"_path) ==
          "digraph agenda {\n  rankdir=LR;\n  label=\"/s (broadcast)\";\n  \"zz_early\" [label=\"1. zz_early\"];\n"
          "  \"aa_late\" [label=\"2. aa_late\"];\n  \"zz_early\" -> \"aa_late\";\n}\n");
    CHECK(hb.agenda_mermaid("/s"_path) == "flowchart LR\n  s0[\"1. zz_early\"]\n  s1[\"2. aa_late\"]\n  s0 --> s1\n");
}

TEST_CASE("the phases can be called one by one; none leaves impulses behind") {
    runs.clear();
    cep::heartbeat<visibility> hb;
    hb.register_enzyme<reader>();
    REQUIRE(hb.enqueue("/signals/a"_path).has_value());
    hb.begin_beat();
    hb.resolve_agenda();
    // This beat's impulses are taken: a new one goes to the next beat, and this beat is closed to impulses.
    CHECK(hb.enqueue_at(1, "/signals/too_late"_path, std::nullopt).error().code == cep::errc::beat_in_past);
    REQUIRE(hb.enqueue("/signals/late"_path).has_value());
    CHECK(hb.pending(2) == 1);
    REQUIRE(hb.enqueue_at(2, "/signals/b"_path, std::nullopt).has_value());
    hb.execute_agenda();
    hb.execute_agenda();  // once per beat
    CHECK(runs == std::vector<std::string>{"reader(/signals/a) sees nothing"});
    hb.stage_commit();
    CHECK(hb.beat() == 2);
    REQUIRE(hb.enqueue("/signals/c"_path).has_value());
    hb.stage_commit();  // alone: resolves and executes first
    CHECK(runs == std::vector<std::string>{"reader(/signals/a) sees nothing", "reader(/signals/late) sees nothing",
                                           "reader(/signals/b) sees nothing", "reader(/signals/c) sees nothing"});
}

namespace {
struct idempotent_tally {
    static constexpr cep::name name = "tally";
    static constexpr auto query = "/signals/count"_query;
    int fail_first = 0;  // how many runs answer retry before one succeeds
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        // Reads the committed state, stages the same outcome for the same inputs.
        const auto seen = ctx.find("/data/tally"_path);
        const int base = seen ? std::stoi(std::string(seen->text())) : 0;
        if (!ctx.put_text("/data/tally"_path, std::to_string(base + static_cast<int>(impulse.signal.depth()))))
            return cep::status::fatal;
        return fail_first-- > 0 ? cep::status::retry : cep::status::success;
    }
};
using tallying = cep::enzyme_registry<idempotent_tally>;
}  // namespace

TEST_CASE("idempotency: retried runs end in the same state as a run that succeeds at once") {
    auto final_tally = [](int failures) {
        cep::heartbeat<tallying> hb(cep::heartbeat_policy{.retry = {.max_attempts = 5, .backoff_beats = 0}});
        hb.register_all();
        hb.enzyme<idempotent_tally>().fail_first = failures;
        REQUIRE(hb.enqueue("/signals/count"_path).has_value());
        for (int i = 0; i < 6; ++i) hb.step();
        return std::string(hb.tree().find("/data/tally"_path)->text());
    };
    CHECK(final_tally(0) == "2");
    CHECK(final_tally(1) == "2");  // the retried run's writes were dropped; the successful one wrote once
    CHECK(final_tally(3) == "2");
}

TEST_CASE("an enzyme registered under another query is also a candidate there, with that query's specificity") {
    runs.clear();
    cep::heartbeat<images> hb;
    hb.register_enzyme<thumb>(cep::query("/uploads/*"));  // only the extra query: not its own
    REQUIRE(hb.register_enzyme("any_image", cep::query("/uploads/**")).has_value());
    CHECK(hb.register_enzyme("nope", cep::query("/x")).error().code == cep::errc::unknown_enzyme);
    CHECK(hb.agenda("/uploads/new"_path).empty());  // not before the boundary
    hb.step();
    // thumb: /uploads/* (specificity 1); any_image: /uploads/** (specificity 1) -> name order.
    CHECK(names_of(hb.agenda("/uploads/new"_path)) == std::vector<std::string>{"any_image", "resize_image"});
    CHECK(names_of(hb.agenda("/uploads/new/deeper"_path)) == std::vector<std::string>{"any_image"});
    // thumb was not registered under its own query.
    CHECK(hb.agenda("/signals/image/thumbnail"_path).empty());
    hb.register_enzyme<thumb>();
    hb.register_enzyme<thumb>(cep::query("/uploads/new/special"));
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) == std::vector<std::string>{"resize_image"});
    // The most specific matching registration counts: 3 literal segments put thumb first now.
    CHECK(names_of(hb.agenda("/uploads/new/special"_path)) == std::vector<std::string>{"resize_image", "any_image"});
    // Bindings work with extra registrations as with the own query.
    hb.bind<thumb>("/tmp"_path, cep::propagate);
    hb.step();
    CHECK(names_of(hb.agenda("/uploads/x"_path, "/tmp/a"_path)) == std::vector<std::string>{"resize_image"});
    REQUIRE(hb.enqueue<cep::signal<"/uploads/typed">>().has_value());  // typed signals see extra registrations
    hb.step();
    CHECK(std::count(runs.begin(), runs.end(), "resize_image /uploads/typed ") == 1);
}

TEST_CASE("unregistering and unbinding take effect at the next boundary, in the order asked") {
    cep::heartbeat<images> hb;
    hb.register_all();
    hb.register_enzyme<thumb>(cep::query("/uploads/*"));
    hb.bind<thumb>("/env"_path, cep::propagate);
    hb.bind<any_image>("/env"_path, cep::propagate);
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image", "any_image"});
    CHECK(names_of(hb.agenda("/uploads/x"_path)) == std::vector<std::string>{"resize_image"});

    hb.unregister_enzyme<thumb>();
    REQUIRE(hb.unbind("/env"_path, "any_image").has_value());
    CHECK(hb.unbind("/env"_path, "nope").error().code == cep::errc::unknown_enzyme);
    CHECK(hb.unregister_enzyme("nope").error().code == cep::errc::unknown_enzyme);
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image", "any_image"});  // not before the boundary
    hb.step();
    CHECK(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path).empty());
    CHECK(hb.agenda("/uploads/x"_path).empty());  // the extra registration went too
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) ==
          std::vector<std::string>{"any_image", "everything"});  // broadcast: any_image is still registered

    // Order matters within one boundary: unregister then register leaves it registered.
    hb.unregister_enzyme<any_image>();
    hb.register_enzyme<any_image>();
    hb.register_enzyme<thumb>();
    hb.step();
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path)) ==
          std::vector<std::string>{"resize_image", "any_image", "everything"});
    // thumb is still bound on /env (unregistering keeps bindings): bound and registered again, it runs there.
    CHECK(names_of(hb.agenda("/signals/image/thumbnail"_path, "/env/a"_path)) ==
          std::vector<std::string>{"resize_image"});
}

namespace {
struct once_only {
    static constexpr cep::name name = "once_only";
    static constexpr auto query = "/signals/pay"_query;
    static constexpr cep::enzyme_flags flags = cep::enzyme_flags::no_retry;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        ++calls;
        (void)ctx.put_text("/data/paid"_path, "yes");
        return cep::status::retry;
    }
};
cep::status retry_forever(const cep::impulse_ref&, cep::write_context&) { return cep::status::retry; }
using refuse_fn = cep::enzyme<"refuse_fn", "/signals/pay", &retry_forever,
                              cep::with_flags<cep::enzyme_flags::no_retry>>;
using plain_fn = cep::enzyme<"plain_fn", "/signals/pay", &retry_forever>;
static_assert(cep::enzyme_traits<once_only>::flags == cep::enzyme_flags::no_retry);
static_assert(cep::enzyme_traits<plain_fn>::flags == cep::enzyme_flags::none);
static_assert(cep::enzyme_traits<refuse_fn>::flags == cep::enzyme_flags::no_retry);
static_assert(cep::has_flag(cep::enzyme_flags::none | cep::enzyme_flags::no_retry, cep::enzyme_flags::no_retry));
static_assert(!cep::has_flag(cep::enzyme_flags::none, cep::enzyme_flags::no_retry));
}  // namespace

TEST_CASE("descriptor flags: a no_retry enzyme's retry is fatal at once, the others retry") {
    using registry = cep::enzyme_registry<once_only, refuse_fn, plain_fn>;
    static_assert(registry::flags[0] == cep::enzyme_flags::no_retry && registry::flags[2] == cep::enzyme_flags::none);
    cep::heartbeat<registry> hb;
    hb.register_all();
    REQUIRE(hb.enqueue("/signals/pay"_path));
    CHECK_FALSE(hb.step());
    CHECK(hb.enzyme<once_only>().calls == 1);
    CHECK_FALSE(hb.tree().contains("/data/paid"_path));  // its writes were discarded
    std::vector<std::string> notes;
    for (int n = 1; n <= 2; ++n)
        notes.emplace_back(hb.tree().find(cep::path("/rt/cei") / std::to_string(n) / "note")->text());
    CHECK(notes == std::vector<std::string>{
                       "enzyme=once_only signal=/signals/pay target= error=retry refused: the enzyme is declared no_retry",
                       "enzyme=refuse_fn signal=/signals/pay target= error=retry refused: the enzyme is declared no_retry"});
    CHECK_FALSE(hb.tree().contains("/rt/cei/3"_path));
    hb.step();
    CHECK(hb.enzyme<once_only>().calls == 1);  // never again
    // plain_fn retried at beat 2.
    const auto agenda2 = hb.tree().find("/rt/beat/2/agenda"_path);
    std::vector<std::string> lines;
    for (const auto& entry : agenda2->children()) lines.emplace_back(entry.text());
    CHECK(std::count(lines.begin(), lines.end(), "enzyme=plain_fn rc=retry signal=/signals/pay target=") == 1);
    CHECK(std::none_of(lines.begin(), lines.end(), [](const std::string& l) { return l.find("once_only") != l.npos; }));
}

TEST_CASE("enqueue by ids: an id of another path table is an error, not a wild read") {
    using registry = cep::enzyme_registry<once_only>;
    cep::heartbeat<registry> hb;
    const auto signal = hb.tree().paths().intern("/signals/pay"_path);
    const auto foreign = cep::path_id{static_cast<std::uint32_t>(hb.tree().paths().size() + 100)};
    const auto bad_target = hb.enqueue(signal, foreign);
    REQUIRE_FALSE(bad_target);
    CHECK(bad_target.error().code == cep::errc::path_unknown_id);
    CHECK(bad_target.error().message ==
          "path id " + std::to_string(foreign.value) + " does not belong to this path table");
    const auto bad_signal = hb.enqueue(foreign, std::nullopt);
    REQUIRE_FALSE(bad_signal);
    CHECK(bad_signal.error().code == cep::errc::path_unknown_id);
    // The largest id is no "no target" in disguise; a foreign id into a past beat is still a foreign id.
    const auto disguised = hb.enqueue(signal, cep::path_id{0xffffffffu});
    REQUIRE_FALSE(disguised);
    CHECK(disguised.error().message == "path id 4294967295 does not belong to this path table");
    // The same through the overload that takes an optional target (the one above takes a path_id).
    const auto disguised_optional = hb.enqueue(signal, std::optional<cep::path_id>{cep::path_id{0xffffffffu}});
    REQUIRE_FALSE(disguised_optional);
    CHECK(disguised_optional.error().message == "path id 4294967295 does not belong to this path table");
    const auto foreign_optional = hb.enqueue(signal, std::optional<cep::path_id>{foreign});
    REQUIRE_FALSE(foreign_optional);
    CHECK(foreign_optional.error().code == cep::errc::path_unknown_id);
    hb.step();
    const auto past_and_foreign = hb.enqueue_at(0, foreign, std::nullopt);
    REQUIRE_FALSE(past_and_foreign);
    CHECK(past_and_foreign.error().code == cep::errc::path_unknown_id);
    CHECK(hb.pending(1) == 0);
    CHECK(hb.pending(2) == 0);
}

TEST_CASE("enqueue by ids goes to the earliest open beat through every phase, listened to or not") {
    // The pair form pushes straight into the open beat's vector of the queue: that vector must follow the beat
    // through resolve (N closes) and commit (N+1 becomes current), for 20 beats (past the queue's ring of 16).
    using registry = cep::enzyme_registry<once_only>;
    for (const bool listened : {false, true}) {
        cep::heartbeat<registry> hb(cep::heartbeat_policy{.ensure_directories = false});
        std::vector<std::string> heard;
        if (listened) hb.listeners().on("impulses", [&](const cep::event& e) { heard.emplace_back(e.text); });
        const auto signal = hb.tree().paths().intern("/signals/pay"_path);
        const auto target = hb.tree().paths().intern("/env/a"_path);
        for (cep::beat_number n = 1; n < 20; n += 2) {  // two beats a round
            REQUIRE(hb.beat() == n);
            REQUIRE(hb.enqueue(signal, target));  // before begin: N
            hb.begin_beat();
            REQUIRE(hb.enqueue(signal, target));  // begun, not resolved: still N
            CHECK(hb.pending(n) == 2);
            hb.resolve_agenda();
            CHECK(hb.pending(n) == 0);  // taken
            REQUIRE(hb.enqueue(signal, target));  // N is closed: N+1
            CHECK(hb.pending(n + 1) == 1);
            hb.execute_agenda();
            REQUIRE(hb.enqueue(signal, target));  // still N+1
            hb.stage_commit();
            CHECK(hb.pending(n + 1) == 2);
            CHECK(hb.pending(n + 2) == 0);
            // Take N+1's two out again, so each beat starts empty.
            hb.begin_beat();
            hb.resolve_agenda();
            hb.stage_commit();
            CHECK(hb.beat() == n + 2);
        }
        CHECK(heard.size() == (listened ? 40u : 0u));  // each enqueue heard, when someone listens
    }
}

namespace {
struct echo {
    static constexpr cep::name name = "echo";
    static constexpr auto query = "/signals/echo"_query;
    static constexpr cep::access access = cep::access::read_only;
    std::vector<std::string> seen;  // targets
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context&) {
        seen.push_back(impulse.target.str());
        return cep::status::success;
    }
};
struct faulty {
    static constexpr cep::name name = "faulty";
    static constexpr auto query = "/signals/fault"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::fatal; }
};
std::vector<std::string> list_lines(const cep::cell_tree& tree, cep::beat_number beat, const char* list) {
    std::vector<std::string> out;
    if (const auto cell = tree.find(cep::path("/rt/beat") / std::to_string(beat) / list))
        for (const auto& entry : cell->children()) out.emplace_back(entry.text());
    return out;
}
}  // namespace

namespace {
// Calls `fan_out_hook` from inside its invocation (an enzyme that enqueues while the beat's agendas run).
std::function<void()> fan_out_hook;
bool fan_out_fails = false;
struct fan_out {
    static constexpr cep::name name = "fan_out";
    static constexpr auto query = "/signals/fan"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        if (fan_out_hook) fan_out_hook();
        return fan_out_fails ? cep::status::fatal : cep::status::success;
    }
};
}  // namespace

TEST_CASE("enqueue of a span of targets: one enqueue per target, in order, all or none") {
    using registry = cep::enzyme_registry<echo, fan_out>;
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind<echo>("/env"_path, cep::propagate);
    hb.bind<fan_out>("/env"_path, cep::propagate);
    hb.step();
    auto& paths = hb.tree().paths();
    auto& seen = hb.enzyme<echo>().seen;
    const auto signal = paths.intern("/signals/echo"_path);
    const auto a = paths.intern("/env/a"_path);
    const auto b = paths.intern("/env/b"_path);
    const auto c = paths.intern("/env/c"_path);
    const std::vector<cep::path_id> targets{a, b, c, a};
    const cep::beat_number n = hb.beat();
    REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(targets)));
    CHECK(hb.pending(n) == 4);
    REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>{}));  // nothing to queue
    CHECK(hb.pending(n) == 4);
    hb.step();
    CHECK(seen == std::vector<std::string>{"/env/a", "/env/b", "/env/c"});  // (echo, /env/a) ran once

    SECTION("a target or a signal that is not this table's queues none of the span") {
        const auto foreign = cep::path_id{static_cast<std::uint32_t>(paths.size() + 100)};
        const std::vector<cep::path_id> with_foreign{a, b, foreign, c};
        const auto refused = hb.enqueue(signal, std::span<const cep::path_id>(with_foreign));
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == cep::errc::path_unknown_id);
        CHECK(refused.error().message ==
              "path id " + std::to_string(foreign.value) + " does not belong to this path table");
        const std::vector<cep::path_id> disguised{a, cep::path_id{0xffffffffu}};  // no "no target" in disguise
        CHECK(hb.enqueue(signal, std::span<const cep::path_id>(disguised)).error().message ==
              "path id 4294967295 does not belong to this path table");
        CHECK(hb.enqueue(foreign, std::span<const cep::path_id>(targets)).error().code == cep::errc::path_unknown_id);
        CHECK(hb.pending(hb.beat()) == 0);
    }
    SECTION("once the beat's impulses were taken, the span goes to the next beat") {
        hb.begin_beat();
        hb.resolve_agenda();
        REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(targets)));
        CHECK(hb.pending(hb.beat()) == 0);
        CHECK(hb.pending(hb.beat() + 1) == 4);
        hb.stage_commit();
        seen.clear();
        hb.step();
        CHECK(seen == std::vector<std::string>{"/env/a", "/env/b", "/env/c"});
    }
    SECTION("listened to, each impulse is heard, as enqueue() says it") {
        std::vector<std::string> heard;
        hb.listeners().on("impulses", [&](const cep::event& e) { heard.emplace_back(e.text); });
        REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(targets)));
        std::vector<std::string> one_by_one;
        std::swap(heard, one_by_one);
        hb.step();
        for (const auto t : targets) REQUIRE(hb.enqueue(signal, t));
        CHECK(heard == one_by_one);
        CHECK(heard.size() == 4);
    }
    SECTION("a recyclable target (below rt/beat) is pinned while it is queued, as enqueue() pins it") {
        const auto recyclable = paths.intern("/rt/beat/1/impulses"_path);
        REQUIRE(paths.recyclable(recyclable));
        REQUIRE_FALSE(paths.pinned(recyclable));
        const std::vector<cep::path_id> mixed{a, recyclable};
        REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(mixed)));
        CHECK(paths.pinned(recyclable));
        CHECK(hb.pending(hb.beat()) == 2);
    }
    SECTION("from an enzyme, the span is emitted: it runs in the next beat, and not at all if the invocation fails") {
        const auto fan = paths.intern("/signals/fan"_path);
        fan_out_hook = [&] { REQUIRE(hb.enqueue(signal, std::span<const cep::path_id>(targets))); };
        REQUIRE(hb.enqueue(fan, a));
        seen.clear();
        hb.step();
        CHECK(seen.empty());
        CHECK(hb.pending(hb.beat()) == 4);
        hb.step();
        CHECK(seen == std::vector<std::string>{"/env/a", "/env/b", "/env/c"});
        fan_out_fails = true;  // a failed invocation's emits are dropped with it
        REQUIRE(hb.enqueue(fan, b));
        CHECK_FALSE(hb.step());
        fan_out_fails = false;
        fan_out_hook = nullptr;
        seen.clear();
        hb.step();
        CHECK(seen.empty());
    }
}

TEST_CASE("retention keeps the newest keep_beats beats; the journal received every one before") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.keep_beats = 3});
    hb.register_all();
    hb.bind<echo>("/env"_path, cep::propagate);
    std::vector<std::string> journal;
    std::vector<cep::beat_number> journal_beats;
    hb.set_journal([&](cep::beat_number beat, std::span<const cep::ledger_line> lines) {
        journal_beats.push_back(beat);
        for (const auto& line : lines)
            journal.push_back(std::to_string(beat) + " " + std::string(line.list) + ": " + std::string(line.text));
    });
    for (cep::beat_number beat = 1; beat <= 6; ++beat) {
        REQUIRE(hb.publish_wallclock(beat, 1000 * beat));
        REQUIRE(hb.enqueue("/signals/echo"_path, cep::path("/env/x") / std::to_string(beat)));
        if (beat == 2) REQUIRE(hb.enqueue("/signals/fault"_path));
        hb.step();
    }
    CHECK(journal_beats == std::vector<cep::beat_number>{1, 2, 3, 4, 5, 6});
    // Beats 4, 5, 6 stay; 1..3 are gone with their wallclock; the CEI record of beat 2 too.
    CHECK(hb.oldest_kept_beat() == 4);
    for (cep::beat_number gone = 1; gone <= 3; ++gone) {
        CHECK_FALSE(hb.tree().contains(cep::path("/rt/beat") / std::to_string(gone)));
        CHECK_FALSE(hb.beat_to_unix(gone).has_value());
    }
    CHECK_FALSE(hb.tree().contains("/rt/cei/1"_path));
    CHECK(hb.beat_to_unix(4) == 4000u);
    CHECK(list_lines(hb.tree(), 5, "agenda") ==
          std::vector<std::string>{"enzyme=echo rc=success signal=/signals/echo target=/env/x/5"});
    // What the journal got for beat 2, line for line (the tree no longer has it).
    std::vector<std::string> beat2;
    for (const auto& line : journal)
        if (line.starts_with("2 ")) beat2.push_back(line);
    CHECK(beat2 == std::vector<std::string>{"2 impulses: signal=/signals/echo target=/env/x/2",
                                            "2 impulses: signal=/signals/fault target=",
                                            "2 agenda: enzyme=echo rc=success signal=/signals/echo target=/env/x/2",
                                            "2 agenda: enzyme=faulty rc=fatal signal=/signals/fault target=",
                                            "2 stage: commit: promoted 1 impulse(s) -> beat 3 ts=2000"});
    // Beat 3's impulses include the CEI impulse of beat 2's failure.
    CHECK(std::find(journal.begin(), journal.end(), "3 impulses: signal=/sig_cei/error target=/rt/cei/1") !=
          journal.end());
}

TEST_CASE("retention: keep_beats = 0 keeps everything; a journal that throws becomes a CEI record") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.keep_beats = 0});
    hb.register_all();
    hb.set_journal([](cep::beat_number, std::span<const cep::ledger_line>) { throw std::runtime_error("disk full"); });
    for (int n = 0; n < 300; ++n) hb.step();
    CHECK(hb.tree().contains("/rt/beat/1/agenda"_path));
    CHECK(hb.oldest_kept_beat() == 1);
    CHECK(hb.tree().find("/rt/cei/1/note"_path)->text() == "the journal sink threw: disk full");
    CHECK(hb.tree().find("/rt/cei/1/topic"_path)->text() == "journal");
}

TEST_CASE("retention with the default policy bounds the ledger to 256 beats") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb;
    CHECK(hb.policy().keep_beats == 256);
    hb.register_all();
    for (int n = 0; n < 300; ++n) {
        REQUIRE(hb.enqueue("/signals/echo"_path));
        hb.step();
    }
    CHECK(hb.oldest_kept_beat() == 45);  // beats 45..300
    CHECK_FALSE(hb.tree().contains("/rt/beat/44"_path));
    CHECK(hb.tree().contains("/rt/beat/45/agenda"_path));
    CHECK(hb.tree().find("/rt/beat"_path)->size() == 256);  // 45..300 (301 is made when it begins)
}

TEST_CASE("retention recycles the ids of removed beats: the path table stays the same size") {
    using registry = cep::enzyme_registry<echo, faulty>;
    // The spacing analytics keep their newest 8 entries (the window), the ledger its newest 8 beats.
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.spacing_window = 8, .keep_beats = 8});
    hb.register_all();
    hb.bind<echo>("/env"_path, cep::propagate);
    const auto run = [&](int beats) {
        for (int n = 0; n < beats; ++n) {
            REQUIRE(hb.publish_wallclock(hb.beat(), 1000 * hb.beat()));
            REQUIRE(hb.enqueue("/signals/echo"_path, "/env/x"_path));
            hb.step();
            // Reading a ledger makes cells (and ids) of its entries: those are recycled too.
            REQUIRE(list_lines(hb.tree(), hb.beat() - 1, "agenda").size() == 1);
        }
    };
    run(40);
    const std::size_t ids = hb.tree().paths().size();
    const std::size_t segments = hb.tree().paths().segment_count();
    run(200);
    CHECK(hb.tree().paths().size() == ids);
    CHECK(hb.tree().paths().segment_count() == segments);
    // The kept beats read as they should after their ids served older beats.
    const cep::beat_number last = hb.beat() - 1;
    CHECK(hb.oldest_kept_beat() == last - 7);
    CHECK(list_lines(hb.tree(), last, "agenda") ==
          std::vector<std::string>{"enzyme=echo rc=success signal=/signals/echo target=/env/x"});
    CHECK(list_lines(hb.tree(), last - 7, "impulses") ==
          std::vector<std::string>{"signal=/signals/echo target=/env/x"});
    CHECK(hb.tree().find(cep::path("/rt/beat") / std::to_string(last) / "meta" / "unix_ts_ns")->text() ==
          std::to_string(1000 * last));
    CHECK(hb.tree().find(cep::path("/rt/beat") / std::to_string(last) / "inbox")->size() == 1);  // the link
    CHECK_FALSE(hb.tree().contains(cep::path("/rt/beat") / std::to_string(last - 8)));
}

TEST_CASE("the runtime's branches cannot be sealed or removed whole: the next commit would fail halfway") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb;
    hb.register_all();
    REQUIRE(hb.publish_wallclock(1, 1000));
    REQUIRE(hb.publish_wallclock(2, 2000));  // rt/analytics/spacing/2
    hb.step();
    REQUIRE(hb.enqueue("/signals/fault"_path));
    CHECK_FALSE(hb.step());  // rt/cei/1
    for (const char* p : {"/", "/rt", "/rt/beat", "/rt/cei", "/rt/cei/1", "/rt/analytics", "/rt/analytics/spacing/2",
                          "/rt/beat/1/agenda"}) {
        const auto sealed = hb.tree().seal(cep::path(p));
        REQUIRE_FALSE(sealed.has_value());
        CHECK(sealed.error().code == cep::errc::cell_reserved);
    }
    const auto removed = hb.tree().remove("/rt"_path);
    REQUIRE_FALSE(removed.has_value());
    CHECK(removed.error().code == cep::errc::cell_reserved);
    REQUIRE(hb.enqueue("/signals/fault"_path));  // another CEI record at the next commit: the writes still work
    CHECK_FALSE(hb.step());
    CHECK(hb.tree().contains("/rt/cei/2/note"_path));
    CHECK(list_lines(hb.tree(), 3, "agenda") ==
          std::vector<std::string>{"enzyme=faulty rc=fatal signal=/signals/fault target="});
}

TEST_CASE("a beat directory removed by hand while its beat runs is made again by the next ledger line") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb;
    hb.register_all();
    hb.bind<echo>("/env"_path, cep::propagate);
    REQUIRE(hb.enqueue("/signals/echo"_path, "/env/a"_path));  // beat 1's impulses list exists now
    REQUIRE(hb.tree().remove("/rt/beat/1"_path));
    REQUIRE(hb.enqueue("/signals/echo"_path, "/env/b"_path));
    CHECK(hb.step());
    // The lines written before the removal went with it; everything after is there.
    CHECK(list_lines(hb.tree(), 1, "impulses") == std::vector<std::string>{"signal=/signals/echo target=/env/b"});
    CHECK(list_lines(hb.tree(), 1, "agenda") ==
          std::vector<std::string>{"enzyme=echo rc=success signal=/signals/echo target=/env/a",
                                   "enzyme=echo rc=success signal=/signals/echo target=/env/b"});
}

TEST_CASE("retention does not recycle a beat directory whose path was used as an impulse target") {
    using registry = cep::enzyme_registry<echo, faulty>;
    cep::heartbeat<registry> hb(cep::heartbeat_policy{.keep_beats = 2});
    hb.register_all();
    hb.bind<echo>("/"_path, cep::propagate);
    hb.step();
    hb.step();  // beats 1, 2
    const auto target = hb.tree().paths().intern("/rt/beat/1/agenda"_path);
    REQUIRE(hb.enqueue("/signals/echo"_path, "/rt/beat/1/agenda"_path));  // pins it
    for (int n = 0; n < 10; ++n) hb.step();
    CHECK(hb.tree().paths().text_of(target) == "/rt/beat/1/agenda");
    CHECK(list_lines(hb.tree(), hb.beat() - 1, "agenda").empty());
    CHECK(hb.enzyme<echo>().seen == std::vector<std::string>{"/rt/beat/1/agenda"});
}

namespace {
struct alpha {
    static constexpr cep::name name = "alpha";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};
struct beta {
    static constexpr cep::name name = "beta";
    static constexpr auto query = "/signals/s"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};
using names = std::vector<std::string_view>;
}  // namespace

TEST_CASE("resolution caches: siblings share what their parent passes down and keep their own bindings") {
    cep::heartbeat<cep::enzyme_registry<alpha, beta>> hb;
    hb.register_all();
    hb.bind<alpha>("/p"_path, cep::propagate);
    hb.bind<beta>("/p/x"_path);             // this cell only
    hb.tombstone<alpha>("/p/y"_path);       // cancels the inherited alpha at /p/y and below
    hb.bind<beta>("/p/y/deep"_path, cep::propagate);
    hb.step();
    const cep::path s = "/signals/s"_path;
    CHECK(hb.agenda(s, "/p/x"_path) == names{"beta", "alpha"});  // beta: exact, more specific
    CHECK(hb.agenda(s, "/p/x/child"_path) == names{"alpha"});     // beta does not propagate
    CHECK(hb.agenda(s, "/p/y"_path).empty());
    CHECK(hb.agenda(s, "/p/y/deep/er"_path) == names{"beta"});
    CHECK(hb.agenda(s, "/p/z"_path) == names{"alpha"});
    CHECK(hb.agenda(s, "/p/z2"_path) == names{"alpha"});
    CHECK(hb.agenda("/signals/other"_path, "/p/x"_path) == names{"alpha"});  // beta's query does not match
    CHECK(hb.agenda(s) == names{"beta", "alpha"});                          // broadcast: by the signal only
    // Changes reach every cached level at the next boundary.
    hb.unbind<beta>("/p/x"_path);
    hb.unbind<alpha>("/p/y"_path);  // removes the tombstone
    hb.step();
    CHECK(hb.agenda(s, "/p/x"_path) == names{"alpha"});
    CHECK(hb.agenda(s, "/p/y"_path) == names{"alpha"});
    CHECK(hb.agenda(s, "/p/y/deep/er"_path) == names{"beta", "alpha"});
}

TEST_CASE("resolution caches: a sibling resolved first lends its agenda only to siblings without bindings") {
    cep::heartbeat<cep::enzyme_registry<alpha, beta>> hb;
    hb.register_all();
    hb.bind<alpha>("/p"_path, cep::propagate);
    hb.bind<beta>("/p/x"_path);
    hb.tombstone<alpha>("/p/y"_path);
    hb.step();
    const cep::path s = "/signals/s"_path;
    CHECK(hb.agenda(s, "/p/z"_path) == names{"alpha"});  // first: what /p passes down, for signal s
    CHECK(hb.agenda(s, "/p/x"_path) == names{"beta", "alpha"});  // own binding: not the sibling's agenda
    CHECK(hb.agenda(s, "/p/y"_path).empty());                   // own tombstone: not the sibling's agenda
    CHECK(hb.agenda(s, "/p/w"_path) == names{"alpha"});
    CHECK(hb.agenda("/signals/other"_path, "/p/w"_path) == names{"alpha"});  // another signal, its own entry
    // A cell that gets a binding of its own stops sharing its siblings' agenda from the next boundary.
    hb.bind<beta>("/p/w"_path);
    hb.step();
    CHECK(hb.agenda(s, "/p/w"_path) == names{"beta", "alpha"});
    CHECK(hb.agenda(s, "/p/v"_path) == names{"alpha"});

    // The root is its own parent in the path table, but nobody's child here: it never takes its children's agenda.
    cep::heartbeat<cep::enzyme_registry<alpha, beta>> top;
    top.register_all();
    top.bind<alpha>("/"_path);  // the root only
    top.step();
    CHECK(top.agenda(s, "/q"_path).empty());  // what the root passes down: nothing
    CHECK(top.agenda(s, "/"_path) == names{"alpha"});
}

namespace {
// retry, then fatal, then (on a new impulse two beats later) retry again.
struct moody {
    static constexpr cep::name name = "moody";
    static constexpr auto query = "/signals/job"_query;
    static constexpr cep::access access = cep::access::read_only;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        ++calls;
        return calls == 2 ? cep::status::fatal : cep::status::retry;
    }
};
}  // namespace

TEST_CASE("a fatal run ends its invocation's retry count: a later retry starts from one attempt") {
    cep::heartbeat<cep::enzyme_registry<moody>> hb(cep::heartbeat_policy{.retry = {.max_attempts = 2}});
    hb.register_all();
    REQUIRE(hb.enqueue("/signals/job"_path));
    hb.step();  // beat 1: retry (attempt 1)
    hb.step();  // beat 2: the re-run is fatal
    hb.step();  // beat 3: the CEI impulse only
    REQUIRE(hb.enqueue("/signals/job"_path));
    hb.step();  // beat 4: a new impulse; its first run asks for a retry: attempt 1 of 2, not exhausted
    CHECK(hb.enzyme<moody>().calls == 3);
    std::vector<std::string> notes;
    for (int n = 1; hb.tree().contains(cep::path("/rt/cei") / std::to_string(n)); ++n)
        notes.emplace_back(hb.tree().find(cep::path("/rt/cei") / std::to_string(n) / "note")->text());
    CHECK(notes == std::vector<std::string>{"enzyme=moody signal=/signals/job target="});
    CHECK(hb.pending(5) == 0);
    hb.step();  // beat 5: the retry runs (attempt 2): retry again, now exhausted
    CHECK(hb.enzyme<moody>().calls == 4);
    CHECK(hb.tree().find("/rt/cei/2/note"_path)->text() ==
          "enzyme=moody signal=/signals/job target= error=retry budget exhausted after 2 attempt(s)");
}

namespace {
// retry, success, retry, ...: odd calls ask for a retry, even ones succeed.
struct alternating {
    static constexpr cep::name name = "alternating";
    static constexpr auto query = "/signals/job"_query;
    static constexpr cep::access access = cep::access::read_only;
    int calls = 0;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        return ++calls % 2 == 1 ? cep::status::retry : cep::status::success;
    }
};
}  // namespace

TEST_CASE("a success of a new impulse ends its invocation's retry count while a retry is pending") {
    for (const bool ledger_on : {false, true}) {
        CAPTURE(ledger_on);
        cep::heartbeat<cep::enzyme_registry<alternating>> hb(
            cep::heartbeat_policy{.ensure_directories = ledger_on, .retry = {.max_attempts = 2, .backoff_beats = 1}});
        hb.register_all();
        REQUIRE(hb.enqueue("/signals/job"_path));
        hb.step();  // beat 1: retry (attempt 1), due in beat 3
        REQUIRE(hb.enqueue("/signals/job"_path));
        hb.step();  // beat 2: the new impulse's run succeeds, with the retry pending: the count is forgotten
        CHECK(hb.enzyme<alternating>().calls == 2);
        hb.step();  // beat 3: the retry runs and asks again: attempt 1 of 2 (not 2 of 2, exhausted)
        CHECK(hb.enzyme<alternating>().calls == 3);
        CHECK_FALSE(hb.tree().contains("/rt/cei/1"_path));
        CHECK(hb.pending(5) == 0);
        hb.step();
        hb.step();  // beat 5: the retry runs again, and succeeds
        CHECK(hb.enzyme<alternating>().calls == 4);
        CHECK_FALSE(hb.tree().contains("/rt/cei/1"_path));
    }
}

TEST_CASE("the heartbeat's set of beat numbers agrees with std::set: oldest first, out of order, and missing") {
    cep::detail::beat_set<void> beats;
    std::set<cep::beat_number> reference;
    std::mt19937 random(7);
    cep::beat_number newest = 0;
    for (int step = 0; step < 20000; ++step) {
        const auto roll = random() % 10;
        if (roll < 4) {
            newest += 1 + random() % 2;
            beats.insert(newest);
            reference.insert(newest);
        } else if (roll < 7 && !reference.empty()) {  // the oldest, as retention drops it
            const auto oldest = *reference.begin();
            CHECK(beats.erase(oldest));
            reference.erase(oldest);
        } else if (roll < 8) {  // one in the middle, or one that is not there
            const cep::beat_number at = newest == 0 ? 0 : random() % (newest + 2);
            CHECK(beats.erase(at) == (reference.erase(at) == 1));
        } else {  // an insert behind the newest
            const cep::beat_number at = random() % (newest + 1);
            beats.insert(at);
            reference.insert(at);
        }
        REQUIRE(beats.size() == reference.size());
        if (!reference.empty()) REQUIRE(beats.oldest() == *reference.begin());
        const cep::beat_number probe = random() % (newest + 2);
        REQUIRE(beats.contains(probe) == reference.contains(probe));
    }
    for (const auto at : reference) CHECK(beats.contains(at));
}
