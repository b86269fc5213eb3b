// Fuzzes the ledger's text round trip: the input bytes choose, beat by beat, impulses (signals and targets built
// from a small vocabulary or from raw input bytes that form valid segments, broadcasts, impulses for later beats)
// and tombstones; a fixed registry of enzymes records every invocation it sees and every impulse it emits.
// Properties (see docs/fuzzing.md):
//  - every line of rt/beat/<N>/impulses parses as "signal=<path> target=<path>" and the list equals, in order, what
//    was queued for N (by the fuzzer, by enzymes' emits, by CEI records of failures);
//  - every line of rt/beat/<N>/agenda parses as "enzyme=<name> rc=<rc> signal=<path> target=<path>" and the list
//    equals, in order, the invocations the enzymes saw in N, with the status they returned;
//  - the first stage note counts the impulses promoted to N+1; the "scheduled" note appears iff needed;
//  - two heartbeats fed the same input leave byte-identical trees under /rt and the same invocations.
#include "fuzz_common.hpp"

#include <cep/dispatch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using cep_fuzz::check;
using cep_fuzz::fail;

namespace {

struct invocation {
    cep::beat_number beat;
    std::string enzyme;
    std::string rc;
    std::string signal;
    std::string target;
    friend bool operator==(const invocation&, const invocation&) = default;
};
struct emitted {
    cep::beat_number beat;
    std::string signal;
    std::string target;
};
// What the enzymes of one heartbeat saw.
struct recorder {
    std::vector<invocation> runs;
    std::vector<emitted> emits;  // only from invocations that succeeded (the others' emits are discarded)
    std::map<std::pair<std::string, std::string>, int> flaky_calls;
};

cep::status logged(recorder* rec, std::string_view name, const cep::impulse_ref& impulse, cep::beat_number beat,
                   cep::status rc) {
    rec->runs.push_back(invocation{beat, std::string(name), std::string(cep::to_string(rc)), impulse.signal.str(),
                                   impulse.target.str()});
    return rc;
}

using namespace cep::literals;

struct stamp {  // every signal
    static constexpr cep::name name = "stamp";
    static constexpr auto query = "/signals/**"_query;
    recorder* rec = nullptr;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        // A write of its own, so commits have something to apply.
        (void)ctx.put_text(cep::path("/data/stamp") / std::to_string(ctx.beat()), impulse.signal.str());
        return logged(rec, name.view(), impulse, ctx.beat(), cep::status::success);
    }
};
struct any_signal {  // prefix match, read-only
    static constexpr cep::name name = "any";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    static constexpr cep::access access = cep::access::read_only;
    recorder* rec = nullptr;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context& ctx) {
        return logged(rec, name.view(), impulse, ctx.beat(), cep::status::success);
    }
};
struct emitter {  // /signals/emit/<x>: emits /signals/echo/<x> for the next beat, or the one after
    static constexpr cep::name name = "emitter";
    static constexpr auto query = "/signals/emit/*"_query;
    recorder* rec = nullptr;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        const cep::path signal = cep::path("/signals/echo") / impulse.signal.leaf();
        const cep::beat_number at = ctx.beat() + 1 + (impulse.signal.leaf().size() % 2);
        const auto ok = impulse.target.empty() ? ctx.emit_at(at, signal) : ctx.emit_at(at, signal, impulse.target.to_path());
        check(ok.has_value(), "emit_at a future beat failed", ok.error().message);
        const auto past = ctx.emit_at(ctx.beat(), signal);
        check(!past && past.error().code == cep::errc::beat_in_past, "emit_at the current beat was not refused");
        rec->emits.push_back(emitted{at, signal.str(), impulse.target.str()});
        return logged(rec, name.view(), impulse, ctx.beat(), cep::status::success);
    }
};
struct flaky {  // /signals/<x>/retry: retry on the first call for a (signal, target), then success
    static constexpr cep::name name = "flaky";
    static constexpr auto query = "/signals/*/retry"_query;
    recorder* rec = nullptr;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        const int calls = ++rec->flaky_calls[{impulse.signal.str(), impulse.target.str()}];
        (void)ctx.put_text("/data/flaky"_path, std::to_string(calls));
        return logged(rec, name.view(), impulse, ctx.beat(), calls == 1 ? cep::status::retry : cep::status::success);
    }
};
struct broken {  // /signals/fail/**: fatal, or throws (by depth)
    static constexpr cep::name name = "broken";
    static constexpr auto query = "/signals/fail/**"_query;
    recorder* rec = nullptr;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        (void)ctx.put_text("/data/broken"_path, "discarded");
        logged(rec, name.view(), impulse, ctx.beat(), cep::status::fatal);
        if (impulse.signal.depth() % 2 == 0) throw std::runtime_error("broken enzyme");
        return cep::status::fatal;
    }
};
using registry = cep::enzyme_registry<stamp, any_signal, emitter, flaky, broken>;
using heartbeat = cep::heartbeat<registry>;

// Reads the input as a stream of choices (zeros once it runs out).
struct reader {
    const std::uint8_t* data;
    std::size_t size;
    std::size_t at = 0;
    bool done() const { return at >= size; }
    std::uint8_t byte() { return at < size ? data[at++] : 0; }
    std::string_view bytes(std::size_t n) {
        n = std::min(n, size - std::min(size, at));
        std::string_view out(reinterpret_cast<const char*>(data) + at, n);
        at += n;
        return out;
    }
};

constexpr std::string_view vocabulary[] = {"image", "emit", "retry", "fail", "x", "a=b", "target=",
                                           "signal=", "rc=fatal", "caf\xc3\xa9", "echo", "1"};

// A segment from the vocabulary, or raw input bytes when they form a valid segment.
std::string segment(reader& in) {
    const std::uint8_t choice = in.byte();
    constexpr std::size_t words = sizeof vocabulary / sizeof vocabulary[0];
    if (choice < 0xc0) return std::string(vocabulary[choice % words]);
    const auto raw = in.bytes(1 + choice % 8);
    if (cep::path::root().child(raw)) return std::string(raw);
    return "raw";
}

struct impulse_line {
    std::string signal;
    std::string target;
    friend bool operator==(const impulse_line&, const impulse_line&) = default;
};

// One run over the input: the heartbeat, what was queued for each beat, what the enzymes saw.
struct run {
    heartbeat hb{cep::heartbeat_policy{.retry = {.max_attempts = 3, .backoff_beats = 0}}};
    recorder rec;
    std::map<cep::beat_number, std::vector<impulse_line>> queued;
    std::map<cep::beat_number, std::size_t> promoted, scheduled;
    std::uint64_t cei = 0;

    explicit run(const std::uint8_t* data, std::size_t size) {
        hb.enzyme<stamp>().rec = &rec;
        hb.enzyme<any_signal>().rec = &rec;
        hb.enzyme<emitter>().rec = &rec;
        hb.enzyme<flaky>().rec = &rec;
        hb.enzyme<broken>().rec = &rec;
        hb.register_all();
        hb.bind<stamp>(cep::path::root(), cep::propagate);
        hb.bind<any_signal>(cep::path::root(), cep::propagate);
        hb.bind<emitter>(cep::path::root(), cep::propagate);
        hb.bind<flaky>(cep::path::root(), cep::propagate);
        hb.bind<broken>(cep::path::root(), cep::propagate);

        reader in{data, size};
        for (int beat = 0; beat < 8 && !in.done(); ++beat) {
            const std::uint8_t flags = in.byte();
            if (flags & 0x80) hb.tombstone<stamp>(cep::path("/env") / segment(in));
            if (flags & 0x40) hb.unbind<any_signal>(cep::path::root());
            const int count = flags % 6;
            for (int k = 0; k < count; ++k) enqueue(in);
            step();
        }
        // Let retries and emits for later beats run out.
        for (int k = 0; k < 3; ++k) step();
    }

    void enqueue(reader& in) {
        const std::uint8_t shape = in.byte();
        cep::path signal = cep::path("/signals") / segment(in);
        if (shape & 1) signal = signal / segment(in);
        std::optional<cep::path> target;
        if (shape & 2) target = cep::path((shape & 4) ? "/env" : "/data") / segment(in);
        const cep::beat_number at = hb.beat() + ((shape >> 3) % 3);
        const auto ok = hb.enqueue_at(at, signal, target);
        check(ok.has_value(), "enqueue_at an open beat failed", ok.error().message);
        queued[at].push_back(impulse_line{signal.str(), target ? target->str() : std::string()});
    }

    void step() {
        const cep::beat_number n = hb.beat();
        const std::size_t runs_before = rec.runs.size(), emits_before = rec.emits.size();
        hb.step();
        // At the commit: CEI records of the failures first, then the emits, in the order they happened.
        for (std::size_t k = runs_before; k < rec.runs.size(); ++k)
            if (rec.runs[k].rc == "fatal") {
                queued[n + 1].push_back(impulse_line{"/sig_cei/error", "/rt/cei/" + std::to_string(++cei)});
                ++promoted[n];
            }
        for (std::size_t k = emits_before; k < rec.emits.size(); ++k) {
            const auto& e = rec.emits[k];
            queued[e.beat].push_back(impulse_line{e.signal, e.target});
            ++(e.beat == n + 1 ? promoted[n] : scheduled[n]);
        }
    }
};

// "signal=<p> target=<p>": paths hold no spaces, so the split is unambiguous.
impulse_line parse_impulse(std::string_view line) {
    const auto w = cep_fuzz::words(line);
    check(w.size() == 2 || (w.size() == 1 && line.ends_with(" target=")), "impulse line: not two fields",
          line);
    const auto s = cep_fuzz::field(w[0], "signal");
    const auto t = w.size() == 2 ? cep_fuzz::field(w[1], "target") : std::optional<std::string_view>("");
    check(s && t, "impulse line: fields are not signal=, target=", line);
    check(cep::path::parse(*s).has_value(), "impulse line: the signal is not a valid path", line);
    check(t->empty() || cep::path::parse(*t).has_value(), "impulse line: the target is not a valid path", line);
    check(line == "signal=" + std::string(*s) + " target=" + std::string(*t), "impulse line: not canonical", line);
    return {std::string(*s), std::string(*t)};
}

invocation parse_agenda(cep::beat_number beat, std::string_view line) {
    const auto w = cep_fuzz::words(line);
    check(w.size() == 4 || (w.size() == 3 && line.ends_with(" target=")), "agenda line: not four fields", line);
    const auto e = cep_fuzz::field(w[0], "enzyme");
    const auto rc = cep_fuzz::field(w[1], "rc");
    const auto s = cep_fuzz::field(w[2], "signal");
    const auto t = w.size() == 4 ? cep_fuzz::field(w[3], "target") : std::optional<std::string_view>("");
    check(e && rc && s && t, "agenda line: fields are not enzyme=, rc=, signal=, target=", line);
    check(cep::check_name(*e).has_value(), "agenda line: the enzyme is not a name", line);
    check(*rc == "success" || *rc == "retry" || *rc == "fatal", "agenda line: unknown rc", line);
    check(cep::path::parse(*s).has_value(), "agenda line: the signal is not a valid path", line);
    check(t->empty() || cep::path::parse(*t).has_value(), "agenda line: the target is not a valid path", line);
    return {beat, std::string(*e), std::string(*rc), std::string(*s), std::string(*t)};
}

std::vector<std::string> list(const cep::cell_tree& tree, const cep::path& at) {
    std::vector<std::string> out;
    const auto cell = tree.find(at);
    check(cell.has_value() && cell->is_list(), "a ledger list is missing", at.str());
    for (auto entry : cell->children()) out.emplace_back(entry.text());
    return out;
}

// Everything under /rt as text: paths, kinds, values and link targets, in the tree's order.
std::string dump(const cep::cell_tree& tree) {
    std::string out;
    const auto rt = tree.find(cep::path("/rt"));
    if (!rt) return out;
    for (auto cell : tree.subtree(*rt)) {
        out += cell.path().str();
        out += cell.is_list() ? " list" : cell.is_link() ? " link" : " dict";
        if (cell.is_link()) out += " -> " + tree.paths().text_of(*cell.link_target());
        if (cell.has_value()) out += " = " + std::string(cell.text());
        out += '\n';
    }
    return out;
}

void check_ledger(run& r) {
    const auto& tree = r.hb.tree();
    for (cep::beat_number n = 1; n < r.hb.beat(); ++n) {
        const cep::path base = cep::path("/rt/beat") / std::to_string(n);
        std::vector<impulse_line> impulses;
        for (const auto& line : list(tree, base / "impulses")) impulses.push_back(parse_impulse(line));
        check(impulses == r.queued[n], "the impulses ledger differs from what was queued", base.str());

        std::vector<invocation> agenda, seen;
        for (const auto& line : list(tree, base / "agenda")) agenda.push_back(parse_agenda(n, line));
        for (const auto& inv : r.rec.runs)
            if (inv.beat == n) seen.push_back(inv);
        check(agenda == seen, "the agenda ledger differs from the invocations the enzymes saw", base.str());

        const auto stage = list(tree, base / "stage");
        check(!stage.empty() && stage[0] == "commit: promoted " + std::to_string(r.promoted[n]) +
                                                " impulse(s) -> beat " + std::to_string(n + 1),
              "the commit note does not count the promoted impulses", stage.empty() ? base.str() : stage[0]);
        const bool noted = stage.size() > 1 && stage[1] == "commit: scheduled " + std::to_string(r.scheduled[n]) +
                                                              " impulse(s) for later beats";
        check(noted == (r.scheduled[n] != 0), "the scheduled note is wrong", base.str());
        const auto inbox = tree.find_no_follow(base / "inbox");
        check(inbox && inbox->is_link() && tree.paths().text_of(*inbox->link_target()) == (base / "impulses").str(),
              "inbox is not a link to impulses", base.str());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        run first(data, size);
        check_ledger(first);
        // CEP_FUZZ_DUMP=1 prints the ledger of each input (to look at a corpus file: run the fuzzer on it).
        static const bool show = std::getenv("CEP_FUZZ_DUMP") != nullptr;
        if (show) std::fputs(dump(first.hb.tree()).c_str(), stderr);
        run second(data, size);
        check(first.rec.runs == second.rec.runs, "two runs of the same input invoked different enzymes");
        check(dump(first.hb.tree()) == dump(second.hb.tree()), "two runs of the same input left different ledgers");
    } catch (const std::exception& e) {
        fail("an exception escaped the heartbeat", e.what());
    }
    return 0;
}
