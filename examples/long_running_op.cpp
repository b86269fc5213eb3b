// long_running_op: an upload as an OPS/STATES operation, driven by enzymes over seven beats.
//
// Shows cep::ops: an enzyme starts a stateful operation (staged, so its oid is content-derived) and registers two
// watchers; the upload moves ist:run -> ist:sending -> ist:sent -> ist:verifying, one state per beat, each history
// entry with its beat and Unix time; the watcher for ist:sent fires its continuation exactly once, the beat after
// the state came; the watcher for ist:ok has a deadline of 3 beats that passes first, so it sends op/tmo (with a CEI
// warning) instead; the verification closes the operation with sts:ok, which seals its close record. cep::ops::attach
// runs the commit pass that fires watchers. It prints what happens beat by beat and exits 0 only if all of that
// happened, at the right beats, exactly once.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)                    # in your CMakeLists.txt
//   add_executable(long_running_op long_running_op.cpp)
//   target_link_libraries(long_running_op PRIVATE cep::cep)
#include <cep/cep.hpp>
#include <cep/ops.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using namespace cep::literals;
namespace ops = cep::ops;

namespace {

std::vector<std::string> events;  // "<beat> <what>", checked at the end

void say(cep::beat_number beat, const std::string& what) {
    std::printf("  beat %llu: %s\n", static_cast<unsigned long long>(beat), what.c_str());
    events.push_back(std::to_string(beat) + " " + what);
}

// /signals/upload/begin on the file: starts the operation, registers its watchers, sends the first chunk.
cep::status begin_upload(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    ops::session s(ctx);
    const auto oid = ops::op_start(s, "upload", impulse.target.to_path(), ops::modes::stateful, "report bytes");
    if (!oid) return cep::status::fatal;
    const cep::path dossier = ops::dossier_path(*oid).value();
    // When the bytes are sent, continue with /signals/upload/sent (no deadline).
    if (!ops::op_await(s, *oid, "ist:sent", 0, "/signals/upload/sent"_path)) return cep::status::fatal;
    // Expect it published (closed ok) within 3 beats; otherwise op/tmo.
    if (!ops::op_await(s, *oid, ops::states::ok, 3, "/signals/upload/published"_path)) return cep::status::fatal;
    say(ctx.beat(), "started " + *oid + " for " + impulse.target.str() + ", two watchers");
    return ctx.emit("/signals/upload/chunk"_path, dossier) ? cep::status::success : cep::status::fatal;
}

// /signals/upload/chunk on the dossier: two chunks, one per beat.
cep::status send_chunk(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    ops::session s(ctx);
    const std::string oid(impulse.target.leaf());
    const auto state = ctx.find(impulse.target.to_path() / "state");  // as committed by the previous beat
    if (!state) return cep::status::fatal;
    if (state->text() == "ist:run") {
        if (!ops::op_state_set(s, oid, "ist:sending", 1, "chunk 1 of 2")) return cep::status::fatal;
        say(ctx.beat(), "chunk 1 of 2 -> ist:sending");
        // To the impulse's own target, by path_ref: its text is neither built nor hashed again.
        return ctx.emit("/signals/upload/chunk"_path, impulse.target) ? cep::status::success : cep::status::fatal;
    }
    if (!ops::op_state_set(s, oid, "ist:sent", 2, "chunk 2 of 2")) return cep::status::fatal;
    say(ctx.beat(), "chunk 2 of 2 -> ist:sent");
    return cep::status::success;
}

// /signals/upload/sent: the continuation. Verification takes two beats.
cep::status on_sent(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    ops::session s(ctx);
    const std::string oid(impulse.target.leaf());
    if (!ops::op_state_set(s, oid, "ist:verifying")) return cep::status::fatal;
    say(ctx.beat(), "continuation: sent; verifying until beat " + std::to_string(ctx.beat() + 2));
    return ctx.emit_at(ctx.beat() + 2, "/signals/upload/verify"_path, impulse.target) ? cep::status::success
                                                                                     : cep::status::fatal;
}

cep::status verify(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    ops::session s(ctx);
    const auto closed = ops::op_close(s, impulse.target.leaf(), ops::statuses::ok, "checksum ok");
    if (!closed) return cep::status::fatal;
    say(ctx.beat(), "verified: closing with sts:ok");
    return cep::status::success;
}

cep::status on_published(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    say(ctx.beat(), "continuation: published " + impulse.target.str());
    return cep::status::success;
}

cep::status on_timeout(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    say(ctx.beat(), "op/tmo for " + impulse.target.str() + ": not published in time (the upload goes on)");
    return cep::status::success;
}

using begin_e = cep::enzyme<"begin_upload", "/signals/upload/begin", &begin_upload>;
using chunk_e = cep::enzyme<"send_chunk", "/signals/upload/chunk", &send_chunk>;
using sent_e = cep::enzyme<"on_sent", "/signals/upload/sent", &on_sent>;
using verify_e = cep::enzyme<"verify", "/signals/upload/verify", &verify>;
using published_e = cep::enzyme<"on_published", "/signals/upload/published", &on_published>;
using timeout_e = cep::enzyme<"on_timeout", "/op/tmo", &on_timeout>;
using registry = cep::enzyme_registry<begin_e, chunk_e, sent_e, verify_e, published_e, timeout_e>;

}  // namespace

int main() {
    cep::heartbeat<registry> hb;
    hb.register_all();
    hb.bind<begin_e>("/data/uploads"_path, cep::propagate);
    for (const char* name : {"send_chunk", "on_sent", "verify", "on_published", "on_timeout"})
        hb.bind("/rt/ops"_path, name, cep::propagate).value();  // continuations and timeouts target the dossier
    (void)ops::attach(hb);
    hb.listeners().on("cei", [](const cep::event& e) { say(e.beat, "CEI " + std::string(e.text)); });

    constexpr std::uint64_t t0 = 1'700'000'000'000'000'000;  // a deterministic clock: 1 s per beat
    for (cep::beat_number b = 1; b <= 7; ++b) hb.publish_wallclock(b, t0 + (b - 1) * 1'000'000'000).value();
    hb.enqueue("/signals/upload/begin"_path, "/data/uploads/report.pdf"_path).value();

    std::string oid;
    for (int i = 0; i < 7; ++i) {
        const cep::beat_number beat = hb.beat();
        std::printf("beat %llu\n", static_cast<unsigned long long>(beat));
        hb.step();
        if (oid.empty())
            if (const auto all = hb.tree().find("/rt/ops"_path); all && all->size() == 1)
                oid = std::string((*all->children().begin()).name());
        if (!oid.empty()) {
            ops::session s(hb.tree(), hb.beat());
            std::printf("  after commit: %s\n", ops::op_get(s, oid).value().c_str());
        }
    }

    std::printf("history of %s:\n", oid.c_str());
    std::vector<std::string> history;
    for (auto entry : hb.tree().find(ops::dossier_path(oid).value() / "history")->children()) {
        std::printf("  %s %s\n", std::string(entry.name()).c_str(), std::string(entry.text()).c_str());
        history.emplace_back(entry.text());
    }

    const std::string dossier = "/rt/ops/" + oid;
    // The watcher's id is derived from its content (OPW:1-<12 hex digits>): match the CEI line around it.
    const std::string tmo_head = "4 CEI warn ops: operation " + oid + " did not reach ist:ok by beat 4: watcher OPW:1-";
    const std::string tmo_tail = " sends /op/tmo instead of /signals/upload/published";
    const bool tmo_line = events.size() == 7 && events[4].starts_with(tmo_head) && events[4].ends_with(tmo_tail);
    if (tmo_line) events[4] = "(timeout warning)";
    const std::vector<std::string> expected_events = {
        "1 started " + oid + " for /data/uploads/report.pdf, two watchers",
        "2 chunk 1 of 2 -> ist:sending",
        "3 chunk 2 of 2 -> ist:sent",
        "4 continuation: sent; verifying until beat 6",
        "(timeout warning)",
        "5 op/tmo for " + dossier + ": not published in time (the upload goes on)",
        "6 verified: closing with sts:ok",
    };
    const std::vector<std::string> expected_history = {
        "state=ist:run beat=1 unix_ts_ns=1700000000000000000",
        "state=ist:sending beat=2 unix_ts_ns=1700000001000000000",
        "state=ist:sent beat=3 unix_ts_ns=1700000002000000000",
        "state=ist:verifying beat=4 unix_ts_ns=1700000003000000000",
        "state=ist:ok beat=6 unix_ts_ns=1700000005000000000",
    };
    ops::session s(hb.tree(), hb.beat());
    const bool ok = tmo_line && oid.starts_with("OPS:1-") && events == expected_events && history == expected_history &&
                    ops::op_get(s, oid).value() == "oid=" + oid + " state=ist:ok status=sts:ok watchers=0" &&
                    hb.tree().find(cep::path(dossier) / "close")->sealed() &&
                    hb.tree().find(cep::path(dossier) / "envelope")->sealed();
    std::printf("%s\n", ok ? "outcome: as expected" : "outcome: WRONG");
    return ok ? 0 : 1;
}
