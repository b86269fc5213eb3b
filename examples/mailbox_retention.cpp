// mailbox_retention: message ids, TTLs and a retention enzyme over a public board and a private inbox.
//
// Shows the mailbox helpers (cep::mailbox): ids chosen caller -> digest -> counter, a repeat reusing its id and a
// collision refused; TTLs resolved message > mailbox > topology (a wallclock-only TTL projected onto beats from
// the spacing analytics; the private inbox keeps messages forever unless a message says otherwise); expiry
// buckets; and a retention enzyme that each time it runs plans what is due, purges it (staged, visible next beat)
// and re-queues itself for the next work. The board is a transient root, so purged messages also give back their
// path ids. It prints what happens and exits 0 only if the right messages were purged at the right beats.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)                    # in your CMakeLists.txt
//   add_executable(mailbox_retention mailbox_retention.cpp)
//   target_link_libraries(mailbox_retention PRIVATE cep::cep)
#include <cep/cep.hpp>
#include <cep/mailbox.hpp>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace cep::literals;
namespace mb = cep::mailbox;

namespace {

const cep::path board = "/data/mailbox/board"_path;
const cep::path inbox = "/data/mailbox/inbox/alice"_path;
constexpr std::uint64_t t0 = 1'700'000'000'000'000'000;  // a deterministic clock: beat b at t0 + (b - 1) * 100 ms
constexpr std::uint64_t ms = 1'000'000;

std::vector<std::string> purged;  // "<beat> <mailbox leaf> <id> <partition>"

// Plans, purges, re-queues itself: the same tree always gives the same purges in the same order.
cep::status retain(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    const cep::path mailbox = impulse.target.to_path();
    const auto now = mb::moment_at(ctx.tree(), ctx.beat());
    if (!now) return cep::status::fatal;
    const auto plan = mb::plan_retention(ctx.tree(), mailbox, *now);
    if (!plan) return cep::status::fatal;
    const std::string where(mailbox.leaf());
    const auto log = [&](const mb::due_message& m, const char* partition) {
        purged.push_back(std::to_string(ctx.beat()) + " " + where + " " + m.id.substr(0, 12) + " " + partition);
    };
    for (const auto& m : plan->beat_first) log(m, "beat-first");
    for (const auto& m : plan->wallclock_first) log(m, "wallclock-first");
    const auto report = mb::purge_due(ctx, *plan);
    if (!report) return cep::status::fatal;

    // Next work: the next beat bucket; while wallclock work is pending, the next beat (a Unix time is not a beat).
    std::optional<cep::beat_number> again = plan->next_beat;
    if (plan->next_unix_ns) again = ctx.beat() + 1;
    std::printf("beat %llu: %s: %zu due, %zu message(s) purged; ", static_cast<unsigned long long>(ctx.beat()),
                where.c_str(), plan->beat_first.size() + plan->wallclock_first.size(), report->messages_removed);
    if (!again) {
        std::printf("nothing left to do\n");
        return cep::status::success;
    }
    std::printf("re-queued for beat %llu\n", static_cast<unsigned long long>(*again));
    return ctx.emit_at(*again, impulse.signal.to_path(), mailbox) ? cep::status::success : cep::status::fatal;
}
using retention = cep::enzyme<"mailbox_retention", "/signals/mailbox/retain", &retain>;

mb::envelope envelope_of(std::string_view body, bool sealed) {
    mb::envelope env;
    env.set("body", body).value();
    if (sealed) env.seal();
    return env;
}

}  // namespace

int main() {
    cep::heartbeat<cep::enzyme_registry<retention>> hb;
    hb.register_all();
    hb.bind<retention>("/data/mailbox"_path, cep::propagate);
    // A board's messages come and go: below a transient root, the path ids of purged messages are released for new
    // paths instead of kept for good (docs/mailbox.md, Retention).
    hb.make_transient_root(board).value();
    for (cep::beat_number b = 1; b <= 8; ++b) hb.publish_wallclock(b, t0 + (b - 1) * 100 * ms).value();

    const mb::topology_policy topology;  // boards: nothing; private inboxes: forever
    const auto issued = mb::moment_at(hb.tree(), 1).value();
    bool ok = true;

    // Posts a message, resolves its TTL and files its expiry; returns the id.
    auto post = [&](const cep::path& mailbox, mb::mailbox_kind kind, const mb::envelope& env, std::string_view caller,
                    mb::ttl_spec message_ttl, mb::ttl_spec mailbox_ttl) -> std::string {
        const auto id = mb::post_message(hb.tree(), mailbox, env, caller).value();
        const auto ttl =
            mb::resolve_ttl(hb.tree(),
                            {.message = message_ttl, .mailbox = mailbox_ttl, .topology = topology.defaults_for(kind)},
                            issued)
                .value();
        mb::record_expiry(hb.tree(), mailbox, id.id, ttl).value();
        std::printf("posted %s/%s (id from %s%s): ", std::string(mailbox.leaf()).c_str(), id.id.substr(0, 12).c_str(),
                    std::string(mb::to_string(id.source)).c_str(), id.reused ? ", a repeat" : "");
        if (ttl.forever()) {
            std::printf("kept forever (%s)\n", std::string(mb::to_string(ttl.forever_from)).c_str());
        } else {
            std::printf("due at beat %llu", static_cast<unsigned long long>(ttl.beat_deadline.value_or(0)));
            if (ttl.projection == mb::beat_projection::projected) std::printf(" (projected)");
            if (ttl.unix_deadline_ns)
                std::printf(" or at t0+%llu ms", static_cast<unsigned long long>((*ttl.unix_deadline_ns - t0) / ms));
            std::printf("\n");
        }
        return id.id;
    };

    const auto board_ttl = mb::ttl_spec::for_beats(3);
    post(board, mb::mailbox_kind::public_board, envelope_of("welcome", true), "welcome", {}, board_ttl);
    const auto status = post(board, mb::mailbox_kind::public_board, envelope_of("status: green", true), {},
                             mb::ttl_spec::for_beats(1), board_ttl);
    const auto repeat = post(board, mb::mailbox_kind::public_board, envelope_of("status: green", true), {},
                             mb::ttl_spec::for_beats(1), board_ttl);
    ok = ok && repeat == status;
    post(board, mb::mailbox_kind::public_board, envelope_of("ping", false), {}, {.wallclock_ns = 450 * ms}, {});
    post(board, mb::mailbox_kind::public_board, envelope_of("flash sale", true), "flash",
         {.beats = 6, .wallclock_ns = 250 * ms}, board_ttl);
    post(inbox, mb::mailbox_kind::private_inbox, envelope_of("see you", true), "note", {}, {});
    post(inbox, mb::mailbox_kind::private_inbox, envelope_of("code 123456", true), "otp", mb::ttl_spec::for_beats(2),
         {});

    auto clash = mb::post_message(hb.tree(), board, envelope_of("an impostor", true), "welcome");
    std::printf("refused: %s\n", clash ? "(accepted!)" : clash.error().message.c_str());
    ok = ok && !clash && clash.error().code == cep::errc::mailbox_id_collision;

    hb.enqueue("/signals/mailbox/retain"_path, board).value();
    hb.enqueue("/signals/mailbox/retain"_path, inbox).value();
    while (hb.beat() <= 8) ok = hb.step() && ok;

    for (const auto& line : purged) std::printf("purged: %s\n", line.c_str());
    const std::vector<std::string> expected = {
        "2 board " + status.substr(0, 12) + " beat-first",
        "3 alice otp beat-first",
        "4 board welcome beat-first",
        "4 board flash wallclock-first",
        "6 board 1 beat-first",
    };
    const bool board_empty = hb.tree().find("/data/mailbox/board/msgs"_path)->size() == 0;
    const bool note_kept = hb.tree().contains("/data/mailbox/inbox/alice/msgs/note"_path) &&
                           !hb.tree().contains("/data/mailbox/inbox/alice/msgs/otp"_path);
    ok = ok && purged == expected && board_empty && note_kept && hb.pending(9) == 0;
    // The heartbeat releases by itself once thousands are waiting; a program can also ask between beats.
    const std::size_t released = hb.release_unused_paths();
    std::printf("path ids released from the board: %zu\n", released);
    ok = ok && released != 0 && !hb.tree().paths().find(board / "msgs" / "welcome").has_value();
    std::printf("%s\n", ok ? "ok" : "UNEXPECTED OUTCOME");
    return ok ? 0 : 1;
}
