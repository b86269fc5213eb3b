// edit_closure: layer 1 (facets and closure guarantees) driven by the heartbeat.
//
// Alice edits a document. The edit is a context (tag "edit") that promises two facets: an audit log entry and a
// notification of the document's collaborator (Bob). Beat 1: the enzyme edit_document writes the new revision and
// upserts the context; its promises (facet records, queue entries) are staged, so they appear at beat 2, and it
// asks for a closure tick. Beat 2: the tick enzyme runs both handlers; the audit entry is written, the mail relay is
// "busy" so the notification asks for a retry (its diagnostic goes into the facet record, as the seed advises), and
// the tick re-emits itself for beat 3. Beat 3: the notification goes out. Beat 4: nothing is left to do, so the tick
// does not run. The program prints what happens beat by beat, ticks once between beats to clear the empty queue
// families, and exits 0 only if every promise was kept exactly once.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)
//   add_executable(edit_closure edit_closure.cpp)
//   target_link_libraries(edit_closure PRIVATE cep::cep)
#include <cep/cep.hpp>
#include <cep/closure.hpp>

#include <cstdio>
#include <string>

using namespace cep::literals;
namespace closure = cep::closure;

namespace {

closure::context_spec the_edit() {
    return {.tag = "edit",
            .label = "alice edited /data/docs/readme (rev 3)",
            .facets = {"audit_log", "notify"},
            .participants = {{.role = "editor", .entity = "/data/users/alice"_path},
                             {.role = "collaborator", .entity = "/data/users/bob"_path}}};
}

// Layer 0: the edit itself, which promises its follow-up work.
cep::status edit_document(const cep::impulse_ref& impulse, cep::write_context& ctx) {
    if (!ctx.put_text(impulse.target, "rev 3")) return cep::status::fatal;  // by id: no path text built
    const auto promised = closure::context_upsert(ctx, the_edit());  // staged: visible at the next beat
    if (!promised) return cep::status::fatal;
    std::printf("  edit_document: %s = rev 3; context %s promises", impulse.target.str().c_str(),
                promised->hash.c_str());
    for (const auto& facet : promised->queued) std::printf(" %s", facet.c_str());
    std::printf(" (visible at beat %llu)\n", static_cast<unsigned long long>(ctx.beat() + 1));
    return ctx.emit(closure::tick_signal) ? cep::status::success : cep::status::fatal;
}
using edit_enzyme = cep::enzyme<"edit_document", "/signals/doc/edit", &edit_document>;

// Layer 1: the handlers. Keyed by the hash, so running one twice writes the same thing (handlers may be retried).
cep::status write_audit(const closure::facet_job& job, closure::store& s) {
    return s.put_text(cep::path("/data/audit") / job.hash, job.label) ? cep::status::success : cep::status::fatal;
}
cep::status notify_collaborator(const closure::facet_job& job, closure::store& s) {
    if (job.attempt == 1) {  // the relay is busy the first time
        (void)s.put_text(job.facet_record / "meta" / "last_error", "mail relay busy");
        return cep::status::retry;
    }
    const auto who = s.text(job.context / "participants" / "collaborator");  // committed at beat 1
    if (!who) return cep::status::fatal;
    const auto user = cep::path::parse(*who);
    if (!user) return cep::status::fatal;
    return s.put_text(cep::path("/data/outbox") / user->leaf() / job.hash, job.label) ? cep::status::success
                                                                                     : cep::status::fatal;
}
using audit_handler = closure::facet_handler<"audit_log", "edit", &write_audit>;
using notify_handler = closure::facet_handler<"notify", "edit", &notify_collaborator,
                                              closure::facet_policy{.max_attempts = 3}>;
using handlers = closure::handler_set<audit_handler, notify_handler>;
using closure_tick = closure::tick_enzyme<handlers>;

std::string text_at(const cep::cell_tree& tree, const cep::path& p) {
    const auto cell = tree.find(p);
    return cell ? std::string(cell->text()) : std::string("(none)");
}

void print_queue(const cep::cell_tree& tree) {
    const auto queue = tree.find(cep::path(closure::queue_root));
    if (!queue) return;
    for (const auto family : queue->children())
        for (const auto entry : family.children()) {
            const auto record = closure::facet_record(family.name(), entry.name());
            std::printf("  queue %s/%s: queue_state=%s facet_state=%s attempts=%s\n", std::string(family.name()).c_str(),
                        std::string(entry.name()).c_str(), text_at(tree, entry.path() / "queue_state").c_str(),
                        text_at(tree, record / "facet_state").c_str(),
                        text_at(tree, record / "meta" / "attempts").c_str());
        }
}

}  // namespace

int main() {
    cep::heartbeat<cep::enzyme_registry<edit_enzyme, closure_tick>> hb;
    hb.register_all();
    hb.bind<edit_enzyme>("/data/docs"_path, cep::propagate);  // the edit is for documents
    hb.enqueue("/signals/doc/edit"_path, "/data/docs/readme"_path).value();
    auto& tick = hb.enzyme<closure_tick>();

    bool clean = true;
    for (int i = 0; i < 4; ++i) {
        const cep::beat_number beat = hb.beat();
        std::printf("beat %llu\n", static_cast<unsigned long long>(beat));
        clean = hb.step() && clean;
        if (tick.last_beat() == beat) {
            for (const auto& v : tick.last_summary().visits)
                std::printf("  closure_tick: %s/%s %s: %s (attempt %u)\n", v.facet.c_str(), v.context_tag.c_str(),
                            v.hash.c_str(), std::string(closure::to_string(v.result)).c_str(), v.attempt);
            std::printf("  closure_tick: %s\n", tick.last_summary().more_work ? "more work: tick again at the next beat"
                                                                              : "nothing left for a later pass");
        } else {
            std::printf("  closure_tick: did not run\n");
        }
        print_queue(hb.tree());
    }

    const auto between = tick.handlers().tick(hb.tree());  // between beats: writes the tree itself
    std::printf("between beats: removed %zu empty queue famil%s\n", between.removed_families.size(),
                between.removed_families.size() == 1 ? "y" : "ies");

    const std::string h = closure::context_hash(the_edit());
    const auto& tree = hb.tree();
    std::printf("audit: %s\noutbox/bob: %s\nnotify meta/last_error: %s\n",
                text_at(tree, cep::path("/data/audit") / h).c_str(),
                text_at(tree, cep::path("/data/outbox/bob") / h).c_str(),
                text_at(tree, closure::facet_record("notify", h) / "meta" / "last_error").c_str());

    const bool kept = text_at(tree, closure::facet_record("audit_log", h) / "facet_state") == "complete" &&
                      text_at(tree, closure::facet_record("notify", h) / "facet_state") == "complete" &&
                      text_at(tree, closure::facet_record("audit_log", h) / "meta" / "attempts") == "1" &&
                      text_at(tree, closure::facet_record("notify", h) / "meta" / "attempts") == "2" &&
                      text_at(tree, cep::path("/data/audit") / h) == the_edit().label &&
                      text_at(tree, cep::path("/data/outbox/bob") / h) == the_edit().label &&
                      tree.find(cep::path(closure::queue_root))->size() == 0 && tick.passes() == 2 &&
                      tick.errors().empty() && between.removed_families.size() == 2;
    std::printf("%s\n", clean && kept ? "every promise kept" : "FAILED");
    return clean && kept ? 0 : 1;
}
