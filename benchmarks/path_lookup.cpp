// Cell lookup: by interned id (what hot paths use), by path text (walks segments), against a
// std::unordered_map<std::string, std::string> keyed by path text (what users write by hand). Also counts
// allocations per lookup in steady state, and measures staging + commit of small writes (ns per write). Last, new
// cells: 32k children with hash-like names (not in name order) put under one cell, then listed once in name
// order, against a std::map<std::string, std::string> doing the same (a dictionary keeps its children by name);
// and the same 32k children removed in a shuffled order (a mass purge), against erasing them from the map.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

int main(int argc, char** argv) {
    bench::init(argc, argv);
    constexpr std::size_t cells = 4096;
    cep::cell_tree tree;
    std::unordered_map<std::string, std::string> by_text;
    std::vector<cep::path> paths;
    std::vector<cep::path_id> ids;
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < cells; ++i) {
        const auto p = cep::path("/env/fs/projects") / ("p" + std::to_string(i % 64)) / ("img" + std::to_string(i));
        tree.put_text(p, "v").value();
        paths.push_back(p);
        ids.push_back(tree.paths().intern(p));
        texts.push_back(p.str());
        by_text.emplace(p.str(), "v");
    }

    constexpr std::size_t lookups = 1 << 18;
    const auto [by_id, baseline] = bench::compare(
        lookups, [&] { for (std::size_t i = 0; i < lookups; ++i) bench::keep(tree.find(ids[i % cells])); },
        [&] { for (std::size_t i = 0; i < lookups; ++i) bench::keep(by_text.find(texts[i % cells])); });
    const auto by_path = bench::measure(lookups, [&] {
        for (std::size_t i = 0; i < lookups; ++i) bench::keep(tree.find(paths[i % cells]));
    });

    const double per_lookup = bench::allocations_per(100000, [&] {
        for (std::size_t i = 0; i < 100000; ++i) bench::keep(tree.find(ids[i % cells]));
    });

    // Stage and commit 64 small writes per "beat" into existing cells (steady state).
    cep::staging_area stage(tree);
    constexpr std::size_t beats = 2048;
    std::size_t beat = 0;
    const auto staged = bench::measure(beats * 64, [&] {
        for (std::size_t b = 0; b < beats; ++b, ++beat) {
            for (std::size_t w = 0; w < 64; ++w) (void)stage.put_text(paths[(beat * 64 + w) % cells], "w");
            bench::keep(stage.commit());
        }
    });

    // New cells under one dictionary, names out of order (hex of a multiplicative hash), then one ordered listing.
    constexpr std::size_t children = 32768;
    std::vector<std::string> names;
    for (std::size_t i = 0; i < children; ++i) {
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>((i + 1) * 0x9e3779b97f4a7c15ull));
        names.emplace_back(hex);
    }
    std::unique_ptr<cep::cell_tree> fresh;
    std::map<std::string, std::string> ordered;
    const cep::path parent("/bonds/contexts");
    const auto [puts, map_puts] = bench::compare_setup(
        children, [&] { fresh = std::make_unique<cep::cell_tree>(); },
        [&] {
            for (const auto& n : names) (void)fresh->put_text(parent / n, "v");
            std::size_t listed = 0;
            for (auto child : fresh->find(parent)->children()) listed += child.name().size();
            bench::keep(listed);
        },
        [&] { ordered.clear(); },
        [&] {
            for (const auto& n : names) ordered.emplace(parent.str() + "/" + n, "v");
            std::size_t listed = 0;
            for (const auto& [name, value] : ordered) listed += name.size();
            bench::keep(listed);
        });

    // The same children removed in a shuffled order, then the (empty) parent listed once.
    std::vector<cep::path> doomed;
    for (const auto& n : names) doomed.push_back(parent / n);
    std::shuffle(doomed.begin(), doomed.end(), std::mt19937(7));
    const auto [removals, map_erases] = bench::compare_setup(
        children,
        [&] {
            fresh = std::make_unique<cep::cell_tree>();
            for (const auto& p : doomed) (void)fresh->put_text(p, "v");
            bench::keep(fresh->find(parent)->children().size());  // listed once: ordered before the timing
        },
        [&] {
            for (const auto& p : doomed) (void)fresh->remove(p);
            bench::keep(fresh->find(parent)->children().size());
        },
        [&] {
            ordered.clear();
            for (const auto& p : doomed) ordered.emplace(p.str(), "v");
        },
        [&] {
            for (const auto& p : doomed) ordered.erase(p.str());
            bench::keep(ordered.size());
        });

    bench::row("find by interned id (ns/find)", by_id, "unordered_map<string> find", baseline);
    bench::row("find by path (ns/find)", by_path, "unordered_map<string> find", baseline);
    bench::row("find by id [allocs/find]", bench::exact(per_lookup), "target: 0", bench::exact(0));
    bench::row_alone("stage+commit, 64 writes per beat (ns/write)", staged);
    bench::row("new cells, 32k children out of name order (ns/put)", puts, "std::map<string> emplace", map_puts);
    bench::row("remove 32k children, shuffled (ns/remove)", removals, "std::map<string> erase", map_erases);
    return per_lookup == 0.0 ? 0 : 1;
}
