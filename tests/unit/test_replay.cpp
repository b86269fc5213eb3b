// Deterministic replay: from a run's journal, a fresh heartbeat with the same registry, registrations and bindings
// re-runs the impulses and produces the same agendas and ledger, beat by beat (tests/reference/harness.hpp has the
// replay; tests/reference/README.md says how it tells external impulses from derived ones).
#include "../reference/harness.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

namespace {

// A fixed scenario: the variant with the longest ordering chains, a budget that defers, retries with backoff,
// fatals, exceptions and emits; external impulses for the current beat only (what the replay needs).
cep_ref::run_config scenario() {
    cep_ref::run_config c;
    c.seed = 20240607;
    c.variant = 2;
    c.budget = 6;
    c.max_attempts = 3;
    c.backoff = 1;
    c.ahead = false;
    c.mean_impulses = 5;
    return c;
}

}  // namespace

TEST_CASE("a journal replays into the same agendas and ledger") {
    const auto c = scenario();
    const auto first = cep_ref::run<2>(c, 3000, {.keep = true});
    REQUIRE_FALSE(first.failure.has_value());
    REQUIRE(first.beats > 100);
    // The scenario exercises what it should: deferrals, retries, failures and CEI impulses, emits.
    const auto& j = first.journal;
    CHECK(j.find("budget: deferred") != std::string::npos);
    CHECK(j.find("rc=retry") != std::string::npos);
    CHECK(j.find("rc=fatal") != std::string::npos);
    CHECK(j.find("signal=/sig_cei/error") != std::string::npos);
    CHECK(j.find("signal=/signals/out/") != std::string::npos);

    CHECK(cep_ref::replay<2>(c, first.ledgers, first.scripts) == std::nullopt);
}

TEST_CASE("the same inputs twice give byte-identical journals") {
    const auto c = scenario();
    const auto first = cep_ref::run<2>(c, 2000, {.with_model = false, .keep = true});
    const auto second = cep_ref::run<2>(c, 2000, {.with_model = false, .keep = true});
    REQUIRE_FALSE(first.failure.has_value());
    CHECK(first.journal == second.journal);
}

TEST_CASE("a replay notices a journal that was not this run's") {
    const auto c = scenario();
    auto first = cep_ref::run<2>(c, 1000, {.with_model = false, .with_invariants = false, .keep = true});
    REQUIRE_FALSE(first.failure.has_value());
    // Swap two agenda lines of some beat: the replay must report that beat.
    std::size_t beat = 0;
    while (beat < first.ledgers.size() && first.ledgers[beat].agenda.size() < 2) ++beat;
    REQUIRE(beat < first.ledgers.size());
    auto& agenda = first.ledgers[beat].agenda;
    std::swap(agenda[0], agenda[1]);
    if (agenda[0] == agenda[1]) agenda[0] += "x";
    const auto d = cep_ref::replay<2>(c, first.ledgers, first.scripts);
    REQUIRE(d.has_value());
    CHECK(d->starts_with("replay: beat " + std::to_string(beat + 1) + ": agenda differ"));
}
