// Cell lookup: by interned id (what hot paths use), by path text (walks segments), against a
// std::unordered_map<std::string, std::string> keyed by path text (what users write by hand). Also counts
// allocations per lookup in steady state, and measures staging + commit of small writes.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <string>
#include <unordered_map>
#include <vector>

int main() {
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

    const auto by_id = bench::measure(1 << 20, 9, [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) bench::keep(tree.find(ids[i % cells]));
    });
    const auto by_path = bench::measure(1 << 18, 9, [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) bench::keep(tree.find(paths[i % cells]));
    });
    const auto baseline = bench::measure(1 << 20, 9, [&](std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) bench::keep(by_text.find(texts[i % cells]));
    });

    const auto before = bench::allocations.load();
    for (std::size_t i = 0; i < 100000; ++i) bench::keep(tree.find(ids[i % cells]));
    const auto per_lookup = static_cast<double>(bench::allocations.load() - before) / 100000.0;

    // Stage and commit 64 small writes per "beat" into existing cells (steady state).
    cep::staging_area stage(tree);
    const auto staged = bench::measure(2048, 9, [&](std::size_t n) {
        for (std::size_t beat = 0; beat < n; ++beat) {
            for (std::size_t w = 0; w < 64; ++w) (void)stage.put_text(paths[(beat * 64 + w) % cells], "w");
            bench::keep(stage.commit());
        }
    });

    std::printf("cep path lookup benchmark (median of 9; ratio = cep / baseline)\n");
    bench::row("find by interned id", by_id, "unordered_map<string> find", baseline);
    bench::row("find by path (segment walk)", by_path, "unordered_map<string> find", baseline);
    std::printf("allocations per find by id in steady state: %.3f\n", per_lookup);
    std::printf("stage+commit 64 writes: %.2f ns per beat (%.2f ns per write)\n", staged.median_ns,
                staged.median_ns / 64.0);
    return per_lookup == 0.0 ? 0 : 1;
}
