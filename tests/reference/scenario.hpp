// The shared ground of the differential test: the fixed set of test enzyme types (as plain data), the registry
// variants' before/after edges, the pools of signals, cells and extra queries, and the behaviour of a test enzyme
// as a pure function of (seed, enzyme, signal, target, beat). Both the library's enzymes (test_enzymes.hpp) and
// the reference model (reference_model.hpp) call decide(), so they can only disagree about what the heartbeat does
// with the outcome, never about the outcome itself. Standard library only: nothing here knows cep.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cep_ref {

// Match policies of the test enzymes; precedence as documented (exact 2, prefix 1, our own same_leaf 0).
enum class policy : std::uint8_t { exact, prefix, same_leaf };
inline int precedence(policy p) { return p == policy::exact ? 2 : p == policy::prefix ? 1 : 0; }

struct enzyme_spec {
    std::string_view name;
    std::string_view query;
    policy match;
    bool no_retry;
};

// Registry order = index. cei_h handles CEI impulses (bound on /rt/cei or below by the driver, at random).
inline constexpr std::size_t enzyme_count = 8;
inline constexpr std::size_t cei_handler = 7;
inline const std::array<enzyme_spec, enzyme_count>& specs() {
    static const std::array<enzyme_spec, enzyme_count> s{{
        {"alpha", "/signals/**", policy::exact, false},
        {"beta", "/signals/in/a/*", policy::exact, false},
        {"gamma", "/signals/in", policy::prefix, false},
        {"delta", "/signals/*/b/*", policy::exact, true},  // no_retry: a retry becomes fatal at once
        {"eps", "/signals/out", policy::prefix, false},
        {"zeta", "/signals/**/x", policy::exact, false},
        {"eta", "/any/z", policy::same_leaf, false},
        {"cei_h", "/sig_cei/*", policy::exact, false},
    }};
    return s;
}

// Direct constraints "first runs before second" of each registry variant (as the enzyme types declare them with
// before/after; see test_enzymes.hpp, which must agree). Variant 0 has none.
inline constexpr int variant_count = 3;
inline std::vector<std::pair<std::size_t, std::size_t>> direct_edges(int variant) {
    switch (variant) {
        case 1: return {{0, 1}, {1, 2}, {5, 4}};                  // alpha<beta<gamma; zeta<eps
        case 2: return {{6, 0}, {5, 3}, {3, 4}, {4, 2}, {6, 7}};  // eta<alpha; zeta<delta<eps<gamma; eta<cei_h
        default: return {};
    }
}

// Extra queries the driver may register an enzyme under (in addition to its own).
inline const std::array<std::string_view, 5>& extra_queries() {
    static const std::array<std::string_view, 5> q{
        {"/signals/in/a/x", "/signals/out/**", "/signals/*/c", "/signals/in/b", "/"}};
    return q;
}

// The cells the driver binds on and targets impulses at (a small tree), and deeper targets under them.
inline const std::vector<std::string>& cells() {
    static const std::vector<std::string> c{"/",        "/env",       "/env/a",    "/env/a/x", "/env/a/y",
                                            "/env/b",   "/env/b/x",   "/data",     "/rt",      "/rt/cei"};
    return c;
}
inline const std::vector<std::string>& targets() {
    static const std::vector<std::string> t{"/env",     "/env/a",     "/env/a/x",   "/env/a/x/f1", "/env/a/y/f2",
                                            "/env/b",   "/env/b/x/f3", "/env/b/f4", "/data/d1",    "/other/f5"};
    return t;
}
// External impulses are all under /signals/in; enzymes emit only under /signals/out; CEI impulses are /sig_cei/*.
// The journal alone then tells what came from outside (used by the replay).
inline std::string signal_of(bool external, std::uint64_t r) {
    static constexpr std::array<std::string_view, 4> groups{"a", "b", "c", "z"};
    static constexpr std::array<std::string_view, 4> leaves{"x", "y", "z", "b"};
    return std::string(external ? "/signals/in/" : "/signals/out/") + std::string(groups[r % 4]) + "/" +
           std::string(leaves[(r / 4) % 4]);
}

inline std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
inline std::uint64_t hash_text(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ull) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
    return h;
}

enum class outcome : std::uint8_t { success, retry, fatal, throw_std, throw_other };

// What one invocation does. The written value is `value` followed by the text read at read_path ("-" when absent),
// so a read of something staged in the same beat would show up in the data.
struct action {
    outcome rc = outcome::success;
    bool write = false;
    std::string write_path;
    std::string read_path;
    std::string value;
    bool emit = false;
    std::uint64_t emit_delay = 1;  // 1: ctx.emit (next beat); more: ctx.emit_at(beat + delay)
    std::string emit_signal;
    std::string emit_target;  // empty: a broadcast
    std::string what;         // the exception text for throw_std
};

// The test enzymes' behaviour; emit_percent tunes how often they emit (kept low so emits die out).
inline action decide(std::uint64_t seed, std::size_t enzyme, std::string_view signal, std::string_view target,
                     std::uint64_t beat, unsigned emit_percent = 10) {
    const std::uint64_t h = mix(seed ^ mix(hash_text(signal, hash_text(target, enzyme * 1000003u + 7)) + beat));
    action a;
    const auto r = h % 100;
    a.rc = r < 8    ? outcome::retry
           : r < 11 ? outcome::fatal
           : r < 13 ? outcome::throw_std
           : r < 14 ? outcome::throw_other
                    : outcome::success;
    const std::string name(specs()[enzyme].name);
    a.write = (h >> 8) % 4 != 0;
    if (a.write) {
        a.write_path = "/data/" + name + "/k" + std::to_string((h >> 12) % 4);
        if (enzyme == cei_handler) {
            a.read_path = std::string(target) + "/note";  // the CEI record this impulse is about
        } else {
            const auto other = specs()[(h >> 16) % enzyme_count].name;
            a.read_path = "/data/" + std::string(other) + "/k" + std::to_string((h >> 20) % 4);
        }
        a.value = name + "@" + std::to_string(beat) + " " + std::string(signal) + " " + std::string(target) + " read=";
    }
    a.emit = enzyme != cei_handler && (h >> 24) % 100 < emit_percent;
    if (a.emit) {
        a.emit_delay = (h >> 32) % 5 == 0 ? 2 + (h >> 36) % 2 : 1;
        a.emit_signal = signal_of(false, h >> 40);
        const auto t = (h >> 48) % (targets().size() + 3);
        if (t < targets().size()) a.emit_target = targets()[t];
    }
    a.what = "boom " + name + " at " + std::to_string(beat);
    return a;
}

}  // namespace cep_ref
