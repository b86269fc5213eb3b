// Interning: a path maps to a small integer id, so hot paths compare and hash integers. Every id knows its parent
// and depth (array reads). An id is held one of two ways:
// - by segment: a trie of (parent id, segment id) pairs, the segment texts held once in a segment table, and a
//   child index from (parent, segment) to the child; the text of an id is rebuilt from its segments. Ids made by
//   child(), and every id below a recycling root (rename() changes one segment, and the descendants follow);
// - by text: the id's whole text, held once and found by its hash; its last segment is the end of that text.
//   Ids made by interning a text (intern(path), outside recycling roots; a new target per message costs one text
//   and one index entry, no segment and no child-index entry), and transient ids (below). A parent whose children
//   are held both ways finds a child by the index, then by its text. make_recycling_root() gives the ids below it
//   that were held by text a segment each.
//
// Ids are never released, with one exception that keeps a long-running heartbeat's table bounded: below a
// recycling root (the heartbeat makes rt/beat and rt/analytics/spacing ones), an id that nothing pins may be
// renamed (rename()) to serve a new path, its descendants following. The heartbeat renames the directory of a beat
// that retention removed to serve a new beat. Using an id as an impulse's signal or target, binding on it, linking
// to it or resolving an agenda for it pins it and its ancestors: those are never renamed.
//
// The second exception is for programs that address many short-lived paths (a target per message, per request):
// below a transient root, an id is released by release_unused() once nothing uses it (no mark_in_use() since the
// last release, no pin, no descendant in use), and its slot serves a new path. Queued impulses and resolved agendas
// do not pin transient ids: their owner marks them at release time instead (the heartbeat sweeps between beats).
// Bindings and links still pin. A transient id costs less to make and to release than another: its whole text is
// stored once in an arena of chunks that releases recycle, and it is found by that text alone (no entry in the
// segment table or the child index). A released id is unknown to the table (path_unknown_id) until its slot is reused;
// an id kept across a release may then name another path, so a transient path is looked up again, not kept.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/fwd.hpp>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cep {

// The id of an interned path, valid for the table that produced it. Ids are dense: 0 is the root.
struct path_id {
    std::uint32_t value = 0;
    [[nodiscard]] friend constexpr bool operator==(path_id, path_id) noexcept = default;
    [[nodiscard]] friend constexpr std::strong_ordering operator<=>(path_id, path_id) noexcept = default;
};

// The table is cep::path_table (basic_path_table<>): a template only so that a program compiles the members it uses
// (see detail/lazy.hpp).
template <class Deferred>
class basic_path_table {
public:
    basic_path_table() { entries_.push_back(entry{0, no_segment, no_text, 0, 0}); }

    // Movable, not copyable: ids are meaningful only with their table. A moved-from table owns no id.
    basic_path_table(const basic_path_table&) = delete;
    basic_path_table& operator=(const basic_path_table&) = delete;
    basic_path_table(basic_path_table&& other) noexcept
        : entries_(std::move(other.entries_)),
          owned_(std::exchange(other.owned_, 0)),
          segments_(std::move(other.segments_)),
          segment_uses_(std::move(other.segment_uses_)),
          free_segments_(std::move(other.free_segments_)),
          segment_index_(std::move(other.segment_index_)),
          children_(std::move(other.children_)),
          text_index_(std::move(other.text_index_)),
          transient_index_(std::move(other.transient_index_)),
          texts_(std::move(other.texts_)),
          texts_end_(std::exchange(other.texts_end_, 0)),
          longest_segment_(other.longest_segment_),
          dead_text_bytes_(other.dead_text_bytes_),
          transient_ids_(std::move(other.transient_ids_)),
          free_ids_(std::move(other.free_ids_)),
          transient_texts_(std::move(other.transient_texts_)),
          some_children_unindexed_(other.some_children_unindexed_),
          last_parent_(std::exchange(other.last_parent_, 0)),
          releases_(other.releases_) {}
    basic_path_table& operator=(basic_path_table&& other) noexcept {
        entries_ = std::move(other.entries_);
        owned_ = std::exchange(other.owned_, 0);
        segments_ = std::move(other.segments_);
        segment_uses_ = std::move(other.segment_uses_);
        free_segments_ = std::move(other.free_segments_);
        segment_index_ = std::move(other.segment_index_);
        children_ = std::move(other.children_);
        text_index_ = std::move(other.text_index_);
        transient_index_ = std::move(other.transient_index_);
        texts_ = std::move(other.texts_);
        texts_end_ = std::exchange(other.texts_end_, 0);
        longest_segment_ = other.longest_segment_;
        dead_text_bytes_ = other.dead_text_bytes_;
        transient_ids_ = std::move(other.transient_ids_);
        free_ids_ = std::move(other.free_ids_);
        transient_texts_ = std::move(other.transient_texts_);
        some_children_unindexed_ = other.some_children_unindexed_;
        last_parent_ = std::exchange(other.last_parent_, 0);
        releases_ = other.releases_;
        return *this;
    }

    [[nodiscard]] static constexpr path_id root() noexcept { return path_id{0}; }
    // Slots: the ids held, plus released ones waiting for a new path (released_count()). Every id is below it.
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

    // Interns a path (and all its ancestors). A known path costs one probe and one compare of texts (the path
    // carries its text's hash); a new one whose parent is known, one hash and probe more, then the new child: no
    // per-segment walk. Always inlined: the known case is that probe and compare, and the call around them cost
    // 18 instructions of the 372 of a memo hit by path (callgrind; 354 inlined).
    [[gnu::always_inline]] path_id intern(const path& p) {
        const std::uint64_t hash = p.hash();
        if (const auto known = find_text(p.text(), hash); known != detail::flat_index::absent) return path_id{known};
        return intern_new(p.text(), hash);
    }

    // A compile-time checked path (cep::path_c<"/a/b">, "/a/b"_path): the same, without building a path (whose
    // text, past the small-string buffer, would be allocated on every call).
    template <fixed_string Text>
    path_id intern(path_constant<Text>) {
        return intern(Text.view(), path_constant<Text>::hash, detail::trusted_text);
    }
    // A text already checked against the path grammar, with its hash (detail::hash_text): a literal's, passed
    // through an interface that cannot be a template on it (the impulse sink's virtual functions).
    path_id intern(std::string_view text, std::uint64_t hash, detail::trusted_text_t) {
        if (const auto known = find_text(text, hash); known != detail::flat_index::absent) return path_id{known};
        return intern_new(text, hash);
    }

    // Parses and interns run-time text.
    [[nodiscard]] result<path_id> intern(std::string_view text) {
        auto parsed = path::parse(text);
        if (!parsed) return parsed.error();
        return intern(*parsed);
    }

    // The id of a path already interned, without adding anything.
    [[nodiscard]] std::optional<path_id> find(const path& p) const noexcept {
        if (const auto known = find_any(p.text(), p.hash()); known != detail::flat_index::absent)
            return path_id{known};
        path_id id = root();
        for (auto segment : p.segments()) {
            auto child = find_child(id, segment);
            if (!child) return std::nullopt;
            id = *child;
        }
        return id;
    }

    // The child of `parent` named `segment`, interned after checking the segment against the path grammar. A
    // child interned before is found first: it was checked then.
    [[nodiscard]] result<path_id> child(path_id parent, std::string_view segment) {
        check_id(parent);
        if (children_by_text(entries_[parent.value])) return transient_child(parent, segment);
        const std::uint64_t hash = detail::hash_text(segment);
        const std::uint32_t seg = find_segment(segment, hash);
        if (seg != detail::flat_index::absent)
            if (const auto known = children_.find(child_key(parent, seg)); known != detail::flat_index::absent)
                return path_id{known};
        if ((entries_[parent.value].flags & text_children_flag) != 0)
            if (const auto known = find_by_text(parent, segment)) return *known;
        const std::size_t depth = entries_[parent.value].depth + 1;
        // A segment text held already passed the grammar when it was first interned: only the limits remain.
        auto check = seg != detail::flat_index::absent ? detail::path_check{}
                                                       : detail::check_segment(segment, 0, detail::path_grammar::path);
        if (check.code == errc::none && depth > path_limits::max_depth) check = {errc::path_too_deep, 0};
        // The parent's length is summed over its segments only when a bound says it could matter.
        const std::size_t added = 1 + segment.size();
        if (check.code == errc::none && (depth - 1) * (1 + longest_segment_) + added > path_limits::max_length &&
            segments_length(parent) + added > path_limits::max_length)
            check = {errc::path_too_long, 0};
        if (check.code != errc::none) {
            std::string text = parent == root() ? std::string() : text_of(parent);
            const std::size_t offset = text.size() + 1 + check.offset;
            text.push_back('/');
            text.append(segment);
            return detail::make_path_error(text, {check.code, offset}, detail::path_grammar::path);
        }
        return add_child(parent, segment, hash, seg);
    }

    [[nodiscard]] std::optional<path_id> find_child(path_id parent, std::string_view segment) const noexcept {
        if (parent.value >= owned_) return std::nullopt;
        const entry& above = entries_[parent.value];
        if (children_by_text(above)) return find_by_text(parent, segment);
        const auto flags = above.flags;
        if ((flags & indexed_children_flag) != 0)
            if (const auto indexed = find_indexed_child(parent, segment)) return indexed;
        if ((flags & text_children_flag) != 0) return find_by_text(parent, segment);
        return std::nullopt;
    }

    // The length of an id's text ("/" for the root: 1), summed over its segments: no text is built.
    [[nodiscard]] std::size_t text_length(path_id id) const {
        check_id(id);
        if (id == root()) return 1;
        return segments_length(id);
    }

    // Structure of an id. The root's parent is the root.
    [[nodiscard]] path_id parent(path_id id) const {
        check_id(id);
        return path_id{entries_[id.value].parent};
    }
    // Whether the id belongs to this table (not a released transient id; see rename() for recycled ones).
    [[nodiscard]] bool owns(path_id id) const noexcept {
        return id.value < owned_ && (entries_[id.value].flags & free_flag) == 0;
    }
    // Owned, and pin_in_use() would do nothing: outside every recycling root, or transient. What the hot paths
    // accept without further checks.
    [[nodiscard]] bool owns_plain(path_id id) const noexcept {
        return id.value < owned_ && (entries_[id.value].flags & (free_flag | pinnable_flag)) == 0;
    }

    // ---- recycling (see the top of this file) ----
    // Makes `top` a recycling root: its descendants, present and future, are recyclable ids.
    void make_recycling_root(path_id top) {
        check_id(top);
        if (guard_.check != nullptr) guard_.check(guard_.holder, "make_recycling_root()");
        entries_[top.value].flags |= recycling_root_flag;
        for_each_descendant(top, [&](std::uint32_t id, entry& e) {
            e.flags |= recyclable_flag;
            if ((e.flags & transient_flag) != 0) return;  // never renamed: its text stays where it is
            e.flags |= pinnable_flag;
            // A kept id made by its text gets a segment and a child-index entry: rename() may change the text of
            // an ancestor, so the id's own text is dropped below.
            if ((e.flags & by_text_flag) != 0) {
                const std::string_view text = cached_text(e);
                const std::string_view leaf = text.substr(text.size() - e.segment);
                const std::uint64_t hash = detail::hash_text(leaf);
                e.segment = use_segment(leaf, hash, find_segment(leaf, hash));
                e.flags = static_cast<std::uint16_t>(e.flags & ~by_text_flag);
                dead_text_bytes_ += mark_bytes;  // its run mark goes with its text
                entries_[e.parent].flags |= indexed_children_flag;
                children_.insert(child_key(path_id{e.parent}, e.segment), id);
            }
            // Below a transient root, children are found by their texts: this one no longer is.
            if (children_by_text(entries_[e.parent])) some_children_unindexed_ = true;
            if (e.text_at == no_text) return;
            // A text that may change is no longer cached (its bytes are dead: the next compaction drops them).
            const std::string_view text = cached_text(e);
            (void)text_index_.erase(detail::hash_text(text), [&](std::uint32_t v) { return v == id; });
            dead_text_bytes_ += sizeof(std::uint16_t) + text.size();
            e.text_at = no_text;
        });
    }
    // Makes `top` a transient root (see the top of this file): the paths interned below it from now on are
    // transient (made and found by their whole texts, see add_transient). Ids below it interned before may be
    // held by anything (a binding, a link, a caller): they stay for good, as roots of their own new descendants.
    // False, changing nothing, for the table's root and for an id below a recycling root or a transient one (`top`
    // itself is then recyclable).
    [[nodiscard]] bool make_transient_root(path_id top) {
        check_id(top);
        if (guard_.check != nullptr) guard_.check(guard_.holder, "make_transient_root()");
        if (top == root() || (entries_[top.value].flags & recyclable_flag) != 0) return false;
        entries_[top.value].flags |= recycling_root_flag | transient_root_flag;
        for_each_descendant(top, [](std::uint32_t, entry& e) { e.flags |= recycling_root_flag | transient_root_flag; });
        // Children of these ids are found by their whole texts from now on (see children_by_text): the ones held
        // already get theirs cached; one that cannot be (a recyclable id) sends lookups through the index too.
        const auto index_by_text = [&](std::uint32_t id) {
            if (entries_[id].text_at == no_text) {
                const std::string text = text_of(path_id{id});
                cache_text(path_id{id}, text, detail::hash_text(text));
            }
            if (entries_[id].text_at == no_text) some_children_unindexed_ = true;
        };
        index_by_text(top.value);
        for_each_descendant(top, [&](std::uint32_t id, entry&) { index_by_text(id); });
        return true;
    }
    [[nodiscard]] bool transient(path_id id) const {
        check_id(id);
        return (entries_[id.value].flags & transient_flag) != 0;
    }
    // transient() without the check (false for an id not owned).
    [[nodiscard]] bool transient_unchecked(path_id id) const noexcept {
        return id.value < owned_ && (entries_[id.value].flags & transient_flag) != 0;
    }
    // Transient and not pinned (false for an id not owned): nothing that pins (a binding, a link) refers to it.
    [[nodiscard]] bool transient_unpinned(path_id id) const noexcept {
        return id.value < owned_ && (entries_[id.value].flags & (transient_flag | pinned_flag)) == transient_flag;
    }
    // The single run per (signal, target, beat) of a target whose agenda the dispatcher does not memoise (see
    // agenda_router): the text record of an id held by its text keeps which signal ran it last, and in which beat,
    // so a run is claimed with no table to probe, fill or clear. `taken`: another signal ran it in this beat (the
    // caller keeps that pair apart). A target that holds no run mark (any more: make_recycling_root() gives a kept
    // id a segment) is `taken` too. Precondition: `target` is held.
    enum class run_claim : std::uint8_t { claimed, ran_already, taken };
    run_claim claim_run(path_id target, std::uint64_t beat, std::uint32_t signal) noexcept {
        const entry& e = entries_[target.value];
        if ((e.flags & by_text_flag) == 0) [[unlikely]] return run_claim::taken;
        const run_mark last = mark_of(e);
        if (last.beat == beat) return last.signal == signal ? run_claim::ran_already : run_claim::taken;
        set_mark_of(e, run_mark{beat, signal});
        return run_claim::claimed;
    }
    // Whether claim_run() gave (beat, signal) the run of `target` (same precondition).
    [[nodiscard]] bool claimed_run(path_id target, std::uint64_t beat, std::uint32_t signal) const noexcept {
        const run_mark last = mark_of(entries_[target.value]);
        return last.beat == beat && last.signal == signal;
    }
    // Whether `id` is held and keeps a run mark: held by its text (a transient id, or a kept id made by its text).
    [[nodiscard]] bool holds_run_mark(path_id id) const noexcept {
        return id.value < owned_ && (entries_[id.value].flags & by_text_flag) != 0;
    }
    // The last run claimed on `target` (beat never_ran: none yet). Precondition: holds_run_mark(target).
    static constexpr std::uint64_t never_ran = ~std::uint64_t{0};
    struct run_mark {
        std::uint64_t beat = never_ran;
        std::uint32_t signal = 0;
    };
    [[nodiscard]] run_mark last_run(path_id target) const noexcept { return mark_of(entries_[target.value]); }
    // Transient ids held now that a release may free (not pinned ones), and slots of released ones waiting.
    [[nodiscard]] std::size_t transient_count() const noexcept { return transient_ids_.size(); }
    [[nodiscard]] std::size_t released_count() const noexcept { return free_ids_.size(); }
    // Bytes of whole texts held: the cache of other ids' texts (texts of ids whose cached text was dropped
    // included until the cache is compacted) and the texts of the transient ids held.
    [[nodiscard]] std::size_t text_bytes() const noexcept { return texts_end_ + transient_texts_.bytes(); }
    // Pins `id` (see pin()) unless it is transient: for uses that end (a queued impulse, a memoised agenda), whose
    // owner marks transient ids with mark_in_use() when they are released instead. Whether `id` is transient.
    bool pin_in_use(path_id id) noexcept {
        if (id.value >= owned_) return false;
        if ((entries_[id.value].flags & transient_flag) != 0) return true;
        pin(id);
        return false;
    }
    // Keeps a transient id and its transient ancestors through the next release_unused() (others: no effect).
    void mark_in_use(path_id id) noexcept {
        if (id.value >= owned_) return;
        constexpr std::uint16_t stops = transient_flag | marked_flag | free_flag | pinned_flag;
        for (auto* e = &entries_[id.value]; (e->flags & stops) == transient_flag; e = &entries_[e->parent])
            e->flags |= marked_flag;  // a pinned id's ancestors are pinned: the walk stops there
    }
    // A holder of transient ids that takes part in every release_unused(), whoever calls it. The heartbeat is one:
    // its queue, its processor and its unread ledger entries keep transient ids without pinning them, and its
    // router caches agendas by id. `prepare` marks what the holder keeps (mark_in_use) and says whether a release
    // may happen now (false: release_unused() releases nothing and returns 0); `released` hears that ids went.
    // The hook belongs to the table where it was set: a table moved from this one does not take it along.
    struct release_hook {
        void* holder = nullptr;
        bool (*prepare)(void* holder) = nullptr;
        void (*released)(void* holder, std::size_t count) = nullptr;
    };
    void set_release_hook(release_hook hook) noexcept { hook_ = hook; }
    // A holder whose ids' flags and run marks must stay as they are at times: make_recycling_root() and
    // make_transient_root() call `check` with their names before they change anything, and `check` throws to
    // refuse. The heartbeat refuses during a beat: a kept target given a segment would lose the run mark of a run it
    // had in that beat, and run again. Not moved with the table, like the release hook.
    struct restructure_guard {
        void* holder = nullptr;
        void (*check)(void* holder, std::string_view call) = nullptr;
    };
    void set_restructure_guard(restructure_guard guard) noexcept { guard_ = guard; }

    // Releases every transient id that is not pinned, not marked since the last release, not `in_use(id)` and not
    // an ancestor of one of those; clears the marks. Returns how many were released. Their slots serve new paths.
    // With a release hook set (see release_hook), its holder marks what it keeps first, and may refuse.
    template <class InUse>
    std::size_t release_unused(InUse&& in_use) {
        if (hook_.prepare != nullptr && !hook_.prepare(hook_.holder)) return 0;
        // Counted in the same pass; a mark reaches ancestors that may have been counted already, so after one the
        // count is taken again (rare: the usual release keeps nothing).
        std::size_t leaving = 0;
        bool marked_some = false;
        for (const std::uint32_t id : transient_ids_) {
            if ((entries_[id].flags & (marked_flag | pinned_flag)) != 0) continue;
            if (in_use(path_id{id})) {
                mark_in_use(path_id{id});
                marked_some = true;
            } else {
                ++leaving;
            }
        }
        if (marked_some) {
            leaving = 0;
            for (const std::uint32_t id : transient_ids_)
                leaving += (entries_[id].flags & (marked_flag | pinned_flag)) == 0 ? 1 : 0;
        }
        // When every transient id goes (the usual case: a beat's one-off targets), the index and the texts are
        // cleared at once rather than id by id, unless the index is much larger than what it holds.
        const bool all = leaving != 0 && leaving == transient_index_.size() && transient_index_.slots() <= 8 * leaving;
        std::size_t released = 0;
        auto keep = transient_ids_.begin();
        for (const std::uint32_t id : transient_ids_) {
            auto& e = entries_[id];
            if ((e.flags & pinned_flag) != 0) continue;  // for good: no longer listed
            if ((e.flags & marked_flag) != 0) {
                e.flags &= static_cast<std::uint16_t>(~marked_flag);
                *keep++ = id;
                continue;
            }
            if (!all) {
                // A transient id is indexed by its text only, under the hash its record keeps.
                (void)transient_index_.erase(transient_texts_.hash(e.text_at),
                                             [&](std::uint32_t v) { return v == id; });
                transient_texts_.release(e.text_at);
            }
            e = entry{0, no_segment, no_text, 0, free_flag};
            free_ids_.push_back(id);
            ++released;
        }
        transient_ids_.erase(keep, transient_ids_.end());
        if (all) {
            transient_index_.clear();
            transient_texts_.clear();
        }
        if (dead_text_bytes_ > 4096 && 2 * dead_text_bytes_ > texts_end_) compact_texts();
        if (released != 0) {
            ++releases_;
            if (hook_.released != nullptr) hook_.released(hook_.holder, released);
        }
        return released;
    }
    // How many release_unused() calls released ids so far: a holder of transient ids compares it with the count
    // when it took them, to know whether they may since name other paths (cep::closure::store does).
    [[nodiscard]] std::uint64_t releases() const noexcept { return releases_; }
    [[nodiscard]] bool recyclable(path_id id) const {
        check_id(id);
        return (entries_[id.value].flags & recyclable_flag) != 0;
    }
    [[nodiscard]] bool pinned(path_id id) const {
        check_id(id);
        return (entries_[id.value].flags & pinned_flag) != 0;
    }
    // The recyclable ancestor-or-self of a recyclable id that sits right below its recycling root (what rename()
    // moves as a whole: rt/beat/<N> for any id under it); the id itself when it is not recyclable.
    [[nodiscard]] path_id recycling_unit(path_id id) const {
        check_id(id);
        while ((entries_[id.value].flags & recyclable_flag) != 0 &&
               (entries_[entries_[id.value].parent].flags & recyclable_flag) != 0)
            id = path_id{entries_[id.value].parent};
        return id;
    }
    // Pins a recyclable id and its recyclable ancestors (nothing happens to any other id).
    void pin(path_id id) noexcept {
        if (id.value >= owned_) return;
        for (auto* e = &entries_[id.value]; (e->flags & (recyclable_flag | pinned_flag)) == recyclable_flag;
             e = &entries_[e->parent])
            e->flags |= pinned_flag;
    }
    // Gives a recyclable, unpinned id a new last segment (its descendants follow: their texts are built from it).
    // False, changing nothing, when the id is not recyclable, is pinned, or a sibling already has that name. The
    // caller makes sure nothing it keeps refers to the id or its descendants as the old path (the heartbeat
    // renames only beat directories that retention removed from the tree); an id kept by a user names the new path.
    [[nodiscard]] bool rename(path_id id, std::string_view segment) {
        check_id(id);
        auto& e = entries_[id.value];
        if ((e.flags & (recyclable_flag | pinned_flag | transient_flag)) != recyclable_flag) return false;
        if (detail::check_segment(segment, 0, detail::path_grammar::path).code != errc::none) return false;
        if (children_by_text(entries_[e.parent]) && find_by_text(path_id{e.parent}, segment)) return false;
        const std::uint32_t seg = segment_index(segment);
        const auto key = child_key(path_id{e.parent}, seg);
        if (children_.find(key) != detail::flat_index::absent) {
            drop_segment_use(seg);
            return false;
        }
        (void)children_.erase(child_key(path_id{e.parent}, e.segment));
        children_.insert(key, id.value);
        drop_segment_use(e.segment);
        e.segment = seg;
        return true;
    }
    // Distinct segment texts held (beat numbers come and go with recycling).
    [[nodiscard]] std::size_t segment_count() const noexcept { return segment_index_.size(); }
    [[nodiscard]] std::size_t depth(path_id id) const {
        check_id(id);
        return entries_[id.value].depth;
    }
    // Last segment (empty for the root).
    [[nodiscard]] std::string_view leaf(path_id id) const {
        check_id(id);
        const auto& e = entries_[id.value];
        if ((e.flags & by_text_flag) != 0) {  // the end of its whole text; e.segment is the leaf's length
            const std::string_view text = held_text(e);
            return text.substr(text.size() - e.segment);
        }
        return e.segment == no_segment ? std::string_view{} : std::string_view(segments_[e.segment]);
    }
    // True when `ancestor` is `id` or one of its ancestors.
    [[nodiscard]] bool contains(path_id ancestor, path_id id) const {
        check_id(ancestor);
        check_id(id);
        const auto want = entries_[ancestor.value].depth;
        while (entries_[id.value].depth > want) id = path_id{entries_[id.value].parent};
        return id == ancestor;
    }

    // Text of an id, rebuilt exactly ("/a/b").
    void append_text(path_id id, std::string& out) const {
        check_id(id);
        if (id == root()) {
            out.push_back('/');
            return;
        }
        append_segments(id, out);
    }
    [[nodiscard]] std::string text_of(path_id id) const {
        std::string out;
        append_text(id, out);
        return out;
    }
    [[nodiscard]] path path_of(path_id id) const { return path(text_of(id), detail::trusted_text); }

private:
    static constexpr std::uint32_t no_segment = 0xffffffffu;
    static constexpr std::uint32_t no_text = 0xffffffffu;
    static constexpr std::uint16_t recyclable_flag = 1;      // below a recycling root
    static constexpr std::uint16_t pinned_flag = 2;          // recyclable, but used: never renamed
    static constexpr std::uint16_t recycling_root_flag = 4;  // its descendants are recyclable
    static constexpr std::uint16_t transient_flag = 8;        // below a transient root (recyclable too)
    static constexpr std::uint16_t transient_root_flag = 16;  // its descendants are transient
    static constexpr std::uint16_t marked_flag = 32;          // in use: kept by the next release_unused()
    static constexpr std::uint16_t free_flag = 64;            // released: the slot waits for a new path
    static constexpr std::uint16_t pinnable_flag = 128;       // recyclable, not transient: what pin_in_use() pins
    // Made and found by its whole text (see the top of this file): no segment-table entry, no child-index entry;
    // `segment` is then the length of its last segment. Transient ids, and kept ids interned by their text.
    static constexpr std::uint16_t by_text_flag = 256;
    static constexpr std::uint16_t text_children_flag = 512;     // some children are kept ids made by text
    static constexpr std::uint16_t indexed_children_flag = 1024;  // some children are in the child index
    struct entry {
        std::uint32_t parent;
        std::uint32_t segment;  // index in segments_; for an id held by its text, the length of its last segment
        // Where texts_ holds the id's whole text, or no_text when it is not cached; for a transient id, where
        // transient_texts_ does (always).
        std::uint32_t text_at;
        std::uint16_t depth;    // at most path_limits::max_depth
        std::uint16_t flags = 0;
    };
    static_assert(path_limits::max_depth <= 0xffff);

    // Whole texts of interned paths, each after its length (two bytes): a cached text is confirmed by one length
    // compare and one memcmp. Only ids whose text cannot change are cached (not those rename() may change), each
    // once; texts_ is compacted once dead texts take half of it, so it stays bounded by the ids held. A transient
    // id's text is in transient_texts_ instead, from the start, and goes with the id.
    static_assert(path_limits::max_length <= 0xffff);
    [[nodiscard]] std::string_view cached_text(const entry& e) const noexcept {
        std::uint16_t length;
        std::memcpy(&length, texts_.data() + e.text_at, sizeof length);
        return {texts_.data() + e.text_at + sizeof length, length};
    }
    // The whole text of an id that has one: cached, or transient.
    [[nodiscard]] std::string_view held_text(const entry& e) const noexcept {
        return (e.flags & transient_flag) != 0 ? transient_texts_.text(e.text_at) : cached_text(e);
    }
    // The id of a text among the cached ones (not transient ids: those are in transient_index_, so this lookup,
    // inlined where a known path is interned on every impulse, stays as small as it can be).
    [[nodiscard]] std::uint32_t find_text(std::string_view text, std::uint64_t hash) const noexcept {
        return text_index_.find(hash,
                                [&](std::uint32_t id) { return detail::same_text(cached_text(entries_[id]), text); });
    }
    [[nodiscard]] std::uint32_t find_transient(std::string_view text, std::uint64_t hash) const noexcept {
        return transient_index_.find(hash, [&](std::uint32_t id) {
            return detail::same_text(transient_texts_.text(entries_[id].text_at), text);
        });
    }
    // Either kind (out of line: for the paths that add ids, and find()).
    [[gnu::noinline]] std::uint32_t find_any(std::string_view text, std::uint64_t hash) const noexcept {
        if (const auto known = find_text(text, hash); known != detail::flat_index::absent) return known;
        return find_transient(text, hash);
    }
    // A kept id held by its text has its run mark (see claim_run) in front of the text's length; a transient id
    // has it in its arena record.
    static constexpr std::size_t mark_bytes = sizeof(std::uint64_t) + sizeof(std::uint32_t);
    [[nodiscard]] std::size_t mark_room(const entry& e) const noexcept {
        return (e.flags & (by_text_flag | transient_flag)) == by_text_flag ? mark_bytes : 0;
    }
    // A mark's 12 bytes in place (no padding), wherever a record keeps them.
    [[nodiscard]] static run_mark read_mark(const char* at) noexcept {
        run_mark m;
        std::memcpy(&m.beat, at, sizeof m.beat);
        std::memcpy(&m.signal, at + sizeof m.beat, sizeof m.signal);
        return m;
    }
    static void write_mark(char* at, run_mark m) noexcept {
        std::memcpy(at, &m.beat, sizeof m.beat);
        std::memcpy(at + sizeof m.beat, &m.signal, sizeof m.signal);
    }
    [[nodiscard]] run_mark mark_of(const entry& e) const noexcept {
        if ((e.flags & transient_flag) != 0) return transient_texts_.mark(e.text_at);
        return read_mark(texts_.data() + e.text_at - mark_bytes);
    }
    void set_mark_of(const entry& e, run_mark m) noexcept {
        if ((e.flags & transient_flag) != 0) return transient_texts_.set_mark(e.text_at, m);
        write_mark(texts_.data() + e.text_at - mark_bytes, m);
    }
    void cache_text(path_id id, std::string_view text, std::uint64_t hash) {
        auto& e = entries_[id.value];
        // rename() may change a recyclable id's text; a transient one is released, never renamed.
        if ((e.flags & (recyclable_flag | transient_flag)) == recyclable_flag || e.text_at != no_text) return;
        const std::size_t at = texts_end_ + mark_room(e);
        if (at + 2 + text.size() >= no_text) return;  // offsets are 32-bit: past 4 GiB of texts, walk segments
        const auto length = static_cast<std::uint16_t>(text.size());
        const std::size_t end = at + sizeof length + text.size();
        if (end > texts_.size()) [[unlikely]] make_text_room(end);
        if (mark_room(e) != 0) write_mark(texts_.data() + at - mark_bytes, run_mark{});
        std::memcpy(texts_.data() + at, &length, sizeof length);
        copy_text(texts_.data() + at + sizeof length, text);
        texts_end_ = end;
        e.text_at = static_cast<std::uint32_t>(at);
        text_index_.insert(hash, id.value);
    }
    // A path not in the text cache: usually its parent is, so one more probe finds where to add the last segment.
    // Otherwise the nearest cached ancestor among the next few up (a new directory written field by field: its
    // own text is new too), from which only the missing segments are walked; the ancestors walked through are
    // cached on the way (each id's text at most once), so their other new descendants take the short route.
    // Past a few levels, the walk starts at the root. The parent found last is tried first: new paths tend to
    // come in runs under one parent (a target per message below a mailbox), and one compare of its text is cheaper
    // than hashing and probing it.
    [[gnu::noinline]] path_id intern_new(std::string_view text, std::uint64_t hash) {
        // Not among the cached texts (the caller looked): a transient id's, or new.
        if (const auto known = find_transient(text, hash); known != detail::flat_index::absent) return path_id{known};
        constexpr int levels_up = 4;
        std::size_t from = 0;  // text[from..] are the segments still to intern below `id`
        path_id id = root();
        std::size_t cut = text.size() - 1;  // a path's text starts with '/' and does not end with one
        while (text[cut] != '/') --cut;
        const std::size_t last_cut = cut;
        if (const entry& last = entries_[last_parent_];
            cut != 0 && last.text_at != no_text && detail::same_text(held_text(last), head(text, cut))) {
            id = path_id{last_parent_};
            from = cut;
        } else {
            for (int level = 0; level < levels_up && cut != 0; ++level) {
                const std::string_view prefix = head(text, cut);
                if (const auto known = find_any(prefix, detail::hash_text(prefix));
                    known != detail::flat_index::absent) {
                    id = path_id{known};
                    from = cut;
                    if (cut == last_cut) last_parent_ = known;
                    break;
                }
                cut = text.rfind('/', cut - 1);
            }
        }
        for (std::size_t at = from + 1; at < text.size();) {
            const std::size_t slash = from == last_cut ? std::string_view::npos : text.find('/', at);
            const std::size_t end = slash == std::string_view::npos ? text.size() : slash;
            const std::string_view segment = std::string_view(text.data() + at, end - at);
            if (children_by_text(entries_[id.value])) {
                // Below a transient root: found by the text so far, or added with it. The whole text is known to
                // be new (looked up above).
                const std::string_view prefix = head(text, end);
                const std::uint64_t prefix_hash = end == text.size() ? hash : detail::hash_text(prefix);
                std::uint32_t known = end == text.size() ? detail::flat_index::absent : find_any(prefix, prefix_hash);
                if (known == detail::flat_index::absent && some_children_unindexed_)
                    if (const auto indexed = find_indexed_child(id, segment)) known = indexed->value;
                id = known != detail::flat_index::absent ? path_id{known}
                                                         : add_transient(id, prefix, prefix_hash, segment.size());
            } else if ((entries_[id.value].flags & (recyclable_flag | recycling_root_flag)) == 0) {
                // A kept id: found by its text (cached), or in the child index when the parent has children
                // there; made by its text when new (see by_text_flag). The whole text is known to be new as a
                // cached text (looked up by the caller).
                const std::string_view prefix = head(text, end);
                const bool whole = end == text.size();
                const std::uint64_t prefix_hash = whole ? hash : detail::hash_text(prefix);
                std::uint32_t known = whole ? detail::flat_index::absent : find_text(prefix, prefix_hash);
                if (known == detail::flat_index::absent && (entries_[id.value].flags & indexed_children_flag) != 0)
                    if (const auto indexed = find_indexed_child(id, segment)) known = indexed->value;
                if (known == detail::flat_index::absent) {
                    id = add_kept_by_text(id, prefix, prefix_hash, segment.size());
                } else {
                    id = path_id{known};
                    if (!whole && entries_[id.value].text_at == no_text) cache_text(id, prefix, prefix_hash);
                }
            } else {
                id = intern_checked_child(id, segment);
                if (end != text.size() && entries_[id.value].text_at == no_text)
                    cache_text(id, head(text, end), detail::hash_text(head(text, end)));
            }
            at = end + 1;
        }
        // An id made by its text holds it already (and a transient one never has it cached).
        if (entries_[id.value].text_at == no_text) cache_text(id, text, hash);
        return id;
    }
    // text[0, n) without substr()'s bounds check (n is a position found in text), which costs a call at -O2.
    [[nodiscard]] static std::string_view head(std::string_view text, std::size_t n) noexcept {
        return {text.data(), n};
    }
    [[nodiscard]] std::uint32_t find_segment(std::string_view segment, std::uint64_t hash) const noexcept {
        return segment_index_.find(hash, [&](std::uint32_t seg) { return detail::same_text(segments_[seg], segment); });
    }
    [[nodiscard]] std::uint32_t find_segment(std::string_view segment) const noexcept {
        return find_segment(segment, detail::hash_text(segment));
    }

    // The index of a segment text, added if new; counts one more use of it (by an entry, or by rename()).
    std::uint32_t segment_index(std::string_view segment) {
        const std::uint64_t hash = detail::hash_text(segment);
        return use_segment(segment, hash, find_segment(segment, hash));
    }
    // One more use of `segment`, whose index is `seg` (absent: not held yet, so it is added under `hash`).
    std::uint32_t use_segment(std::string_view segment, std::uint64_t hash, std::uint32_t seg) {
        if (seg == detail::flat_index::absent) {
            if (!free_segments_.empty()) {
                seg = free_segments_.back();
                free_segments_.pop_back();
                segments_[seg].append(segment);  // empty since it was freed: no assign(), which handles overlap
            } else {
                seg = static_cast<std::uint32_t>(segments_.size());
                segments_.emplace_back(segment);
                segment_uses_.push_back(0);
            }
            segment_index_.insert(hash, seg);
            if (segment.size() > longest_segment_) longest_segment_ = segment.size();
        }
        ++segment_uses_[seg];
        return seg;
    }
    // One use fewer; a segment nobody uses any more is forgotten and its slot reused.
    void drop_segment_use(std::uint32_t seg) {
        if (--segment_uses_[seg] != 0) return;
        std::string& text = segments_[seg];
        (void)segment_index_.erase(detail::hash_text(text), [&](std::uint32_t v) { return v == seg; });
        // A long text gives its buffer back; a short one lives in the string itself, and clear() is all it needs.
        if (text.capacity() > 64) {
            std::string().swap(text);
        } else {
            text.clear();
        }
        free_segments_.push_back(seg);
    }

    [[nodiscard]] static std::uint64_t child_key(path_id parent, std::uint32_t segment) noexcept {
        return (static_cast<std::uint64_t>(parent.value) << 32) | segment;
    }

    std::size_t segments_length(path_id id) const noexcept {
        std::size_t n = 0;
        for (; id != root(); id = path_id{entries_[id.value].parent}) {
            const auto& e = entries_[id.value];
            if ((e.flags & by_text_flag) != 0) return n + held_text(e).size();
            n += 1 + segments_[e.segment].size();
        }
        return n;
    }
    // Inline and cheap: it guards every id-based call, on the hot path too (the entry it reads is read next).
    void check_id(path_id id) const {
        if (id.value >= owned_ || (entries_[id.value].flags & free_flag) != 0) [[unlikely]]
            unknown_id(id);
    }
    // Rewrites texts_ with the cached texts only (the index maps hashes to ids, not offsets: it stays as it is).
    void compact_texts() {
        detail::lazy<Deferred, std::vector<char>> kept;
        kept.reserve(texts_end_ - dead_text_bytes_);
        for (std::uint32_t id = 0; id < owned_; ++id) {
            auto& e = entries_[id];
            if (e.text_at == no_text || (e.flags & (free_flag | transient_flag)) != 0) continue;
            const std::size_t before = mark_room(e);  // the run mark, kept with the text
            const std::size_t length = sizeof(std::uint16_t) + cached_text(e).size();
            const std::size_t at = kept.size() + before;
            kept.insert(kept.end(), texts_.begin() + (e.text_at - before), texts_.begin() + e.text_at + length);
            e.text_at = static_cast<std::uint32_t>(at);
        }
        texts_.swap(kept);
        texts_end_ = texts_.size();
        dead_text_bytes_ = 0;
    }
    // visit(id, entry) for every id below `top` (a walk over the whole table: roots are made once).
    template <class Visit>
    void for_each_descendant(path_id top, Visit&& visit) {
        for (std::uint32_t id = 1; id < owned_; ++id)
            if (id != top.value && (entries_[id].flags & free_flag) == 0 && contains(top, path_id{id}))
                visit(id, entries_[id]);
    }
    [[noreturn, gnu::cold, gnu::noinline]] static void unknown_id(path_id id) {
        throw path_error(error{errc::path_unknown_id,
                               "path id " + std::to_string(id.value) + " does not belong to this path table"});
    }

    // One resize and a copy per segment (ledger lines are built from path texts on the hot path).
    void append_segments(path_id id, std::string& out) const {
        write_text(id, [&](std::size_t length) {
            const std::size_t at = out.size();
            out.resize(at + length);
            return out.data() + at;
        });
    }
    // The text of `id` (not the root) written where place(length) says. A transient id on the way up holds the
    // whole text above the segments walked so far.
    template <class Place>
    std::size_t write_text(path_id id, Place&& place) const {
        // Left uninitialized: an array of string_views would be zeroed whole (2 KiB) on every call.
        const std::string* parts[path_limits::max_depth];
        std::size_t count = 0;
        std::size_t length = 0;
        std::string_view above;
        for (; id != root(); id = path_id{entries_[id.value].parent}) {
            const auto& e = entries_[id.value];
            if ((e.flags & by_text_flag) != 0) {
                above = held_text(e);
                length += above.size();
                break;
            }
            parts[count] = &segments_[e.segment];
            length += 1 + parts[count++]->size();
        }
        char* cursor = place(length);
        if (!above.empty()) std::memcpy(cursor, above.data(), above.size());  // (no null pointer to memcpy)
        cursor += above.size();
        while (count-- > 0) {
            const std::string& part = *parts[count];
            *cursor++ = '/';
            std::memcpy(cursor, part.data(), part.size());
            cursor += part.size();
        }
        return length;
    }

    // `segment` is known to be valid here, and `parent` is not one whose children are found by text.
    path_id intern_checked_child(path_id parent, std::string_view segment) {
        // One hash and one probe of the segment serve both the lookup and the insertion.
        const std::uint64_t hash = detail::hash_text(segment);
        const std::uint32_t seg = find_segment(segment, hash);
        if (seg != detail::flat_index::absent)
            if (const auto child = children_.find(child_key(parent, seg)); child != detail::flat_index::absent)
                return path_id{child};
        return add_child(parent, segment, hash, seg);
    }
    // A new child (none under `parent` by that name), outside transient roots: `seg` is the segment's index, or
    // absent when it is new.
    path_id add_child(path_id parent, std::string_view segment, std::uint64_t hash, std::uint32_t seg) {
        seg = use_segment(segment, hash, seg);
        auto& above = entries_[parent.value];
        const std::uint16_t flags = (above.flags & (recyclable_flag | recycling_root_flag)) != 0
                                        ? std::uint16_t{recyclable_flag | pinnable_flag}
                                        : std::uint16_t{0};
        above.flags |= indexed_children_flag;
        const auto depth = static_cast<std::uint16_t>(above.depth + 1);
        const auto id = add_entry(entry{parent.value, seg, no_text, depth, flags});
        children_.insert(child_key(parent, seg), id);
        return path_id{id};
    }
    // A new transient id (none under `parent` by that name), whose whole text `text` ends with a segment of
    // `leaf_size` bytes: its text is stored and indexed, nothing else.
    [[gnu::always_inline]] path_id add_transient(path_id parent, std::string_view text, std::uint64_t hash,
                                                 std::size_t leaf_size) {
        const std::uint32_t at = transient_texts_.place(text, hash);
        const auto& above = entries_[parent.value];
        const auto id = add_entry(entry{parent.value, static_cast<std::uint32_t>(leaf_size), at,
                                        static_cast<std::uint16_t>(above.depth + 1),
                                        std::uint16_t{recyclable_flag | transient_flag | by_text_flag}});
        transient_ids_.push_back(id);
        transient_index_.insert(hash, id);
        return path_id{id};
    }
    // texts_ is zero-filled up to 4 KiB past texts_end_: a text is appended with no resize() per text, which cost a
    // call and a check of the vector's capacity each time (every target kept: 1,020.8 -> 951.6 instructions per
    // impulse, scripts/instructions). Not doubled here: the vector's capacity grows geometrically on its own, and
    // zero-filling all of it would make the untouched half resident.
    [[gnu::noinline]] void make_text_room(std::size_t end) { texts_.resize(end + 4096); }
    // A path text is short: up to 16 bytes, two overlapping word copies instead of a call of memcpy.
    static void copy_text(char* to, std::string_view text) noexcept {
        const std::size_t n = text.size();
        if (n >= 8 && n <= 16) {
            std::uint64_t first;
            std::uint64_t last;
            std::memcpy(&first, text.data(), 8);
            std::memcpy(&last, text.data() + n - 8, 8);
            std::memcpy(to, &first, 8);
            std::memcpy(to + n - 8, &last, 8);
        } else {
            std::memcpy(to, text.data(), n);
        }
    }
    // A new kept id (none under `parent` by that name; `parent` is kept, outside every recycling root) made by its
    // whole text `text`, which ends with a segment of `leaf_size` bytes: the text is cached, which is how the id is
    // found and its text rebuilt, and nothing else is added. Past 4 GiB of cached texts, a child by segment.
    path_id add_kept_by_text(path_id parent, std::string_view text, std::uint64_t hash, std::size_t leaf_size) {
        const std::string_view leaf = text.substr(text.size() - leaf_size);
        if (texts_end_ + mark_bytes + sizeof(std::uint16_t) + text.size() >= no_text) [[unlikely]]
            return intern_checked_child(parent, leaf);
        auto& above = entries_[parent.value];
        above.flags |= text_children_flag;
        const auto depth = static_cast<std::uint16_t>(above.depth + 1);
        const auto id = add_entry(entry{parent.value, static_cast<std::uint32_t>(leaf_size), no_text, depth,
                                        by_text_flag});
        cache_text(path_id{id}, text, hash);
        if (leaf_size > longest_segment_) longest_segment_ = leaf_size;  // child() bounds lengths by it
        return path_id{id};
    }
    [[gnu::always_inline]] std::uint32_t add_entry(const entry& added) {
        if (free_ids_.empty()) {
            const auto id = static_cast<std::uint32_t>(entries_.size());
            entries_.push_back(added);
            owned_ = id + 1;
            return id;
        }
        const auto id = free_ids_.back();  // a released transient id's slot
        free_ids_.pop_back();
        entries_[id] = added;
        return id;
    }

    // Whether the children of an id are transient ids (found by their whole texts, see add_transient); the ids
    // that were its children before it became a transient root had their texts cached then.
    [[nodiscard]] static bool children_by_text(const entry& e) noexcept {
        return (e.flags & (transient_flag | transient_root_flag)) != 0;
    }
    [[nodiscard]] std::optional<path_id> find_indexed_child(path_id parent, std::string_view segment) const noexcept {
        const auto seg = find_segment(segment);
        if (seg == detail::flat_index::absent) return std::nullopt;
        const auto child = children_.find(child_key(parent, seg));
        if (child == detail::flat_index::absent) return std::nullopt;
        return path_id{child};
    }
    // The child `segment` of an id whose children are found by text. `segment` need not be valid: one with a '/'
    // would name a descendant further down, so it is refused; any other invalid one is found by no text.
    [[nodiscard]] std::optional<path_id> find_by_text(path_id parent, std::string_view segment) const noexcept {
        if (segment.find('/') != std::string_view::npos) return std::nullopt;
        // A C array: no std::array<char, 4096> for the compiler to instantiate wherever the header is read.
        char buffer[path_limits::max_length];
        const std::string_view above = text_above(parent, buffer);
        if (above.size() + 1 + segment.size() > path_limits::max_length) return std::nullopt;
        const std::string_view text = child_text(above, segment, buffer);
        if (const auto known = find_any(text, detail::hash_text(text)); known != detail::flat_index::absent)
            return path_id{known};
        return some_children_unindexed_ ? find_indexed_child(parent, segment) : std::nullopt;
    }
    // child() below a transient root: the same checks, then found by text or added.
    [[nodiscard]] result<path_id> transient_child(path_id parent, std::string_view segment) {
        char buffer[path_limits::max_length];  // a C array: see find_by_text
        const std::string_view above = text_above(parent, buffer);
        // A child held already is found before the segment is checked (OPS reads and writes the fields of its
        // transient records this way): a text that is held passed the checks when it was added, and an invalid
        // segment makes a text no held path has, except one with a '/', which could name a deeper descendant.
        const bool may_be_held = above.size() + 1 + segment.size() <= path_limits::max_length &&
                                 segment.find('/') == std::string_view::npos;
        std::string_view text;
        std::uint64_t hash = 0;
        if (may_be_held) {
            text = child_text(above, segment, buffer);
            hash = detail::hash_text(text);
            if (const auto known = find_any(text, hash); known != detail::flat_index::absent) return path_id{known};
        }
        auto check = detail::check_segment(segment, 0, detail::path_grammar::path);
        if (check.code == errc::none && entries_[parent.value].depth + std::size_t{1} > path_limits::max_depth)
            check = {errc::path_too_deep, 0};
        if (check.code == errc::none && above.size() + 1 + segment.size() > path_limits::max_length)
            check = {errc::path_too_long, 0};
        if (check.code != errc::none) {
            std::string message(above.data(), above.size());
            const std::size_t offset = message.size() + 1 + check.offset;
            message.push_back('/');
            message.append(segment);
            return detail::make_path_error(message, {check.code, offset}, detail::path_grammar::path);
        }
        // Past the checks, the segment has no '/' and the text fits: it was looked up above, and is new.
        if (some_children_unindexed_)
            if (const auto indexed = find_indexed_child(parent, segment)) return *indexed;
        return add_transient(parent, text, hash, segment.size());
    }
    // The text of a parent whose children are found by text: cached (see children_by_text), or else written into
    // `buffer`.
    [[nodiscard]] std::string_view text_above(path_id parent, char (&buffer)[path_limits::max_length]) const
        noexcept {
        const auto& e = entries_[parent.value];
        if (e.text_at != no_text) return held_text(e);
        return {buffer, write_text(parent, [&](std::size_t) { return buffer; })};
    }
    // above + "/" + segment in `buffer` (which may hold `above` already); the caller checked the length.
    [[nodiscard]] static std::string_view child_text(std::string_view above, std::string_view segment,
                                                     char (&buffer)[path_limits::max_length]) noexcept {
        if (above.data() != buffer) std::memcpy(buffer, above.data(), above.size());
        buffer[above.size()] = '/';
        std::memcpy(buffer + above.size() + 1, segment.data(), segment.size());
        return {buffer, above.size() + 1 + segment.size()};
    }

    std::vector<entry> entries_;
    // entries_.size(), kept apart: the id checks on the hot path compare with it instead of dividing the
    // vector's byte length by sizeof(entry) (12) every time.
    std::uint32_t owned_ = 1;
    // A deque keeps each string in place: leaf() views stay valid.
    detail::lazy<Deferred, std::deque<std::string>> segments_;
    detail::lazy<Deferred, std::vector<std::uint32_t>> segment_uses_;  // entries naming each segment
    detail::lazy<Deferred, std::vector<std::uint32_t>> free_segments_;  // slots of segments nobody uses any more
    detail::lazy<Deferred, detail::flat_index> segment_index_;  // hash of a segment text -> its index in segments_
    detail::lazy<Deferred, detail::flat_index> children_;     // (parent id, segment index) -> child id
    // Whole texts of paths interned through intern(const path&): one hash instead of one per segment.
    detail::lazy<Deferred, detail::flat_index> text_index_;  // hash of a whole text -> id
    detail::lazy<Deferred, detail::flat_index> transient_index_;  // the same for transient ids
    detail::lazy<Deferred, std::vector<char>> texts_;
    std::size_t texts_end_ = 0;  // the bytes of texts_ in use (see make_text_room)
    std::size_t longest_segment_ = 0;  // the longest segment text ever held: bounds a text's length by its depth
    std::size_t dead_text_bytes_ = 0;          // bytes of texts_ no id refers to any more
    // Every transient id held (release_unused() walks them), and the slots of released ids, reused first.
    detail::lazy<Deferred, std::vector<std::uint32_t>> transient_ids_;
    detail::lazy<Deferred, std::vector<std::uint32_t>> free_ids_;

    // The texts of transient ids, in chunks of 8 KiB: a text is placed once and never moved (leaf() views into it
    // stay valid while the id is held), and a chunk whose texts were all released is used again, so a steady flow
    // of transient paths allocates nothing. A record: the text's hash (kept, so a release does not hash it again),
    // its length (two bytes), the text. A record's place is (chunk << 13) | offset: 32 bits address 4 GiB.
    class text_arena {
    public:
        text_arena() = default;
        ~text_arena() { free_chunks(); }
        text_arena(text_arena&& other) noexcept
            : chunks_(std::move(other.chunks_)),
              live_(std::move(other.live_)),
              free_(std::move(other.free_)),
              current_(std::exchange(other.current_, none)),
              used_(std::exchange(other.used_, 0)),
              bytes_(std::exchange(other.bytes_, 0)) {}
        text_arena& operator=(text_arena&& other) noexcept {
            if (this == &other) return *this;
            free_chunks();
            chunks_ = std::move(other.chunks_);
            live_ = std::move(other.live_);
            free_ = std::move(other.free_);
            current_ = std::exchange(other.current_, none);
            used_ = std::exchange(other.used_, 0);
            bytes_ = std::exchange(other.bytes_, 0);
            return *this;
        }

        std::uint32_t place(std::string_view text, std::uint64_t hash) {
            const std::size_t size = header + text.size();
            if (current_ == none || used_ + size > chunk_bytes) next_chunk();
            char* at = chunks_[current_] + used_;
            const auto length = static_cast<std::uint16_t>(text.size());
            std::memcpy(at, &hash, sizeof hash);
            std::memcpy(at + sizeof hash, &length, sizeof length);
            set_mark(at, run_mark{});
            copy_text(at + header, text);
            const std::uint32_t place = (current_ << offset_bits) | used_;
            used_ += static_cast<std::uint32_t>(size);
            ++live_[current_];
            bytes_ += size;
            return place;
        }
        [[nodiscard]] std::string_view text(std::uint32_t place) const noexcept {
            const char* at = record(place);
            std::uint16_t length;
            std::memcpy(&length, at + sizeof(std::uint64_t), sizeof length);
            return {at + header, length};
        }
        [[nodiscard]] std::uint64_t hash(std::uint32_t place) const noexcept {
            std::uint64_t hash;
            std::memcpy(&hash, record(place), sizeof hash);
            return hash;
        }
        // The record's run mark (see claim_run), read and written in place (12 bytes, no padding).
        [[nodiscard]] run_mark mark(std::uint32_t place) const noexcept {
            const char* at = record(place);
            return read_mark(at + mark_at);
        }
        void set_mark(std::uint32_t place, run_mark m) noexcept {
            set_mark(chunks_[place >> offset_bits] + (place & (chunk_bytes - 1)), m);
        }
        void release(std::uint32_t place) noexcept {
            bytes_ -= header + text(place).size();
            const std::uint32_t chunk = place >> offset_bits;
            if (--live_[chunk] != 0) return;
            if (chunk == current_)
                used_ = 0;  // empty: filled again from the start
            else
                free_.push_back(chunk);  // reserved when the chunk was made: cannot throw
        }
        // Releases every record: every chunk is free again.
        void clear() noexcept {
            free_.clear();
            for (std::uint32_t chunk = 0; chunk < live_.size(); ++chunk) {
                live_[chunk] = 0;
                if (chunk != current_) free_.push_back(chunk);  // room reserved: cannot throw
            }
            used_ = 0;
            bytes_ = 0;
        }
        // Bytes of the records held.
        [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }

    private:
        static constexpr std::uint32_t offset_bits = 13;
        static constexpr std::size_t chunk_bytes = std::size_t{1} << offset_bits;
        static constexpr std::size_t mark_at = sizeof(std::uint64_t) + sizeof(std::uint16_t);
        static constexpr std::size_t header = mark_at + mark_bytes;
        static constexpr std::uint32_t none = 0xffffffffu;
        static_assert(header + path_limits::max_length <= chunk_bytes);

        static void set_mark(char* record, run_mark m) noexcept { write_mark(record + mark_at, m); }
        [[nodiscard]] const char* record(std::uint32_t place) const noexcept {
            return chunks_[place >> offset_bits] + (place & (chunk_bytes - 1));
        }
        [[gnu::noinline]] void next_chunk() {  // once per 8 KiB of texts: kept out of the caller
            if (!free_.empty()) {
                current_ = free_.back();
                free_.pop_back();
            } else {
                if (chunks_.size() == (std::size_t{1} << (32 - offset_bits)))
                    throw std::bad_alloc();  // 4 GiB of transient texts held: no place can address more
                // Room first, so that nothing below throws half way; free_ has room for every chunk, so release()
                // never allocates.
                if (chunks_.size() == chunks_.capacity()) {
                    const std::size_t room = chunks_.size() < 4 ? 8 : 2 * chunks_.size();
                    free_.reserve(room);
                    live_.reserve(room);
                    chunks_.reserve(room);
                }
                chunks_.push_back(new char[chunk_bytes]);  // room reserved: only the new may throw
                live_.push_back(0);
                current_ = static_cast<std::uint32_t>(chunks_.size() - 1);
            }
            used_ = 0;
        }

        void free_chunks() noexcept {
            for (char* chunk : chunks_) delete[] chunk;
            chunks_.clear();
        }

        detail::lazy<Deferred, std::vector<char*>> chunks_;  // owned (new[]): their bytes never move
        detail::lazy<Deferred, std::vector<std::uint32_t>> live_;  // records held, per chunk
        detail::lazy<Deferred, std::vector<std::uint32_t>> free_;  // chunks with none, other than current_
        std::uint32_t current_ = none;                            // the chunk records are placed in
        std::uint32_t used_ = 0;                                  // bytes of current_ placed so far
        std::size_t bytes_ = 0;
    };
    text_arena transient_texts_;
    // Some child of an id whose children are found by text has no cached text (see make_transient_root): lookups
    // under such ids try the child index too.
    bool some_children_unindexed_ = false;
    // The parent of the last new path, when it was found by its text (intern_new tries it first; a released or
    // renamed id has no cached text, or another one, so it is never taken for the wrong path). The root: none.
    std::uint32_t last_parent_ = 0;
    std::uint64_t releases_ = 0;                // release_unused() calls that released ids
    release_hook hook_{};                       // not moved with the table: see release_hook
    restructure_guard guard_{};                 // the same
};

// A path as an interned id in its table: what enzymes receive. Comparing, hashing and walking segments cost no
// allocation; str() builds the text when it is wanted. A default-constructed path_ref is empty (no path).
namespace detail {
// Tag: the id was checked against its table already.
struct checked_id_t {
    explicit checked_id_t() = default;
};
inline constexpr checked_id_t checked_id{};
}  // namespace detail

// cep::path_ref is basic_path_ref<> (see detail/lazy.hpp).
template <class Deferred>
class basic_path_ref {
    using path_table = basic_path_table<Deferred>;

public:
    basic_path_ref() = default;
    basic_path_ref(const path_table& table, path_id id) : table_(&table), id_(id) { (void)table.depth(id); }
    // For an id the kernel already checked (a queued impulse's): no second check per impulse.
    basic_path_ref(const path_table& table, path_id id, detail::checked_id_t) noexcept : table_(&table), id_(id) {}

    [[nodiscard]] bool empty() const noexcept { return table_ == nullptr; }
    [[nodiscard]] path_id id() const noexcept { return id_; }
    [[nodiscard]] const path_table* table() const noexcept { return table_; }

    [[nodiscard]] bool is_root() const noexcept { return !empty() && id_ == path_table::root(); }
    [[nodiscard]] std::size_t depth() const { return empty() ? 0 : table_->depth(id_); }
    [[nodiscard]] std::string_view leaf() const { return empty() ? std::string_view{} : table_->leaf(id_); }
    [[nodiscard]] basic_path_ref parent() const {
        return empty() ? basic_path_ref{} : basic_path_ref(*table_, table_->parent(id_));
    }

    // The segments, root first, written into `out` (at least depth() long); returns how many.
    std::size_t segments(std::span<std::string_view> out) const {
        const std::size_t n = depth();
        if (out.size() < n) return 0;
        path_id at = id_;
        for (std::size_t i = n; i-- > 0; at = table_->parent(at)) out[i] = table_->leaf(at);
        return n;
    }

    void append_to(std::string& out) const {
        if (!empty()) table_->append_text(id_, out);
    }
    [[nodiscard]] std::string str() const {
        std::string out;
        append_to(out);
        return out;
    }
    [[nodiscard]] path to_path() const { return empty() ? path() : table_->path_of(id_); }
    // A path one segment below, built as text (checked like path::child); an empty ref stands for the root, as in
    // to_path(). For code that writes several cells under one ref, the table's child(id, segment) is cheaper.
    [[nodiscard]] result<path> child(std::string_view segment) const { return to_path().child(segment); }
    // Throwing form of child().
    [[nodiscard]] friend path operator/(const basic_path_ref& ref, std::string_view segment) {
        return ref.child(segment).value();
    }

    [[nodiscard]] friend bool operator==(const basic_path_ref& a, const basic_path_ref& b) noexcept {
        return a.table_ == b.table_ && a.id_ == b.id_;
    }
    // Compares with a path's text without building a string.
    [[nodiscard]] friend bool operator==(const basic_path_ref& a, const path& b) {
        if (a.empty()) return false;
        if (a.depth() != b.depth()) return false;
        path_id at = a.id_;
        std::string_view text = b.text();
        for (std::size_t i = a.depth(); i-- > 0; at = a.table_->parent(at)) {
            const auto leaf = a.table_->leaf(at);
            const auto slash = text.rfind('/');
            if (text.substr(slash + 1) != leaf) return false;
            text = text.substr(0, slash);
        }
        return true;
    }

private:
    const path_table* table_ = nullptr;
    path_id id_{};
};

}  // namespace cep

template <>
struct std::hash<cep::path_id> {
    [[nodiscard]] std::size_t operator()(cep::path_id id) const noexcept {
        return static_cast<std::size_t>(id.value);  // ids are dense: the identity spreads them
    }
};
