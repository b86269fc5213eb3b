// Soak: a long run of a heartbeat with the ledger on (default retention), printing the resident set size as it
// goes, so a reader sees whether memory stays flat. Not a test (it takes a while) and not a ratio benchmark:
//   build/release/benchmarks/cep_soak [impulses, default 10000000] [impulses per beat, default 1000] [unique]
// Each beat: `per_beat` impulses over a rotating set of 10,000 targets (so memoised agendas are reused, as in a
// steady service), 4 enzymes per impulse, one of them writing a cell (staged, committed) and one emitting a
// follow-up every 100th impulse. With `unique`, every impulse goes to a new path below a transient root
// (/msgs/<n>, enqueued by path, as a service addressing each message does) and the writing enzyme is not bound
// there (it would keep a cell per message). RSS is read from /proc/self/statm; "path ids" is the table's size.
#include <cep/cep.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace cep::literals;

namespace {

double resident_mib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * 4096.0 / (1024.0 * 1024.0);
}

struct count_it {
    static constexpr cep::name name = "count_it";
    static constexpr auto query = "/signals/work"_query;
    static constexpr cep::access access = cep::access::read_only;
    std::uint64_t seen = 0;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        ++seen;
        return cep::status::success;
    }
};
struct store_it {
    static constexpr cep::name name = "store_it";
    static constexpr auto query = "/signals/work"_query;
    using after = cep::enzymes<count_it>;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        (void)ctx.put_text(cep::path("/data/last") / std::string(impulse.target.leaf()), "seen");
        return cep::status::success;
    }
};
struct follow_up {
    static constexpr cep::name name = "follow_up";
    static constexpr auto query = "/signals/work"_query;
    std::uint64_t n = 0;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        if (++n % 100 == 0) (void)ctx.emit("/signals/followed"_path, impulse.target.to_path());
        return cep::status::success;
    }
};
struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

}  // namespace

int main(int argc, char** argv) {
    const std::uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
    const std::uint64_t per_beat = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
    const bool unique = argc > 3 && std::string(argv[3]) == "unique";
    cep::heartbeat<cep::enzyme_registry<count_it, store_it, follow_up, audit>> hb;  // ledger on, keep 256 beats
    hb.register_all();
    hb.bind<count_it>("/env"_path, cep::propagate);
    hb.bind<store_it>("/env"_path, cep::propagate);
    hb.bind<follow_up>("/env"_path, cep::propagate);
    hb.bind<audit>("/env"_path, cep::propagate);
    if (unique) {
        hb.bind<count_it>("/msgs"_path, cep::propagate);
        hb.bind<follow_up>("/msgs"_path, cep::propagate);
        hb.bind<audit>("/msgs"_path, cep::propagate);
        hb.make_transient_root("/msgs"_path).value();
    }
    const cep::path signal_path = "/signals/work"_path;
    const auto signal = hb.tree().paths().intern("/signals/work"_path);
    std::vector<cep::path_id> targets;
    for (int i = 0; i < 10'000; ++i) targets.push_back(hb.tree().paths().intern(cep::path("/env/t") / std::to_string(i)));

    std::printf("%14s %10s %12s %14s %12s\n", "impulses", "beat", "rss MiB", "ns/impulse", "path ids");
    const auto start = std::chrono::steady_clock::now();
    auto last = start;
    std::uint64_t done = 0;
    std::uint64_t last_done = 0;
    std::uint64_t report_at = 1'000'000;
    std::size_t next = 0;
    while (done < total) {
        if (unique) {
            for (std::uint64_t i = 0; i < per_beat; ++i, ++done)
                (void)hb.enqueue(signal_path, cep::path("/msgs/m" + std::to_string(done)));
        } else {
            for (std::uint64_t i = 0; i < per_beat; ++i, ++done)
                (void)hb.enqueue(signal, targets[next++ % targets.size()]);
        }
        hb.step();
        if (done >= report_at || done >= total) {
            const auto now = std::chrono::steady_clock::now();
            const double ns = std::chrono::duration<double, std::nano>(now - last).count() /
                              static_cast<double>(done - last_done);
            std::printf("%14llu %10llu %12.1f %14.1f %12zu\n", static_cast<unsigned long long>(done),
                        static_cast<unsigned long long>(hb.beat()), resident_mib(), ns, hb.tree().paths().size());
            std::fflush(stdout);
            last = now;
            last_done = done;
            report_at += 1'000'000;
        }
    }
    const bool ran = hb.enzyme<count_it>().seen >= total;
    std::printf("enzyme runs ok: %s; oldest beat kept %llu\n", ran ? "yes" : "no",
                static_cast<unsigned long long>(hb.oldest_kept_beat()));
    return ran ? 0 : 1;
}
