// Subsystem builds: plan order (dependencies, registration order), overwrite, verify, init, rollback, dispose.
#include <cep/build.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace {

std::vector<std::string> journal;  // what the facets did, in order

template <char Name>
struct traced {
    static constexpr char tag[] = {Name, '\0'};
    void init() { journal.push_back(std::string("init ") + tag); }
    void dispose() { journal.push_back(std::string("dispose ") + tag); }
};

template <class Plan>
std::vector<std::string> kinds_of() {
    std::vector<std::string> out;
    for (const auto& e : Plan::entries) out.emplace_back(e.kind);
    return out;
}

using registry = cep::default_contract_registry;

using fa = traced<'a'>;
using fb = traced<'b'>;
using fc = traced<'c'>;
using fd = traced<'d'>;

}  // namespace

TEST_CASE("a single dependency is initialised first") {
    using plan = cep::build_plan<registry, cep::hook<fb, cep::kind<"b">, cep::depends_on<"a">>, cep::hook<fa, cep::kind<"a">>>;
    STATIC_REQUIRE(plan::ok);
    CHECK(kinds_of<plan>() == std::vector<std::string>{"a", "b"});
    CHECK(plan::entries[1].depends_on.size() == 1);
    CHECK(plan::entries[1].depends_on[0] == "a");
    CHECK(plan::entries[0].hook == 1);
    CHECK(plan::entries[1].hook == 0);
}

TEST_CASE("a chain is initialised from its end") {
    using plan = cep::build_plan<registry, cep::hook<fa, cep::kind<"a">, cep::depends_on<"b">>,
                                 cep::hook<fb, cep::kind<"b">, cep::depends_on<"c">>,
                                 cep::hook<fc, cep::kind<"c">, cep::depends_on<"d">>, cep::hook<fd, cep::kind<"d">>>;
    CHECK(kinds_of<plan>() == std::vector<std::string>{"d", "c", "b", "a"});
}

TEST_CASE("a diamond: the shared dependency first, the top last, ties in registration order") {
    // top needs left and right; both need base.
    using top = cep::hook<fa, cep::kind<"top">, cep::depends_on<"left", "right">>;
    using left = cep::hook<fb, cep::kind<"left">, cep::depends_on<"base">>;
    using right = cep::hook<fc, cep::kind<"right">, cep::depends_on<"base">>;
    using base = cep::hook<fd, cep::kind<"base">>;
    CHECK(kinds_of<cep::build_plan<registry, top, left, right, base>>() ==
          std::vector<std::string>{"base", "left", "right", "top"});
    CHECK(kinds_of<cep::build_plan<registry, top, right, left, base>>() ==
          std::vector<std::string>{"base", "right", "left", "top"});
    CHECK(kinds_of<cep::build_plan<registry, base, right, top, left>>() ==
          std::vector<std::string>{"base", "right", "left", "top"});
}

TEST_CASE("independent facets keep registration order") {
    using plan = cep::build_plan<registry, cep::hook<fc, cep::kind<"c">>, cep::hook<fa, cep::kind<"a">>,
                                 cep::hook<fb, cep::kind<"b">>>;
    CHECK(kinds_of<plan>() == std::vector<std::string>{"c", "a", "b"});
}

namespace {
// Reference: Kahn's algorithm written plainly over adjacency lists.
std::vector<std::size_t> reference_order(std::size_t n, const std::vector<std::vector<std::size_t>>& deps) {
    std::vector<bool> placed(n, false);
    std::vector<std::size_t> order;
    while (order.size() < n) {
        for (std::size_t i = 0; i < n; ++i) {
            if (placed[i]) continue;
            if (std::all_of(deps[i].begin(), deps[i].end(), [&](std::size_t d) { return placed[d]; })) {
                placed[i] = true;
                order.push_back(i);
                break;
            }
        }
    }
    return order;
}
}  // namespace

TEST_CASE("random DAGs: every dependency comes first and ties follow registration order") {
    constexpr std::size_t n = 12;
    std::mt19937 random(20261122);
    std::array<cep::detail::kind_text, n> kinds{};
    std::array<std::string, n> names;
    for (std::size_t i = 0; i < n; ++i) {
        names[i] = "k" + std::to_string(i);
        kinds[i] = cep::detail::kind_text{names[i]};
    }
    const std::array<bool, n> overwrites{};
    for (int round = 0; round < 500; ++round) {
        // A random topological rank makes the graph acyclic; registration order is the index.
        std::array<std::size_t, n> rank{};
        for (std::size_t i = 0; i < n; ++i) rank[i] = i;
        std::shuffle(rank.begin(), rank.end(), random);
        std::vector<std::vector<std::size_t>> deps(n);
        std::array<std::size_t, n + 1> begin{};
        std::array<cep::detail::kind_text, n * n> flat{};
        std::size_t count = 0;
        for (std::size_t i = 0; i < n; ++i) {
            begin[i] = count;
            for (std::size_t j = 0; j < n; ++j)
                if (rank[j] < rank[i] && random() % 3 == 0) {
                    deps[i].push_back(j);
                    flat[count++] = kinds[j];
                }
        }
        begin[n] = count;
        const auto analysis = cep::detail::analyze(kinds, overwrites, begin, flat);
        REQUIRE(analysis.problem == cep::detail::build_problem::none);
        REQUIRE(analysis.order_size == n);
        const std::vector<std::size_t> order(analysis.order.begin(), analysis.order.end());
        CHECK(order == reference_order(n, deps));
        std::array<std::size_t, n> position{};
        for (std::size_t p = 0; p < n; ++p) position[order[p]] = p;
        for (std::size_t i = 0; i < n; ++i)
            for (auto d : deps[i]) CHECK(position[d] < position[i]);
    }
}

TEST_CASE("the analysis reports a cycle as its path, from its first-registered facet") {
    const std::array<cep::detail::kind_text, 4> kinds{cep::detail::kind_text{"x"}, cep::detail::kind_text{"a"},
                                                      cep::detail::kind_text{"b"}, cep::detail::kind_text{"c"}};
    // x -> a, a -> b, b -> c, c -> a: x is not on the cycle; the cycle starts at a (registered first of the three).
    const std::array<cep::detail::kind_text, 4> deps{cep::detail::kind_text{"a"}, cep::detail::kind_text{"b"},
                                                     cep::detail::kind_text{"c"}, cep::detail::kind_text{"a"}};
    const std::array<std::size_t, 5> begin{0, 1, 2, 3, 4};
    const auto analysis = cep::detail::analyze(kinds, std::array<bool, 4>{}, begin, deps);
    REQUIRE(analysis.problem == cep::detail::build_problem::cycle);
    REQUIRE(analysis.cycle_size == 4);
    std::vector<std::string> path;
    for (std::size_t i = 0; i < analysis.cycle_size; ++i) path.emplace_back(kinds[analysis.cycle[i]].view());
    CHECK(path == std::vector<std::string>{"a", "b", "c", "a"});

    // A facet that requires itself (without overwrite) is a cycle of one.
    const std::array<cep::detail::kind_text, 1> self{cep::detail::kind_text{"s"}};
    const auto alone = cep::detail::analyze(self, std::array<bool, 1>{}, std::array<std::size_t, 2>{0, 1}, self);
    REQUIRE(alone.problem == cep::detail::build_problem::cycle);
    CHECK(alone.cycle_size == 2);
}

TEST_CASE("the analysis reports duplicates, missing dependencies and misplaced overwrites") {
    using cep::detail::build_problem;
    using cep::detail::kind_text;
    const std::array<kind_text, 3> dup{kind_text{"q"}, kind_text{"r"}, kind_text{"q"}};
    const std::array<kind_text, 0> none{};
    const auto d = cep::detail::analyze(dup, std::array<bool, 3>{}, std::array<std::size_t, 4>{}, none);
    CHECK(d.problem == build_problem::duplicate_kind);
    CHECK(d.culprit == 0);
    CHECK(d.other == 2);

    const std::array<kind_text, 1> missing_dep{kind_text{"nope"}};
    const auto m = cep::detail::analyze(std::array<kind_text, 2>{kind_text{"a"}, kind_text{"b"}},
                                        std::array<bool, 2>{}, std::array<std::size_t, 3>{0, 0, 1}, missing_dep);
    CHECK(m.problem == build_problem::missing_dependency);
    CHECK(m.culprit == 1);
    CHECK(m.other == 0);

    const std::array<kind_text, 1> self{kind_text{"q"}};
    const auto o = cep::detail::analyze(std::array<kind_text, 2>{kind_text{"q"}, kind_text{"q"}},
                                        std::array<bool, 2>{true, false}, std::array<std::size_t, 3>{0, 1, 1}, self);
    CHECK(o.problem == build_problem::overwrite_before_original);
    CHECK(o.culprit == 0);
}

namespace {
struct queue_v1 {
    static constexpr int version = 1;
};
struct queue_v2 {
    static constexpr int version = 2;
};
struct queue_v3 {
    static constexpr int version = 3;
};
struct consumer {
    int seen = 0;
    template <class S>
    void init(S& s) {
        seen = std::remove_reference_t<decltype(s.template get<"queue">())>::version;
    }
};
}  // namespace

TEST_CASE("overwrite chains: v1 < v2 < v3, the last one wins and keeps the first one's place") {
    constexpr cep::hook<queue_v1, cep::kind<"queue">> v1{};
    constexpr cep::hook<queue_v2, cep::kind<"queue">, cep::overwrite, cep::depends_on<"queue">> v2{};
    constexpr cep::hook<queue_v3, cep::kind<"queue">, cep::overwrite> v3{};
    constexpr cep::hook<consumer, cep::kind<"consumer">, cep::depends_on<"queue">> use{};
    constexpr cep::hook<fa, cep::kind<"other">> other{};
    auto system = cep::build(v1, other, use, v2, v3);
    STATIC_REQUIRE(decltype(system)::size() == 3);
    CHECK(system.get<"queue">().version == 3);
    CHECK(system.get<"consumer">().seen == 3);
    CHECK(kinds_of<decltype(system)::plan_type>() == std::vector<std::string>{"queue", "other", "consumer"});
    CHECK(decltype(system)::plan()[0].hook == 4);
    auto first_two = cep::build(v1, v2);
    CHECK(first_two.get<"queue">().version == 2);
    auto only_first = cep::build(v1);
    CHECK(only_first.get<"queue">().version == 1);
}

namespace {
struct hierarchy_facet {
    std::string* children = nullptr;
    std::string storage;
    hierarchy_facet() : children(&storage) {}
    void add_child(const cep::path&, std::string_view) {}
    void remove_child(const cep::path&, std::string_view) {}
    void get_child(const cep::path&, std::string_view) {}
    void list_children(const cep::path&) {}
    void set_parent(const cep::path&, const cep::path&) {}
    std::optional<cep::path> get_parent(const cep::path&) { return std::nullopt; }
    bool is_root(const cep::path& p) { return p.is_root(); }
    void get_root() {}
    void get_lineage(const cep::path&) {}
    void init() { journal.emplace_back("init hierarchy"); }
};
struct broken_hierarchy : hierarchy_facet {
    broken_hierarchy() { children = nullptr; }
};
}  // namespace

TEST_CASE("verify runs custom validations before anything is initialised, and names the facet") {
    journal.clear();
    constexpr cep::hook<fa, cep::kind<"a">> use_a{};
    constexpr cep::hook<broken_hierarchy, cep::kind<"hierarchy">, cep::uses_contract<"hierarchy">> use_broken{};
    try {
        auto system = cep::build(use_a, use_broken);
        FAIL("built a subsystem whose facet fails its contract validation");
    } catch (const cep::contract_error& e) {
        CHECK(e.code() == cep::errc::contract_validation_failed);
        CHECK(std::string(e.what()) == "Facet 'hierarchy' (from " + use_broken.source.text() +
                                           ") failed contract validation for 'hierarchy': FacetContract 'hierarchy': "
                                           "validation failed: Hierarchy facet children must not be null");
    }
    CHECK(journal.empty());  // pure: no init, no dispose

    constexpr cep::hook<hierarchy_facet, cep::kind<"hierarchy">, cep::uses_contract<"hierarchy">> use_good{};
    auto system = cep::build(use_a, use_good);
    CHECK(journal == std::vector<std::string>{"init a", "init hierarchy"});
}

namespace {
struct failing {
    void init() {
        journal.emplace_back("init failing");
        throw std::runtime_error("no disk");
    }
    void dispose() { journal.emplace_back("dispose failing"); }
};
}  // namespace

TEST_CASE("an init that throws disposes what was initialised, in reverse, once, and names the facet") {
    journal.clear();
    constexpr cep::hook<fa, cep::kind<"a">> use_a{};
    constexpr cep::hook<fb, cep::kind<"b">, cep::depends_on<"a">> use_b{};
    constexpr cep::hook<failing, cep::kind<"f">, cep::depends_on<"b">> use_f{};
    constexpr cep::hook<fc, cep::kind<"c">, cep::depends_on<"f">> use_c{};
    try {
        auto system = cep::build(use_c, use_f, use_b, use_a);
        FAIL("init failure not reported");
    } catch (const cep::build_error& e) {
        CHECK(e.code() == cep::errc::build_init_failed);
        CHECK(std::string(e.what()) == "Facet 'f' (from " + use_f.source.text() + ") failed to initialise: no disk");
        try {
            std::rethrow_if_nested(e);
            FAIL("the original exception is not nested");
        } catch (const std::runtime_error& inner) {
            CHECK(std::string(inner.what()) == "no disk");
        }
    }
    CHECK(journal == std::vector<std::string>{"init a", "init b", "init failing", "dispose b", "dispose a"});
}

TEST_CASE("dispose runs in reverse plan order exactly once; the destructor does not repeat it") {
    journal.clear();
    constexpr cep::hook<fa, cep::kind<"a">> use_a{};
    constexpr cep::hook<fb, cep::kind<"b">, cep::depends_on<"a">> use_b{};
    constexpr cep::hook<fc, cep::kind<"c">, cep::depends_on<"b">> use_c{};
    {
        auto system = cep::build(use_c, use_a, use_b);
        CHECK_FALSE(system.disposed());
        system.dispose();
        CHECK(system.disposed());
        system.dispose();
    }
    CHECK(journal ==
          std::vector<std::string>{"init a", "init b", "init c", "dispose c", "dispose b", "dispose a"});
    journal.clear();
    { auto system = cep::build(use_a, use_b); }
    CHECK(journal == std::vector<std::string>{"init a", "init b", "dispose b", "dispose a"});
}

namespace {
struct bad_dispose {
    void dispose() { throw std::runtime_error("stuck"); }
};
}  // namespace

TEST_CASE("a dispose that throws does not stop the others; dispose() reports it") {
    journal.clear();
    constexpr cep::hook<fa, cep::kind<"a">> use_a{};
    constexpr cep::hook<bad_dispose, cep::kind<"bad">, cep::depends_on<"a">> use_bad{};
    constexpr cep::hook<fc, cep::kind<"c">, cep::depends_on<"bad">> use_c{};
    auto system = cep::build(use_a, use_bad, use_c);
    try {
        system.dispose();
        FAIL("dispose failure not reported");
    } catch (const cep::build_error& e) {
        CHECK(e.code() == cep::errc::build_disposed);
        CHECK(std::string(e.what()) == "dispose failed: Facet 'bad' (from " + use_bad.source.text() + "): stuck;");
    }
    CHECK(journal == std::vector<std::string>{"init a", "init c", "dispose c", "dispose a"});
    CHECK(system.disposed());
}

TEST_CASE("typed access by kind and by facet type; the plan as Graphviz DOT") {
    constexpr cep::hook<fa, cep::kind<"a">> use_a{};
    constexpr cep::hook<fb, cep::kind<"b">, cep::depends_on<"a">> use_b{};
    auto system = cep::build(use_b, use_a);
    fa& by_kind = system.get<"a">();
    fa& by_type = system.get<fa>();
    CHECK(&by_kind == &by_type);
    const auto& constant = system;
    CHECK(&constant.get<"b">() == &system.get<fb>());
    CHECK(system.source(0).line == use_a.source.line);
    CHECK(decltype(system)::to_dot() ==
          "digraph build_plan {\n  rankdir=LR;\n  node [shape=box];\n  \"a\" [label=\"1. a\"];\n"
          "  \"b\" [label=\"2. b\"];\n  \"b\" -> \"a\";\n}\n");
}

namespace {
CEP_MEMBER(ping);
struct ping_contract : cep::contract<"pinger", cep::method<ping, int()>> {
    template <class F>
    static void validate(const F& f) {
        if (f.broken) throw std::logic_error("pinger is broken");
    }
};
struct pinger {
    bool broken = false;
    int ping() { return 1; }
};
struct broken_pinger : pinger {
    broken_pinger() { broken = true; }
};
using my_registry = cep::default_contract_registry::add<ping_contract>;
}  // namespace

TEST_CASE("build_with uses another contract registry") {
    constexpr cep::hook<pinger, cep::kind<"p">, cep::uses_contract<"pinger">> use_p{};
    auto system = cep::build_with<my_registry>(use_p);
    CHECK(system.get<"p">().ping() == 1);
    constexpr cep::hook<broken_pinger, cep::kind<"p">, cep::uses_contract<"pinger">> use_broken{};
    CHECK_THROWS_WITH(cep::build_with<my_registry>(use_broken),
                      "Facet 'p' (from " + use_broken.source.text() +
                          ") failed contract validation for 'pinger': FacetContract 'pinger': validation failed: "
                          "pinger is broken");
}
