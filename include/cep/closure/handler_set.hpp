// The handler set: the facet handlers a program knows, checked by the compiler ((facet, context) keys are unique),
// and the tick that runs them. tick (the seed's cep_tick_l1) visits each queue entry once per call, calls the
// handler registered for its (facet, context tag) with the paths of the entry and of the facet record, and records
// the outcome in both, enforcing the handler's attempt budget.
#pragma once

#include <cep/closure/handler.hpp>
#include <cep/closure/layout.hpp>
#include <cep/closure/store.hpp>
#include <cep/closure/summary.hpp>
#include <cep/contract/registry.hpp>
#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/status.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/decimal.hpp>
#include <cep/detail/spelling.hpp>
#include <cep/detail/type_list.hpp>
#include <cep/dispatch/context.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`: the compiler
// then compiles one only where a program calls it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::closure {

// Diagnostic name (never true): two handlers with one (facet, context) key; the tags are spelled
// kind_name<'a', 'u', ...>.
template <class Facet, class Context, class FirstHandler, class SecondHandler>
struct duplicate_facet_handler {
    static constexpr bool value = false;
};

namespace detail {

// One row of a handler set's dispatch table, built at compile time.
struct handler_entry {
    std::string_view facet;
    std::string_view context;
    facet_policy policy;
    status (*call)(void* handlers, const facet_job& job, store& s);
};

template <std::size_t N>
constexpr cep::detail::index_pair first_duplicate_key(const std::array<std::string_view, N>& facets,
                                                      const std::array<std::string_view, N>& contexts) {
    for (std::size_t j = 0; j < N; ++j)
        for (std::size_t i = 0; i < j; ++i)
            if (facets[i] == facets[j] && contexts[i] == contexts[j]) return {i, j};
    return {N, N};
}

// The attempts recorded in a facet record's meta/attempts (`cell`, its cell when it has one; `counter`, its id).
template <class Deferred = void>
std::uint32_t read_attempts(const basic_store<Deferred>& s, path_id counter,
                            const cep::detail::lazy<Deferred, std::optional<basic_cell_view<Deferred>>>& cell,
                            basic_tick_summary<Deferred>& out) {
    const std::string_view text = cell ? cell->text() : std::string_view{};
    if (text.empty()) return 0;
    const auto n = cep::detail::parse_decimal<std::uint32_t>(text);
    if (!n) {
        out.errors.push_back(error{errc::closure_bad_record, s.paths().text_of(counter) + " holds \"" +
                                                              std::string(text) +
                                                              "\", not a number of attempts: counting from 0"});
        return 0;
    }
    return *n;
}

// The pass itself, written once for every handler set (the set only supplies its table). It works on interned ids:
// the cells of an entry and of its facet record are reached from the entry's id, with no path text built, hashed
// or allocated (the handler is given path_refs). The fields of a record are found through its cell (a few names
// compared, see cell_tree::child_index) and take their ids from their cells: over a queue of 10k entries, the path
// table's indexes are tables the size of the tree, where each probe is a cache miss.
template <class Deferred = void>
basic_tick_summary<Deferred> tick_pass(basic_store<Deferred>& s,
                                       cep::detail::lazy<Deferred, std::span<const handler_entry>> table,
                                       void* handlers) {
    using path_ref = basic_path_ref<Deferred>;
    using optional_cell = cep::detail::lazy<Deferred, std::optional<basic_cell_view<Deferred>>>;
    basic_tick_summary<Deferred> out;
    basic_path_table<Deferred>& paths = s.paths();
    const std::size_t mark = store_access::mark(s);
    const auto write = [&](path_id at, std::string_view text) {
        if (auto r = store_access::put_text(s, at, text); !r) out.errors.push_back(r.error());
    };
    const auto below = [&](path_id at, std::string_view segment) { return paths.child(at, segment).value(); };
    // The id and the cell (when there is one) of `name` below `at`, whose cell is `cell`. A cell at `at` itself
    // (reached with no link) has children that carry the ids interned below `at`: the child's id is its cell's.
    // Otherwise (no cell, or one reached through a link) the id is interned by name and the cell found by it.
    struct field_ref {
        path_id id;
        optional_cell cell;
    };
    const auto field_of = [&](path_id at, const optional_cell& cell, std::string_view name) -> field_ref {
        if (cell && cell->id() == at) {
            auto child = cell->child(name);
            if (!child) return {below(at, name), std::nullopt};
            if (!child->is_link()) return {child->id(), child};
        }
        const path_id id = below(at, name);
        return {id, s.find(id)};
    };

    const path_id queue = paths.intern(queue_root);
    const path_id facets = paths.intern(facets_root);
    const path_id contexts = paths.intern(contexts_root);

    // The entries as they are now: entries queued during the pass are left for the next one. The ids of
    // /bonds/facet_queue/<facet>/<hash>, whatever links the tree follows to them: the cells' own when the queue's
    // cell is at the queue's path, else by name below it.
    cep::detail::lazy<Deferred, std::vector<path_id>> items;
    if (const auto root = s.find(queue)) {
        const bool at_home = root->id() == queue;
        for (const auto family : root->children()) {
            const path_id family_id = at_home ? family.id() : below(queue, family.name());
            for (const auto entry : family.children())
                items.push_back(at_home ? entry.id() : below(family_id, entry.name()));
        }
    }
    out.visits.reserve(items.size());

    cep::detail::lazy<Deferred, std::vector<path_id>> finished;  // removed after the pass
    // Entries come family by family: the facet's records' parent is looked up once per family.
    path_id last_family = paths.root();
    path_id record_family = paths.root();
    for (const path_id entry : items) {
        // Gone already: cancelled by a handler earlier in this pass (or, in an immediate tick, removed).
        const optional_cell entry_cell = s.find(entry);
        if (!entry_cell || !store_access::exists_after(s, entry, true)) continue;
        const auto text_field = [&](std::string_view name) -> std::string {
            const auto cell = s.tree().find_below(*entry_cell, {name});
            return cell ? std::string(cell->text()) : std::string();
        };
        const field_ref entry_state = field_of(entry, entry_cell, "queue_state");
        // Read before any write (a write may move the cell's text).
        const std::string_view state_text = entry_state.cell ? entry_state.cell->text() : std::string_view{};
        const bool has_state = entry_state.cell.has_value();
        const bool was_pending = has_state && state_text == to_string(queue_state::pending);
        const bool was_missing = has_state && state_text == to_string(queue_state::missing);
        if (has_state && state_text == to_string(queue_state::complete)) {  // a removal that did not happen: finish it
            finished.push_back(entry);
            continue;
        }
        if (!was_pending && !was_missing) continue;

        // The visit's strings are the ones the handler sees: built once, moved into the summary at the end.
        const path_id family = paths.parent(entry);
        facet_visit visit{std::string(paths.leaf(family)), text_field("context_tag"), std::string(paths.leaf(entry)),
                          outcome::completed, 0};
        const std::string& facet = visit.facet;
        const std::string& hash = visit.hash;
        const std::string& context_tag = visit.context_tag;
        const std::string label = text_field("value");
        if (family != last_family) {
            last_family = family;
            record_family = below(facets, facet);
        }
        const path_id record = below(record_family, hash);
        const optional_cell record_cell = s.find(record);
        const field_ref meta = field_of(record, record_cell, "meta");
        const field_ref counter = field_of(meta.id, meta.cell, "attempts");
        const path_id record_state = field_of(record, record_cell, "facet_state").id;
        const std::uint32_t attempts = read_attempts(s, counter.id, counter.cell, out);

        const handler_entry* handler = nullptr;
        for (const auto& h : table)
            if (h.facet == facet && h.context == context_tag) handler = &h;
        if (!handler) {
            if (!was_missing) write(entry_state.id, to_string(queue_state::missing));
            visit.result = outcome::missing;
            visit.attempt = attempts;
            out.add(std::move(visit));
            continue;
        }

        const std::uint32_t attempt = attempts + 1;
        write(counter.id, cep::detail::lazy<Deferred, cep::detail::decimal>(attempt).view());
        const facet_job job{facet,
                            context_tag,
                            hash,
                            label,
                            path_ref(paths, entry, cep::detail::checked_id),
                            path_ref(paths, record, cep::detail::checked_id),
                            path_ref(paths, below(contexts, hash), cep::detail::checked_id),
                            attempt};
        status rc = status::fatal;
        cep::detail::lazy<Deferred, std::string> thrown;
        try {
            rc = handler->call(handlers, job, s);
        } catch (const std::exception& e) {
            thrown = e.what();
        } catch (...) {
            thrown = "unknown exception";
        }

        const auto fail = [&](std::string_view why) {
            write(record_state, to_string(facet_state::failed));
            if (!why.empty()) write(below(meta.id, "error"), why);
            write(entry_state.id, to_string(queue_state::fatal));
        };
        outcome result = outcome::completed;
        if (!thrown.empty()) {
            fail("handler threw: " + thrown);
            result = outcome::failed;
        } else if (rc == status::success) {
            write(record_state, to_string(facet_state::complete));
            write(entry_state.id, to_string(queue_state::complete));
            finished.push_back(entry);
        } else if (rc == status::fatal) {
            fail({});
            result = outcome::failed;
        } else if (attempt < handler->policy.budget()) {
            // Only what changes is written: fewer staged writes, and none racing a same-beat cancel.
            const auto current = s.find(record_state);
            if (!current || current->text() != to_string(facet_state::pending))
                write(record_state, to_string(facet_state::pending));
            if (!was_pending) write(entry_state.id, to_string(queue_state::pending));
            result = outcome::retrying;
            out.more_work = true;
        } else {
            const std::string why = "retry budget exhausted after " + std::to_string(attempt) + " attempt(s)";
            if (handler->policy.exhausted == on_exhaustion::cancel) {
                write(below(meta.id, "cancel_reason"), why);
                write(record_state, to_string(facet_state::cancelled));
                finished.push_back(entry);
            } else {
                fail(why);
            }
            result = outcome::exhausted;
        }
        visit.result = result;
        visit.attempt = attempt;
        out.add(std::move(visit));
    }

    // Last first: the pass visits entries in name order, so removing from the back leaves the earlier ones' slots
    // as they are until the tree compacts its children.
    for (auto it = finished.rbegin(); it != finished.rend(); ++it)
        if (const path_id entry = *it; store_access::exists_after(s, entry, true))
            if (auto r = s.remove(entry); !r) out.errors.push_back(r.error());

    // Facets queued during the pass (by handlers) are work for the next one.
    for (const path_id entry : store_access::entry_ids_written_since(s, mark))
        out.more_work = out.more_work || store_access::exists_after(s, entry, false);

    // Empty families go, but only when writing the tree itself: inside a beat another enzyme may be queueing into
    // a family in the same beat, and a staged removal of the family would erase that work at commit.
    if (!s.staged())
        if (const auto root = s.find(queue)) {
            cep::detail::lazy<Deferred, std::vector<std::string>> empty;
            for (const auto family : root->children())
                if (family.size() == 0) empty.emplace_back(family.name());
            for (const auto& family : empty) {
                if (auto r = s.remove(below(queue, family)); !r) out.errors.push_back(r.error());
                else out.removed_families.push_back(family);
            }
        }
    return out;
}

}  // namespace detail

template <class... Handlers>
class handler_set {
    // Dependent spellings (see detail/lazy.hpp): a tick is compiled only in a program that runs one.
    using store = cep::detail::lazy<handler_set, closure::store>;
    using tick_summary = cep::detail::lazy<handler_set, closure::tick_summary>;

public:
    static constexpr std::size_t size = sizeof...(Handlers);
    static constexpr bool handlers_ok = (check_facet_handler<Handlers>() && ... && true);
    static_assert(handlers_ok, "cep::closure::handler_set: every type must be a facet handler (see above)");

    // Per handler, in registration order.
    static constexpr std::array<std::string_view, size> facets{facet_handler_traits<Handlers>::facet...};
    static constexpr std::array<std::string_view, size> contexts{facet_handler_traits<Handlers>::context...};
    static constexpr std::array<facet_policy, size> policies{facet_handler_traits<Handlers>::policy...};

private:
    static constexpr cep::detail::index_pair duplicate = detail::first_duplicate_key(facets, contexts);

    static constexpr bool report_duplicate() {
        if constexpr (!handlers_ok || duplicate.second == size) {
            return true;
        } else {
            using first = cep::detail::nth_type<duplicate.first, Handlers...>;
            using second = cep::detail::nth_type<duplicate.second, Handlers...>;
            static_assert(
                duplicate_facet_handler<cep::detail::spelled_kind<cep::detail::kind_text{facets[duplicate.second]}>,
                                        cep::detail::spelled_kind<cep::detail::kind_text{contexts[duplicate.second]}>,
                                        first, second>::value,
                "cep::closure::handler_set: two handlers have the same (facet, context) key; register each pair "
                "once (duplicate_facet_handler<facet, context, first, second>)");
            return false;
        }
    }

public:
    static constexpr bool keys_unique = report_duplicate();
    static constexpr bool ok = handlers_ok && keys_unique;

    // The position of the handler for (facet, context tag), or `size` when there is none.
    [[nodiscard]] static constexpr std::size_t index_of(std::string_view facet, std::string_view context) noexcept {
        for (std::size_t i = 0; i < size; ++i)
            if (facets[i] == facet && contexts[i] == context) return i;
        return size;
    }
    template <class H>
    static constexpr bool contains = (std::is_same_v<H, Handlers> || ... || false);

    // The instance of a handler type (handlers may keep state).
    template <class H>
    [[nodiscard]] H& handler() noexcept {
        static_assert(contains<H>, "cep::closure::handler_set::handler<H>(): H is not in this handler set");
        return std::get<position<H>()>(instances_);
    }

    // One pass writing the tree at once (between beats, or without a heartbeat).
    tick_summary tick(cell_tree& tree) {
        store s(tree);
        return tick(s);
    }
    // One pass inside an enzyme: reads the committed tree, writes into the beat's staging.
    tick_summary tick(write_context& ctx) {
        store s(ctx);
        return tick(s);
    }
    tick_summary tick(store& s) { return detail::tick_pass(s, table, this); }

private:
    template <class H>
    static constexpr std::size_t position() {
        constexpr std::array<bool, size> same{std::is_same_v<H, Handlers>...};
        for (std::size_t i = 0; i < size; ++i)
            if (same[i]) return i;
        return size;
    }
    template <std::size_t I>
    static status call(void* self, const facet_job& job, store& s) {
        return std::get<I>(static_cast<handler_set*>(self)->instances_)(job, s);
    }
    template <std::size_t... Is>
    static constexpr std::array<detail::handler_entry, size> make_table(std::index_sequence<Is...>) {
        return {detail::handler_entry{facets[Is], contexts[Is], policies[Is], &call<Is>}...};
    }
    static constexpr std::array<detail::handler_entry, size> table = make_table(std::index_sequence_for<Handlers...>{});

    std::tuple<Handlers...> instances_;
};

}  // namespace cep::closure
