// A reference model of cep's layer 0 (resolver + heartbeat), written from docs/matching.md, docs/heartbeat.md and
// DESIGN.md section 3, for the differential test. It is deliberately naive: strings everywhere, every agenda
// resolved from scratch, the ordering closure by DFS, a selection sort for Kahn's algorithm. Slow is fine; it must
// be obviously right. It knows nothing of cep (standard library only) and runs the test enzymes through
// scenario.hpp's decide(), like the library's enzymes do.
#pragma once

#include "scenario.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace cep_ref {

inline std::vector<std::string> segments(std::string_view p) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < p.size()) {
        if (p[i] == '/') {
            ++i;
            continue;
        }
        const auto j = p.find('/', i);
        const auto end = j == std::string_view::npos ? p.size() : j;
        out.emplace_back(p.substr(i, end - i));
        i = end;
    }
    return out;
}

// '*' is one segment, '**' zero or more, anything else a literal.
inline bool glob(const std::vector<std::string>& q, std::size_t qi, const std::vector<std::string>& s,
                 std::size_t si, std::size_t s_end) {
    if (qi == q.size()) return si == s_end;
    if (q[qi] == "**") {
        for (std::size_t k = si; k <= s_end; ++k)
            if (glob(q, qi + 1, s, k, s_end)) return true;
        return false;
    }
    if (si == s_end) return false;
    if (q[qi] != "*" && q[qi] != s[si]) return false;
    return glob(q, qi + 1, s, si + 1, s_end);
}

inline bool matches(policy p, std::string_view query, std::string_view signal) {
    const auto q = segments(query);
    const auto s = segments(signal);
    switch (p) {
        case policy::exact: return glob(q, 0, s, 0, s.size());
        case policy::prefix:  // the signal or one of its ancestors (the root included)
            for (std::size_t k = 0; k <= s.size(); ++k)
                if (glob(q, 0, s, 0, k)) return true;
            return false;
        case policy::same_leaf: return !q.empty() && !s.empty() && q.back() == s.back();
    }
    return false;
}

inline int specificity(std::string_view query) {
    int n = 0;
    for (const auto& seg : segments(query)) n += (seg != "*" && seg != "**") ? 1 : 0;
    return n;
}

// The ordering closure: before[i][j] when i must run before j, directly or through any other enzyme type.
inline std::vector<std::vector<bool>> closure(const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
    std::vector<std::vector<bool>> reach(enzyme_count, std::vector<bool>(enzyme_count, false));
    for (std::size_t from = 0; from < enzyme_count; ++from) {
        std::vector<std::size_t> stack{from};
        while (!stack.empty()) {
            const auto at = stack.back();
            stack.pop_back();
            for (const auto& [a, b] : edges)
                if (a == at && !reach[from][b]) {
                    reach[from][b] = true;
                    stack.push_back(b);
                }
        }
    }
    return reach;
}

struct model_config {
    std::uint64_t seed = 0;
    int variant = 0;
    std::size_t budget = 0;  // max_impulses_per_beat; 0: no limit
    std::uint32_t max_attempts = 3;
    std::uint32_t backoff = 0;
    unsigned emit_percent = 10;
    // A known library behaviour that the documented rule does not cover (see README.md here): when an invocation
    // is fatal (not an exhausted retry), the library keeps the (enzyme, signal, target) attempt counter.
    bool fatal_keeps_attempts = false;
};

// One beat's ledger, as the journal receives it.
struct beat_ledger {
    std::vector<std::string> impulses, agenda, stage;
};

class reference_heartbeat {
public:
    explicit reference_heartbeat(model_config c) : cfg_(c), before_(closure(direct_edges(c.variant))) {}

    // ---- requests, applied at the next beat boundary in the order asked ----
    void register_enzyme(std::size_t e) { changes_.push_back({change::reg, e, {}, false}); }
    void register_enzyme(std::size_t e, std::string q) { changes_.push_back({change::reg_extra, e, std::move(q), false}); }
    void unregister_enzyme(std::size_t e) { changes_.push_back({change::unreg, e, {}, false}); }
    void bind(std::string cell, std::size_t e, bool propagate) { changes_.push_back({change::bind, e, std::move(cell), propagate}); }
    void tombstone(std::string cell, std::size_t e) { changes_.push_back({change::tomb, e, std::move(cell), false}); }
    void unbind(std::string cell, std::size_t e) { changes_.push_back({change::unbind, e, std::move(cell), false}); }

    // Between beats: for the current beat, or a later one.
    void enqueue(std::string signal, std::optional<std::string> target) { enqueue_at(beat_, std::move(signal), std::move(target)); }
    void enqueue_at(std::uint64_t at, std::string signal, std::optional<std::string> target) {
        queue(at, {std::move(signal), target.value_or(""), target.has_value()});
    }

    [[nodiscard]] std::uint64_t beat() const { return beat_; }
    [[nodiscard]] const std::map<std::string, std::string>& data() const { return data_; }

    // The agenda of (signal, target) under the registrations and bindings in force (names in execution order).
    [[nodiscard]] std::vector<std::size_t> agenda(const std::string& signal, const std::optional<std::string>& target) const {
        // Candidates with their specificity (the most specific of their registrations that selects the signal).
        std::map<std::size_t, int> spec;
        for (const auto& [e, queries] : registered_) {
            for (const auto& q : queries)
                if (matches(specs()[e].match, q, signal)) {
                    const int s = specificity(q);
                    if (!spec.count(e) || spec[e] < s) spec[e] = s;
                }
        }
        if (target) {
            const auto bound = bound_on_chain(*target);
            for (auto it = spec.begin(); it != spec.end();)
                it = bound.count(it->first) ? std::next(it) : spec.erase(it);
        }
        // Kahn: the best ready candidate goes next. Under bound_then_matched every targeted candidate is a dual
        // match and no broadcast one is, so the dual flag never separates two candidates of one agenda.
        const bool dual = target.has_value();
        std::vector<std::size_t> left, out;
        for (const auto& [e, s] : spec) left.push_back(e);
        while (!left.empty()) {
            std::optional<std::size_t> best;
            for (auto e : left) {
                bool ready = true;
                for (auto o : left)
                    if (o != e && before_[o][e]) ready = false;
                if (!ready) continue;
                const auto key = [&](std::size_t x) {
                    return std::make_tuple(!dual, -spec.at(x), -precedence(specs()[x].match), specs()[x].name, x);
                };
                if (!best || key(e) < key(*best)) best = e;
            }
            out.push_back(*best);  // the closure is acyclic, so something is always ready
            left.erase(std::find(left.begin(), left.end(), *best));
        }
        return out;
    }

    // One whole beat: begin, resolve, execute, commit. Returns the beat's ledger.
    beat_ledger step() {
        const std::uint64_t n = beat_;
        // begin: the changes asked since the last boundary, in order.
        for (const auto& c : changes_) apply(c);
        changes_.clear();
        // resolve: take the beat's impulses up to the budget; the rest goes to the front of the next beat.
        std::vector<impulse> intake = std::move(queues_[n]);
        queues_.erase(n);
        std::size_t deferred = 0;
        if (cfg_.budget != 0 && intake.size() > cfg_.budget) {
            std::vector<impulse> rest(intake.begin() + static_cast<std::ptrdiff_t>(cfg_.budget), intake.end());
            intake.resize(cfg_.budget);
            deferred = rest.size();
            for (const auto& i : rest) ledger_[n + 1].impulses.push_back(impulse_line(i));
            auto& next = queues_[n + 1];
            next.insert(next.begin(), rest.begin(), rest.end());
        }
        taken_ += intake.size();
        // execute: each (signal, target) pair once, in queue order; then the retries due now.
        beat_state b;
        for (const auto& i : intake) {
            const auto pair = std::make_pair(i.signal, i.target_text());
            if (b.ran.count(pair)) continue;
            const auto names = agenda(i.signal, i.target());
            b.ran[pair] = std::set<std::size_t>(names.begin(), names.end());
            for (auto e : names) run(b, n, e, i.signal, i.target_text());
        }
        std::vector<retry_item> due;
        for (auto it = retries_.begin(); it != retries_.end();) {
            if (it->due == n) {
                due.push_back(*it);
                it = retries_.erase(it);
            } else {
                ++it;
            }
        }
        for (const auto& r : due) {
            const auto ran = b.ran.find({r.signal, r.target});
            if (ran != b.ran.end() && ran->second.count(r.enzyme)) continue;  // that run was the attempt
            run(b, n, r.enzyme, r.signal, r.target);
        }
        // commit: writes in staging order, CEI records (their impulses for N+1), then the emits.
        for (const auto& [p, v] : b.writes) data_[p] = v;
        std::size_t promoted = 0, later = 0;
        for (const auto& note : b.cei) {
            const std::string record = "/rt/cei/" + std::to_string(++cei_count_);
            cei_notes_[record + "/note"] = note;
            queue(n + 1, {"/sig_cei/error", record, true});
            ++promoted;
        }
        for (const auto& [at, i] : b.emits) {
            queue(at, i);
            (at == n + 1 ? promoted : later) += 1;
        }
        auto& l = ledger_[n];
        l.agenda = std::move(b.agenda);
        l.stage.push_back("commit: promoted " + std::to_string(promoted) + " impulse(s) -> beat " + std::to_string(n + 1));
        if (later != 0) l.stage.push_back("commit: scheduled " + std::to_string(later) + " impulse(s) for later beats");
        if (deferred != 0)
            l.stage.push_back("budget: deferred " + std::to_string(deferred) + " impulse(s) -> beat " + std::to_string(n + 1));
        beat_ledger done = std::move(l);
        ledger_.erase(n);
        ++beat_;
        return done;
    }

    // Impulses taken by beats so far (deferred ones count once, when they are taken).
    [[nodiscard]] std::uint64_t impulses_taken() const { return taken_; }

private:
    struct impulse {
        std::string signal;
        std::string target_path;
        bool targeted = false;
        [[nodiscard]] std::optional<std::string> target() const {
            return targeted ? std::optional<std::string>(target_path) : std::nullopt;
        }
        [[nodiscard]] std::string target_text() const { return targeted ? target_path : std::string(); }
    };
    struct change {
        enum kind_t { reg, reg_extra, unreg, bind, tomb, unbind } kind;
        std::size_t enzyme;
        std::string text;  // the extra query, or the cell
        bool propagate;
    };
    struct cell_bindings {
        bool this_cell = false, propagate = false, tombstone = false;
    };
    struct retry_item {
        std::uint64_t due;
        std::size_t enzyme;
        std::string signal, target;
    };
    struct beat_state {
        std::map<std::pair<std::string, std::string>, std::set<std::size_t>> ran;  // pair -> its agenda
        std::vector<std::pair<std::string, std::string>> writes;
        std::vector<std::pair<std::uint64_t, impulse>> emits;
        std::vector<std::string> cei;
        std::vector<std::string> agenda;
    };

    static std::string impulse_line(const impulse& i) { return "signal=" + i.signal + " target=" + i.target_text(); }

    void queue(std::uint64_t at, impulse i) {
        ledger_[at].impulses.push_back(impulse_line(i));
        queues_[at].push_back(std::move(i));
    }

    void apply(const change& c) {
        switch (c.kind) {
            case change::reg: registered_[c.enzyme].insert(std::string(specs()[c.enzyme].query)); break;
            case change::reg_extra: registered_[c.enzyme].insert(c.text); break;
            case change::unreg: registered_.erase(c.enzyme); break;
            case change::bind: (c.propagate ? bindings_[c.text][c.enzyme].propagate : bindings_[c.text][c.enzyme].this_cell) = true; break;
            case change::tomb: bindings_[c.text][c.enzyme].tombstone = true; break;
            case change::unbind:
                if (bindings_.count(c.text)) bindings_[c.text].erase(c.enzyme);
                break;
        }
    }

    // Walk from the root down to the target: at each cell, its tombstones cancel what came from above, then its
    // propagating bindings apply; its this-cell bindings only when it is the target.
    [[nodiscard]] std::set<std::size_t> bound_on_chain(const std::string& target) const {
        std::vector<std::string> chain{"/"};
        std::string at;
        for (const auto& seg : segments(target)) {
            at += "/" + seg;
            chain.push_back(at);
        }
        std::set<std::size_t> names;
        for (const auto& cell : chain) {
            const auto it = bindings_.find(cell);
            if (it == bindings_.end()) continue;
            for (const auto& [e, b] : it->second)
                if (b.tombstone) names.erase(e);
            for (const auto& [e, b] : it->second)
                if (b.propagate || (b.this_cell && cell == chain.back())) names.insert(e);
        }
        return names;
    }

    [[nodiscard]] std::string read(const std::string& p) const {
        if (const auto it = data_.find(p); it != data_.end()) return it->second;
        if (const auto it = cei_notes_.find(p); it != cei_notes_.end()) return it->second;
        return "-";
    }

    static std::string rc_text(outcome o) {
        return o == outcome::success ? "success" : o == outcome::retry ? "retry" : "fatal";
    }

    void run(beat_state& b, std::uint64_t n, std::size_t e, const std::string& signal, const std::string& target) {
        const action a = decide(cfg_.seed, e, signal, target, n, cfg_.emit_percent);
        const auto key = std::make_tuple(e, signal, target);
        std::string note = "enzyme=" + std::string(specs()[e].name) + " signal=" + signal + " target=" + target;
        outcome rc = a.rc;
        if (rc == outcome::throw_std) note += " error=" + a.what;
        if (rc == outcome::throw_other) note += " error=unknown exception";
        if (rc == outcome::retry && specs()[e].no_retry) {
            rc = outcome::fatal;
            note += " error=retry refused: the enzyme is declared no_retry";
        } else if (rc == outcome::retry) {
            const auto tries = ++attempts_[key];
            if (tries < std::max<std::uint32_t>(cfg_.max_attempts, 1)) {
                retries_.push_back({n + 1 + cfg_.backoff, e, signal, target});
            } else {
                rc = outcome::fatal;
                note += " error=retry budget exhausted after " + std::to_string(tries) + " attempt(s)";
                attempts_.erase(key);
            }
        } else if (rc == outcome::success || !cfg_.fatal_keeps_attempts) {
            attempts_.erase(key);
        }
        // The line records what the enzyme returned (a throw is fatal); an exhausted or refused retry still reads
        // rc=retry, its failure is the CEI record (tests/unit/test_heartbeat.cpp pins this reading of the docs).
        b.agenda.push_back("enzyme=" + std::string(specs()[e].name) + " rc=" + rc_text(a.rc) + " signal=" + signal +
                           " target=" + target);
        if (rc != outcome::success && rc != outcome::retry) b.cei.push_back(note);
        if (rc != outcome::success) return;  // a retry or a failure loses its writes and emits
        if (a.write) b.writes.emplace_back(a.write_path, a.value + read(a.read_path));
        if (a.emit) b.emits.emplace_back(n + a.emit_delay, impulse{a.emit_signal, a.emit_target, !a.emit_target.empty()});
    }

    model_config cfg_;
    std::vector<std::vector<bool>> before_;
    std::uint64_t beat_ = 1;
    std::uint64_t taken_ = 0;
    std::uint64_t cei_count_ = 0;
    std::vector<change> changes_;
    std::map<std::size_t, std::set<std::string>> registered_;                  // enzyme -> its queries
    std::map<std::string, std::map<std::size_t, cell_bindings>> bindings_;     // cell -> enzyme -> what is there
    std::map<std::uint64_t, std::vector<impulse>> queues_;
    std::map<std::uint64_t, beat_ledger> ledger_;                              // beats not yet completed
    std::map<std::tuple<std::size_t, std::string, std::string>, std::uint32_t> attempts_;
    std::vector<retry_item> retries_;                                          // in the order they were asked
    std::map<std::string, std::string> data_;
    std::map<std::string, std::string> cei_notes_;
};

}  // namespace cep_ref
