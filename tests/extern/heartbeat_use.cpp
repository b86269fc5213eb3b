// Runs heartbeats whose code heartbeat_instance.cpp compiled (CEP_EXTERN_HEARTBEAT in registry.hpp): the program
// must link, and the heartbeats must behave as they do compiled in place. Exits non-zero, saying why, otherwise.
#include "registry.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace cep::literals;

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "extern heartbeat: %s\n", what);
        ++failures;
    }
}

std::vector<std::string> entries(const cep::cell_tree& tree, const cep::path& list) {
    std::vector<std::string> out;
    if (const auto cell = tree.find(list))
        for (auto entry : cell->children()) out.emplace_back(entry.text());
    return out;
}

// Binds every enzyme on /env, runs one impulse for /env/doc and returns what the agenda wrote; `ledger` is the
// beat's agenda ledger (rt/beat/<N>/agenda).
template <class Heartbeat>
std::vector<std::string> run_once(Heartbeat& hb, cep::path& ledger) {
    ledger = cep::path("/rt/beat") / std::to_string(hb.beat()) / "agenda";
    hb.register_all();
    for (auto name : cep_extern::registry::names) hb.bind("/env"_path, name, cep::propagate).value();
    hb.tree().make_list("/out/doc"_path).value();
    hb.enqueue("/signals/ingest"_path, "/env/doc"_path).value();
    check(hb.step(), "the beat's invocations did not all succeed");
    return entries(hb.tree(), "/out/doc"_path);
}

}  // namespace

int main() {
    const std::vector<std::string> order{"fetch", "parse", "index", "audit"};
    {
        cep::heartbeat<cep_extern::registry> hb;
        cep::path ledger;
        check(run_once(hb, ledger) == order, "bound_then_matched: the agenda did not run fetch, parse, index, audit");
        const auto agenda = hb.agenda("/signals/ingest"_path, "/env/doc"_path);
        check(std::vector<std::string>(agenda.begin(), agenda.end()) == order, "agenda() disagrees with the run");
        const auto lines = hb.tree().find(ledger);
        check(lines && lines->size() == order.size(), "the beat's agenda ledger does not have one line per invocation");
    }
    {
        cep::heartbeat<cep_extern::registry, cep::bound_or_matched> hb;
        cep::path ledger;
        check(run_once(hb, ledger) == order, "bound_or_matched: the agenda did not run fetch, parse, index, audit");
    }
    if (failures == 0) std::printf("extern heartbeat: compiled once, used from another translation unit\n");
    return failures == 0 ? 0 : 1;
}
