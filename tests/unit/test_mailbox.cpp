// The mailbox helpers: message ids (caller -> digest -> counter, collisions), TTL resolution (message > mailbox >
// topology, beat and wallclock deadlines, forever, projection from spacing analytics), expiry buckets (topology,
// idempotency), retention plans (partitions, hints, purity) and purges, for public boards and private inboxes,
// between beats and inside enzymes.
#include <cep/dispatch.hpp>
#include <cep/mailbox.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace cep::literals;
namespace mb = cep::mailbox;

namespace {

const cep::path board = "/data/mailbox/board"_path;
const cep::path inbox = "/data/mailbox/inbox/alice"_path;

mb::envelope make_envelope(std::string_view body, bool sealed = true) {
    mb::envelope env;
    env.set("body", body).value();
    env.set("from", "bob").value();
    if (sealed) env.seal();
    return env;
}

// Every cell below `top` as "path[=value]", in pre-order: a snapshot to compare trees.
std::vector<std::string> dump(const cep::cell_tree& tree, const cep::path& top) {
    std::vector<std::string> out;
    const auto cell = tree.find(top);
    if (!cell) return out;
    for (auto c : tree.subtree(*cell))
        out.push_back(c.path().str() + (c.has_value() ? "=" + std::string(c.text()) : ""));
    return out;
}

std::vector<std::string> ids(const std::vector<mb::due_message>& due) {
    std::vector<std::string> out;
    for (const auto& m : due) out.push_back(m.id);
    return out;
}

// Posts a message and files its expiry, the way a producer does between beats.
std::string post_with_ttl(cep::cell_tree& tree, const cep::path& mailbox, std::string_view caller_id,
                          const mb::resolved_ttl& ttl) {
    const auto id = mb::post_message(tree, mailbox, make_envelope(caller_id, false), caller_id).value();
    mb::record_expiry(tree, mailbox, id.id, ttl).value();
    return id.id;
}

// A heartbeat used only for its wallclock and spacing analytics.
cep::status idle(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
using clock_only = cep::enzyme_registry<cep::enzyme<"idle", "/signals/idle", &idle>>;

mb::resolved_ttl deadlines(std::optional<cep::beat_number> beat, std::optional<std::uint64_t> unix_ns) {
    mb::resolved_ttl ttl;
    ttl.outcome = mb::ttl_outcome::expires;
    ttl.beat_deadline = beat;
    ttl.unix_deadline_ns = unix_ns;
    return ttl;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Message ids

TEST_CASE("a caller id wins and post_message stores the envelope sealed under msgs/<id>/envelope") {
    cep::cell_tree tree;
    const auto id = mb::post_message(tree, board, make_envelope("hello"), "msg-alpha").value();
    CHECK(id.id == "msg-alpha");
    CHECK(id.source == mb::id_source::caller);
    CHECK_FALSE(id.reused);
    CHECK(id.digest == make_envelope("hello").digest());
    const auto stored = tree.find("/data/mailbox/board/msgs/msg-alpha/envelope"_path);
    REQUIRE(stored);
    CHECK(stored->sealed());
    CHECK(tree.find("/data/mailbox/board/msgs/msg-alpha/envelope/body"_path)->text() == "hello");
    CHECK(tree.find("/data/mailbox/board/msgs/msg-alpha/envelope/from"_path)->text() == "bob");
    CHECK_FALSE(tree.contains("/data/mailbox/board/meta/runtime/next_msg_id"_path));  // no counter involved
}

TEST_CASE("the same sealed envelope under the same caller id reuses the id and writes nothing") {
    cep::cell_tree tree;
    mb::post_message(tree, board, make_envelope("hello"), "msg-alpha").value();
    const auto before = dump(tree, "/"_path);
    const auto again = mb::post_message(tree, board, make_envelope("hello"), "msg-alpha").value();
    CHECK(again.reused);
    CHECK(again.source == mb::id_source::caller);
    CHECK(dump(tree, "/"_path) == before);
    // select alone says the same.
    CHECK(mb::select_message_id(tree, board, make_envelope("hello"), "msg-alpha").value().reused);
}

TEST_CASE("a caller id whose sealed envelope hashes differently is a collision: an error, nothing overwritten") {
    cep::cell_tree tree;
    const auto first = make_envelope("hello");
    const auto other = make_envelope("goodbye");
    mb::post_message(tree, board, first, "msg-alpha").value();
    const auto before = dump(tree, "/"_path);
    auto clash = mb::post_message(tree, board, other, "msg-alpha");
    REQUIRE_FALSE(clash);
    CHECK(clash.error().code == cep::errc::mailbox_id_collision);
    CHECK(clash.error().message ==
          "message id collision in mailbox \"/data/mailbox/board\": \"msg-alpha\" holds a "
          "different envelope (stored sha256 " +
              first.digest() + ", new " + other.digest() + ")");
    CHECK(dump(tree, "/"_path) == before);
    CHECK(tree.find("/data/mailbox/board/msgs/msg-alpha/envelope/body"_path)->text() == "hello");
}

TEST_CASE("a taken caller id cannot be checked without a sealed envelope, or against a message without one") {
    cep::cell_tree tree;
    mb::post_message(tree, board, make_envelope("hello"), "msg-alpha").value();
    auto unsealed = mb::select_message_id(tree, board, make_envelope("hello", false), "msg-alpha");
    REQUIRE_FALSE(unsealed);
    CHECK(unsealed.error().code == cep::errc::mailbox_id_collision);
    CHECK(unsealed.error().message ==
          "message id \"msg-alpha\" is taken in mailbox \"/data/mailbox/board\" and the envelope is not sealed, so a "
          "repeat cannot be told from a collision (seal the envelope)");

    tree.put_text("/data/mailbox/board/msgs/hand-made/note"_path, "not an envelope").value();
    auto bare = mb::select_message_id(tree, board, make_envelope("hello"), "hand-made");
    REQUIRE_FALSE(bare);
    CHECK(bare.error().message ==
          "message id collision in mailbox \"/data/mailbox/board\": \"hand-made\" holds a message without a sealed "
          "envelope");

    // An envelope written by hand, unsealed, is not trusted either.
    tree.put_text("/data/mailbox/board/msgs/loose/envelope/body"_path, "hello").value();
    CHECK_FALSE(mb::select_message_id(tree, board, make_envelope("hello"), "loose"));
    // Sealed but with a non-text field: never a repeat.
    tree.put_text("/data/mailbox/board/msgs/nested/envelope/body"_path, "hello").value();
    tree.put_text("/data/mailbox/board/msgs/nested/envelope/from/deep"_path, "bob").value();
    tree.seal("/data/mailbox/board/msgs/nested/envelope"_path).value();
    CHECK_FALSE(mb::select_message_id(tree, board, make_envelope("hello"), "nested"));
}

TEST_CASE("without a caller id a sealed envelope is named by its digest, and posting it twice reuses the id") {
    cep::cell_tree tree;
    const auto env = make_envelope("hello");
    const auto first = mb::post_message(tree, board, env).value();
    CHECK(first.source == mb::id_source::digest);
    CHECK(first.id == env.digest());
    CHECK(first.id.size() == 64);
    CHECK_FALSE(first.reused);
    const auto second = mb::post_message(tree, board, make_envelope("hello")).value();
    CHECK(second.id == first.id);
    CHECK(second.reused);
    CHECK(tree.find("/data/mailbox/board/msgs"_path)->size() == 1);

    // A caller id that squats on a digest name with other content is a collision for the digest path.
    const auto other = make_envelope("other");
    mb::post_message(tree, board, make_envelope("squatter"), other.digest()).value();
    auto clash = mb::select_message_id(tree, board, other);
    REQUIRE_FALSE(clash);
    CHECK(clash.error().code == cep::errc::mailbox_id_collision);
}

TEST_CASE("the envelope digest is canonical: field order does not matter, content does") {
    mb::envelope a;
    a.set("from", "bob").value();
    a.set("body", "hello").value();
    const auto b = make_envelope("hello", false);
    CHECK(a.digest() == b.digest());
    CHECK(a.digest() != make_envelope("hello!").digest());
    // "4:body=5:hello\n" per field after a header: field boundaries cannot be forged by moving text around.
    mb::envelope c;
    c.set("body", "hello\n4:from=3:bob").value();
    CHECK(c.digest() != a.digest());
    // SHA-256 of "cep-envelope-1\n4:body=5:hello\n".
    mb::envelope d;
    d.set("body", "hello").value();
    CHECK(d.digest() == "88dbeae641c42b26e2a3d8194c4168b746a608a9f22b7ed27b61493936e6b53b");
}

TEST_CASE("envelope fields are path segments and a sealed envelope refuses changes") {
    mb::envelope env;
    auto bad = env.set("a b", "x");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == cep::errc::path_space);
    CHECK(bad.error().message ==
          "invalid envelope field name: invalid path \"/a b\" at offset 2: space is not allowed");
    env.set("body", "x").value();
    env.seal();
    auto late = env.set("body", "y");
    REQUIRE_FALSE(late);
    CHECK(late.error().code == cep::errc::cell_sealed);
    CHECK(late.error().message == "cannot set envelope field \"body\": the envelope is sealed");
    CHECK(env.fields().at("body") == "x");
}

TEST_CASE("without a caller id or a sealed envelope the counter numbers messages and skips taken numbers") {
    cep::cell_tree tree;
    const auto one = mb::post_message(tree, board, make_envelope("same", false)).value();
    const auto two = mb::post_message(tree, board, make_envelope("same", false)).value();  // not deduplicated
    CHECK(one.id == "1");
    CHECK(two.id == "2");
    CHECK(one.source == mb::id_source::counter);
    CHECK(one.digest.empty());
    CHECK(tree.find("/data/mailbox/board/meta/runtime/next_msg_id"_path)->text() == "3");
    mb::post_message(tree, board, make_envelope("squat"), "3").value();
    mb::post_message(tree, board, make_envelope("squat too"), "4").value();
    const auto five = mb::post_message(tree, board, make_envelope("x", false)).value();
    CHECK(five.id == "5");
    CHECK(five.skipped == 2);
    CHECK(tree.find("/data/mailbox/board/meta/runtime/next_msg_id"_path)->text() == "6");
    // Each mailbox has its own counter.
    CHECK(mb::post_message(tree, inbox, make_envelope("x", false)).value().id == "1");
}

TEST_CASE("a corrupt counter and a bad caller id are errors") {
    cep::cell_tree tree;
    tree.put_text("/data/mailbox/board/meta/runtime/next_msg_id"_path, "lots").value();
    auto corrupt = mb::select_message_id(tree, board, make_envelope("x", false));
    REQUIRE_FALSE(corrupt);
    CHECK(corrupt.error().code == cep::errc::mailbox_bad_record);
    CHECK(corrupt.error().message ==
          "message counter \"/data/mailbox/board/meta/runtime/next_msg_id\" holds \"lots\", not a number from 1");
    tree.put_text("/data/mailbox/board/meta/runtime/next_msg_id"_path, "0").value();
    CHECK_FALSE(mb::select_message_id(tree, board, make_envelope("x", false)));

    auto bad = mb::select_message_id(tree, board, make_envelope("x"), "a/b");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == cep::errc::path_empty_segment);
    CHECK(bad.error().message.starts_with("invalid message id: invalid path \"/data/mailbox/board/msgs/a/b\""));
    auto dots = mb::select_message_id(tree, board, make_envelope("x"), "..");
    REQUIRE_FALSE(dots);
    CHECK(dots.error().code == cep::errc::path_dot_segment);
}

TEST_CASE("the counter refuses to wrap around") {
    cep::cell_tree tree;
    tree.put_text("/data/mailbox/board/meta/runtime/next_msg_id"_path,
                  std::to_string(std::numeric_limits<std::uint64_t>::max()))
        .value();
    auto exhausted = mb::select_message_id(tree, board, make_envelope("x", false));
    REQUIRE_FALSE(exhausted);
    CHECK(exhausted.error().code == cep::errc::mailbox_bad_record);
    CHECK(exhausted.error().message == "the message counter of mailbox \"/data/mailbox/board\" is exhausted");
}

// ---------------------------------------------------------------------------------------------------------------
// TTL resolution

TEST_CASE("public board: each duration comes from the highest scope that sets it, both deadlines computed") {
    cep::cell_tree tree;
    const mb::topology_policy topology;
    const auto ttl = mb::resolve_ttl(tree,
                                     {.message = mb::ttl_spec::for_beats(3),
                                      .mailbox = {.beats = 10, .wallclock_ns = 5'000},
                                      .topology = topology.defaults_for(mb::mailbox_kind::public_board)},
                                     {.beat = 4, .unix_ns = 1'000'000})
                         .value();
    CHECK(ttl.outcome == mb::ttl_outcome::expires);
    CHECK(ttl.beats == 3u);
    CHECK(ttl.beats_from == mb::ttl_scope::message);
    CHECK(ttl.wallclock_ns == 5'000u);
    CHECK(ttl.wallclock_from == mb::ttl_scope::mailbox);
    CHECK(ttl.forever_from == mb::ttl_scope::none);
    CHECK(ttl.beat_deadline == 7u);
    CHECK(ttl.unix_deadline_ns == 1'005'000u);
    CHECK(ttl.projection == mb::beat_projection::not_needed);
    CHECK(ttl.issued == mb::moment{4, 1'000'000});

    // The topology fills what nobody above set.
    const auto from_topology =
        mb::resolve_ttl(tree, {.message = {}, .mailbox = {}, .topology = mb::ttl_spec::for_beats(8)}, {.beat = 1})
            .value();
    CHECK(from_topology.beats_from == mb::ttl_scope::topology);
    CHECK(from_topology.beat_deadline == 9u);
    CHECK_FALSE(from_topology.unix_deadline_ns);
}

TEST_CASE("private inbox: forever by default, a message TTL still wins, a forever scope hides the scopes below") {
    cep::cell_tree tree;
    const mb::topology_policy topology;
    const auto& inbox_defaults = topology.defaults_for(mb::mailbox_kind::private_inbox);
    CHECK(inbox_defaults.mode == mb::ttl_mode::forever);

    const auto kept = mb::resolve_ttl(tree, {.topology = inbox_defaults}, {.beat = 2}).value();
    CHECK(kept.forever());
    CHECK(kept.forever_from == mb::ttl_scope::topology);
    CHECK_FALSE(kept.beat_deadline);
    CHECK_FALSE(kept.unix_deadline_ns);

    const auto overridden =
        mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_beats(2), .topology = inbox_defaults}, {.beat = 2}).value();
    CHECK(overridden.outcome == mb::ttl_outcome::expires);
    CHECK(overridden.beat_deadline == 4u);
    CHECK(overridden.beats_from == mb::ttl_scope::message);
    CHECK(overridden.forever_from == mb::ttl_scope::topology);

    // A forever mailbox: the topology's duration is not consulted.
    const auto mailbox_forever =
        mb::resolve_ttl(tree, {.mailbox = mb::ttl_spec::keep_forever(), .topology = mb::ttl_spec::for_wallclock(1'000)},
                        {.beat = 2})  // no unix time needed: nothing wallclock applies
            .value();
    CHECK(mailbox_forever.forever());
    CHECK(mailbox_forever.forever_from == mb::ttl_scope::mailbox);
    CHECK(mailbox_forever.wallclock_from == mb::ttl_scope::none);

    // A message-level forever beats a mailbox TTL.
    const auto message_forever =
        mb::resolve_ttl(tree, {.message = mb::ttl_spec::keep_forever(), .mailbox = mb::ttl_spec::for_beats(1)},
                        {.beat = 2})
            .value();
    CHECK(message_forever.forever());
    CHECK(message_forever.forever_from == mb::ttl_scope::message);

    // Nobody says anything: nothing comes due.
    const auto silent = mb::resolve_ttl(tree, {}, {.beat = 2}).value();
    CHECK(silent.forever());
    CHECK(silent.forever_from == mb::ttl_scope::none);
}

TEST_CASE("a wallclock-only TTL gets a beat deadline projected from the spacing analytics") {
    cep::heartbeat<clock_only> hb;
    hb.publish_wallclock(1, 1'000'000'000).value();
    hb.publish_wallclock(2, 1'100'000'000).value();  // +100 ms
    hb.publish_wallclock(3, 1'400'000'000).value();  // +300 ms: average 200 ms
    const auto issued = mb::moment_at(hb.tree(), 3).value();
    CHECK(issued == mb::moment{3, 1'400'000'000});
    CHECK(mb::average_beat_interval(hb.tree()).value() == 200'000'000u);

    const auto ttl = mb::resolve_ttl(hb.tree(), {.mailbox = mb::ttl_spec::for_wallclock(500'000'000)}, issued).value();
    CHECK(ttl.unix_deadline_ns == 1'900'000'000u);
    CHECK(ttl.projection == mb::beat_projection::projected);
    CHECK(ttl.average_interval_ns == 200'000'000u);
    CHECK(ttl.beat_deadline == 6u);  // 3 + ceil(500 / 200)
    CHECK_FALSE(ttl.beats);          // projected, not set

    const auto exact =
        mb::resolve_ttl(hb.tree(), {.message = mb::ttl_spec::for_wallclock(400'000'000)}, issued).value();
    CHECK(exact.beat_deadline == 5u);  // 3 + 400 / 200, no rounding up

    // The switch for debugging: no projection, the wallclock deadline alone.
    const auto off = mb::resolve_ttl(hb.tree(), {.mailbox = mb::ttl_spec::for_wallclock(500'000'000)}, issued,
                                     {.project_wallclock = false})
                         .value();
    CHECK(off.projection == mb::beat_projection::disabled);
    CHECK_FALSE(off.beat_deadline);
    CHECK(off.unix_deadline_ns == 1'900'000'000u);

    // A beat TTL anywhere means no projection.
    const auto both =
        mb::resolve_ttl(hb.tree(),
                        {.message = mb::ttl_spec::for_wallclock(500'000'000), .topology = mb::ttl_spec::for_beats(1)},
                        issued)
            .value();
    CHECK(both.projection == mb::beat_projection::not_needed);
    CHECK(both.beat_deadline == 4u);
}

TEST_CASE("without spacing data a wallclock-only TTL has no projected beat, and says why") {
    cep::cell_tree tree;
    const auto ttl =
        mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_wallclock(10)}, {.beat = 1, .unix_ns = 5}).value();
    CHECK(ttl.projection == mb::beat_projection::no_spacing_data);
    CHECK_FALSE(ttl.beat_deadline);
    CHECK(ttl.unix_deadline_ns == 15u);
    // An average of 0 ns (a clock that went backwards) cannot project either.
    tree.put_text("/rt/analytics/spacing/2/interval_ns"_path, "0").value();
    CHECK(mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_wallclock(10)}, {.beat = 1, .unix_ns = 5})
              .value()
              .projection == mb::beat_projection::no_spacing_data);
}

TEST_CASE("the average beat interval does not overflow and rejects corrupt analytics") {
    cep::cell_tree tree;
    const auto big = std::numeric_limits<std::uint64_t>::max() - 1;
    tree.put_text("/rt/analytics/spacing/2/interval_ns"_path, std::to_string(big)).value();
    tree.put_text("/rt/analytics/spacing/3/interval_ns"_path, std::to_string(big)).value();
    tree.put_text("/rt/analytics/spacing/4/other"_path, "ignored").value();  // no interval_ns: not a sample
    CHECK(mb::average_beat_interval(tree).value() == big);
    tree.put_text("/rt/analytics/spacing/5/interval_ns"_path, "fast").value();
    auto corrupt = mb::average_beat_interval(tree);
    REQUIRE_FALSE(corrupt);
    CHECK(corrupt.error().code == cep::errc::mailbox_bad_record);
    CHECK(corrupt.error().message ==
          "spacing analytics \"/rt/analytics/spacing/5/interval_ns\" holds \"fast\", not a count of nanoseconds");
    // resolve_ttl reports it when it needs a projection.
    auto needed = mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_wallclock(10)}, {.beat = 1, .unix_ns = 5});
    REQUIRE_FALSE(needed);
    CHECK(needed.error() == corrupt.error());
    // ... and not when it does not.
    CHECK(mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_beats(1)}, {.beat = 1}));
}

TEST_CASE("TTL errors: forever with a duration, no issue time for a wallclock TTL, deadlines past 2^64 - 1") {
    cep::cell_tree tree;
    auto contradictory = mb::resolve_ttl(
        tree, {.mailbox = {.mode = mb::ttl_mode::forever, .beats = 3}, .topology = mb::ttl_spec::for_beats(1)},
        {.beat = 1});
    REQUIRE_FALSE(contradictory);
    CHECK(contradictory.error().code == cep::errc::mailbox_invalid_ttl);
    CHECK(contradictory.error().message ==
          "the mailbox TTL is forever and also sets a duration; a scope either keeps messages forever or gives "
          "durations");
    // Checked in every scope, even one the resolution would not reach.
    auto low = mb::resolve_ttl(
        tree, {.message = mb::ttl_spec::keep_forever(), .topology = {.mode = mb::ttl_mode::forever, .wallclock_ns = 1}},
        {.beat = 1});
    REQUIRE_FALSE(low);
    CHECK(low.error().message.starts_with("the topology TTL is forever"));

    auto no_origin = mb::resolve_ttl(tree, {.mailbox = mb::ttl_spec::for_wallclock(500)}, {.beat = 7});
    REQUIRE_FALSE(no_origin);
    CHECK(no_origin.error().code == cep::errc::mailbox_missing_origin);
    CHECK(no_origin.error().message ==
          "cannot resolve the wallclock TTL of 500 ns (from the mailbox): the Unix time of issue beat 7 is unknown "
          "(publish the beat's wallclock first)");

    const auto max = std::numeric_limits<std::uint64_t>::max();
    auto beat_overflow = mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_beats(2)}, {.beat = max - 1});
    REQUIRE_FALSE(beat_overflow);
    CHECK(beat_overflow.error().message ==
          "a TTL of 2 beats from beat 18446744073709551614 overflows the beat counter");
    CHECK(mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_beats(1)}, {.beat = max - 1}).value().beat_deadline ==
          max);

    auto unix_overflow =
        mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_wallclock(10)}, {.beat = 1, .unix_ns = max - 5});
    REQUIRE_FALSE(unix_overflow);
    CHECK(unix_overflow.error().message ==
          "a wallclock TTL of 10 ns from Unix time 18446744073709551610 ns overflows a 64-bit nanosecond count");

    tree.put_text("/rt/analytics/spacing/2/interval_ns"_path, "1").value();
    auto projected_overflow =
        mb::resolve_ttl(tree, {.message = mb::ttl_spec::for_wallclock(10)}, {.beat = max - 3, .unix_ns = 0});
    REQUIRE_FALSE(projected_overflow);
    CHECK(projected_overflow.error().message ==
          "a projected TTL of 10 beats from beat 18446744073709551612 overflows the beat counter");
}

TEST_CASE("moment_at reads a beat's published wallclock, and nothing is guessed when there is none") {
    cep::heartbeat<clock_only> hb;
    hb.publish_wallclock(2, 42).value();
    CHECK(mb::moment_at(hb.tree(), 2).value() == mb::moment{2, 42});
    CHECK(mb::moment_at(hb.tree(), 3).value() == mb::moment{3, std::nullopt});
    hb.tree().put_text("/rt/beat/4/meta/unix_ts_ns"_path, "soon").value();
    auto corrupt = mb::moment_at(hb.tree(), 4);
    REQUIRE_FALSE(corrupt);
    CHECK(corrupt.error().code == cep::errc::mailbox_bad_record);
    CHECK(corrupt.error().message ==
          "wallclock \"/rt/beat/4/meta/unix_ts_ns\" holds \"soon\", not a count of nanoseconds");
}

// ---------------------------------------------------------------------------------------------------------------
// Expiry buckets

TEST_CASE("record_expiry files a message under meta/runtime/expiries/<beat> and exp_wall/<unix_ns>") {
    cep::cell_tree tree;
    const auto id = mb::post_message(tree, board, make_envelope("hello"), "m1").value();
    const auto ttl =
        mb::resolve_ttl(tree, {.message = {.beats = 5, .wallclock_ns = 300}}, {.beat = 2, .unix_ns = 1'000}).value();
    const auto record = mb::record_expiry(tree, board, id.id, ttl).value();
    CHECK(record.beat_entry == "/data/mailbox/board/meta/runtime/expiries/7/m1"_path);
    CHECK(record.wallclock_entry == "/data/mailbox/board/meta/runtime/exp_wall/1300/m1"_path);
    CHECK(dump(tree, "/data/mailbox/board/meta"_path) ==
          std::vector<std::string>{
              "/data/mailbox/board/meta", "/data/mailbox/board/meta/runtime",
              "/data/mailbox/board/meta/runtime/exp_wall", "/data/mailbox/board/meta/runtime/exp_wall/1300",
              "/data/mailbox/board/meta/runtime/exp_wall/1300/m1=/data/mailbox/board/msgs/m1",
              "/data/mailbox/board/meta/runtime/expiries", "/data/mailbox/board/meta/runtime/expiries/7",
              "/data/mailbox/board/meta/runtime/expiries/7/m1=/data/mailbox/board/msgs/m1"});
}

TEST_CASE("record_expiry is idempotent, and a forever TTL files nothing") {
    cep::cell_tree tree;
    mb::post_message(tree, board, make_envelope("a"), "a").value();
    mb::post_message(tree, inbox, make_envelope("b"), "b").value();
    const auto ttl = deadlines(4, 900);
    mb::record_expiry(tree, board, "a", ttl).value();
    const auto once = dump(tree, "/"_path);
    const auto cells = tree.size();
    mb::record_expiry(tree, board, "a", ttl).value();
    CHECK(dump(tree, "/"_path) == once);
    CHECK(tree.size() == cells);

    const auto forever = mb::resolve_ttl(tree, {.topology = mb::topology_policy{}.private_inbox}, {.beat = 1}).value();
    const auto record = mb::record_expiry(tree, inbox, "b", forever).value();
    CHECK_FALSE(record.beat_entry);
    CHECK_FALSE(record.wallclock_entry);
    CHECK_FALSE(tree.contains("/data/mailbox/inbox/alice/meta"_path));
}

TEST_CASE("record_expiry errors: unknown message, bad id, a TTL that expires without a deadline") {
    cep::cell_tree tree;
    mb::post_message(tree, board, make_envelope("a"), "a").value();
    auto missing = mb::record_expiry(tree, board, "nope", deadlines(3, std::nullopt));
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
    CHECK(missing.error().message ==
          "cannot record the expiry of message \"nope\": no message at \"/data/mailbox/board/msgs/nope\"");
    auto bad = mb::record_expiry(tree, board, "a b", deadlines(3, std::nullopt));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == cep::errc::path_space);
    CHECK(bad.error().message.starts_with("invalid message id: invalid path"));
    auto hollow = mb::record_expiry(tree, board, "a", deadlines(std::nullopt, std::nullopt));
    REQUIRE_FALSE(hollow);
    CHECK(hollow.error().code == cep::errc::mailbox_invalid_ttl);
    CHECK(hollow.error().message == "cannot record the expiry of message \"a\": its TTL expires but has no deadline");
    CHECK_FALSE(tree.contains("/data/mailbox/board/meta"_path));
}

TEST_CASE("record_expiry through a write_context is staged: visible after the commit") {
    cep::cell_tree tree;
    mb::post_message(tree, board, make_envelope("a"), "a").value();
    cep::staging_area stage(tree);
    struct no_sink final : cep::impulse_sink {
        cep::result<void> emit(cep::beat_number, const cep::path&, const cep::path*) override { return {}; }
    } sink;
    cep::write_context ctx(tree, stage, sink, 3);
    const auto record = mb::record_expiry(ctx, board, "a", deadlines(5, 700)).value();
    CHECK(record.beat_entry == "/data/mailbox/board/meta/runtime/expiries/5/a"_path);
    CHECK_FALSE(tree.contains(*record.beat_entry));
    CHECK(stage.commit().ok());
    CHECK(tree.find(*record.beat_entry)->text() == "/data/mailbox/board/msgs/a");
    CHECK(tree.contains("/data/mailbox/board/meta/runtime/exp_wall/700/a"_path));
    // The message must be committed already.
    auto staged_only = mb::record_expiry(ctx, board, "later", deadlines(5, std::nullopt));
    CHECK(staged_only.error().code == cep::errc::cell_not_found);
}

// ---------------------------------------------------------------------------------------------------------------
// Retention plans

TEST_CASE("plan_retention partitions due messages beat-first and wallclock-first and hints at future work") {
    cep::cell_tree tree;
    post_with_ttl(tree, board, "a-beat3", deadlines(3, std::nullopt));
    post_with_ttl(tree, board, "b-wall250", deadlines(std::nullopt, 250));
    post_with_ttl(tree, board, "c-wall100-beat10", deadlines(10, 100));  // its wallclock deadline comes first
    post_with_ttl(tree, board, "d-beat2-wall50", deadlines(2, 50));      // both passed: beat takes precedence
    post_with_ttl(tree, board, "e-beat7", deadlines(7, std::nullopt));
    post_with_ttl(tree, board, "f-wall900", deadlines(std::nullopt, 900));
    post_with_ttl(tree, board, "g-beat9-wall400", deadlines(9, 400));

    const auto plan = mb::plan_retention(tree, board, {.beat = 5, .unix_ns = 300}).value();
    CHECK(ids(plan.beat_first) == std::vector<std::string>{"d-beat2-wall50", "a-beat3"});
    CHECK(ids(plan.wallclock_first) == std::vector<std::string>{"c-wall100-beat10", "b-wall250"});
    CHECK(plan.next_beat == 7u);       // e; c's beat 10 does not count, c is due now
    CHECK(plan.next_unix_ns == 400u);  // g
    CHECK(plan.has_due());
    CHECK(plan.has_future_work());
    CHECK(plan.mailbox == board);
    // Each due message carries all its entries, so a purge removes them all.
    CHECK(plan.wallclock_first[0] ==
          mb::due_message{"c-wall100-beat10", "/data/mailbox/board/msgs/c-wall100-beat10"_path, {10}, {100}});
}

TEST_CASE("without the current Unix time only beat deadlines are due; wallclock ones become hints") {
    cep::cell_tree tree;
    post_with_ttl(tree, board, "a", deadlines(3, std::nullopt));
    post_with_ttl(tree, board, "b", deadlines(std::nullopt, 250));
    post_with_ttl(tree, board, "c", deadlines(std::nullopt, 100));
    const auto plan = mb::plan_retention(tree, board, {.beat = 5}).value();
    CHECK(ids(plan.beat_first) == std::vector<std::string>{"a"});
    CHECK(plan.wallclock_first.empty());
    CHECK_FALSE(plan.next_beat);
    CHECK(plan.next_unix_ns == 100u);
}

TEST_CASE("buckets are read in numeric order, not byte order, and planning changes nothing") {
    cep::cell_tree tree;
    post_with_ttl(tree, board, "late", deadlines(10, std::nullopt));
    post_with_ttl(tree, board, "early", deadlines(9, std::nullopt));
    post_with_ttl(tree, board, "z-first", deadlines(2, std::nullopt));
    post_with_ttl(tree, board, "a-second", deadlines(2, std::nullopt));
    const auto before = dump(tree, "/"_path);
    const auto plan = mb::plan_retention(tree, board, {.beat = 10}).value();
    CHECK(ids(plan.beat_first) == std::vector<std::string>{"a-second", "z-first", "early", "late"});
    CHECK(dump(tree, "/"_path) == before);
    const auto earlier = mb::plan_retention(tree, board, {.beat = 1}).value();
    CHECK_FALSE(earlier.has_due());
    CHECK(earlier.next_beat == 2u);
    // The same tree gives the same plan.
    const auto again = mb::plan_retention(tree, board, {.beat = 10}).value();
    CHECK(again.beat_first == plan.beat_first);
}

TEST_CASE("a message filed under several buckets of each kind carries every deadline, each list ascending") {
    cep::cell_tree tree;
    post_with_ttl(tree, board, "m", deadlines(10, 1000));
    mb::record_expiry(tree, board, "m", deadlines(9, 200)).value();   // 9 sorts after 10 as text
    mb::record_expiry(tree, board, "m", deadlines(30, 50)).value();
    post_with_ttl(tree, board, "l", deadlines(9, std::nullopt));       // shares bucket 9, sorts before m
    post_with_ttl(tree, board, "n", deadlines(std::nullopt, 200));     // shares bucket 200, sorts after m
    const auto plan = mb::plan_retention(tree, board, {.beat = 9, .unix_ns = 60}).value();
    REQUIRE(ids(plan.beat_first) == std::vector<std::string>{"l", "m"});
    CHECK(plan.beat_first[1] ==
          mb::due_message{"m", "/data/mailbox/board/msgs/m"_path, {9, 10, 30}, {50, 200, 1000}});
    CHECK(plan.beat_first[0] == mb::due_message{"l", "/data/mailbox/board/msgs/l"_path, {9}, {}});
    CHECK(plan.wallclock_first.empty());
    CHECK(plan.next_unix_ns == 200u);  // n
    // Purging m removes all six of its entries; the buckets it shares keep the other message's entry.
    const auto report = mb::purge_due(tree, plan).value();
    CHECK(report.messages_removed == 2);
    CHECK(report.entries_removed == 7);
    CHECK(tree.contains("/data/mailbox/board/meta/runtime/exp_wall/200/n"_path));
    CHECK_FALSE(tree.contains("/data/mailbox/board/meta/runtime/exp_wall/200/m"_path));
    CHECK_FALSE(tree.contains("/data/mailbox/board/meta/runtime/expiries/9"_path));
}

TEST_CASE("an empty mailbox has nothing due and no future work; a private inbox kept forever stays so") {
    cep::cell_tree tree;
    tree.make_dictionary(board).value();
    const auto empty = mb::plan_retention(tree, board, {.beat = 4, .unix_ns = 1}).value();
    CHECK_FALSE(empty.has_due());
    CHECK_FALSE(empty.has_future_work());

    const auto forever = mb::resolve_ttl(tree, {.topology = mb::topology_policy{}.private_inbox}, {.beat = 1}).value();
    post_with_ttl(tree, inbox, "kept", forever);
    const auto later = mb::plan_retention(tree, inbox, {.beat = 1'000'000, .unix_ns = 1'000'000}).value();
    CHECK_FALSE(later.has_due());
    CHECK_FALSE(later.has_future_work());
}

TEST_CASE("plan_retention errors: no mailbox, a bucket not named by a number") {
    cep::cell_tree tree;
    auto missing = mb::plan_retention(tree, board, {.beat = 1});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == cep::errc::cell_not_found);
    CHECK(missing.error().message == "no mailbox at \"/data/mailbox/board\"");

    tree.put_text("/data/mailbox/board/meta/runtime/expiries/soon/x"_path, "").value();
    auto named = mb::plan_retention(tree, board, {.beat = 1});
    REQUIRE_FALSE(named);
    CHECK(named.error().code == cep::errc::mailbox_bad_record);
    CHECK(named.error().message ==
          "expiry bucket \"/data/mailbox/board/meta/runtime/expiries/soon\" is not named by a number");
    tree.remove("/data/mailbox/board/meta/runtime/expiries/soon"_path).value();
    tree.put_text("/data/mailbox/board/meta/runtime/exp_wall/007/x"_path, "").value();  // not canonical
    auto padded = mb::plan_retention(tree, board, {.beat = 1});
    REQUIRE_FALSE(padded);
    CHECK(padded.error().message ==
          "expiry bucket \"/data/mailbox/board/meta/runtime/exp_wall/007\" is not named by a number");
}

// ---------------------------------------------------------------------------------------------------------------
// Purging

TEST_CASE("purge_due removes due messages and all their entries, keeps the rest, and is idempotent") {
    cep::cell_tree tree;
    post_with_ttl(tree, board, "a", deadlines(3, std::nullopt));
    post_with_ttl(tree, board, "b", deadlines(3, std::nullopt));
    post_with_ttl(tree, board, "c", deadlines(4, 100));  // due by wallclock; its beat entry goes too
    post_with_ttl(tree, board, "d", deadlines(4, 900));  // shares bucket 4 with c, not due
    const auto plan = mb::plan_retention(tree, board, {.beat = 3, .unix_ns = 150}).value();
    REQUIRE(ids(plan.beat_first) == std::vector<std::string>{"a", "b"});
    REQUIRE(ids(plan.wallclock_first) == std::vector<std::string>{"c"});

    const auto report = mb::purge_due(tree, plan).value();
    CHECK(report.messages_removed == 3);
    CHECK(report.entries_removed == 4);  // a, b in bucket 3; c in bucket 4 and in exp_wall/100
    CHECK(report.buckets_removed == 2);  // expiries/3 and exp_wall/100
    CHECK(dump(tree, "/data/mailbox/board"_path) ==
          std::vector<std::string>{
              "/data/mailbox/board", "/data/mailbox/board/meta", "/data/mailbox/board/meta/runtime",
              "/data/mailbox/board/meta/runtime/exp_wall", "/data/mailbox/board/meta/runtime/exp_wall/900",
              "/data/mailbox/board/meta/runtime/exp_wall/900/d=/data/mailbox/board/msgs/d",
              "/data/mailbox/board/meta/runtime/expiries", "/data/mailbox/board/meta/runtime/expiries/4",
              "/data/mailbox/board/meta/runtime/expiries/4/d=/data/mailbox/board/msgs/d", "/data/mailbox/board/msgs",
              "/data/mailbox/board/msgs/d", "/data/mailbox/board/msgs/d/envelope",
              "/data/mailbox/board/msgs/d/envelope/body=d", "/data/mailbox/board/msgs/d/envelope/from=bob"});
    const auto after = dump(tree, "/"_path);
    const auto twice = mb::purge_due(tree, plan).value();
    CHECK(twice.messages_removed == 0);
    CHECK(twice.entries_removed == 0);
    CHECK(dump(tree, "/"_path) == after);
    const auto next = mb::plan_retention(tree, board, {.beat = 3, .unix_ns = 150}).value();
    CHECK_FALSE(next.has_due());
    CHECK(next.next_beat == 4u);
}

namespace {

// A retention enzyme: plan, purge, re-queue itself for the next beat with due work (every beat while wallclock
// work is pending, since a Unix time is not a beat).
std::vector<std::string> retention_log;
cep::status retain(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    const cep::path mailbox = impulse.target.to_path();
    const auto now = mb::moment_at(ctx.tree(), ctx.beat());
    if (!now) return cep::status::fatal;
    const auto plan = mb::plan_retention(ctx.tree(), mailbox, *now);
    if (!plan) return cep::status::fatal;
    for (const auto& m : plan->beat_first) retention_log.push_back(std::to_string(ctx.beat()) + " beat " + m.id);
    for (const auto& m : plan->wallclock_first) retention_log.push_back(std::to_string(ctx.beat()) + " wall " + m.id);
    if (!mb::purge_due(ctx, *plan)) return cep::status::fatal;
    std::optional<cep::beat_number> again = plan->next_beat;
    if (plan->next_unix_ns) again = ctx.beat() + 1;
    if (again && !ctx.emit_at(*again, impulse.signal.to_path(), mailbox)) return cep::status::fatal;
    return cep::status::success;
}
using retention = cep::enzyme<"mailbox_retention", "/signals/mailbox/retain", &retain>;

}  // namespace

TEST_CASE("a retention enzyme purges a board and a private inbox beat by beat and re-queues itself") {
    retention_log.clear();
    cep::heartbeat<cep::enzyme_registry<retention>> hb;
    hb.register_all();
    hb.bind<retention>("/data/mailbox"_path, cep::propagate);
    for (cep::beat_number b = 1; b <= 8; ++b) hb.publish_wallclock(b, 1'000 + 100 * (b - 1)).value();
    const mb::topology_policy topology;
    const auto issued = mb::moment_at(hb.tree(), 1).value();

    auto post = [&](const cep::path& mailbox, std::string_view id, mb::ttl_spec message, mb::ttl_spec mailbox_ttl,
                    mb::mailbox_kind kind) {
        mb::post_message(hb.tree(), mailbox, make_envelope(id), id).value();
        const auto ttl =
            mb::resolve_ttl(hb.tree(),
                            {.message = message, .mailbox = mailbox_ttl, .topology = topology.defaults_for(kind)},
                            issued)
                .value();
        mb::record_expiry(hb.tree(), mailbox, id, ttl).value();
    };
    const auto board_ttl = mb::ttl_spec::for_beats(4);
    post(board, "news-1", {}, board_ttl, mb::mailbox_kind::public_board);                         // beat 5
    post(board, "flash", mb::ttl_spec::for_beats(1), board_ttl, mb::mailbox_kind::public_board);  // beat 2
    post(board, "timed", {.wallclock_ns = 250}, {}, mb::mailbox_kind::public_board);      // unix 1250 (beat 4), proj 4
    post(inbox, "kept", {}, {}, mb::mailbox_kind::private_inbox);                         // forever
    post(inbox, "otp", mb::ttl_spec::for_beats(2), {}, mb::mailbox_kind::private_inbox);  // beat 3

    hb.enqueue("/signals/mailbox/retain"_path, board).value();
    hb.enqueue("/signals/mailbox/retain"_path, inbox).value();
    while (hb.beat() <= 8) CHECK(hb.step());

    CHECK(retention_log == std::vector<std::string>{"2 beat flash", "3 beat otp", "4 beat timed", "5 beat news-1"});
    CHECK(hb.tree().find("/data/mailbox/board/msgs"_path)->size() == 0);
    CHECK(hb.tree().contains("/data/mailbox/inbox/alice/msgs/kept"_path));
    CHECK_FALSE(hb.tree().contains("/data/mailbox/inbox/alice/msgs/otp"_path));
    CHECK(hb.tree().find("/data/mailbox/board/meta/runtime/expiries"_path)->size() == 0);
    CHECK(hb.tree().find("/data/mailbox/board/meta/runtime/exp_wall"_path)->size() == 0);
    // Nothing left to do: the enzyme stopped re-queueing itself.
    CHECK(hb.pending(9) == 0);
    CHECK(hb.pending(10) == 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Bounded memory

TEST_CASE("a mailbox below a transient root: purged messages release their path ids, the table stays flat") {
    cep::cell_tree tree;
    auto& paths = tree.paths();
    REQUIRE(paths.make_transient_root(paths.intern(board)));
    std::size_t settled = 0;
    for (cep::beat_number beat = 1; beat <= 60; ++beat) {
        for (int i = 0; i < 20; ++i)
            (void)post_with_ttl(tree, board, "m" + std::to_string(beat) + "-" + std::to_string(i),
                                deadlines(beat + 2, std::nullopt));
        const auto plan = mb::plan_retention(tree, board, {.beat = beat}).value();
        if (beat > 2) REQUIRE(plan.beat_first.size() == 20);  // the messages posted two beats ago
        REQUIRE(mb::purge_due(tree, plan).value().messages_removed == plan.beat_first.size());
        (void)paths.release_unused([&](cep::path_id id) { return tree.holds_cell(id); });
        // What is still posted reads back right after the slots were reused.
        const auto kept = tree.find(board / "msgs" / ("m" + std::to_string(beat) + "-7") / "envelope" / "body");
        REQUIRE(kept.has_value());
        REQUIRE(kept->text() == "m" + std::to_string(beat) + "-7");
        if (beat == 10) settled = paths.size();
        if (beat > 10) REQUIRE(paths.size() <= settled);
    }
    // 1,200 messages posted and purged; without the root every one of them would keep its ids.
    CHECK(settled < 600);
}
