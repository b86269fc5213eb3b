// image_pipeline: the seed's example flow, thumbnail -> database write across two beats.
//
// Beat 1: the impulse (signal=/signals/image/thumbnail, target=/env/fs/projects/p1/img123.jpg) reaches
// resize_image and image_metadata, both bound on /env/fs/projects with propagation. resize_image stages the
// thumbnail bytes and emits (signal=/signals/db/write, target=/data/assets/img123/thumbnail) for beat 2, where the
// binding of db_write on /data/assets drives the follow-up. audit_log runs after the others on every agenda.
//
// The rule this example follows: the seed's narrative runs image_metadata although its query
// (/env/fs/projects/*) does not match the signal, which the normative rule (bound AND matching) would filter
// out; so the heartbeat uses cep::bound_or_matched (bound OR matching). resize_image is bound and matches
// (a dual match), which is what gives it the first slot, as in the seed.
//
// The program prints the dispatch graph (Graphviz DOT), then each beat's ledger.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)
//   add_executable(image_pipeline image_pipeline.cpp)
//   target_link_libraries(image_pipeline PRIVATE cep::cep)
#include <cep/cep.hpp>

#include <cstdio>
#include <string>

using namespace cep::literals;

namespace {

struct db_write;
struct audit_log;

struct resize_image {
    static constexpr cep::name name = "resize_image";
    static constexpr auto query = "/signals/image/thumbnail"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        // A real enzyme would read the image at impulse.target; this one stages fixed bytes.
        const cep::path thumbnail = "/data/assets/img123/thumbnail"_path;
        if (!ctx.put_text(thumbnail, "thumbnail-of:" + impulse.target.str())) return cep::status::fatal;
        if (!ctx.emit("/signals/db/write"_path, thumbnail)) return cep::status::fatal;
        return cep::status::success;
    }
};

struct image_metadata {
    static constexpr cep::name name = "image_metadata";
    static constexpr auto query = "/env/fs/projects/*"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        const cep::path record = cep::path("/data/metadata") / std::string(impulse.target.leaf());
        return ctx.put_text(record, "seen at beat " + std::to_string(ctx.beat())) ? cep::status::success
                                                                                  : cep::status::fatal;
    }
};

struct db_write {
    static constexpr cep::name name = "db_write";
    static constexpr auto query = "/signals/db/write"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        // Written in beat 1, visible now.
        const auto thumbnail = ctx.find(impulse.target);
        if (!thumbnail) return cep::status::retry;
        return ctx.put_text("/data/db/img123"_path, std::string(thumbnail->text())) ? cep::status::success
                                                                                   : cep::status::fatal;
    }
};

struct audit_log {
    static constexpr cep::name name = "audit_log";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    using after = cep::enzymes<resize_image, image_metadata, db_write>;
    static constexpr cep::access access = cep::access::read_only;
    int seen = 0;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        ++seen;
        return cep::status::success;
    }
};

using registry = cep::enzyme_registry<resize_image, image_metadata, db_write, audit_log>;

void print_ledger(const cep::cell_tree& tree, cep::beat_number beat) {
    std::printf("-- rt/beat/%llu\n", static_cast<unsigned long long>(beat));
    for (const char* list : {"impulses", "agenda", "stage"}) {
        const auto cell = tree.find(cep::path("/rt/beat") / std::to_string(beat) / list);
        if (!cell) continue;
        for (const auto entry : cell->children())
            std::printf("%-8s %s\n", list, std::string(entry.text()).c_str());
    }
    if (const auto ts = tree.find(cep::path("/rt/beat") / std::to_string(beat) / "meta" / "unix_ts_ns"))
        std::printf("%-8s unix_ts_ns=%s\n", "meta", std::string(ts->text()).c_str());
}

}  // namespace

int main() {
    std::printf("%s\n", registry::to_dot().c_str());

    cep::heartbeat<registry, cep::bound_or_matched> hb;
    hb.register_all();
    hb.bind<resize_image>("/env/fs/projects"_path, cep::propagate);
    hb.bind<image_metadata>("/env/fs/projects"_path, cep::propagate);
    hb.bind<db_write>("/data/assets"_path, cep::propagate);
    hb.bind<audit_log>("/"_path, cep::propagate);

    hb.enqueue("/signals/image/thumbnail"_path, "/env/fs/projects/p1/img123.jpg"_path).value();
    constexpr std::uint64_t start_ns = 1'700'000'000'000'000'000;
    for (cep::beat_number beat = 1; beat <= 2; ++beat) {
        hb.publish_wallclock(beat, start_ns + beat * 250'000'000).value();  // deterministic timestamps
        const bool clean = hb.step();
        print_ledger(hb.tree(), beat);
        if (!clean) return 1;
    }
    const auto stored = hb.tree().find("/data/db/img123"_path);
    std::printf("-- /data/db/img123 = %s\n", stored ? std::string(stored->text()).c_str() : "(missing)");
    return stored && hb.enzyme<audit_log>().seen == 2 ? 0 : 1;
}
