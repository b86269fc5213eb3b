// Cancelling a promised facet: the queue entry goes, and the facet record keeps why (facet_state=cancelled,
// meta/cancel_reason), so a later audit can tell a cancelled promise from a forgotten one.
#pragma once

#include <cep/closure/layout.hpp>
#include <cep/closure/store.hpp>
#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/dispatch/context.hpp>

#include <string>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`: the compiler
// then compiles one only where a program calls it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::closure {

// Cancels the facet `facet` of the context with hash `hash`. An entry in any queue state can be cancelled (that is
// also how a fatal or missing entry is cleared). Errors: a facet or hash that is not a path segment (its path
// error), no such queue entry (cep::errc::closure_not_queued), or a refused write.
template <class Deferred = void>
result<void> cancel(basic_store<Deferred>& s, std::string_view facet, std::string_view hash, std::string_view reason) {
    auto family = path(queue_root).child(facet);
    if (!family) return family.error();
    auto entry = family->child(hash);
    if (!entry) return entry.error();
    const bool committed = s.find(*entry).has_value();
    const bool queued = s.staged() ? detail::store_access::exists_after(s, *entry, committed) : committed;
    if (!queued)
        return error{errc::closure_not_queued, "cannot cancel facet '" + std::string(facet) + "' of context " +
                                               std::string(hash) + ": it is not queued (no " + entry->str() + ")"};
    const path record = facet_record<Deferred>(facet, hash);
    if (auto r = s.put_text(record / "meta" / "cancel_reason", reason); !r) return r;
    if (auto r = s.put_text(record / "facet_state", to_string(facet_state::cancelled)); !r) return r;
    return s.remove(*entry);
}

template <class Deferred = void>
result<void> cancel(basic_cell_tree<Deferred>& tree, std::string_view facet, std::string_view hash,
                    std::string_view reason) {
    basic_store<Deferred> s(tree);
    return cancel(s, facet, hash, reason);
}
// Staged: the entry disappears at the next beat; a handler running in this beat may still see it.
template <class Deferred = void>
result<void> cancel(write_context& ctx, std::string_view facet, std::string_view hash, std::string_view reason) {
    basic_store<Deferred> s(ctx);
    return cancel(s, facet, hash, reason);
}

}  // namespace cep::closure
