// Cell lookup: by interned id (what hot paths use), by path text (walks segments), against a
// std::unordered_map<std::string, std::string> keyed by path text (what users write by hand). Also counts
// allocations per lookup in steady state, and measures staging + commit of small writes (ns per write).
#include "bench_util.hpp"

#include <cep/cep.hpp>

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

    bench::row("find by interned id (ns/find)", by_id, "unordered_map<string> find", baseline);
    bench::row("find by path (ns/find)", by_path, "unordered_map<string> find", baseline);
    bench::row("find by id [allocs/find]", bench::exact(per_lookup), "target: 0", bench::exact(0));
    bench::row_alone("stage+commit, 64 writes per beat (ns/write)", staged);
    return per_lookup == 0.0 ? 0 : 1;
}
