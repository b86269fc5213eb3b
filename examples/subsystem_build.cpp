// subsystem_build: five facets that satisfy cep's default contracts, assembled by cep::build.
//
// The compiler checks each facet against its contract (a missing method is a compile error that names it), the
// dependency graph (a missing kind or a cycle does not compile) and computes the build plan; at run time the
// custom validations run first (verify), then each facet's init in plan order. The program prints the plan, the
// plan as Graphviz DOT (pipe it to `dot -Tsvg`), and routes one impulse through the assembled parts.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)
//   add_executable(subsystem_build subsystem_build.cpp)
//   target_link_libraries(subsystem_build PRIVATE cep::cep)
#include <cep/cep.hpp>

#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace cep::literals;

namespace {

// hierarchy: the cell tree.
struct tree_hierarchy {
    std::unique_ptr<cep::cell_tree> children = std::make_unique<cep::cell_tree>();

    void add_child(const cep::path& parent, std::string_view name) { children->make_dictionary(parent / name).value(); }
    void remove_child(const cep::path& parent, std::string_view name) { children->remove(parent / name).value(); }
    std::optional<cep::cell_view> get_child(const cep::path& parent, std::string_view name) {
        return children->find(parent / name);
    }
    auto list_children(const cep::path& p) { return children->lookup(p).value().children(); }
    void set_parent(const cep::path&, const cep::path&) {}  // cells do not move in this example
    std::optional<cep::path> get_parent(const cep::path& p) {
        if (p.is_root()) return std::nullopt;
        return p.parent();
    }
    bool is_root(const cep::path& p) { return p.is_root(); }
    cep::cell_view get_root() { return children->root(); }
    std::vector<cep::path> get_lineage(const cep::path& p) {
        std::vector<cep::path> lineage{p};
        while (!lineage.back().is_root()) lineage.push_back(lineage.back().parent());
        return lineage;
    }
};

// queue: impulses waiting for processing.
struct impulse_store {
    std::deque<cep::impulse> items;
    void enqueue(const cep::impulse& i) { items.push_back(i); }
};
struct fifo_queue {
    std::unique_ptr<impulse_store> queue_manager = std::make_unique<impulse_store>();
    std::deque<cep::impulse>* queue = &queue_manager->items;

    std::optional<cep::impulse> select_next_message() {
        if (queue->empty()) return std::nullopt;
        auto next = std::move(queue->front());
        queue->pop_front();
        return next;
    }
    bool has_messages_to_process() const { return !queue->empty(); }
    cep::queue_status get_queue_status() const { return {queue->size(), 0}; }
};

// listeners: observers of what happens.
struct listener_table {
    std::map<cep::listener_id, std::pair<std::string, cep::listener>> entries;
    cep::listener_id next = 1;
};
struct simple_listeners {
    std::unique_ptr<listener_table> listener_manager = std::make_unique<listener_table>();
    bool listeners = true;  // enabled

    cep::listener_id on(std::string_view topic, cep::listener fn) {
        const auto id = listener_manager->next++;
        listener_manager->entries.emplace(id, std::make_pair(std::string(topic), std::move(fn)));
        return id;
    }
    bool off(cep::listener_id id) { return listener_manager->entries.erase(id) == 1; }
    std::size_t emit(const cep::event& e) {
        if (!listeners) return 0;
        std::size_t called = 0;
        for (auto& [id, entry] : listener_manager->entries)
            if (entry.first == e.topic) {
                entry.second(e);
                ++called;
            }
        return called;
    }
    bool has_listeners(std::string_view topic) const {
        for (const auto& [id, entry] : listener_manager->entries)
            if (entry.first == topic) return true;
        return false;
    }
    void enable_listeners() { listeners = true; }
    void disable_listeners() { listeners = false; }
};

// router: query -> enzyme names.
struct query_router {
    std::unique_ptr<std::multimap<std::string, std::string>> route_registry =
        std::make_unique<std::multimap<std::string, std::string>>();

    cep::result<void> register_route(const cep::query& q, std::string_view enzyme) {
        if (auto ok = cep::check_name(enzyme); !ok) return ok;
        route_registry->emplace(q.str(), std::string(enzyme));
        return {};
    }
    std::vector<std::string> match(const cep::path& signal) const {
        std::vector<std::string> names;
        for (const auto& [query, name] : *route_registry)
            if (cep::query(query).matches(signal)) names.push_back(name);
        return names;
    }
    std::size_t route(const cep::impulse& i) const { return match(i.signal).size(); }
    bool unregister_route(const cep::query& q, std::string_view enzyme) {
        for (auto it = route_registry->lower_bound(q.str()); it != route_registry->upper_bound(q.str()); ++it)
            if (it->second == enzyme) {
                route_registry->erase(it);
                return true;
            }
        return false;
    }
    bool has_route(const cep::query& q) const { return route_registry->count(q.str()) != 0; }
    const auto& get_routes() const { return *route_registry; }
};

// processor: takes impulses from the queue, asks the router, tells the listeners. It needs the three others,
// which init() wires: they are initialised before it.
struct routing_processor {
    fifo_queue* queue = nullptr;
    query_router* router = nullptr;
    simple_listeners* listeners = nullptr;

    template <class Subsystem>
    void init(Subsystem& system) {
        queue = &system.template get<"queue">();
        router = &system.template get<"router">();
        listeners = &system.template get<"listeners">();
    }
    bool accept(const cep::impulse& i) {
        queue->queue_manager->enqueue(i);
        return true;
    }
    cep::status process_message(const cep::impulse& i) {
        const std::string line = i.signal.str() + " -> " + std::to_string(router->route(i)) + " enzyme(s)";
        listeners->emit(cep::event{"processed", line});
        return cep::status::success;
    }
    std::size_t process_tick() {
        std::size_t done = 0;
        while (auto next = queue->select_next_message()) done += process_message(*next) == cep::status::success;
        return done;
    }
    cep::status process_immediately(const cep::impulse& i) { return process_message(i); }
};

// The hooks: kind, contract, dependencies. Registration order does not have to follow the dependencies.
inline constexpr cep::hook<routing_processor, cep::kind<"processor">, cep::uses_contract<"processor">,
                           cep::depends_on<"queue", "router", "listeners">>
    use_processor{};
inline constexpr cep::hook<query_router, cep::kind<"router">, cep::uses_contract<"router">,
                           cep::depends_on<"hierarchy">>
    use_router{};
inline constexpr cep::hook<fifo_queue, cep::kind<"queue">, cep::uses_contract<"queue">> use_queue{};
inline constexpr cep::hook<simple_listeners, cep::kind<"listeners">, cep::uses_contract<"listeners">> use_listeners{};
inline constexpr cep::hook<tree_hierarchy, cep::kind<"hierarchy">, cep::uses_contract<"hierarchy">> use_hierarchy{};

}  // namespace

int main() {
    auto system = cep::build(use_processor, use_router, use_queue, use_listeners, use_hierarchy);

    std::printf("build plan (%zu facets):\n", system.size());
    for (std::size_t step = 0; step < system.size(); ++step) {
        const auto& entry = system.plan()[step];
        std::string needs;
        for (auto dep : entry.depends_on) needs += (needs.empty() ? "" : ", ") + std::string(dep);
        std::printf("  %zu. %-10s contract %-10s needs [%s]\n", step + 1, std::string(entry.kind).c_str(),
                    std::string(entry.contract).c_str(), needs.c_str());
    }
    std::printf("\n%s\n", system.to_dot().c_str());

    system.get<"router">().register_route("/signals/image/*"_query, "resize_image").value();
    system.get<"router">().register_route("/signals/**"_query, "audit").value();
    system.get<"listeners">().on("processed", [](const cep::event& e) {
        std::printf("processed: %s\n", std::string(e.text).c_str());
    });
    auto& processor = system.get<"processor">();
    processor.accept({"/signals/image/thumbnail"_path, "/env/fs/projects/p1/img123.jpg"_path});
    processor.accept({"/signals/db/write"_path, "/data/assets/img123/thumbnail"_path});
    const auto done = processor.process_tick();
    std::printf("%zu impulse(s) processed\n", done);
    return done == 2 ? 0 : 1;
}
