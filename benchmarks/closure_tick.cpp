// Layer 1: one tick over 10k queue entries (10k contexts promising one facet each, every handler succeeding),
// in ns per entry, against a hand-written queue (std::map keyed by the context hash, entries with a state and an
// attempt counter, the handler called through a function pointer) doing the same visits. Promising the 10k
// contexts (context_upsert) is untimed setup for the tick, and measured on its own as a second row.
#include "bench_util.hpp"

#include <cep/cep.hpp>
#include <cep/closure.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace closure = cep::closure;

namespace {

constexpr std::size_t entries = 10000;

cep::status audit(const closure::facet_job&, closure::store&) {
    bench::body(1);
    return cep::status::success;
}
using handlers = closure::handler_set<closure::facet_handler<"audit_log", "edit", &audit>>;

closure::context_spec edit(std::size_t i) {
    return {.tag = "edit", .label = "edit " + std::to_string(i), .facets = {"audit_log"}, .participants = {}};
}

// The hand-written equivalent: a queue of facet entries keyed by context hash, visited in key order.
struct hand_entry {
    std::string label;
    std::string state = "pending";
    unsigned attempts = 0;
};
using hand_handler = int (*)(const std::string& hash, hand_entry&);
int hand_audit(const std::string&, hand_entry&) { return bench::body(1); }

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    std::vector<closure::context_spec> specs;
    for (std::size_t i = 0; i < entries; ++i) specs.push_back(edit(i));
    std::vector<std::string> hashes;
    for (const auto& s : specs) hashes.push_back(closure::context_hash(s));

    std::unique_ptr<cep::cell_tree> tree;
    handlers set;
    std::map<std::string, hand_entry> queue;
    const hand_handler handler = &hand_audit;
    std::size_t completed = 0;

    const auto [tick, by_hand] = bench::compare_setup(
        static_cast<double>(entries),
        [&] {
            tree = std::make_unique<cep::cell_tree>();
            for (const auto& s : specs) closure::context_upsert(*tree, s).value();
        },
        [&] {
            const auto summary = set.tick(*tree);
            completed = summary.count(closure::outcome::completed);
        },
        [&] {
            queue.clear();
            for (std::size_t i = 0; i < entries; ++i) queue.emplace(hashes[i], hand_entry{specs[i].label});
        },
        [&] {
            for (auto it = queue.begin(); it != queue.end();) {
                ++it->second.attempts;
                if (handler(it->first, it->second) == 0) {
                    it->second.state = "complete";
                    it = queue.erase(it);
                } else {
                    ++it;
                }
            }
        });
    if (completed != entries) {
        std::fprintf(stderr, "closure_tick: %zu entries completed, not %zu\n", completed, entries);
        return 1;
    }
    bench::row("layer-1 tick, 10k entries (ns/entry)", tick, "(b) std::map queue by hand", by_hand);

    const auto upsert = bench::measure(static_cast<double>(entries), [&] {
        cep::cell_tree t;
        for (const auto& s : specs) closure::context_upsert(t, s).value();
    });
    bench::row_alone("layer-1 context_upsert, 10k (ns/context)", upsert);
    return 0;
}
