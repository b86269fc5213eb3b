// OPS: the await/close cycle of an operation, in ns per operation: op_start (opm:direct), op_await for ist:ok with
// a continuation, op_close with sts:ok, between beats through an immediate session, then the beat's commit pass
// (cep::ops::attach) fires the watcher and queues the continuation for the next beat. 64 operations per beat.
// Against a hand-written equivalent: an unordered_map of operation structs (state, history, watchers), the
// continuation pushed on a per-beat vector queue when the close reaches the wanted state.
#include "bench_util.hpp"

#include <cep/cep.hpp>
#include <cep/ops.hpp>

#include <string>
#include <unordered_map>
#include <vector>

using namespace cep::literals;
namespace ops = cep::ops;

namespace {

constexpr std::size_t per_beat = 64;
constexpr std::size_t beats = 8;

cep::status done(const cep::impulse_ref&, cep::read_context&) {
    bench::body(1);
    return cep::status::success;
}
using continuation = cep::enzyme<"op_done", "/signals/op/done", &done>;

struct hand_op {
    std::string verb, target, mode, state;
    std::vector<std::string> history;
    struct watcher {
        std::string want, cont;
    };
    std::vector<watcher> watchers;
    std::string close_status;
};

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    const cep::path cont = "/signals/op/done"_path;
    std::vector<cep::path> targets;
    for (std::size_t i = 0; i < per_beat; ++i) targets.push_back(cep::path("/env/files") / (std::string("f") + std::to_string(i)));

    cep::heartbeat<cep::enzyme_registry<continuation>> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    hb.bind<continuation>("/rt/ops"_path, cep::propagate);
    (void)ops::attach(hb);
    std::size_t fired = 0;
    hb.listeners().on("agenda", [&](const cep::event&) { ++fired; });

    auto cep_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            ops::session s(hb.tree(), hb.beat());
            for (const auto& target : targets) {
                const auto oid = ops::op_start(s, "upload", target, ops::modes::direct).value();
                (void)ops::op_await(s, oid, ops::states::ok, 0, cont).value();
                (void)ops::op_close(s, oid, ops::statuses::ok).value();
            }
            hb.step();  // the commit pass fires the watchers: continuations for the next beat
        }
    };

    std::unordered_map<std::string, hand_op> table;
    std::vector<std::pair<std::string, std::string>> queue;  // (continuation, target) for the next beat
    std::size_t next_oid = 0;
    std::size_t hand_fired = 0;
    auto hand_rep = [&] {
        for (std::size_t b = 0; b < beats; ++b) {
            for (auto& [signal, target] : queue)
                if (signal == cont.str()) hand_fired += static_cast<std::size_t>(bench::body(1) == 0);
            queue.clear();
            for (const auto& target : targets) {
                const std::string oid = std::string("OPS:").append(std::to_string(++next_oid));
                auto& op = table[oid];
                op = hand_op{"upload", target.str(), "opm:direct", "ist:run", {"ist:run"}, {}, {}};
                op.watchers.push_back({"ist:ok", cont.str()});
                op.close_status = "sts:ok";
                op.state = "ist:ok";
                op.history.emplace_back("ist:ok");
                for (const auto& w : op.watchers)
                    if (w.want == op.state) queue.emplace_back(w.cont, "/rt/ops/" + oid);
                op.watchers.clear();
            }
        }
    };
    const auto [c, h] = bench::compare(static_cast<double>(beats * per_beat), cep_rep, hand_rep);
    hb.step();
    if (fired == 0 || hand_fired == 0) {
        std::fprintf(stderr, "ops_cycle: no continuation ran (cep %zu, by hand %zu)\n", fired, hand_fired);
        return 1;
    }
    bench::row("OPS start+await+close+fire (ns/op)", c, "(b) map of op structs by hand", h);
    return 0;
}
