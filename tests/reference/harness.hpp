// The differential harness: random inputs per beat (a script), the library run and the model run side by side,
// beat-by-beat comparison, invariant checks on the library's own output, determinism (same inputs, same journal
// text) and replay from a journal. Used by differential.cpp (the long random run) and tests/unit/test_replay.cpp.
#pragma once

#include "reference_model.hpp"
#include "scenario.hpp"
#include "test_enzymes.hpp"

#include <cep/cep.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace cep_ref {

// ---------------------------------------------------------------------------------------------------------------
// Inputs

// One input between two beats, applied alike to the library and the model.
struct op {
    enum kind_t : std::uint8_t { reg, reg_extra, unreg, bind, tomb, unbind, enqueue } kind = enqueue;
    std::size_t enzyme = 0;
    std::string text;  // the extra query, the cell, or the signal
    bool flag = false;  // bind: propagate; enqueue: targeted
    std::string target;
    std::uint64_t at = 0;  // enqueue: the beat it is queued for
};
using beat_script = std::vector<op>;

struct run_config {
    std::uint64_t seed = 1;
    int variant = 0;
    std::size_t budget = 0;
    std::uint32_t max_attempts = 3;
    std::uint32_t backoff = 0;
    bool ahead = true;  // also enqueue for later beats (enqueue_at)
    unsigned emit_percent = 10;
    std::uint64_t mean_impulses = 12;  // external impulses per beat, on average
    bool fatal_keeps_attempts = false;
    // The library run makes /env/a, /data and /other transient roots and releases unused ids after every beat:
    // the journal and the data must not change (the model knows nothing of ids).
    bool transient = false;
};

// Everything about a run follows from its seed, so CEP_DIFF_SEED=<seed> reproduces it.
inline run_config config_for(std::uint64_t seed) {
    const std::uint64_t h = mix(seed * 0x2545f4914f6cdd1dull);
    run_config c;
    c.seed = seed;
    c.variant = static_cast<int>(h % variant_count);
    static constexpr std::size_t budgets[] = {0, 0, 10, 24};
    c.budget = budgets[(h >> 8) % 4];
    c.max_attempts = static_cast<std::uint32_t>((h >> 16) % 5);  // 0 acts like 1
    c.backoff = static_cast<std::uint32_t>((h >> 24) % 3);
    c.ahead = (h >> 32) % 2 == 0;
    c.mean_impulses = 4 + (h >> 40) % 14;
    // A budget below the arrival rate would defer more every beat: keep arrivals (emits and CEI impulses come on
    // top of these) around half the budget, so deferral happens in bursts and the backlog drains.
    if (c.budget != 0) c.mean_impulses = std::min<std::uint64_t>(c.mean_impulses, c.budget / 2);
    c.transient = (h >> 48) % 2 == 0;
    return c;
}

class script_generator {
public:
    explicit script_generator(const run_config& c) : cfg_(c), state_(mix(c.seed ^ 0x5eedull)) {}

    beat_script next(std::uint64_t beat) {
        beat_script s;
        if (beat == 1) {  // most enzymes registered, a few bindings, the CEI handler usually bound on /rt/cei
            for (std::size_t e = 0; e < enzyme_count; ++e) {
                if (roll(5) != 0) s.push_back({op::reg, e, {}, false, {}, 0});
                if (roll(4) == 0) s.push_back({op::reg_extra, e, std::string(extra_queries()[roll(extra_queries().size())]), false, {}, 0});
            }
            for (int k = 0; k < 8; ++k) s.push_back(binding());
            if (roll(10) < 7) s.push_back({op::bind, cei_handler, "/rt/cei", true, {}, 0});
        }
        if (roll(100) < 12) {
            const auto e = roll(enzyme_count);
            const auto r = roll(10);
            if (r < 5) s.push_back({op::reg, e, {}, false, {}, 0});
            else if (r < 8) s.push_back({op::reg_extra, e, std::string(extra_queries()[roll(extra_queries().size())]), false, {}, 0});
            else s.push_back({op::unreg, e, {}, false, {}, 0});
        }
        if (roll(100) < 25) s.push_back(binding());
        const auto count = roll(2 * cfg_.mean_impulses + 1);
        for (std::uint64_t k = 0; k < count; ++k) {
            op i{op::enqueue, 0, signal_of(true, roll(1u << 16)), roll(4) != 0, {}, beat};
            if (i.flag) i.target = targets()[roll(targets().size())];
            // Transient runs send the leaf targets below transient roots to a new path each time (no extra roll:
            // the other runs' inputs stay as they were), so ids are released and their slots reused all along.
            if (cfg_.transient && i.flag && (i.target.ends_with("/f1") || i.target.ends_with("/f2") ||
                                             i.target.ends_with("/f5")))
                i.target += "/u" + std::to_string(beat) + "-" + std::to_string(k);
            if (cfg_.ahead && roll(100) < 15) i.at = beat + 1 + roll(3);
            s.push_back(std::move(i));
        }
        return s;
    }

private:
    op binding() {
        const auto cell = cells()[roll(cells().size())];
        const auto e = roll(enzyme_count);
        const auto r = roll(20);
        if (r < 11) return {op::bind, e, cell, roll(2) == 0, {}, 0};
        if (r < 16) return {op::tomb, e, cell, false, {}, 0};
        return {op::unbind, e, cell, false, {}, 0};
    }
    std::uint64_t roll(std::uint64_t n) {
        state_ = mix(state_);
        return state_ % n;
    }

    run_config cfg_;
    std::uint64_t state_;
};

inline model_config model_config_of(const run_config& c) {
    return {c.seed, c.variant, c.budget, c.max_attempts, c.backoff, c.emit_percent, c.fatal_keeps_attempts};
}

inline void apply(reference_heartbeat& m, const op& o) {
    switch (o.kind) {
        case op::reg: m.register_enzyme(o.enzyme); break;
        case op::reg_extra: m.register_enzyme(o.enzyme, o.text); break;
        case op::unreg: m.unregister_enzyme(o.enzyme); break;
        case op::bind: m.bind(o.text, o.enzyme, o.flag); break;
        case op::tomb: m.tombstone(o.text, o.enzyme); break;
        case op::unbind: m.unbind(o.text, o.enzyme); break;
        case op::enqueue:
            m.enqueue_at(o.at, o.text, o.flag ? std::optional<std::string>(o.target) : std::nullopt);
            break;
    }
}

// ---------------------------------------------------------------------------------------------------------------
// The library side

template <int V>
class library_run {
public:
    using registry = lib::registry<V>;

    explicit library_run(const run_config& c)
        : hb_(cep::heartbeat_policy{.max_impulses_per_beat = c.budget,
                                    .retry = {.max_attempts = c.max_attempts, .backoff_beats = c.backoff}}),
          transient_(c.transient) {
        if (transient_)
            for (const char* top : {"/env/a", "/data", "/other"}) hb_.make_transient_root(cep::path(top)).value();
        hb_.set_journal([this](cep::beat_number beat, std::span<const cep::ledger_line> lines) {
            auto& l = journal_[beat];
            for (const auto& line : lines) {
                if (line.list == "impulses") l.impulses.emplace_back(line.text);
                else if (line.list == "agenda") l.agenda.emplace_back(line.text);
                else l.stage.emplace_back(line.text);
            }
        });
    }

    void apply(const op& o) {
        const std::string_view name = specs()[o.enzyme].name;
        cep::result<void> r{};
        switch (o.kind) {
            case op::reg: r = hb_.register_enzyme(name); break;
            case op::reg_extra: r = hb_.register_enzyme(name, cep::query(o.text)); break;
            case op::unreg: r = hb_.unregister_enzyme(name); break;
            case op::bind:
                r = hb_.bind(cep::path(o.text), name, o.flag ? cep::propagate : cep::binding_scope::this_cell);
                break;
            case op::tomb: r = hb_.tombstone(cep::path(o.text), name); break;
            case op::unbind: r = hb_.unbind(cep::path(o.text), name); break;
            case op::enqueue: {
                const cep::path s(o.text);
                const std::optional<cep::path> t = o.flag ? std::optional<cep::path>(cep::path(o.target)) : std::nullopt;
                if (o.at == hb_.beat()) r = t ? hb_.enqueue(s, *t) : hb_.enqueue(s);
                else r = hb_.enqueue_at(o.at, s, t);
                break;
            }
        }
        r.value();  // every input is valid: an error here is a bug of the driver or of the library
    }

    // Runs one beat; returns its journal.
    beat_ledger step() {
        const auto n = hb_.beat();
        (void)hb_.step();
        if (transient_) released_ += hb_.release_unused_paths();
        auto it = journal_.find(n);
        beat_ledger out = it == journal_.end() ? beat_ledger{} : std::move(it->second);
        if (it != journal_.end()) journal_.erase(it);
        return out;
    }

    [[nodiscard]] std::map<std::string, std::string> data() const {
        std::map<std::string, std::string> out;
        const auto top = hb_.tree().find(cep::path("/data"));
        if (!top) return out;
        for (auto cell : hb_.tree().subtree(*top))
            if (cell.has_value()) out.emplace(cell.path().str(), std::string(cell.text()));
        return out;
    }

    // The impulses already listed for beat `at` (before it runs): what the replay compares its journal against.
    [[nodiscard]] std::vector<std::string> listed(std::uint64_t at) const {
        std::vector<std::string> out;
        if (const auto list = hb_.tree().find(cep::path("/rt/beat/" + std::to_string(at) + "/impulses")))
            for (auto entry : list->children()) out.emplace_back(entry.text());
        return out;
    }

    cep::heartbeat<registry>& hb() { return hb_; }
    // Ids released so far (transient runs).
    [[nodiscard]] std::uint64_t released() const noexcept { return released_; }

private:
    cep::heartbeat<registry> hb_;
    bool transient_ = false;
    std::uint64_t released_ = 0;
    std::map<std::uint64_t, beat_ledger> journal_;
};

// ---------------------------------------------------------------------------------------------------------------
// Comparison

inline std::string journal_text(std::uint64_t beat, const beat_ledger& l) {
    std::string out;
    for (const auto& t : l.impulses) out += std::to_string(beat) + " impulses: " + t + "\n";
    for (const auto& t : l.agenda) out += std::to_string(beat) + " agenda: " + t + "\n";
    for (const auto& t : l.stage) out += std::to_string(beat) + " stage: " + t + "\n";
    return out;
}

inline std::optional<std::string> compare_lists(std::string_view what, const std::vector<std::string>& lib,
                                                const std::vector<std::string>& model) {
    if (lib == model) return std::nullopt;
    std::size_t k = 0;
    while (k < lib.size() && k < model.size() && lib[k] == model[k]) ++k;
    std::ostringstream s;
    s << what << " differ at entry " << k + 1 << " (library " << lib.size() << " entries, model " << model.size()
      << ")\n  library: " << (k < lib.size() ? lib[k] : "(none)") << "\n  model:   "
      << (k < model.size() ? model[k] : "(none)") << "\n  library " << what << ":\n";
    for (const auto& l : lib) s << "    " << l << "\n";
    s << "  model " << what << ":\n";
    for (const auto& l : model) s << "    " << l << "\n";
    return s.str();
}

inline std::optional<std::string> compare_ledgers(const beat_ledger& lib, const beat_ledger& model) {
    if (auto d = compare_lists("impulses", lib.impulses, model.impulses)) return d;
    if (auto d = compare_lists("agenda", lib.agenda, model.agenda)) return d;
    return compare_lists("stage notes", lib.stage, model.stage);
}

inline std::optional<std::string> compare_data(const std::map<std::string, std::string>& lib,
                                               const std::map<std::string, std::string>& model) {
    if (lib == model) return std::nullopt;
    std::ostringstream s;
    s << "data cells differ:\n";
    for (const auto& [p, v] : lib) {
        const auto it = model.find(p);
        if (it == model.end()) s << "  " << p << ": library '" << v << "', model (none)\n";
        else if (it->second != v) s << "  " << p << ": library '" << v << "', model '" << it->second << "'\n";
    }
    for (const auto& [p, v] : model)
        if (!lib.count(p)) s << "  " << p << ": library (none), model '" << v << "'\n";
    return s.str();
}

// ---------------------------------------------------------------------------------------------------------------
// Invariants, checked on the library's output alone

struct agenda_line {
    std::string enzyme, rc, signal, target;
};
inline agenda_line parse_agenda(const std::string& line) {
    // enzyme=<name> rc=<rc> signal=<path> target=<path>; paths have no blanks.
    agenda_line a;
    std::istringstream in(line);
    std::string field;
    while (in >> field) {
        const auto eq = field.find('=');
        const auto key = field.substr(0, eq), value = field.substr(eq + 1);
        if (key == "enzyme") a.enzyme = value;
        else if (key == "rc") a.rc = value;
        else if (key == "signal") a.signal = value;
        else if (key == "target") a.target = value;
    }
    if (line.ends_with("target=")) a.target.clear();
    return a;
}
inline std::pair<std::string, std::string> parse_impulse(const std::string& line) {
    const auto t = line.find(" target=");
    return {line.substr(7, t - 7), line.substr(t + 8)};
}

template <int V>
class invariant_checker {
    using registry = lib::registry<V>;
    using triple = std::tuple<std::size_t, std::string, std::string>;

public:
    explicit invariant_checker(const run_config& c) : cfg_(c) {}

    // After beat n: `l` is its journal, `before` the /data committed before it, `reads` what its enzymes read.
    std::optional<std::string> check(library_run<V>& run, std::uint64_t n, const beat_ledger& l,
                                     const std::map<std::string, std::string>& before,
                                     const std::vector<lib::read_record>& reads) {
        auto& hb = run.hb();
        std::vector<agenda_line> lines;
        for (const auto& t : l.agenda) lines.push_back(parse_agenda(t));

        // Each descriptor at most once per (signal, target, beat).
        std::set<triple> seen;
        std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> order;  // pair -> enzymes, as run
        for (const auto& a : lines) {
            const auto e = registry::index_of(a.enzyme);
            if (!seen.insert({e, a.signal, a.target}).second)
                return "invariant: " + a.enzyme + " ran twice for (" + a.signal + ", " + a.target + ") in one beat";
            order[{a.signal, a.target}].push_back(e);
        }

        // Before/after: every agenda respects the closure, and so does every run (a retry re-run excepted: it
        // runs alone, after the agendas).
        const auto& due = expected_retries_[n];
        for (const auto& [pair, run_order] : order) {
            const auto names = pair.second.empty() ? hb.agenda(cep::path(pair.first))
                                                   : hb.agenda(cep::path(pair.first), cep::path(pair.second));
            for (std::size_t i = 0; i < names.size(); ++i)
                for (std::size_t j = i + 1; j < names.size(); ++j)
                    if (registry::runs_before(registry::index_of(names[j]), registry::index_of(names[i])))
                        return "invariant: agenda of (" + pair.first + ", " + pair.second + ") puts " +
                               std::string(names[i]) + " before " + std::string(names[j]) + " against the constraints";
            for (std::size_t i = 0; i < run_order.size(); ++i)
                for (std::size_t j = i + 1; j < run_order.size(); ++j)
                    if (registry::runs_before(run_order[j], run_order[i]) &&
                        !due.count({run_order[j], pair.first, pair.second}))
                        return "invariant: " + std::string(specs()[run_order[i]].name) + " ran before " +
                               std::string(specs()[run_order[j]].name) + " for (" + pair.first + ", " + pair.second +
                               ") against the constraints";
        }

        // Nothing written in beat n is read in beat n: every read saw the state committed before the beat.
        for (const auto& r : reads) {
            const auto it = before.find(r.path);
            const std::string committed = it == before.end() ? "-" : it->second;
            if (r.beat != n || r.text != committed)
                return "invariant: in beat " + std::to_string(r.beat) + " a read of " + r.path + " saw '" + r.text +
                       "', committed before the beat: '" + committed + "'";
        }

        // Every impulse accounted for: it ran, had nothing to run, was a duplicate of a pair that ran, or was
        // deferred (and is then listed for the next beat).
        std::size_t deferred = 0;
        for (const auto& note : l.stage)
            if (note.starts_with("budget: deferred ")) deferred = std::stoul(note.substr(17));
        if (deferred > l.impulses.size()) return std::string("invariant: more impulses deferred than listed");
        const std::size_t taken = l.impulses.size() - deferred;
        if (cfg_.budget == 0 ? deferred != 0 : taken != std::min(l.impulses.size(), cfg_.budget))
            return "invariant: beat took " + std::to_string(taken) + " of " + std::to_string(l.impulses.size()) +
                   " impulse(s) with a budget of " + std::to_string(cfg_.budget);
        taken_ += taken;
        std::multiset<std::string> listed(l.impulses.begin(), l.impulses.end());
        for (const auto& d : expected_listed_)
            if (const auto it = listed.find(d); it != listed.end()) listed.erase(it);
            else return "invariant: deferred impulse '" + d + "' is not listed for beat " + std::to_string(n);
        expected_listed_.clear();
        std::vector<std::string> unaccounted;
        for (const auto& i : l.impulses) {
            const auto [s, t] = parse_impulse(i);
            if (order.count({s, t})) continue;
            const auto names = t.empty() ? hb.agenda(cep::path(s)) : hb.agenda(cep::path(s), cep::path(t));
            if (!names.empty()) unaccounted.push_back(i);
        }
        if (unaccounted.size() > deferred)
            return "invariant: impulse '" + unaccounted.front() + "' neither ran nor was deferred in beat " + std::to_string(n);
        expected_listed_ = unaccounted;

        // Every expected retry re-run happened (as a re-run or as its pair's agenda run).
        for (const auto& [e, s, t] : due)
            if (!seen.count({e, s, t}))
                return "invariant: the retry of " + std::string(specs()[e].name) + " for (" + s + ", " + t +
                       ") due in beat " + std::to_string(n) + " did not run";
        expected_retries_.erase(n);

        // Every failure has its CEI record (written at this beat's commit), every retry a later run or a record.
        std::vector<std::string> notes;
        while (true) {
            const cep::path record("/rt/cei/" + std::to_string(cei_seen_ + 1));
            const auto note = hb.tree().find(record / "note");
            if (!note) break;
            const auto beat = hb.tree().find(record / "beat");
            if (!beat || beat->text() != std::to_string(n))
                return "invariant: CEI record " + record.str() + " is not of beat " + std::to_string(n);
            notes.emplace_back(note->text());
            ++cei_seen_;
        }
        const auto take_note = [&](const agenda_line& a, bool retry) {
            const std::string head = "enzyme=" + a.enzyme + " signal=" + a.signal + " target=" + a.target;
            for (auto it = notes.begin(); it != notes.end(); ++it) {
                const bool same = *it == head || it->starts_with(head + " error=");
                const bool about_retry = it->starts_with(head + " error=retry ");
                if (same && about_retry == retry) {
                    notes.erase(it);
                    return true;
                }
            }
            return false;
        };
        for (const auto& a : lines) {
            if (a.rc == "fatal" && !take_note(a, false))
                return "invariant: the fatal run '" + a.enzyme + "' for (" + a.signal + ", " + a.target +
                       ") has no CEI record";
            if (a.rc == "retry" && !take_note(a, true))
                expected_retries_[n + 1 + cfg_.backoff].insert({registry::index_of(a.enzyme), a.signal, a.target});
        }
        if (!notes.empty()) return "invariant: CEI record '" + notes.front() + "' matches no failed run";
        return std::nullopt;
    }

    [[nodiscard]] std::uint64_t impulses_taken() const { return taken_; }

private:
    run_config cfg_;
    std::map<std::uint64_t, std::set<triple>> expected_retries_;
    std::vector<std::string> expected_listed_;
    std::uint64_t cei_seen_ = 0;
    std::uint64_t taken_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// A whole run

struct run_result {
    std::optional<std::string> failure;  // the first divergence or broken invariant, with its beat
    std::uint64_t impulses = 0;          // impulses taken by beats (the library's count)
    std::uint64_t beats = 0;
    std::uint64_t released = 0;                          // path ids released (transient runs)
    std::string journal;                                 // the whole journal, as text (when kept)
    std::vector<beat_ledger> ledgers;                    // per beat (when kept), index = beat - 1
    std::vector<beat_script> scripts;                    // the inputs per beat (when kept), index = beat - 1
};

struct run_options {
    bool with_model = true;       // compare with the reference model beat by beat
    bool with_invariants = true;  // check the invariants on the library's output
    bool keep = false;            // keep the journal and the inputs (for determinism and replay)
};

// Runs until `quota` impulses were taken (or `max_beats` beats ran).
template <int V>
run_result run(const run_config& c, std::uint64_t quota, run_options opt, std::uint64_t max_beats = ~0ull) {
    run_result out;
    std::vector<lib::read_record> reads;
    lib::env() = {c.seed, c.emit_percent, &reads};
    library_run<V> lib_run(c);
    reference_heartbeat model(model_config_of(c));
    invariant_checker<V> inv(c);
    script_generator gen(c);
    std::map<std::string, std::string> committed;  // the library's /data before the beat
    const auto fail = [&](std::uint64_t beat, const std::string& what) {
        std::ostringstream s;
        s << "seed " << c.seed << " (variant " << c.variant << ", budget " << c.budget << ", max_attempts "
          << c.max_attempts << ", backoff " << c.backoff << ", ahead " << c.ahead << "): beat " << beat << ": " << what;
        out.failure = s.str();
    };
    if (!lib::registry_matches_scenario<V>(closure(direct_edges(c.variant))))
        return fail(0, "the registry's names, queries or ordering closure differ from scenario.hpp"), out;
    for (std::uint64_t n = 1; (opt.with_invariants ? inv.impulses_taken() : out.impulses) < quota && n <= max_beats; ++n) {
        const auto script = gen.next(n);
        for (const auto& o : script) {
            lib_run.apply(o);
            if (opt.with_model) apply(model, o);
        }
        reads.clear();
        const auto lib_ledger = lib_run.step();
        out.beats = n;
        if (opt.with_model) {
            const auto model_ledger = model.step();
            if (auto d = compare_ledgers(lib_ledger, model_ledger)) return fail(n, *d), out;
        }
        auto data = lib_run.data();
        if (opt.with_model)
            if (auto d = compare_data(data, model.data())) return fail(n, *d), out;
        if (opt.with_invariants)
            if (auto d = inv.check(lib_run, n, lib_ledger, committed, reads)) return fail(n, *d), out;
        committed = std::move(data);
        if (opt.keep) {
            out.journal += journal_text(n, lib_ledger);
            out.ledgers.push_back(lib_ledger);
            out.scripts.push_back(script);
        }
        if (!opt.with_invariants) {  // count anyway
            std::size_t deferred = 0;
            for (const auto& note : lib_ledger.stage)
                if (note.starts_with("budget: deferred ")) deferred = std::stoul(note.substr(17));
            out.impulses += lib_ledger.impulses.size() - deferred;
        }
    }
    if (opt.with_invariants) out.impulses = inv.impulses_taken();
    out.released = lib_run.released();
    lib::env().reads = nullptr;
    return out;
}

// Replay from a journal: a fresh heartbeat, the same registry and the same registrations and bindings at the same
// beats; the impulses come from the journal. External impulses are under /signals/in, enzymes emit under
// /signals/out and CEI impulses are /sig_cei/*, so the journal alone tells them apart; budget re-listings are
// recognised by position: before beat b runs, the replay's own list for b (what it derived itself: emits, CEI
// impulses, deferred ones) must be a prefix of the journal's list for b, and the rest of the journal's list are
// the external impulses, enqueued then. This needs the original run to have queued its external impulses for the
// current beat only (config ahead = false): the journal does not say when an impulse for a later beat was queued.
template <int V>
std::optional<std::string> replay(const run_config& c, const std::vector<beat_ledger>& journal,
                                  const std::vector<beat_script>& scripts) {
    lib::env() = {c.seed, c.emit_percent, nullptr};
    library_run<V> again(c);
    for (std::size_t k = 0; k < journal.size(); ++k) {
        const std::uint64_t n = k + 1;
        for (const auto& o : scripts[k])
            if (o.kind != op::enqueue) again.apply(o);
        const auto mine = again.listed(n);
        const auto& want = journal[k].impulses;
        if (mine.size() > want.size() || !std::equal(mine.begin(), mine.end(), want.begin()))
            return "replay: beat " + std::to_string(n) + ": the replay listed impulses the journal does not have";
        for (std::size_t i = mine.size(); i < want.size(); ++i) {
            const auto [s, t] = parse_impulse(want[i]);
            if (!s.starts_with("/signals/in/"))
                return "replay: beat " + std::to_string(n) + ": '" + want[i] + "' is not an external impulse";
            (t.empty() ? again.hb().enqueue(cep::path(s)) : again.hb().enqueue(cep::path(s), cep::path(t))).value();
        }
        const auto got = again.step();
        if (auto d = compare_ledgers(got, journal[k])) return "replay: beat " + std::to_string(n) + ": " + *d;
    }
    return std::nullopt;
}

}  // namespace cep_ref
