// The six default contracts: a small conforming facet for each, every custom validation failing with its exact
// text, the null rule of the validations, and the default registry.
#include <cep/contract/defaults.hpp>
#include <cep/core/tree.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

cep::path P(const char* text) { return cep::path(text); }
cep::impulse make_impulse(const char* signal, const char* target) { return {P(signal), P(target)}; }

// The error of the cep::contract_error that f throws (an error of code none when it throws nothing).
template <class F>
cep::error contract_error_of(F&& f) {
    try {
        f();
    } catch (const cep::contract_error& e) {
        return e.error();
    }
    return {};
}

// ---- router: routes kept in a shared table; match returns the enzymes whose query matches ----

struct route_table {
    std::vector<std::pair<cep::query, std::string>> routes;
};

struct table_router {
    std::shared_ptr<route_table> route_registry = std::make_shared<route_table>();

    cep::result<void> register_route(const cep::query& q, std::string_view enzyme) {
        route_registry->routes.emplace_back(q, std::string(enzyme));
        return {};
    }
    std::vector<std::string> match(const cep::path& signal) const {
        std::vector<std::string> enzymes;
        for (const auto& [q, enzyme] : route_registry->routes)
            if (q.matches(signal)) enzymes.push_back(enzyme);
        return enzymes;
    }
    std::size_t route(const cep::impulse& i) const { return match(i.signal).size(); }
    bool unregister_route(const cep::query& q, std::string_view enzyme) {
        auto& routes = route_registry->routes;
        const auto before = routes.size();
        std::erase_if(routes, [&](const auto& r) { return r.first == q && r.second == enzyme; });
        return routes.size() != before;
    }
    bool has_route(const cep::query& q) const {
        return std::any_of(route_registry->routes.begin(), route_registry->routes.end(),
                           [&](const auto& r) { return r.first == q; });
    }
    const std::vector<std::pair<cep::query, std::string>>& get_routes() const { return route_registry->routes; }
};

// ---- queue: a deque of impulses shared by the facet and its manager, which has enqueue ----

using impulse_deque = std::deque<cep::impulse>;

struct deque_manager {
    std::shared_ptr<impulse_deque> items;
    void enqueue(const cep::impulse& i) { items->push_back(i); }
};

// Manager = the type of the queue manager (deque_manager, or one without enqueue).
template <class Manager>
struct basic_deque_queue {
    std::shared_ptr<impulse_deque> queue = std::make_shared<impulse_deque>();
    std::unique_ptr<Manager> queue_manager = std::make_unique<Manager>(Manager{queue});
    cep::beat_number beat = 0;

    std::optional<cep::impulse> select_next_message() {
        if (queue->empty()) return std::nullopt;
        cep::impulse next = std::move(queue->front());
        queue->pop_front();
        return next;
    }
    bool has_messages_to_process() const { return !queue->empty(); }
    cep::queue_status get_queue_status() const { return {queue->size(), beat + 1}; }
};
using deque_queue = basic_deque_queue<deque_manager>;

struct counting_manager {  // counts, but has no enqueue
    std::shared_ptr<impulse_deque> items;
    std::size_t count() const { return items->size(); }
};

// A queue whose manager is held by value: a value is never null.
struct inline_queue {
    impulse_deque queue;
    deque_manager queue_manager{std::make_shared<impulse_deque>()};
    std::optional<cep::impulse> select_next_message() { return std::nullopt; }
    bool has_messages_to_process() const { return false; }
    cep::queue_status get_queue_status() const { return {}; }
};

// ---- processor: accepts impulses onto an agenda, runs it at the tick ----

struct agenda_processor {
    std::vector<cep::impulse> agenda;
    std::size_t processed = 0;

    bool accept(const cep::impulse& i) {
        agenda.push_back(i);
        return true;
    }
    cep::status process_message(const cep::impulse&) {
        ++processed;
        return cep::status::success;
    }
    std::size_t process_tick() {
        const std::size_t n = agenda.size();
        for (const auto& i : agenda) (void)process_message(i);
        agenda.clear();
        return n;
    }
    cep::status process_immediately(const cep::impulse& i) { return process_message(i); }
};

// ---- listeners: subscriptions by id; the manager holds the on/off switch and the next id ----

struct listener_switch {
    bool enabled = true;
    cep::listener_id next_id = 1;
};

struct topic_listeners {
    std::map<cep::listener_id, std::pair<std::string, cep::listener>> listeners;
    std::shared_ptr<listener_switch> listener_manager = std::make_shared<listener_switch>();

    cep::listener_id on(std::string_view topic, cep::listener fn) {
        const auto id = listener_manager->next_id++;
        listeners.emplace(id, std::pair{std::string(topic), std::move(fn)});
        return id;
    }
    bool off(cep::listener_id id) { return listeners.erase(id) == 1; }
    std::size_t emit(const cep::event& e) const {
        if (!listener_manager->enabled) return 0;
        std::size_t called = 0;
        for (const auto& [id, entry] : listeners)
            if (entry.first == e.topic) {
                entry.second(e);
                ++called;
            }
        return called;
    }
    bool has_listeners(std::string_view topic) const {
        return std::any_of(listeners.begin(), listeners.end(), [&](const auto& l) { return l.second.first == topic; });
    }
    void enable_listeners() { listener_manager->enabled = true; }
    void disable_listeners() { listener_manager->enabled = false; }
};

// ---- hierarchy: a cell tree of dictionaries ----

struct tree_hierarchy {
    std::unique_ptr<cep::cell_tree> children = std::make_unique<cep::cell_tree>();

    cep::result<cep::cell_view> add_child(const cep::path& parent, std::string_view name) {
        return children->make_dictionary(parent / name);
    }
    cep::result<void> remove_child(const cep::path& parent, std::string_view name) {
        return children->remove(parent / name);
    }
    std::optional<cep::cell_view> get_child(const cep::path& parent, std::string_view name) const {
        return children->find(parent / name);
    }
    std::vector<std::string> list_children(const cep::path& parent) const {
        std::vector<std::string> names;
        if (auto cell = children->find(parent))
            for (const auto& child : cell->children()) names.emplace_back(child.name());
        return names;
    }
    // Cells do not move: the child is linked under its new parent.
    cep::result<cep::cell_view> set_parent(const cep::path& child, const cep::path& parent) {
        return children->link(parent / child.leaf(), child);
    }
    std::optional<cep::path> get_parent(const cep::path& p) const {
        if (p.is_root()) return std::nullopt;
        return p.parent();
    }
    bool is_root(const cep::path& p) const { return p.is_root(); }
    cep::cell_view get_root() const { return children->root(); }
    std::vector<cep::path> get_lineage(const cep::path& p) const {
        std::vector<cep::path> lineage{p};
        while (!lineage.back().is_root()) lineage.push_back(lineage.back().parent());
        return lineage;
    }
};

// ---- scheduler: a beat loop with a budget per beat ----

struct beat_loop {
    std::size_t beats = 0;
};

struct budget_scheduler {
    std::unique_ptr<beat_loop> scheduler = std::make_unique<beat_loop>();
    cep::scheduler_config config;
    bool paused = false;
    bool processing = false;

    std::size_t process(std::size_t pending) {
        if (paused) return 0;
        processing = true;
        ++scheduler->beats;
        const std::size_t limit = config.max_impulses_per_beat;
        processing = false;
        return limit == 0 ? pending : std::min(pending, limit);
    }
    void pause_processing() { paused = true; }
    void resume_processing() { paused = false; }
    bool is_paused() const { return paused; }
    bool is_processing() const { return processing; }
    int get_priority() const { return config.priority; }
    void set_priority(int priority) { config.priority = priority; }
    void configure_scheduler(const cep::scheduler_config& c) { config = c; }
    const beat_loop& get_scheduler() const { return *scheduler; }
};

}  // namespace

// ---- conforming facets ----

TEST_CASE("a table router satisfies the router contract") {
    STATIC_REQUIRE(cep::satisfies<table_router, cep::router_contract>);
    table_router router;
    CHECK_NOTHROW(cep::enforce<cep::router_contract>(router));
    CHECK(router.register_route(cep::query("/signals/image/*"), "resize_image").has_value());
    CHECK(router.route(make_impulse("/signals/image/thumbnail", "/data/img1")) == 1);
    CHECK(router.has_route(cep::query("/signals/image/*")));
    CHECK(router.unregister_route(cep::query("/signals/image/*"), "resize_image"));
    CHECK(router.get_routes().empty());
}

TEST_CASE("a deque queue whose manager has enqueue satisfies the queue contract") {
    STATIC_REQUIRE(cep::satisfies<deque_queue, cep::queue_contract>);
    deque_queue q;
    CHECK_NOTHROW(cep::enforce<cep::queue_contract>(q));
    q.queue_manager->enqueue(make_impulse("/signals/a", "/data/1"));
    q.queue_manager->enqueue(make_impulse("/signals/b", "/data/2"));
    CHECK(q.has_messages_to_process());
    CHECK(q.get_queue_status() == cep::queue_status{2, 1});
    auto next = q.select_next_message();
    REQUIRE(next.has_value());
    CHECK(next->signal == P("/signals/a"));
    CHECK(q.get_queue_status().pending == 1);
}

TEST_CASE("a queue whose manager is held by value passes the null check") {
    STATIC_REQUIRE(cep::satisfies<inline_queue, cep::queue_contract>);
    CHECK_NOTHROW(cep::enforce<cep::queue_contract>(inline_queue{}));
}

TEST_CASE("an agenda processor satisfies the processor contract, which has no validation") {
    STATIC_REQUIRE(cep::satisfies<agenda_processor, cep::processor_contract>);
    STATIC_REQUIRE_FALSE(cep::has_custom_validation<cep::processor_contract, agenda_processor>);
    agenda_processor p;
    CHECK_NOTHROW(cep::enforce<cep::processor_contract>(p));
    CHECK(p.accept(make_impulse("/signals/a", "/data/1")));
    CHECK(p.process_tick() == 1);
    CHECK(p.process_immediately(make_impulse("/signals/b", "/data/1")) == cep::status::success);
    CHECK(p.processed == 2);
}

TEST_CASE("topic listeners satisfy the listeners contract") {
    STATIC_REQUIRE(cep::satisfies<topic_listeners, cep::listeners_contract>);
    topic_listeners l;
    CHECK_NOTHROW(cep::enforce<cep::listeners_contract>(l));
    std::vector<std::string> seen;
    const auto id = l.on("ledger", [&](const cep::event& e) { seen.emplace_back(e.text); });
    CHECK(l.has_listeners("ledger"));
    CHECK(l.emit({"ledger", "beat 1"}) == 1);
    l.disable_listeners();
    CHECK(l.emit({"ledger", "beat 2"}) == 0);
    l.enable_listeners();
    CHECK(l.off(id));
    CHECK_FALSE(l.has_listeners("ledger"));
    CHECK(seen == std::vector<std::string>{"beat 1"});
}

TEST_CASE("a cell-tree hierarchy satisfies the hierarchy contract") {
    STATIC_REQUIRE(cep::satisfies<tree_hierarchy, cep::hierarchy_contract>);
    tree_hierarchy h;
    CHECK_NOTHROW(cep::enforce<cep::hierarchy_contract>(h));
    CHECK(h.add_child(P("/"), "data").has_value());
    CHECK(h.add_child(P("/data"), "assets").has_value());
    CHECK(h.list_children(P("/data")) == std::vector<std::string>{"assets"});
    CHECK(h.get_child(P("/data"), "assets").has_value());
    CHECK(h.get_parent(P("/data/assets")) == P("/data"));
    CHECK_FALSE(h.get_parent(P("/")).has_value());
    CHECK(h.is_root(P("/")));
    CHECK(h.get_lineage(P("/data/assets")) == std::vector<cep::path>{P("/data/assets"), P("/data"), P("/")});
    CHECK(h.get_root().size() == 1);
    CHECK(h.remove_child(P("/data"), "assets").has_value());
    CHECK(h.list_children(P("/data")).empty());
}

TEST_CASE("a budget scheduler satisfies the scheduler contract") {
    STATIC_REQUIRE(cep::satisfies<budget_scheduler, cep::scheduler_contract>);
    budget_scheduler s;
    CHECK_NOTHROW(cep::enforce<cep::scheduler_contract>(s));
    s.configure_scheduler({.max_impulses_per_beat = 2, .priority = 5});
    CHECK(s.get_priority() == 5);
    CHECK(s.process(10) == 2);
    s.pause_processing();
    CHECK(s.is_paused());
    CHECK(s.process(10) == 0);
    s.resume_processing();
    CHECK_FALSE(s.is_processing());
    CHECK(s.get_scheduler().beats == 1);
}

TEST_CASE("a facet of one kind does not satisfy another kind's contract") {
    STATIC_REQUIRE_FALSE(cep::satisfies<deque_queue, cep::processor_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<agenda_processor, cep::queue_contract>);
    STATIC_REQUIRE_FALSE(cep::satisfies<table_router, cep::scheduler_contract>);
    CHECK(contract_error_of([] { cep::enforce_at_run_time<cep::queue_contract>(agenda_processor{}); }).message ==
          "FacetContract 'queue': facet is missing required methods: select_next_message, has_messages_to_process, "
          "get_queue_status");
}

// ---- validations ----

TEST_CASE("router validation: route_registry must not be null") {
    table_router router;
    router.route_registry.reset();
    const auto e = contract_error_of([&] { cep::enforce<cep::router_contract>(router); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'router': validation failed: Router facet route_registry must not be null");
}

TEST_CASE("queue validation: queue_manager must not be null") {
    deque_queue q;
    q.queue_manager.reset();
    const auto e = contract_error_of([&] { cep::enforce<cep::queue_contract>(q); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'queue': validation failed: Queue facet queue_manager must not be null");
}

TEST_CASE("queue validation: queue_manager must have an enqueue operation") {
    using counting_queue = basic_deque_queue<counting_manager>;
    STATIC_REQUIRE(cep::satisfies<counting_queue, cep::queue_contract>);  // the members are all there
    counting_queue q;
    const auto e = contract_error_of([&] { cep::enforce<cep::queue_contract>(q); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message ==
          "FacetContract 'queue': validation failed: Queue facet queue_manager must have an enqueue operation");
    q.queue_manager.reset();  // null is reported first
    CHECK(contract_error_of([&] { cep::enforce<cep::queue_contract>(q); }).message ==
          "FacetContract 'queue': validation failed: Queue facet queue_manager must not be null");
}

TEST_CASE("listeners validation: listener_manager must not be null") {
    topic_listeners l;
    l.listener_manager = nullptr;
    const auto e = contract_error_of([&] { cep::enforce<cep::listeners_contract>(l); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message ==
          "FacetContract 'listeners': validation failed: Listeners facet listener_manager must not be null");
}

TEST_CASE("hierarchy validation: children must not be null") {
    tree_hierarchy h;
    h.children.reset();
    const auto e = contract_error_of([&] { cep::enforce<cep::hierarchy_contract>(h); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'hierarchy': validation failed: Hierarchy facet children must not be null");
}

TEST_CASE("scheduler validation: scheduler must not be null") {
    budget_scheduler s;
    s.scheduler.reset();
    const auto e = contract_error_of([&] { cep::enforce<cep::scheduler_contract>(s); });
    CHECK(e.code == cep::errc::contract_validation_failed);
    CHECK(e.message == "FacetContract 'scheduler': validation failed: Scheduler facet scheduler must not be null");
}

// ---- the null rule ----

TEST_CASE("pointers, smart pointers, optionals and function wrappers are nullable; a value is never null") {
    int x = 1;
    int* raw = &x;
    int* raw_null = nullptr;
    CHECK_FALSE(cep::detail::is_null(raw));
    CHECK(cep::detail::is_null(raw_null));

    CHECK_FALSE(cep::detail::is_null(std::make_unique<int>(1)));
    CHECK(cep::detail::is_null(std::unique_ptr<int>{}));
    CHECK_FALSE(cep::detail::is_null(std::make_shared<int>(1)));
    CHECK(cep::detail::is_null(std::shared_ptr<int>{}));

    CHECK_FALSE(cep::detail::is_null(std::optional<int>{0}));
    CHECK(cep::detail::is_null(std::optional<int>{}));

    CHECK_FALSE(cep::detail::is_null(std::function<void()>([] {})));
    CHECK(cep::detail::is_null(std::function<void()>{}));
    CHECK(cep::detail::is_null(cep::listener{}));

    CHECK_FALSE(cep::detail::is_null(0));
    CHECK_FALSE(cep::detail::is_null(deque_manager{}));
    CHECK_FALSE(cep::detail::is_null(std::string{}));
    CHECK_FALSE(cep::detail::is_null(std::vector<int>{}));
    STATIC_REQUIRE_FALSE(cep::detail::is_null(0));
    STATIC_REQUIRE(cep::detail::is_null(static_cast<const int*>(nullptr)));
}

TEST_CASE("the validation reaches the manager behind its handle") {
    deque_manager manager{std::make_shared<impulse_deque>()};
    const auto handle = std::make_unique<deque_manager>(manager);
    STATIC_REQUIRE(std::is_same_v<decltype(cep::detail::pointee(handle)), const deque_manager&>);
    STATIC_REQUIRE(std::is_same_v<decltype(cep::detail::pointee(manager)), const deque_manager&>);
    CHECK(&cep::detail::pointee(handle) == handle.get());
    CHECK(&cep::detail::pointee(manager) == &manager);
}

// ---- the default registry ----

TEST_CASE("the default registry lists the six default contracts in order") {
    using registry = cep::default_contract_registry;
    STATIC_REQUIRE(registry::size == 6);
    STATIC_REQUIRE(registry::names ==
                   std::array<std::string_view, 6>{"router", "queue", "processor", "listeners", "hierarchy",
                                                   "scheduler"});
    STATIC_REQUIRE(registry::has("queue"));
    STATIC_REQUIRE_FALSE(registry::has("custom"));
    STATIC_REQUIRE(std::is_same_v<registry::find<"queue">, cep::queue_contract>);
    STATIC_REQUIRE(std::is_same_v<registry::find<"scheduler">, cep::scheduler_contract>);
    CHECK(cep::default_contracts.has("router"));
}

TEST_CASE("the default registry enforces by name") {
    using registry = cep::default_contract_registry;
    CHECK_NOTHROW(registry::enforce("queue", deque_queue{}));
    CHECK_NOTHROW(registry::enforce("processor", agenda_processor{}));
    CHECK_NOTHROW(cep::default_contracts.enforce("scheduler", budget_scheduler{}));

    deque_queue q;
    q.queue_manager.reset();
    CHECK(contract_error_of([&] { registry::enforce("queue", q); }).message ==
          "FacetContract 'queue': validation failed: Queue facet queue_manager must not be null");
    CHECK(contract_error_of([] { registry::enforce("processor", deque_queue{}); }).message ==
          "FacetContract 'processor': facet is missing required methods: accept, process_message, process_tick, "
          "process_immediately");
    const auto e = contract_error_of([] { registry::enforce("custom", deque_queue{}); });
    CHECK(e.code == cep::errc::contract_not_registered);
    CHECK(e.message == "FacetContractRegistry.enforce: no contract found for name 'custom'");
}

TEST_CASE("the default registry can be extended with a custom contract") {
    struct custom_contract : cep::contract<"custom", cep::method<cep::members::process_tick, std::size_t()>> {};
    using extended = cep::default_contract_registry::add<custom_contract>;
    STATIC_REQUIRE(extended::size == 7);
    STATIC_REQUIRE(extended::has("custom"));
    CHECK_NOTHROW(extended::enforce("custom", agenda_processor{}));
}

// ---- known gap (fails until detail::is_null is fixed) ----

namespace {
// A plain value that compares with C strings, treating a null pointer as the empty string (as many string types
// do). is_null must not ask it `value == nullptr`: for std::string_view that would build a view of a null pointer.
struct label {
    std::string text;
    friend bool operator==(const label& l, const char* s) { return l.text == (s ? s : ""); }
};
}  // namespace

TEST_CASE("a value that compares equal to a null C string is still a value, never null") {
    CHECK(label{} == nullptr);  // it does compare equal to a null C string ...
    CHECK_FALSE(cep::detail::is_null(label{"x"}));  // ... and is still a value
    CHECK_FALSE(cep::detail::is_null(label{}));
    CHECK_FALSE(cep::detail::is_null(std::string_view{}));
    CHECK_FALSE(cep::detail::is_null(std::string_view{"text"}));
}
