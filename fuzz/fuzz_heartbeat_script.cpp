// Fuzzes the heartbeat with a script of operations, one per line (see docs/fuzzing.md for the list):
// registration by name (unknown names included), bindings, tombstones, unbinding, impulses for the current,
// future and past beats and by raw path ids, the beat phases in any order, wallclock publication, the spacing
// window, CEI emission, listeners, direct writes and seals, transient roots and releases of unused path ids. The signal's last segment tells the scripted enzymes
// what to do: succeed, retry, fail, throw, emit, write, enqueue or emit CEI from inside the beat.
//
// Properties:
//  - every call returns or throws a documented cep error with the documented code (and, where the docs give
//    it, the exact message); nothing else escapes, nothing crashes, no sanitizer report;
//  - at most one run of each (enzyme, signal, target) per beat in the agenda ledger;
//  - nothing an enzyme writes in beat N is visible in N; after the commit, the writes of invocations that
//    succeeded are there and those of invocations that failed are not;
//  - every impulse that was queued successfully shows up in its beat's impulses list;
//  - step() and stage_commit() return false exactly when the commit wrote an enzyme or commit CEI record;
//  - the same script run twice leaves byte-identical trees under /rt.
#include "fuzz_common.hpp"

#include <cep/dispatch.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using cep_fuzz::check;
using cep_fuzz::fail;

namespace {

constexpr std::size_t max_ops = 256;
constexpr std::size_t max_beats = 64;

struct staged_write {
    cep::beat_number beat;
    std::string path;
    bool keep;  // the invocation succeeded and staging accepted the write
};

// What the scripted enzymes share with the script runner.
struct shared {
    std::uint64_t sequence = 0;       // makes every enzyme write's path unique
    std::vector<staged_write> writes;
    std::vector<std::pair<cep::beat_number, std::string>> inside_enqueues;  // (beat, signal), for the ledger check
    std::function<cep::result<void>(const cep::path&)> enqueue;             // hb.enqueue, from inside a beat
    std::function<cep::result<void>()> cei;                                 // hb.cei_emit, from inside a beat
};

struct not_std_exception {};

// The behaviour of an invocation is its signal's last segment.
template <class Context>
cep::status behave(shared& st, const cep::impulse_ref& impulse, Context& ctx) {
    const cep::beat_number beat = ctx.beat();
    const cep::path own_beat = cep::path("/data/w") / std::to_string(beat);
    check(!ctx.find(own_beat).has_value() && !ctx.tree().contains(own_beat),
          "a write of this beat is visible in this beat", own_beat.str());
    const std::string_view what = impulse.signal.leaf();

    // Writes first, so that a failing invocation has something to discard.
    if constexpr (Context::declared_read_write) {
        if (what == "write" || what == "retry" || what == "fatal" || what == "throw") {
            const cep::path p = own_beat / std::to_string(++st.sequence);
            const bool staged = ctx.put_text(p, impulse.signal.str()).has_value();
            st.writes.push_back(staged_write{beat, p.str(), staged && what == "write"});
        }
        if (what == "emit") {
            const auto ok = ctx.emit(cep::path("/s/emitted"));
            check(ok.has_value(), "emit for the next beat failed", ok.error().message);
            st.inside_enqueues.emplace_back(beat + 1, "/s/emitted");
        }
        if (what == "emitpast") {
            const auto past = ctx.emit_at(beat, cep::path("/s/never"));
            check(!past && past.error().code == cep::errc::beat_in_past, "emit_at the current beat was accepted");
            cep_fuzz::check_error(past.error(), "emit_at");
        }
    }
    if (what == "enq") {
        const auto ok = st.enqueue(cep::path("/s/inside"));
        check(ok.has_value(), "enqueue from inside an enzyme failed", ok.error().message);
        st.inside_enqueues.emplace_back(beat + 1, "/s/inside");
    }
    if (what == "cei") check(st.cei().has_value(), "cei_emit from inside an enzyme failed");
    if (what == "retry") return cep::status::retry;
    if (what == "fatal") return cep::status::fatal;
    if (what == "throw") throw std::runtime_error("scripted failure");
    if (what == "throwint") throw not_std_exception{};
    return cep::status::success;
}

using namespace cep::literals;

struct pre;
struct all {
    static constexpr cep::name name = "all";
    static constexpr auto query = "/s/**"_query;
    using before = cep::enzymes<pre>;
    shared* st = nullptr;
    cep::status operator()(const cep::impulse_ref& i, cep::write_context& ctx) { return behave(*st, i, ctx); }
};
struct pre {
    static constexpr cep::name name = "pre";
    static constexpr auto query = "/s"_query;
    using match = cep::prefix;
    shared* st = nullptr;
    cep::status operator()(const cep::impulse_ref& i, cep::write_context& ctx) { return behave(*st, i, ctx); }
};
struct noretry {
    static constexpr cep::name name = "noretry";
    static constexpr auto query = "/s/*/*"_query;
    static constexpr cep::enzyme_flags flags = cep::enzyme_flags::no_retry;
    shared* st = nullptr;
    cep::status operator()(const cep::impulse_ref& i, cep::write_context& ctx) { return behave(*st, i, ctx); }
};
struct star {
    static constexpr cep::name name = "star";
    static constexpr auto query = "/s/*"_query;
    static constexpr cep::access access = cep::access::read_only;
    using after = cep::enzymes<noretry>;
    shared* st = nullptr;
    cep::status operator()(const cep::impulse_ref& i, cep::read_context& ctx) { return behave(*st, i, ctx); }
};
struct on_cei {
    static constexpr cep::name name = "on_cei";
    static constexpr auto query = "/sig_cei/*"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref& impulse, cep::read_context& ctx) {
        check(impulse.target.empty() || ctx.find(impulse.target).has_value(), "a CEI impulse's record is not visible");
        return cep::status::success;
    }
};
using registry = cep::enzyme_registry<all, pre, noretry, star, on_cei>;
using heartbeat = cep::heartbeat<registry>;

bool known_enzyme(std::string_view n) {
    return n == "all" || n == "pre" || n == "noretry" || n == "star" || n == "on_cei";
}

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return v;
}

void expect_error(const cep::result<void>& r, cep::errc code, const char* what, std::string_view message = {}) {
    check(!r.has_value(), what, "accepted");
    cep_fuzz::check_error(r.error(), what);
    check(r.error().code == code, what, r.error().message);
    if (!message.empty()) check(r.error().message == message, what, r.error().message);
}

std::vector<std::string> list_texts(const cep::cell_tree& tree, const cep::path& at) {
    std::vector<std::string> out;
    if (const auto cell = tree.find(at); cell && cell->is_list())
        for (auto entry : cell->children()) out.emplace_back(entry.text());
    return out;
}

std::string dump(const cep::cell_tree& tree) {
    std::string out;
    const auto rt = tree.find(cep::path("/rt"));
    if (!rt) return out;
    for (auto cell : tree.subtree(*rt)) {
        out += cell.path().str();
        if (cell.is_link()) out += " -> " + tree.paths().text_of(*cell.link_target());
        if (cell.has_value()) out += " = " + std::string(cell.text());
        out += '\n';
    }
    return out;
}

class runner {
public:
    explicit runner(std::string_view script) : script_(script) {}

    // Returns the /rt dump (empty when the policy was refused).
    std::string run() {
        auto lines = split_lines(script_);
        cep::heartbeat_policy policy{};
        if (!lines.empty() && lines[0].starts_with("policy")) {
            for (auto w : cep_fuzz::words(lines[0])) {
                auto num = [&](std::string_view key) -> std::optional<std::uint64_t> {
                    const auto v = cep_fuzz::field(w, key);
                    return v ? number(*v) : std::nullopt;
                };
                if (auto v = num("budget")) policy.max_impulses_per_beat = *v % 1000;
                if (auto v = num("retry")) policy.retry.max_attempts = static_cast<std::uint32_t>(*v % 8);
                if (auto v = num("backoff")) policy.retry.backoff_beats = static_cast<std::uint32_t>(*v % 4);
                if (auto v = num("window")) policy.spacing_window = *v;
                if (auto v = num("memo")) policy.memo_capacity = *v;
                if (auto v = num("ledger")) policy.ensure_directories = *v != 0;
                if (auto v = num("floor")) policy.transient_release_floor = *v % 64;
            }
            lines.erase(lines.begin());
        }
        ledger_ = policy.ensure_directories;
        std::optional<heartbeat> hb;
        try {
            hb.emplace(policy);
        } catch (const cep::heartbeat_error& e) {
            // Documented for a memo capacity of 0 (see docs/fuzzing.md about a spacing window of 0).
            check(e.code() == cep::errc::invalid_policy && (policy.memo_capacity == 0 || policy.spacing_window == 0),
                  "the heartbeat refused a valid policy", e.what());
            return {};
        }
        hb_ = &*hb;
        for (auto* st : {&hb_->enzyme<all>().st, &hb_->enzyme<pre>().st, &hb_->enzyme<noretry>().st,
                         &hb_->enzyme<star>().st})
            *st = &shared_;
        shared_.enqueue = [this](const cep::path& s) { return hb_->enqueue(s); };
        shared_.cei = [this] { return hb_->cei_emit("warn", "inside", "from an enzyme"); };

        std::size_t ops = 0;
        for (auto line : lines) {
            if (++ops > max_ops || hb_->beat() > max_beats) break;
            try {
                op(cep_fuzz::words(line));
            } catch (const cep_fuzz_stop&) {
                break;
            } catch (const std::exception& e) {
                fail("an exception escaped a heartbeat call", std::string(line) + ": " + e.what());
            }
        }
        try {
            finish();
        } catch (const std::exception& e) {
            fail("an exception escaped the final beats", e.what());
        }
        return dump(hb_->tree());
    }

private:
    struct cep_fuzz_stop {};

    static std::vector<std::string_view> split_lines(std::string_view text) {
        std::vector<std::string_view> out;
        while (!text.empty()) {
            auto [line, rest] = cep_fuzz::split_once(text, '\n');
            out.push_back(line);
            if (line.size() == text.size()) break;
            text = rest;
        }
        return out;
    }

    // ---- the model: what the heartbeat is documented to do ----
    cep::beat_number earliest() const { return resolved_ ? hb_->beat() + 1 : hb_->beat(); }

    void queued(cep::beat_number at, const cep::path& s, const std::optional<cep::path>& t) {
        expected_[at].push_back("signal=" + s.str() + " target=" + (t ? t->str() : std::string()));
    }

    void names_op(std::string_view name, const cep::result<void>& r) {
        if (known_enzyme(name)) {
            check(r.has_value(), "a call with a known enzyme name failed", r.error().message);
        } else {
            expect_error(r, cep::errc::unknown_enzyme, "an unknown enzyme name was not refused as documented",
                         "no enzyme named '" + std::string(name) + "' in this heartbeat's registry");
        }
    }

    void enqueue_at(cep::beat_number at, std::string_view signal_text, std::optional<std::string_view> target_text,
                    bool relative_to_now) {
        const auto s = cep::path::parse(signal_text);
        if (!s) return cep_fuzz::check_error(s.error(), "signal parse");
        std::optional<cep::path> t;
        if (target_text) {
            auto parsed = cep::path::parse(*target_text);
            if (!parsed) return cep_fuzz::check_error(parsed.error(), "target parse");
            t = *parsed;
        }
        if (!relative_to_now) {
            const auto r = t ? hb_->enqueue(*s, *t) : hb_->enqueue(*s);
            check(r.has_value(), "enqueue failed", r.error().message);
            queued(earliest(), *s, t);
            return;
        }
        const cep::beat_number open = earliest();
        const auto r = hb_->enqueue_at(at, *s, t);
        if (at < open) {
            expect_error(r, cep::errc::beat_in_past, "enqueue_at a closed beat was not refused as documented",
                         "cannot enqueue " + s->str() + " for beat " + std::to_string(at) +
                             ": the earliest beat open for impulses is " + std::to_string(open));
        } else {
            check(r.has_value(), "enqueue_at an open beat failed", r.error().message);
            queued(at, *s, t);
        }
    }

    std::size_t cei_count() const {
        const auto cei = hb_->tree().find(cep::path("/rt/cei"));
        return cei ? cei->size() : 0;
    }

    // After a commit: the writes of the beat that just ended, the step result, the single-run rule.
    void committed(cep::beat_number n, std::size_t cei_before, std::optional<bool> clean) {
        if (!sealed_during_beat_)
            for (const auto& w : shared_.writes)
                if (w.beat == n)
                    check(hb_->tree().contains(cep::path(w.path)) == w.keep,
                          w.keep ? "a write of a successful invocation is missing after the commit"
                                 : "a write of a failed invocation was committed",
                          w.path);
        if (clean) {
            bool failure_record = false;
            const auto cei = hb_->tree().find(cep::path("/rt/cei"));
            for (std::size_t k = cei_before + 1; cei && k <= cei->size(); ++k) {
                const auto topic = hb_->tree().find(cep::path("/rt/cei") / std::to_string(k) / "topic");
                failure_record |= topic && (topic->text() == "enzyme" || topic->text() == "commit");
            }
            check(*clean == !failure_record, "step() result disagrees with the beat's CEI failure records");
        }
        if (ledger_) {
            const auto lines = list_texts(hb_->tree(), cep::path("/rt/beat") / std::to_string(n) / "agenda");
            std::vector<std::string> keys;
            for (const auto& l : lines) {
                const auto w = cep_fuzz::words(l);
                check(w.size() == 4, "an agenda line has not four fields", l);
                keys.push_back(std::string(w[0]) + " " + std::string(w[2]) + " " + std::string(w[3]));
            }
            std::sort(keys.begin(), keys.end());
            check(std::adjacent_find(keys.begin(), keys.end()) == keys.end(),
                  "an (enzyme, signal, target) ran twice in one beat",
                  "beat " + std::to_string(n));
        }
        resolved_ = false;
        begun_ = false;
        sealed_during_beat_ = false;
    }

    void step_op() {
        const cep::beat_number n = hb_->beat();
        const std::size_t before = cei_count();
        const bool clean = hb_->step();
        committed(n, before, clean);
    }

    void op(const std::vector<std::string_view>& w) {
        if (w.empty()) return;
        const std::string_view o = w[0];
        const auto arg = [&](std::size_t k) { return k < w.size() ? std::optional<std::string_view>(w[k]) : std::nullopt; };
        if (o == "reg" && w.size() == 2) return names_op(w[1], hb_->register_enzyme(w[1]));
        if (o == "reg" && w.size() >= 3) {
            const auto q = cep::query::parse(w[2]);
            if (!q) return cep_fuzz::check_error(q.error(), "query parse");
            return names_op(w[1], hb_->register_enzyme(w[1], *q));
        }
        if (o == "regall") return hb_->register_all();
        if (o == "unreg" && w.size() >= 2) return names_op(w[1], hb_->unregister_enzyme(w[1]));
        if ((o == "bind" || o == "tomb" || o == "unbind") && w.size() >= 3) {
            const auto p = cep::path::parse(w[2]);
            if (!p) return cep_fuzz::check_error(p.error(), "path parse");
            if (o == "bind")
                return names_op(w[1], hb_->bind(*p, w[1], w.size() > 3 ? cep::propagate : cep::binding_scope::this_cell));
            if (o == "tomb") return names_op(w[1], hb_->tombstone(*p, w[1]));
            return names_op(w[1], hb_->unbind(*p, w[1]));
        }
        if (o == "enq" && w.size() >= 2) return enqueue_at(0, w[1], arg(2), false);
        if (o == "at" && w.size() >= 3) {
            // +k / -k relative to beat(), or an absolute beat number.
            const std::string_view b = w[1];
            std::optional<cep::beat_number> at;
            if (!b.empty() && (b[0] == '+' || b[0] == '-')) {
                if (const auto k = number(b.substr(1)); k && *k < 1000) {
                    if (b[0] == '+') at = hb_->beat() + *k;
                    else if (*k <= hb_->beat()) at = hb_->beat() - *k;
                }
            } else {
                at = number(b);
            }
            if (at) enqueue_at(*at, w[2], arg(3), true);
            return;
        }
        if (o == "id" && w.size() >= 2) {
            const auto s = number(w[1]);
            const auto t = w.size() > 2 ? number(w[2]) : std::nullopt;
            if (!s || *s > 0xffffffffu || (t && *t > 0xffffffffu)) return;
            const cep::path_id sid{static_cast<std::uint32_t>(*s)};
            const std::optional<cep::path_id> tid =
                t ? std::optional<cep::path_id>(cep::path_id{static_cast<std::uint32_t>(*t)}) : std::nullopt;
            const auto& paths = hb_->tree().paths();
            // No target is a broadcast; every given id must belong to the table (0xffffffff included: it is the
            // queue's internal "no target" mark, and must not pass for one).
            const bool broadcast = !tid;
            const bool owned = paths.owns(sid) && (broadcast || paths.owns(*tid));
            const auto r = hb_->enqueue(sid, tid);
            if (!owned) return expect_error(r, cep::errc::path_unknown_id, "a foreign path id was not refused");
            check(r.has_value(), "enqueue by ids failed", r.error().message);
            queued(earliest(), paths.path_of(sid), broadcast ? std::nullopt : std::optional(paths.path_of(*tid)));
            return;
        }
        if (o == "ids" && w.size() >= 2) {
            const auto s = number(w[1]);
            if (!s || *s > 0xffffffffu) return;
            std::vector<cep::path_id> targets;
            for (std::size_t k = 2; k < w.size(); ++k) {
                const auto t = number(w[k]);
                if (!t || *t > 0xffffffffu) return;
                targets.push_back(cep::path_id{static_cast<std::uint32_t>(*t)});
            }
            const cep::path_id sid{static_cast<std::uint32_t>(*s)};
            const auto& paths = hb_->tree().paths();
            bool owned = paths.owns(sid);
            for (const auto t : targets) owned = owned && paths.owns(t);
            const auto r = hb_->enqueue(sid, std::span<const cep::path_id>(targets));
            // All or none: one foreign id (0xffffffff included) queues none of the span.
            if (!owned) return expect_error(r, cep::errc::path_unknown_id, "a span with a foreign path id was not refused");
            check(r.has_value(), "enqueue of a span of ids failed", r.error().message);
            for (const auto t : targets) queued(earliest(), paths.path_of(sid), paths.path_of(t));
            return;
        }
        if (o == "transient" && w.size() >= 2) {
            const auto p = cep::path::parse(w[1]);
            if (!p) return cep_fuzz::check_error(p.error(), "path parse");
            const auto r = hb_->make_transient_root(*p);
            // During a beat (between the phases), refused first: the beat's impulses were resolved without it.
            if (begun_) return expect_error(r, cep::errc::beat_reentered, "a transient root was made during a beat");
            if (!r) {
                cep_fuzz::check_error(r.error(), "make_transient_root");
                check(r.error().code == cep::errc::invalid_policy, "make_transient_root failed with another code",
                      r.error().message);
            }
            return;
        }
        if (o == "release") {
            const std::size_t released = hb_->release_unused_paths();
            if (begun_) check(released == 0, "release_unused_paths released ids during a beat");
            return;
        }
        if (o == "release_table") {
            // On the table itself, saying only cells are in use: the heartbeat's release hook must keep what its
            // queue and ledger hold (the model checks every queued impulse's target when it runs).
            auto& tree = hb_->tree();
            const std::size_t released = tree.paths().release_unused([&](cep::path_id id) { return tree.holds_cell(id); });
            if (begun_) check(released == 0, "a release on the path table released ids during a beat");
            return;
        }
        if (o == "step") return step_op();
        if (o == "begin") {
            hb_->begin_beat();
            begun_ = true;
            return;
        }
        if (o == "resolve" || o == "execute") {
            if (o == "resolve") hb_->resolve_agenda();
            else hb_->execute_agenda();
            begun_ = resolved_ = true;
            return;
        }
        if (o == "commit") {
            const cep::beat_number n = hb_->beat();
            const std::size_t before = cei_count();
            const bool clean = hb_->stage_commit();
            return committed(n, before, clean);
        }
        if (o == "process" && w.size() >= 2) {
            const auto k = number(w[1]);
            if (!k) return;
            for (std::uint64_t i = 0; i < *k % 8; ++i) {
                const cep::beat_number n = hb_->beat();
                const std::size_t before = cei_count();
                check(hb_->scheduler().process(1) == 1, "process(1) did not run a beat");
                committed(n, before, std::nullopt);
            }
            return;
        }
        if (o == "wall" && w.size() >= 3) {
            const auto b = number(w[1]);
            const auto ns = number(w[2]);
            if (!b || !ns) return;
            const auto known = wallclock_.find(*b);
            const auto r = hb_->publish_wallclock(*b, *ns);
            if (known != wallclock_.end() && known->second != *ns) {
                expect_error(r, cep::errc::wallclock_conflict, "a wallclock conflict was not refused as documented",
                             "beat " + std::to_string(*b) + " already has unix_ts_ns " + std::to_string(known->second) +
                                 "; refusing " + std::to_string(*ns));
            } else {
                check(r.has_value(), "publish_wallclock failed", r.error().message);
                wallclock_[*b] = *ns;
            }
            check(hb_->beat_to_unix(*b) == wallclock_[*b], "beat_to_unix differs from what was published");
            check_spacing();
            return;
        }
        if (o == "window" && w.size() >= 2) {
            const auto n = number(w[1]);
            if (!n) return;
            const auto r = hb_->set_spacing_window(*n);
            if (*n == 0) {
                expect_error(r, cep::errc::invalid_policy, "a spacing window of 0 was not refused as documented",
                             "the spacing window must be at least 1");
            } else {
                check(r.has_value() && hb_->spacing_window() == *n, "set_spacing_window failed");
            }
            check_spacing();
            return;
        }
        if (o == "cei" && w.size() >= 2) {
            const std::string_view topic = w.size() > 2 ? w[2] : std::string_view{};
            const std::string_view note = w.size() > 3 ? w[3] : std::string_view{};
            const auto name = cep::check_name(w[1]);
            const auto r = hb_->cei_emit(w[1], topic, note);
            if (name) {
                check(r.has_value(), "cei_emit with a valid severity failed", r.error().message);
            } else {
                expect_error(r, name.error().code, "a bad CEI severity was not refused with the name's error",
                             name.error().message);
            }
            return;
        }
        if (o == "agenda" && w.size() >= 2) {
            const auto s = cep::path::parse(w[1]);
            if (!s) return;
            std::optional<cep::path> t;
            if (w.size() > 2) {
                auto parsed = cep::path::parse(w[2]);
                if (!parsed) return;
                t = *parsed;
            }
            for (auto n : hb_->agenda(*s, t)) check(known_enzyme(n), "an agenda names an unknown enzyme");
            (void)hb_->agenda_dot(*s, t);
            return;
        }
        if (o == "listen" && w.size() >= 2) {
            // On every commit, enqueue a broadcast (documented to go to the next beat).
            const auto s = cep::path::parse(w[1]);
            if (!s) return;
            hb_->listeners().on("commit", [this, signal = *s](const cep::event& e) {
                const auto r = hb_->enqueue(signal);
                check(r.has_value(), "enqueue from a commit listener failed", r.error().message);
                expected_[e.beat + 1].push_back("signal=" + signal.str() + " target=");
            });
            return;
        }
        if (o == "listen_throw") {
            hb_->listeners().on(w.size() > 1 ? w[1] : std::string_view{},
                                [](const cep::event&) { throw std::runtime_error("listener failure"); });
            return;
        }
        if (o == "write" && w.size() >= 2) {
            // Direct writes between beats are documented to be visible at once; not under /data/w (the enzymes').
            const auto p = cep::path("/data/direct").child(w[1]);
            if (!p) return cep_fuzz::check_error(p.error(), "path child");
            const auto r = hb_->tree().put_text(*p, w.size() > 2 ? w[2] : std::string_view{});
            if (!r) cep_fuzz::check_error(r.error(), "tree write");
            return;
        }
        if (o == "seal" && w.size() >= 2) {
            const auto r = hb_->tree().seal(cep::path(w[1] == "w" ? "/data/w" : "/data/direct"));
            if (!r) cep_fuzz::check_error(r.error(), "seal");
            if (begun_) sealed_during_beat_ = true;
            return;
        }
    }

    void check_spacing() const {
        const auto spacing = hb_->tree().find(cep::path("/rt/analytics/spacing"));
        check(!spacing || spacing->size() <= hb_->spacing_window(), "more spacing entries than the window");
    }

    // Runs the beats still holding impulses or retries, then checks the impulses ledger.
    void finish() {
        for (int k = 0; k < 4 && hb_->beat() <= max_beats + 8; ++k) step_op();
        if (!ledger_) return;
        for (const auto& [beat, want] : expected_) {
            auto have = list_texts(hb_->tree(), cep::path("/rt/beat") / std::to_string(beat) / "impulses");
            for (const auto& line : want) {
                const auto it = std::find(have.begin(), have.end(), line);
                check(it != have.end(), "a queued impulse is missing from its beat's impulses list",
                      "beat " + std::to_string(beat) + ": " + line);
                have.erase(it);
            }
        }
        for (const auto& [beat, signal] : shared_.inside_enqueues) {
            // Only from invocations that succeeded; "emit" and "enq" always do.
            auto have = list_texts(hb_->tree(), cep::path("/rt/beat") / std::to_string(beat) / "impulses");
            check(std::find(have.begin(), have.end(), "signal=" + signal + " target=") != have.end(),
                  "an impulse queued from inside an enzyme is missing", "beat " + std::to_string(beat) + ": " + signal);
        }
    }

    std::string_view script_;
    heartbeat* hb_ = nullptr;
    shared shared_;
    bool ledger_ = true;
    bool begun_ = false;
    bool resolved_ = false;
    bool sealed_during_beat_ = false;
    std::map<cep::beat_number, std::uint64_t> wallclock_;
    std::map<cep::beat_number, std::vector<std::string>> expected_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view script(reinterpret_cast<const char*>(data), size);
    const std::string first = runner(script).run();
    const std::string second = runner(script).run();
    check(first == second, "the same script left different ledgers");
    // CEP_FUZZ_DUMP=1 prints the /rt tree of each input (run the fuzzer on one file to look at it).
    static const bool show = std::getenv("CEP_FUZZ_DUMP") != nullptr;
    if (show) std::fputs(first.c_str(), stderr);
    return 0;
}
