// Contexts and their promises. A context (an edit, a comment, ...) is a tag, a label and optional participants;
// upserting it promises each of its facets: a placeholder facet record (facet_state=pending) and a work item in the
// facet queue (queue_state=pending), both keyed by the context's hash. An upsert is idempotent: a facet whose record
// already exists, in whatever state, is left alone, which is also what stops a handler that derives contexts from
// queueing the same work again and again.
#pragma once

#include <cep/closure/layout.hpp>
#include <cep/closure/store.hpp>
#include <cep/core/error.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/sha256.hpp>
#include <cep/dispatch/context.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class = void>`: the compiler
// then compiles one only where a program calls it (docs/performance.md, "compile time").

namespace cep::closure {

// Who takes part in a context, in which role (e.g. editor -> /data/users/alice).
struct participant {
    cep::name role;
    cep::path entity;
};

struct context_spec {
    cep::name tag;                          // what kind of context: the handlers' context tag
    std::string label;                      // human-readable; copied into each facet record and queue entry
    std::vector<cep::name> facets;          // the promised follow-up work (facet tags)
    std::vector<participant> participants;  // optional; roles are unique
};

// The hex digits of the context hash kept as the path segment: 64 bits, with collisions detected on upsert.
inline constexpr std::size_t context_hash_digits = 16;

namespace detail {
template <class = void>
void append_field(std::string& out, std::string_view field) {
    out.append(std::to_string(field.size())).push_back(':');
    out.append(field);
}

// The identity of a context, one unambiguous text: its tag, its label and its participants sorted by role (so the
// order they were listed in does not matter). Facets are not part of it: they are what an upsert adds.
template <class = void>
std::string context_identity(const context_spec& spec) {
    std::vector<const participant*> sorted;
    sorted.reserve(spec.participants.size());
    for (const auto& p : spec.participants) sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(), [](const participant* a, const participant* b) {
        return a->role.view() != b->role.view() ? a->role.view() < b->role.view() : a->entity.text() < b->entity.text();
    });
    std::string out = "cep.closure.context/1;";
    append_field(out, spec.tag.view());
    append_field(out, spec.label);
    for (const auto* p : sorted) {
        append_field(out, p->role.view());
        append_field(out, p->entity.text());
    }
    return out;
}
}  // namespace detail

// The context's hash: the first 16 hex digits of the SHA-256 of its identity (tag, label, participants by role).
// The same on every platform and in every run.
template <class = void>
[[nodiscard]] std::string context_hash(const context_spec& spec) {
    const std::string identity = detail::context_identity(spec);
    std::string hex = cep::detail::sha256::hex(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(identity.data()), identity.size()));
    hex.resize(context_hash_digits);
    return hex;
}

struct upsert_result {
    std::string hash;
    cep::path context;                          // the context record
    std::vector<std::string> queued;            // facets promised by this call (record and queue entry written)
    std::vector<std::string> already_promised;  // facets whose record existed: left as they are
};

// Writes the context record, then, for each facet not yet promised, its queue entry and its facet record (the
// record last: it is what marks the facet as promised, so an upsert interrupted by a refused write completes the
// promise when repeated). Errors: a role named twice, or a different context already at this hash (both
// cep::errc::closure_context_conflict), or a refused write (returned as is; what was written before it stays).
template <class = void>
result<upsert_result> context_upsert(store& s, const context_spec& spec) {
    for (std::size_t i = 0; i < spec.participants.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (spec.participants[i].role == spec.participants[j].role)
                return error{errc::closure_context_conflict, "context '" + spec.tag.str() + "' (\"" + spec.label +
                                                    "\") names the role '" + spec.participants[i].role.str() +
                                                    "' twice"};

    std::string hash = context_hash(spec);
    upsert_result out{hash, context_record(hash), {}, {}};
    const auto write = [&](const path& p, std::string_view text) { return s.put_text(p, text); };

    if (const auto tag = s.text(out.context / "tag")) {
        // The record exists: the same context, or another one with the same 64-bit hash.
        bool same = *tag == spec.tag.view() && s.text(out.context / "label") == spec.label;
        const auto stored = s.find(out.context / "participants");
        same = same && (stored ? stored->size() : 0) == spec.participants.size();
        for (const auto& p : spec.participants)
            same = same && s.text(out.context / "participants" / p.role.view()) == p.entity.str();
        if (!same)
            return error{errc::closure_context_conflict, "context '" + spec.tag.str() + "' (\"" + spec.label + "\") hashes to " +
                                                out.hash + ", which holds a different context ('" + *tag + "')"};
    } else {
        for (const auto& p : spec.participants)
            if (auto r = write(out.context / "participants" / p.role.view(), p.entity.str()); !r) return r.error();
        if (auto r = write(out.context / "label", spec.label); !r) return r.error();
        if (auto r = write(out.context / "tag", spec.tag.view()); !r) return r.error();  // last: marks it written
    }

    for (const cep::name facet : spec.facets) {
        const std::string tag(facet.view());
        if (std::find(out.queued.begin(), out.queued.end(), tag) != out.queued.end() ||
            std::find(out.already_promised.begin(), out.already_promised.end(), tag) != out.already_promised.end())
            continue;  // listed twice in the spec
        const path record = facet_record(tag, out.hash);
        if (s.find(record / "facet_state")) {
            out.already_promised.push_back(tag);
            continue;
        }
        const path entry = queue_entry(tag, out.hash);
        for (auto [at, text] : {std::pair<path, std::string_view>{entry / "value", spec.label},
                                {entry / "context_tag", spec.tag.view()},
                                {entry / "queue_state", to_string(queue_state::pending)},
                                {record / "value", spec.label},
                                {record / "context_tag", spec.tag.view()},
                                {record / "meta" / "attempts", "0"},
                                {record / "facet_state", to_string(facet_state::pending)}})
            if (auto r = write(at, text); !r) return r.error();
        out.queued.push_back(tag);
    }
    return out;
}

// Immediate: writes into the tree at once.
template <class = void>
result<upsert_result> context_upsert(cell_tree& tree, const context_spec& spec) {
    store s(tree);
    return context_upsert(s, spec);
}
// Staged: from an enzyme; the records and queue entries appear at the next beat.
template <class = void>
result<upsert_result> context_upsert(write_context& ctx, const context_spec& spec) {
    store s(ctx);
    return context_upsert(s, spec);
}

}  // namespace cep::closure
