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
#include <cep/detail/lazy.hpp>
#include <cep/detail/sha256.hpp>
#include <cep/dispatch/context.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`: the compiler
// then compiles one only where a program calls it (docs/performance.md, "compile time"). A type spelled
// cep::detail::lazy<Deferred, T> is T, named so that its code too waits for a call (see detail/lazy.hpp).

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
template <class Deferred = void>
void append_field(std::string& out, std::string_view field) {
    out.append(std::to_string(field.size())).push_back(':');
    out.append(field);
}

// The identity of a context, one unambiguous text: its tag, its label and its participants sorted by role (so the
// order they were listed in does not matter). Facets are not part of it: they are what an upsert adds.
template <class Deferred = void>
std::string context_identity(const cep::detail::lazy<Deferred, context_spec>& spec) {
    cep::detail::lazy<Deferred, std::vector<const participant*>> sorted;
    sorted.reserve(spec.participants.size());
    for (const auto& p : spec.participants) sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(), [](const participant* a, const participant* b) {
        return a->role.view() != b->role.view() ? a->role.view() < b->role.view() : a->entity.text() < b->entity.text();
    });
    std::string out = "cep.closure.context/1;";
    append_field<Deferred>(out, spec.tag.view());
    append_field<Deferred>(out, spec.label);
    for (const auto* p : sorted) {
        append_field<Deferred>(out, p->role.view());
        append_field<Deferred>(out, p->entity.text());
    }
    return out;
}
}  // namespace detail

// The context's hash: the first 16 hex digits of the SHA-256 of its identity (tag, label, participants by role).
// The same on every platform and in every run.
template <class Deferred = void>
[[nodiscard]] std::string context_hash(const context_spec& spec) {
    const std::string identity = detail::context_identity<Deferred>(spec);
    return cep::detail::sha256::hex(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(identity.data()), identity.size()),
        context_hash_digits);
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
template <class Deferred = void>
auto context_upsert(basic_store<Deferred>& s, const cep::detail::lazy<Deferred, context_spec>& spec)
    -> cep::detail::lazy<Deferred, result<upsert_result>> {
    for (std::size_t i = 0; i < spec.participants.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (spec.participants[i].role == spec.participants[j].role)
                return error{errc::closure_context_conflict, "context '" + spec.tag.str() + "' (\"" + spec.label +
                                                    "\") names the role '" + spec.participants[i].role.str() +
                                                    "' twice"};

    // Cells are reached by id from the context's and the facets' ids, one segment at a time: no path text is built
    // or hashed per write. Reads look ids up without interning (a name never interned names no cell).
    using path_table = basic_path_table<Deferred>;
    path_table& paths = s.paths();
    const auto below = [&](path_id at, std::string_view segment) { return paths.child(at, segment).value(); };
    using optional_text = cep::detail::lazy<Deferred, std::optional<std::string_view>>;
    const auto text_below = [&](path_id at, std::string_view segment) -> optional_text {
        const auto id = paths.find_child(at, segment);
        if (!id) return std::nullopt;
        const auto cell = s.find(*id);
        if (!cell) return std::nullopt;
        return cell->text();
    };

    std::string hash = context_hash<Deferred>(spec);
    const path_id context = below(paths.intern(contexts_root), hash);
    cep::detail::lazy<Deferred, upsert_result> out{hash, paths.path_of(context), {}, {}};

    if (const auto tag = text_below(context, "tag")) {
        // The record exists: the same context, or another one with the same 64-bit hash.
        bool same = *tag == spec.tag.view() && text_below(context, "label") == std::string_view(spec.label);
        const auto participants = paths.find_child(context, "participants");
        const auto stored = participants ? s.find(*participants) : std::nullopt;
        same = same && (stored ? stored->size() : 0) == spec.participants.size();
        for (const auto& p : spec.participants)
            same = same && participants && text_below(*participants, p.role.view()) == p.entity.text();
        if (!same)
            return error{errc::closure_context_conflict, "context '" + spec.tag.str() + "' (\"" + spec.label +
                                                             "\") hashes to " + out.hash +
                                                             ", which holds a different context ('" +
                                                             std::string(*tag) + "')"};
    } else {
        if (!spec.participants.empty()) {
            const path_id participants = below(context, "participants");
            for (const auto& p : spec.participants)
                if (auto r = s.put_text(below(participants, p.role.view()), p.entity.text()); !r) return r.error();
        }
        if (auto r = s.put_text(below(context, "label"), spec.label); !r) return r.error();
        if (auto r = s.put_text(below(context, "tag"), spec.tag.view()); !r) return r.error();  // last: marks it
    }

    path_id facets = path_table::root();
    path_id queue = path_table::root();
    if (!spec.facets.empty()) {
        facets = paths.intern(facets_root);
        queue = paths.intern(queue_root);
    }
    for (const cep::name facet : spec.facets) {
        const std::string tag(facet.view());
        if (std::find(out.queued.begin(), out.queued.end(), tag) != out.queued.end() ||
            std::find(out.already_promised.begin(), out.already_promised.end(), tag) != out.already_promised.end())
            continue;  // listed twice in the spec
        const path_id record = below(below(facets, tag), out.hash);
        if (const auto state = paths.find_child(record, "facet_state"); state && s.find(*state)) {
            out.already_promised.push_back(tag);
            continue;
        }
        const path_id entry = below(below(queue, tag), out.hash);
        const path_id meta = below(record, "meta");
        for (auto [at, text] : {std::pair<path_id, std::string_view>{below(entry, "value"), spec.label},
                                {below(entry, "context_tag"), spec.tag.view()},
                                {below(entry, "queue_state"), to_string(queue_state::pending)},
                                {below(record, "value"), spec.label},
                                {below(record, "context_tag"), spec.tag.view()},
                                {below(meta, "attempts"), "0"},
                                {below(record, "facet_state"), to_string(facet_state::pending)}})
            if (auto r = s.put_text(at, text); !r) return r.error();
        out.queued.push_back(tag);
    }
    return out;
}

// Immediate: writes into the tree at once.
template <class Deferred = void>
auto context_upsert(basic_cell_tree<Deferred>& tree, const context_spec& spec)
    -> cep::detail::lazy<Deferred, result<upsert_result>> {
    basic_store<Deferred> s(tree);
    return context_upsert(s, spec);
}
// Staged: from an enzyme; the records and queue entries appear at the next beat.
template <class Deferred = void>
auto context_upsert(write_context& ctx, const context_spec& spec)
    -> cep::detail::lazy<Deferred, result<upsert_result>> {
    basic_store<Deferred> s(ctx);
    return context_upsert(s, spec);
}

}  // namespace cep::closure
