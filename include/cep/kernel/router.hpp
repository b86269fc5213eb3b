// The router part of the kernel: the enzyme registrations, the bindings on cells, and the resolver that turns a
// (signal, target) pair into an agenda (memoised until registrations or bindings change).
//
// Resolution (DESIGN.md section 3): with a target, the enzymes bound on the target's ancestor chain (propagating
// bindings reach descendants, a tombstone cancels an inherited binding at and below its cell), kept when one of
// their queries also selects the signal; without a target, every enzyme whose query selects the signal. Order:
// Kahn's algorithm over the transitive before/after closure, ties broken by (dual match, specificity,
// precedence, name, registration order).
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/tree.hpp>
#include <cep/dispatch/enzyme.hpp>
#include <cep/dispatch/match.hpp>
#include <cep/dispatch/registry.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/kernel/concepts.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cep {

// How bindings reach descendants.
enum class binding_scope : std::uint8_t { this_cell, propagate };
inline constexpr binding_scope propagate = binding_scope::propagate;

// Resolution policies. With a target: enzymes bound on the target's ancestor chain, kept when their query also
// matches the signal (the seed's normative rule). Without a target: every enzyme whose query matches the signal.
struct bound_then_matched {};
// Target-bound OR signal-matched (an enzyme bound on the chain runs even when its query does not match).
struct bound_or_matched {};

// A resolved agenda: steps [offset, offset + length) of the router's arena, and the last beat it ran in.
struct memo_entry {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
    beat_number last_run = 0;
};

// One registration, as the router contract lists them.
struct route_entry {
    std::string_view enzyme;
    std::string query;
    [[nodiscard]] friend bool operator==(const route_entry&, const route_entry&) = default;
};

namespace detail {
inline std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) noexcept {
    return (static_cast<std::uint64_t>(a) << 32) | b;
}

}  // namespace detail

template <class Registry, class Resolution = bound_then_matched>
class agenda_router {
    // The library's classes spelled dependent on Registry (see detail/lazy.hpp).
    using deferred = detail::lazy<Registry, void>;
    using cell_tree = basic_cell_tree<deferred>;
    using path_table = basic_path_table<deferred>;
    using path_ref = basic_path_ref<deferred>;

    static constexpr std::size_t enzyme_count = Registry::size;

public:
    using registry_type = Registry;

    agenda_router() = default;
    agenda_router(const agenda_router&) = delete;
    agenda_router& operator=(const agenda_router&) = delete;

    template <class System>
    void init(System& system) {
        tree_ = &system.template get<"hierarchy">().tree();
    }

    // ---- kernel interface: changes are requests, applied in order at the next beat boundary ----
    void request_register(std::size_t index) { change(change_kind::register_own, index); }
    void request_register(std::size_t index, const query& under) {
        pending_extra_.push_back(
            extra_registration{static_cast<std::uint16_t>(index), under, {}, under.specificity()});
        pending_changes_.push_back(pending_change{change_kind::register_extra, static_cast<std::uint16_t>(index), 0,
                                                  {}, static_cast<std::uint32_t>(pending_extra_.size() - 1)});
    }
    void request_unregister(std::size_t index) { change(change_kind::unregister, index); }
    void request_binding(path_id cell, std::size_t index, binding_scope scope, bool tombstone) {
        tree_->paths().pin(cell);  // a recycled id would carry the binding to another path
        pending_changes_.push_back(pending_change{change_kind::bind, static_cast<std::uint16_t>(index), cell.value,
                                                  binding_entry{static_cast<std::uint16_t>(index), scope, tombstone},
                                                  0});
    }
    void request_unbind(path_id cell, std::size_t index) { change(change_kind::unbind, index, cell.value); }

    // Applies the requested changes in the order they were asked for. Returns true when anything changed (the
    // memoised agendas are then forgotten and the generation moves on).
    bool apply_changes() {
        if (pending_changes_.empty()) return false;
        for (const auto& c : pending_changes_) {
            switch (c.kind) {
                case change_kind::register_own: registered_[c.enzyme] = true; break;
                case change_kind::register_extra: {
                    extras_.push_back(std::move(pending_extra_[c.extra]));
                    auto& placed = extras_.back();  // a deque keeps it in place, so the views stay valid
                    for (auto segment : placed.query_text.segments()) placed.segments.push_back(segment);
                    extras_of_[c.enzyme].push_back(static_cast<std::uint32_t>(extras_.size() - 1));
                    break;
                }
                case change_kind::unregister:
                    registered_[c.enzyme] = false;
                    extras_of_[c.enzyme].clear();
                    break;
                case change_kind::bind: bindings_.find_or_add(c.cell).push_back(c.entry); break;
                case change_kind::unbind:
                    if (auto* own = bindings_.find(c.cell))
                        std::erase_if(*own, [&](const binding_entry& b) { return b.enzyme == c.enzyme; });
                    break;
            }
        }
        active_ = {};
        for (std::size_t i = 0; i < enzyme_count; ++i)
            if (registered_[i] || !extras_of_[i].empty()) active_.insert(i);
        pending_changes_.clear();
        pending_extra_.clear();
        ++generation_;
        forget_agendas();
        return true;
    }

    // Flags of a position (below): the single run per (signal, target, beat) is claimed on the target itself
    // (path_table::claim_run), not on a memo entry; and the agenda is shared, an index into the agendas of new
    // children by parent rather than into the memo.
    static constexpr std::uint32_t claimed_on_target = 0x80000000u;
    static constexpr std::uint32_t shared_agenda = 0x40000000u;
    static constexpr std::uint32_t position_bits = shared_agenda - 1;

    // The position of the agenda of (signal, target), resolved on first use (target: a path_id value or
    // queued_impulse::no_target). Below claimed_on_target: a memo entry, agenda_at(). Otherwise see
    // agenda_steps(). Targets whose agenda is their parent's for its children, shared, and not memoised:
    // - a transient target with no bindings (pinned by none): a new target per impulse would fill the memo with
    //   pairs seen once, and make it start over at every release of transient ids;
    // - on its first run, a kept target held by its text (path_table) with no bindings of its own: a new target per
    //   message, kept, runs once or a few times. From its second impulse on (in this beat or a later one), its pairs
    //   are memoised (a memo hit is the cheapest lookup there is): its run mark says it ran before.
    // Positions stay valid until the memo starts over (apply_changes, make_room, start_over).
    std::uint32_t agenda_position(path_id signal, std::uint32_t target) {
        const auto key = detail::pair_key(signal.value, target);
        if (const auto known = index_.find(key); known != detail::flat_index::absent) [[likely]] return known;
        if (target != queued_impulse::no_target) {
            if (tree_->paths().transient_unpinned(path_id{target})) return shared_position(signal, target);
            if (tree_->paths().holds_run_mark(path_id{target})) return kept_position(key, signal, target);
        }
        return resolve_new(key, signal, target);
    }
    // A memo position (below claimed_on_target, flags cleared) for (signal, target), memoised if needed: for the
    // pairs a shared agenda cannot deduplicate (path_table::run_claim::taken) and for introspection.
    std::uint32_t memo_position(path_id signal, std::uint32_t target) {
        const auto key = detail::pair_key(signal.value, target);
        if (const auto known = index_.find(key); known != detail::flat_index::absent) return known & position_bits;
        return resolve_new(key, signal, target) & position_bits;
    }
    [[nodiscard]] memo_entry& agenda_at(std::uint32_t position) noexcept { return entries_[position & position_bits]; }
    memo_entry& agenda_for(path_id signal, std::uint32_t target) { return entries_[memo_position(signal, target)]; }
    [[nodiscard]] const memo_entry* find_agenda(std::uint32_t signal, std::uint32_t target) const {
        const auto position = index_.find(detail::pair_key(signal, target));
        return position == detail::flat_index::absent ? nullptr : &entries_[position & position_bits];
    }
    // The enzyme indices of an agenda, in execution order.
    [[nodiscard]] detail::lazy<Registry, std::span<const std::uint16_t>> steps(const memo_entry& entry) const noexcept {
        return {arena_.data() + entry.offset, entry.length};
    }
    // The steps at any position agenda_position() returned.
    [[nodiscard]] detail::lazy<Registry, std::span<const std::uint16_t>> agenda_steps(
        std::uint32_t position) const noexcept {
        if ((position & shared_agenda) == 0) return steps(entries_[position & position_bits]);
        const arena_range& range = by_parent_.at(position & position_bits);
        return {arena_.data() + range.offset, range.length};
    }
    // The steps of (signal, target) if already resolved (memoised or shared), without resolving: for retries.
    [[nodiscard]] std::optional<detail::lazy<Registry, std::span<const std::uint16_t>>> find_steps(
        std::uint32_t signal, std::uint32_t target) const {
        if (const memo_entry* entry = find_agenda(signal, target)) return steps(*entry);
        if (target == queued_impulse::no_target || !shares_parent_agenda(path_id{target})) return {};
        const auto at = by_parent_.position_of(
            detail::pair_key(signal, tree_->paths().parent(path_id{target}).value));
        if (at == detail::flat_index::absent) return {};
        return agenda_steps(at | shared_agenda);
    }
    // Bounded memory: before `incoming` lookups, a memo that could outgrow its capacity starts over (before, so
    // the entries those lookups return stay put).
    void make_room(std::size_t incoming) {
        retired_steps_.clear();  // no agenda runs now (see reserve_steps)
        if (entries_.size() + incoming > memo_capacity_) forget_agendas();
    }
    // A signal type's candidates, computed by the compiler: resolve() uses them instead of matching text.
    template <class Signal>
    void note_typed_signal(path_id signal) {
        if (typed_signals_.find(signal.value) == nullptr) {
            tree_->paths().pin(signal);  // kept for good (transient ids included): a released id must not inherit it
            typed_signals_.add(signal.value, &Registry::template candidates_for_signal<Signal>);
        }
    }

    // Forgets every memoised agenda and the caches behind them (all keyed by path ids): after transient ids were
    // released, no key may name a reused id.
    // Only what is keyed by a transient id is forgotten (by its key, from the indexes): the usual case, transient
    // targets right below their root, keys none, so a release costs the memo nothing, and every other agenda stays
    // memoised whatever the targets below a transient root.
    // What is forgotten stays in the caches' arrays, unreachable, until they are cleared: once that adds up to
    // forget_all_after entries, everything is forgotten at once instead, which bounds the memory.
    void start_over() {
        if (transient_keys_.empty()) return;
        forgotten_ += transient_keys_.size();
        if (forgotten_ >= forget_all_after) {
            forget_agendas();
            return;
        }
        for (const auto& k : transient_keys_) {
            switch (k.in) {
                case cache::memo: (void)index_.erase(k.key); break;
                case cache::by_parent: by_parent_.forget(k.key); break;
                case cache::inherited: inherited_.forget(k.key); break;
                case cache::signal_matches: signal_matches_.forget(k.key); break;
                case cache::order:
                    (void)order_index_.erase(k.key, [&](std::uint32_t at) { return at == k.position; });
                    break;
            }
        }
        transient_keys_.clear();
    }
    void set_memo_capacity(std::size_t capacity) noexcept {
        memo_capacity_ = std::min<std::size_t>(capacity, position_bits);  // positions keep two bits for flags
    }
    [[nodiscard]] std::uint64_t generation() const noexcept { return generation_; }
    [[nodiscard]] std::size_t memo_size() const noexcept { return entries_.size(); }

    // ---- the router contract (in effect from the next beat boundary, like every registration) ----
    result<void> register_route(const query& under, std::string_view enzyme) {
        const auto index = Registry::index_of(enzyme);
        if (index == enzyme_count) return unknown_enzyme(enzyme);
        if (under.text() == Registry::queries[index])
            request_register(index);
        else
            request_register(index, under);
        return {};
    }
    // The enzymes that a broadcast of `signal` runs, in agenda order.
    [[nodiscard]] detail::lazy<Registry, std::vector<std::string_view>> match(const path& signal) {
        detail::lazy<Registry, std::vector<std::string_view>> names;
        for (auto i : steps(agenda_for(tree_->paths().intern(signal), queued_impulse::no_target)))
            names.push_back(Registry::names[i]);
        return names;
    }
    // The length of an impulse's agenda (a target of "/" is a broadcast).
    std::size_t route(const impulse& message) {
        const std::uint32_t target =
            message.target.is_root() ? queued_impulse::no_target : tree_->paths().intern(message.target).value;
        return agenda_for(tree_->paths().intern(message.signal), target).length;
    }
    // Removes the registration of `enzyme` under `under` (its own query or an extra one) from the next boundary.
    // False when the enzyme has no such registration now.
    bool unregister_route(const query& under, std::string_view enzyme) {
        const auto index = Registry::index_of(enzyme);
        if (index == enzyme_count) return false;
        const bool own = registered_[index] && under.text() == Registry::queries[index];
        const bool extra = std::any_of(extras_of_[index].begin(), extras_of_[index].end(),
                                       [&](std::uint32_t e) { return extras_[e].query_text == under; });
        if (!own && !extra) return false;
        // Unregister everything, then register again what stays.
        request_unregister(index);
        if (!own && registered_[index]) request_register(index);
        for (auto e : extras_of_[index])
            if (!(extras_[e].query_text == under)) request_register(index, extras_[e].query_text);
        return true;
    }
    [[nodiscard]] bool has_route(const query& under) const {
        for (std::size_t i = 0; i < enzyme_count; ++i) {
            if (registered_[i] && under.text() == Registry::queries[i]) return true;
            for (auto e : extras_of_[i])
                if (extras_[e].query_text == under) return true;
        }
        return false;
    }
    // Every registration in effect, by enzyme (registry order), the enzyme's own query first.
    [[nodiscard]] detail::lazy<Registry, std::vector<route_entry>> get_routes() const {
        detail::lazy<Registry, std::vector<route_entry>> out;
        for (std::size_t i = 0; i < enzyme_count; ++i) {
            if (registered_[i]) out.push_back(route_entry{Registry::names[i], std::string(Registry::queries[i])});
            for (auto e : extras_of_[i])
                out.push_back(route_entry{Registry::names[i], std::string(extras_[e].query_text.text())});
        }
        return out;
    }

    // The contract's property: the compile-time registry the routes come from.
    Registry route_registry{};

    static error unknown_enzyme(std::string_view name) {
        return error{errc::unknown_enzyme, "no enzyme named '" + std::string(name) + "' in this heartbeat's registry"};
    }

private:
    // Whether an unmemoised target's agenda is its parent's for new children (see agenda_position): a target held
    // by its text, transient and pinned by nothing, or kept with no bindings of its own.
    [[nodiscard]] bool shares_parent_agenda(path_id target) const {
        const auto& paths = tree_->paths();
        if (paths.transient_unchecked(target)) return paths.transient_unpinned(target);
        return paths.holds_run_mark(target) && bindings_.find(target.value) == nullptr;
    }
    // A memo miss whose target holds a run mark and is not a transient one nothing pinned (out of line, like
    // resolve_new).
    [[gnu::noinline]] std::uint32_t kept_position(std::uint64_t key, path_id signal, std::uint32_t target) {
        const auto& paths = tree_->paths();
        if (paths.transient_unchecked(path_id{target})) return resolve_new(key, signal, target);  // pinned
        const auto last = paths.last_run(path_id{target});
        if (last.beat == path_table::never_ran && bindings_.find(target) == nullptr)
            return shared_position(signal, target);
        const std::uint32_t position = resolve_new(key, signal, target);
        // Memoised from its second impulse on: a run of this pair claimed on the target earlier in this beat (by
        // an impulse before this one, or through process_message) counts as the memo entry's.
        if (last.beat != path_table::never_ran && last.signal == signal.value)
            entries_[position & position_bits].last_run = last.beat;
        return position;
    }
    // The agenda a target's parent gives new children, shared (out of line too).
    [[gnu::noinline]] std::uint32_t shared_position(path_id signal, std::uint32_t target) {
        auto& paths = tree_->paths();
        const path_id parent = paths.parent(path_id{target});
        const auto parent_key = detail::pair_key(signal.value, parent.value);
        auto at = by_parent_.position_of(parent_key);
        if (at == detail::flat_index::absent) {
            // A cache key must keep naming its paths (see resolve_new).
            if (paths.pin_in_use(signal) || paths.transient_unchecked(parent))
                note_transient(cache::by_parent, parent_key);
            at = static_cast<std::uint32_t>(by_parent_.size());
            by_parent_.add(parent_key, order_of_parts(signal, target));
        }
        return at | shared_agenda | claimed_on_target;
    }
    // A memo miss, resolved and memoised (kept out of line, so that the hit stays small; order_for() inlined).
    [[gnu::noinline]] std::uint32_t resolve_new(std::uint64_t key, path_id signal, std::uint32_t target) {
        auto& paths = tree_->paths();
        // A memo key must keep naming its paths: recyclable ids in it are pinned (transient ones are not: the
        // heartbeat calls start_over() when it releases any, which forgets the entries keyed by them).
        const bool transient_signal = paths.pin_in_use(signal);
        const std::uint32_t flags =
            target != queued_impulse::no_target && paths.pin_in_use(path_id{target}) ? claimed_on_target : 0;
        if (flags != 0 || transient_signal) [[unlikely]]
            note_transient(cache::memo, key);
        memo_entry entry;
        const auto order = order_for(signal, target);
        entry.offset = order.offset;
        entry.length = order.length;
        const auto position = static_cast<std::uint32_t>(entries_.size());
        entries_.push_back(entry);
        index_.insert(key, position | flags);
        return position | flags;
    }

    struct binding_entry {
        std::uint16_t enzyme = 0;
        binding_scope scope = binding_scope::this_cell;
        bool tombstone = false;
    };
    enum class change_kind : std::uint8_t { register_own, register_extra, unregister, bind, unbind };
    struct pending_change {
        change_kind kind;
        std::uint16_t enzyme;
        std::uint32_t cell = 0;
        binding_entry entry{};
        std::uint32_t extra = 0;  // register_extra: index into pending_extra_
    };
    struct extra_registration {
        std::uint16_t enzyme;
        query query_text;
        detail::lazy<Registry, std::vector<std::string_view>> segments;  // into query_text, once in extras_
        std::size_t specificity;
    };

    void change(change_kind kind, std::size_t index, std::uint32_t cell = 0) {
        pending_changes_.push_back(pending_change{kind, static_cast<std::uint16_t>(index), cell, {}, 0});
    }
    void forget_agendas() {
        index_.clear();
        entries_.clear();
        arena_.clear();
        orders_.clear();
        order_index_.clear();
        signal_matches_.clear();
        by_parent_.clear();
        inherited_.clear();
        transient_keys_.clear();
        forgotten_ = 0;
    }
    // Cache entries keyed by a transient id, which start_over() forgets (a release may give the id to another path).
    enum class cache : std::uint8_t { memo, by_parent, inherited, signal_matches, order };
    struct transient_key {
        cache in;
        std::uint32_t position;  // cache::order: the position in orders_ (several orders may share a hash)
        std::uint64_t key;
    };
    [[gnu::noinline, gnu::cold]] void note_transient(cache c, std::uint64_t key, std::uint32_t position = 0) {
        transient_keys_.push_back(transient_key{c, position, key});
    }
    [[nodiscard]] bool transient_id(std::uint32_t id) const noexcept {
        return tree_->paths().transient_unchecked(path_id{id});
    }

    using candidate_set = detail::index_set<enzyme_count>;

    // Which enzymes' registrations select a signal, with the highest specificity among them (-1: none).
    struct signal_match {
        candidate_set matched;
        std::array<std::int16_t, enzyme_count> specificity;
    };
    // A resolved order: a range of arena_, shared by every (signal, target) pair with the same candidates.
    struct arena_range {
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
    };
    // What an order depends on: the signal (for the specificities), the candidates and which of them match twice.
    struct order_key {
        std::uint32_t signal;
        candidate_set candidates;
        candidate_set dual;
        friend bool operator==(const order_key& a, const order_key& b) noexcept {
            return a.signal == b.signal && a.candidates.bits == b.candidates.bits && a.dual.bits == b.dual.bits;
        }
    };
    static std::uint64_t hash_of(const order_key& k) noexcept {
        std::uint64_t h = 0x9e3779b97f4a7c15ull ^ k.signal;
        for (auto w : k.candidates.bits) h = (h ^ w) * 0x100000001b3ull;
        for (auto w : k.dual.bits) h = (h ^ w) * 0x100000001b3ull;
        return h ^ (h >> 29);
    }

    // The agenda of (signal, target) as an arena range. A target with no bindings of its own gets exactly what its
    // parent passes down, so its agenda is its siblings' (the usual new pair: a new cell under a known one): one
    // probe by (signal, parent). Otherwise three caches make a pair never seen before cheap when its parts were:
    // the signal's matches, the bindings the target's parent passes down, and the order of a candidate set. All
    // are cleared with the memo. Resolution rules: see the top of this file.
    [[gnu::always_inline]] arena_range order_for(path_id signal, std::uint32_t target) {
        // A transient target nothing pinned has no binding (a binding pins its cell): no lookup for one.
        if (target == queued_impulse::no_target || target == path_table::root().value ||
            (!tree_->paths().transient_unpinned(path_id{target}) && bindings_.find(target) != nullptr))
            return order_of_parts(signal, target);
        const auto key = detail::pair_key(signal.value, tree_->paths().parent(path_id{target}).value);
        if (const auto* known = by_parent_.find(key)) return *known;
        if (transient_id(signal.value) || transient_id(tree_->paths().parent(path_id{target}).value))
            note_transient(cache::by_parent, key);
        return by_parent_.add(key, order_of_parts(signal, target));
    }
    arena_range order_of_parts(path_id signal, std::uint32_t target) {
        const signal_match& sm = matches_for(signal);
        order_key key{signal.value, {}, {}};
        if (target == queued_impulse::no_target) {
            key.candidates = sm.matched;  // a broadcast: every enzyme whose query selects the signal
        } else {
            candidate_set bound = bound_at(path_id{target});
            for (std::size_t w = 0; w < candidate_set::words; ++w) bound.bits[w] &= active_.bits[w];
            for (std::size_t w = 0; w < candidate_set::words; ++w) {
                const std::uint64_t both = bound.bits[w] & sm.matched.bits[w];
                key.dual.bits[w] = both;
                if constexpr (std::is_same_v<Resolution, bound_or_matched>)
                    key.candidates.bits[w] = bound.bits[w] | sm.matched.bits[w];
                else
                    key.candidates.bits[w] = both;  // bound and matching
            }
        }
        const std::uint64_t hash = hash_of(key);
        const auto known = order_index_.find(hash, [&](std::uint32_t at) { return orders_[at].first == key; });
        if (known != detail::flat_index::absent) return orders_[known].second;
        arena_range range{static_cast<std::uint32_t>(arena_.size()), 0};
        place_in_order(key, sm);
        range.length = static_cast<std::uint32_t>(arena_.size() - range.offset);
        order_index_.insert(hash, static_cast<std::uint32_t>(orders_.size()));
        if (transient_id(signal.value))
            note_transient(cache::order, hash, static_cast<std::uint32_t>(orders_.size()));
        orders_.emplace_back(key, range);
        return range;
    }

    const signal_match& matches_for(path_id signal) {
        if (const auto* known = signal_matches_.find(signal.value)) return *known;
        std::array<std::string_view, path_limits::max_depth> segment_buffer{};
        const path_ref signal_ref(tree_->paths(), signal);
        const std::size_t depth = signal_ref.segments(segment_buffer);
        const detail::lazy<Registry, std::span<const std::string_view>> signal_segments(segment_buffer.data(), depth);
        const auto* typed = typed_signals_.find(signal.value);
        const std::array<bool, enzyme_count>* precomputed = typed == nullptr ? nullptr : *typed;
        signal_match sm{};
        for (std::size_t i = 0; i < enzyme_count; ++i) {
            int best = -1;
            if (registered_[i] && (precomputed ? (*precomputed)[i]
                                               : matchers_[i](Registry::query_segments(i), signal_segments)))
                best = static_cast<int>(Registry::specificity[i]);
            for (auto e : extras_of_[i]) {
                const auto& extra = extras_[e];
                if (static_cast<int>(extra.specificity) > best && matchers_[i](extra.segments, signal_segments))
                    best = static_cast<int>(extra.specificity);
            }
            sm.specificity[i] = static_cast<std::int16_t>(best);
            if (best >= 0) sm.matched.insert(i);
        }
        if (transient_id(signal.value)) note_transient(cache::signal_matches, signal.value);
        return signal_matches_.add(signal.value, sm);
    }

    // Enzymes bound on the target: what its parent passes down, then the target's own bindings (tombstones cancel
    // what was inherited; every binding of the target itself applies, propagating or not).
    candidate_set bound_at(path_id target) {
        candidate_set set = target == path_table::root() ? candidate_set{} : inherited(tree_->paths().parent(target));
        if (const auto* own = bindings_.find(target.value)) {
            for (const auto& b : *own)
                if (b.tombstone) set.erase(b.enzyme);
            for (const auto& b : *own)
                if (!b.tombstone) set.insert(b.enzyme);
        }
        return set;
    }
    // What a cell passes down to its descendants: its parent's, less its tombstones, plus its propagating bindings.
    const candidate_set& inherited(path_id cell) {
        if (const auto* known = inherited_.find(cell.value)) return *known;
        candidate_set set = cell == path_table::root() ? candidate_set{} : inherited(tree_->paths().parent(cell));
        if (const auto* own = bindings_.find(cell.value)) {
            for (const auto& b : *own)
                if (b.tombstone) set.erase(b.enzyme);
            for (const auto& b : *own)
                if (!b.tombstone && b.scope == binding_scope::propagate) set.insert(b.enzyme);
        }
        if (transient_id(cell.value)) note_transient(cache::inherited, cell.value);
        return inherited_.add(cell.value, set);
    }

    // Room for `count` more steps. An enzyme may resolve agendas while its own agenda runs (the router contract's
    // match() or route(), the processor's process_message()), and the running loop points into the arena: a full
    // arena moves to a new buffer, and the old one is kept as it is until no agenda runs (make_room(), at the next
    // resolve). Growing in place would free the steps under the loop.
    void reserve_steps(std::size_t count) {
        if (arena_.capacity() - arena_.size() < count) [[unlikely]] move_steps(count);
    }
    [[gnu::noinline]] void move_steps(std::size_t count) {
        std::remove_reference_t<decltype(arena_)> bigger;
        bigger.reserve(std::max({arena_.capacity() * 2, arena_.size() + count, std::size_t{64}}));
        bigger.assign(arena_.begin(), arena_.end());
        retired_steps_.push_back(std::move(arena_));  // a moved vector keeps its buffer
        arena_ = std::move(bigger);
    }

    // Kahn over the candidates only: waiting[k] counts the unplaced candidates that must run before candidates[k]
    // (by the transitive closure, so an enzyme that is not on this agenda still orders the ones that are), and
    // among the ready ones the tie-break tuple picks. Appends the order to arena_.
    void place_in_order(const order_key& key, const signal_match& sm) {
        std::array<std::uint16_t, enzyme_count> candidates{};
        std::size_t count = 0;
        key.candidates.for_each([&](std::size_t i) { candidates[count++] = static_cast<std::uint16_t>(i); });
        std::array<std::uint16_t, enzyme_count> waiting{};
        for (std::size_t a = 0; a < count; ++a)
            for (std::size_t b = 0; b < count; ++b)
                if (a != b && Registry::runs_before(candidates[a], candidates[b])) ++waiting[b];
        std::array<bool, enzyme_count> placed{};
        reserve_steps(count);
        for (std::size_t n = 0; n < count; ++n) {
            std::size_t best = count;
            for (std::size_t k = 0; k < count; ++k) {
                if (placed[k] || waiting[k] != 0) continue;
                if (best == count || ranks_before(candidates[k], candidates[best], key.dual, sm.specificity)) best = k;
            }
            placed[best] = true;
            arena_.push_back(candidates[best]);
            for (std::size_t k = 0; k < count; ++k)
                if (!placed[k] && Registry::runs_before(candidates[best], candidates[k])) --waiting[k];
        }
    }

    // The static part of the tie-break as one rank: higher precedence, name, registration order.
    static constexpr std::array<std::uint16_t, enzyme_count> static_rank_ = [] {
        std::array<std::uint16_t, enzyme_count> order{};
        for (std::size_t i = 0; i < enzyme_count; ++i) order[i] = static_cast<std::uint16_t>(i);
        std::sort(order.begin(), order.end(), [](std::uint16_t a, std::uint16_t b) {
            if (Registry::precedence[a] != Registry::precedence[b])
                return Registry::precedence[a] > Registry::precedence[b];
            return Registry::name_rank[a] < Registry::name_rank[b];  // by name, then registration order
        });
        std::array<std::uint16_t, enzyme_count> rank{};
        for (std::size_t r = 0; r < enzyme_count; ++r) rank[order[r]] = static_cast<std::uint16_t>(r);
        return rank;
    }();

    // The tie-break tuple: dual match first, then higher specificity, higher precedence, name, registration order.
    static bool ranks_before(std::size_t a, std::size_t b, const candidate_set& dual,
                             const std::array<std::int16_t, enzyme_count>& specificity) noexcept {
        if (dual.contains(a) != dual.contains(b)) return dual.contains(a);
        // An enzyme taken only because it is bound (union policy) ranks by its own query's specificity.
        const int sa = specificity[a] >= 0 ? specificity[a] : static_cast<int>(Registry::specificity[a]);
        const int sb = specificity[b] >= 0 ? specificity[b] : static_cast<int>(Registry::specificity[b]);
        if (sa != sb) return sa > sb;
        return static_rank_[a] < static_rank_[b];
    }

    static constexpr const auto& matchers_ = Registry::matchers;

    cell_tree* tree_ = nullptr;
    std::array<bool, enzyme_count> registered_{};  // under the enzyme's own query
    candidate_set active_{};                       // registered under any query
    std::vector<extra_registration> pending_extra_;
    std::deque<extra_registration> extras_;
    std::array<std::vector<std::uint32_t>, enzyme_count> extras_of_{};
    detail::flat_map<std::vector<binding_entry>> bindings_;  // by cell
    std::vector<pending_change> pending_changes_;
    std::uint64_t generation_ = 0;

    detail::flat_map<const std::array<bool, enzyme_count>*> typed_signals_;
    detail::lazy<Registry, detail::flat_index> index_;  // (signal, target) -> position of its memo entry
    detail::lazy<Registry, std::vector<memo_entry>> entries_;
    detail::lazy<Registry, std::vector<std::uint16_t>> arena_;
    detail::lazy<Registry, std::vector<std::vector<std::uint16_t>>> retired_steps_;  // see reserve_steps()
    std::vector<std::pair<order_key, arena_range>> orders_;
    detail::lazy<Registry, detail::flat_index> order_index_;  // hash of an order_key -> its position in orders_
    detail::flat_map<signal_match> signal_matches_;  // by signal
    detail::flat_map<candidate_set> inherited_;      // by cell
    detail::flat_map<arena_range> by_parent_;    // (signal, parent) -> the agenda of a child without bindings
    std::size_t memo_capacity_ = std::size_t{1} << 16;
    std::vector<transient_key> transient_keys_;
    static constexpr std::size_t forget_all_after = 4096;
    std::size_t forgotten_ = 0;  // entries start_over() left unreachable since the caches were last cleared
};

}  // namespace cep
