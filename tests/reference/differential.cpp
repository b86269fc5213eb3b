// The differential test: the library's heartbeat against the reference model (reference_model.hpp), beat by beat,
// over random registrations, bindings, tombstones, impulses, retries, fatals and exceptions, with invariant
// checks on the library's own output, a determinism check (the same inputs twice: byte-identical journals) and a
// replay from the journal. See README.md in this directory.
//
//   cep_differential [--impulses N] [--seed S] [--known LIST]
//   CEP_DIFF_IMPULSES=N   impulses to process in all (default 1,000,000), across seeds of 50,000 each
//   CEP_DIFF_SEED=S       run seed S only (the failure message names the seed)
//   CEP_DIFF_KNOWN=a,b    (or --known a,b) accept known library behaviours that break a documented rule (see
//                         README.md; today only fatal_keeps_attempts): the model then follows the library in
//                         that case, and the rest keeps running
#include "harness.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr std::uint64_t per_seed = 50'000;
constexpr std::uint64_t checked_seeds = 3;  // seeds that also get the determinism and replay checks

std::optional<std::uint64_t> number(const char* text) {
    if (!text || !*text) return std::nullopt;
    char* end = nullptr;
    const auto v = std::strtoull(text, &end, 10);
    if (*end) return std::nullopt;
    return v;
}

template <int V>
std::optional<std::string> run_one(const cep_ref::run_config& c, std::uint64_t quota, bool extra_checks,
                                   std::uint64_t& impulses, std::uint64_t& beats, std::uint64_t& released) {
    const auto first = cep_ref::run<V>(c, quota, {.keep = extra_checks});
    impulses += first.impulses;
    beats += first.beats;
    released += first.released;
    if (first.failure) return first.failure;
    if (!extra_checks) return std::nullopt;
    // Determinism: the same inputs again (the library alone) give a byte-identical journal.
    const auto second = cep_ref::run<V>(c, quota, {.with_model = false, .with_invariants = false, .keep = true},
                                        first.beats);
    if (second.journal != first.journal) {
        std::size_t k = 0;
        while (k < first.journal.size() && k < second.journal.size() && first.journal[k] == second.journal[k]) ++k;
        const auto line = [&](const std::string& j) {
            const auto from = j.rfind('\n', k == 0 ? 0 : k - 1);
            const auto start = from == std::string::npos ? 0 : from + 1;
            return j.substr(start, j.find('\n', start) - start);
        };
        return "seed " + std::to_string(c.seed) + ": two runs of the same inputs differ at byte " + std::to_string(k) +
               "\n  first:  " + line(first.journal) + "\n  second: " + line(second.journal);
    }
    std::printf("  seed %llu: determinism ok (%zu journal bytes)\n", static_cast<unsigned long long>(c.seed),
                first.journal.size());
    if (!c.ahead) {
        if (auto d = cep_ref::replay<V>(c, first.ledgers, first.scripts)) return "seed " + std::to_string(c.seed) + ": " + *d;
        std::printf("  seed %llu: replay from the journal ok (%llu beats)\n", static_cast<unsigned long long>(c.seed),
                    static_cast<unsigned long long>(first.beats));
    }
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t total = number(std::getenv("CEP_DIFF_IMPULSES")).value_or(1'000'000);
    std::optional<std::uint64_t> only = number(std::getenv("CEP_DIFF_SEED"));
    bool fatal_keeps_attempts = false;
    if (const char* known = std::getenv("CEP_DIFF_KNOWN"))
        fatal_keeps_attempts = std::string_view(known).find("fatal_keeps_attempts") != std::string_view::npos;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view flag = argv[i];
        if (flag == "--impulses") total = number(argv[i + 1]).value_or(total);
        else if (flag == "--known") fatal_keeps_attempts |= std::string_view(argv[i + 1]).find("fatal_keeps_attempts") != std::string_view::npos;
        else if (flag == "--seed") only = number(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: %s [--impulses N] [--seed S] [--known LIST]\n", argv[0]);
            return 2;
        }
    }

    const auto start = std::chrono::steady_clock::now();
    std::uint64_t impulses = 0, beats = 0, seeds = 0, released = 0;
    for (std::uint64_t k = 0; impulses < total; ++k) {
        auto c = cep_ref::config_for(only ? *only : k + 1);
        c.fatal_keeps_attempts = fatal_keeps_attempts;
        const std::uint64_t quota = only ? std::max(total, per_seed) : std::min(per_seed, total - impulses);
        const bool extra = k < checked_seeds;
        std::printf(
            "seed %llu: variant %d, budget %zu, max_attempts %u, backoff %u, ahead %d, transient %d, %llu impulse(s)\n",
            static_cast<unsigned long long>(c.seed), c.variant, c.budget, c.max_attempts, c.backoff, c.ahead ? 1 : 0,
            c.transient ? 1 : 0, static_cast<unsigned long long>(quota));
        std::fflush(stdout);
        std::optional<std::string> failure;
        switch (c.variant) {
            case 0: failure = run_one<0>(c, quota, extra, impulses, beats, released); break;
            case 1: failure = run_one<1>(c, quota, extra, impulses, beats, released); break;
            default: failure = run_one<2>(c, quota, extra, impulses, beats, released); break;
        }
        ++seeds;
        if (failure) {
            std::printf("DIVERGENCE (reproduce with CEP_DIFF_SEED=%llu):\n%s\n", static_cast<unsigned long long>(c.seed),
                        failure->c_str());
            return 1;
        }
        if (only) break;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("differential: %llu impulse(s), %llu beat(s), %llu seed(s), %llu path id(s) released, 0 "
                "divergences, %.1f s\n",
                static_cast<unsigned long long>(impulses), static_cast<unsigned long long>(beats),
                static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(released), seconds);
    return 0;
}
