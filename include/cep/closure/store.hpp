// Where layer 1 reads and writes. A store reads one tree and writes either into that tree at once (between beats,
// or in a program without a heartbeat) or into a beat's staging through a cep::write_context (inside an enzyme:
// reads see the tree committed at the end of the previous beat, writes become visible at the next). Upsert, tick,
// cancel and facet handlers are written once against it, so both modes follow the same rules.
//
// The store also keeps a journal of the queue entries written and the cells removed through it, because with
// staged writes the committed tree cannot tell: tick uses it not to visit an entry a handler cancelled earlier in
// the pass, and to see that handlers queued new work (so a later pass is needed).
#pragma once

#include <cep/closure/layout.hpp>
#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/detail/flat_index.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/path_syntax.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cep::closure {

template <class Deferred = void>
class basic_store;
using store = basic_store<>;

namespace detail {
struct store_access;
}

// cep::closure::store is basic_store<> (see detail/lazy.hpp).
template <class Deferred>
class basic_store {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view<Deferred>;
    using path_table = basic_path_table<Deferred>;
    using path_ref = basic_path_ref<Deferred>;
    using write_context = cep::detail::lazy<Deferred, cep::write_context>;
    using journal_map = cep::detail::lazy<Deferred, cep::detail::flat_map<std::size_t>>;
    using optional_text = cep::detail::lazy<Deferred, std::optional<std::string>>;

    // The segments of queue_root, first to last.
    static constexpr auto queue_root_segments = [] {
        cep::detail::lazy<Deferred, std::array<std::string_view, decltype(queue_root)::depth>> out{};
        std::size_t n = 0;
        for (const auto segment : cep::detail::segment_range(queue_root.view())) out[n++] = segment;
        return out;
    }();

public:
    // Immediate: writes go into `tree` and are visible at once.
    explicit basic_store(cell_tree& tree) noexcept
        : committed_(&tree), tree_(&tree), paths_(&tree.paths()), releases_(paths_->releases()) {}
    // Staged: reads see the committed tree, writes go into the beat's staging (visible at the next beat).
    explicit basic_store(write_context& ctx) noexcept
        : committed_(&ctx.tree()), ctx_(&ctx), paths_(&ctx.paths()), releases_(paths_->releases()) {}

    basic_store(const basic_store&) = delete;
    basic_store& operator=(const basic_store&) = delete;

    [[nodiscard]] bool staged() const noexcept { return ctx_ != nullptr; }
    // The enzyme's context when staged (to emit impulses, say); nullptr when writing a tree directly.
    [[nodiscard]] write_context* beat_context() const noexcept { return ctx_; }

    // The table naming the tree's paths. A handler that touches the same cells often can intern them once
    // (paths().child(id, "segment") or paths().intern(p)) and read and write by id: no text is built or hashed.
    [[nodiscard]] path_table& paths() const noexcept { return *paths_; }

    // ---- reading: the tree (as committed, when staged) ----
    [[nodiscard]] const cell_tree& tree() const noexcept { return *committed_; }
    [[nodiscard]] std::optional<cell_view> find(const path& p) const { return committed_->find(p); }
    [[nodiscard]] std::optional<cell_view> find(path_id id) const {
        if (!paths_->owns(id)) return std::nullopt;
        return committed_->find(id);
    }
    // By path_ref (a facet_job's, say): by id when it is of this table, by its text when of another (as an
    // enzyme's context does); an empty one names no cell.
    [[nodiscard]] std::optional<cell_view> find(const path_ref& ref) const {
        if (ref.table() == paths_) [[likely]] return find(ref.id());
        if (ref.empty()) return std::nullopt;
        return find(ref.to_path());
    }
    // The text of a cell, or nullopt when it does not exist.
    [[nodiscard]] optional_text text(const path& p) const { return text_of(committed_->find(p)); }
    [[nodiscard]] optional_text text(path_id id) const { return text_of(find(id)); }
    [[nodiscard]] optional_text text(const path_ref& ref) const { return text_of(find(ref)); }

    // ---- writing ----
    result<void> put_text(const path& p, std::string_view text) { return put_text(paths_->intern(p), text); }
    // By id (put_text, append_text, remove): an id of another table is an error (cep::errc::path_unknown_id).
    result<void> put_text(path_id id, std::string_view text) {
        if (outlived_release()) [[unlikely]] return outlived_error();
        if (!paths_->owns(id)) [[unlikely]] return unknown_id(id);
        note_write(id);
        return raw_put_text(id, text);
    }
    // By path_ref (put_text, append_text, remove), as find(path_ref) reads; an empty one is an error
    // (cep::errc::path_unknown_id).
    result<void> put_text(const path_ref& ref, std::string_view text) {
        if (ref.table() == paths_) [[likely]] return put_text(ref.id(), text);
        if (ref.empty()) return empty_ref("put_text");
        return put_text(ref.to_path(), text);
    }
    result<void> put_bytes(const path& p, std::span<const std::byte> bytes) {
        if (outlived_release()) [[unlikely]] return outlived_error();
        note_write(paths_->intern(p));
        if (ctx_) return ctx_->put_bytes(p, bytes);
        return discard_view(tree_->put_bytes(p, bytes));
    }
    result<void> make_list(const path& p, std::string_view entry_prefix = {}) {
        if (outlived_release()) [[unlikely]] return outlived_error();
        note_write(paths_->intern(p));
        if (ctx_) return ctx_->make_list(p, entry_prefix);
        return discard_view(tree_->make_list(p, entry_prefix));
    }
    result<void> append_text(const path& list, std::string_view text) {
        return append_text(paths_->intern(list), text);
    }
    result<void> append_text(path_id list, std::string_view text) {
        if (outlived_release()) [[unlikely]] return outlived_error();
        if (!paths_->owns(list)) [[unlikely]] return unknown_id(list);
        note_write(list);
        if (ctx_) return ctx_->append_text(path_ref(*paths_, list, cep::detail::checked_id), text);
        return discard_view(tree_->append(list, value_kind::text, text));
    }
    result<void> append_text(const path_ref& list, std::string_view text) {
        if (list.table() == paths_) [[likely]] return append_text(list.id(), text);
        if (list.empty()) return empty_ref("append_text");
        return append_text(list.to_path(), text);
    }
    result<void> remove(const path& p) { return remove(paths_->intern(p)); }
    result<void> remove(const path_ref& ref) {
        if (ref.table() == paths_) [[likely]] return remove(ref.id());
        if (ref.empty()) return empty_ref("remove");
        return remove(ref.to_path());
    }
    result<void> remove(path_id id) {
        if (outlived_release()) [[unlikely]] return outlived_error();
        if (!paths_->owns(id)) [[unlikely]] return unknown_id(id);
        note(last_remove_, id);
        return raw_remove(id);
    }

private:
    friend struct detail::store_access;

    [[gnu::cold]] static error empty_ref(std::string_view doing) {
        return error{errc::path_unknown_id, std::string(doing) + ": an empty path_ref names no cell"};
    }
    static optional_text text_of(const std::optional<cell_view>& cell) {
        if (!cell) return std::nullopt;
        return std::string(cell->text());
    }
    static result<void> discard_view(const result<cell_view>& r) {
        if (!r) return r.error();
        return {};
    }
    [[gnu::cold]] static error unknown_id(path_id id) {
        return error{errc::path_unknown_id,
                     "path id " + std::to_string(id.value) + " does not belong to this store's path table"};
    }
    result<void> raw_put_text(path_id id, std::string_view text) {
        if (ctx_) return ctx_->put_text(path_ref(*paths_, id, cep::detail::checked_id), text);
        return discard_view(tree_->put_text(id, text));
    }
    result<void> raw_remove(path_id id) {
        if (ctx_) return ctx_->remove(path_ref(*paths_, id, cep::detail::checked_id));
        return tree_->remove(id);
    }

    // Only writes at or below a queue entry (/bonds/facet_queue/<facet>/<hash>/...) are journalled, as the entry:
    // the ancestor of the written id two levels below the queue root, found by walking up (no text built).
    void note_write(path_id id) {
        if (const auto entry = entry_of(id)) note(last_write_, *entry);
    }
    [[nodiscard]] std::optional<path_id> entry_of(path_id id) {
        check_journal();
        constexpr std::size_t entry_depth = decltype(queue_root)::depth + 2;
        std::size_t depth = paths_->depth(id);
        if (depth < entry_depth) return std::nullopt;
        for (; depth > entry_depth; --depth) id = paths_->parent(id);
        const path_id root = paths_->parent(paths_->parent(id));
        if (!queue_root_id_) {
            // The first candidate is compared by its segments (no hashing); once found, by id.
            path_id at = root;
            for (std::size_t up = 0; up < queue_root_segments.size(); ++up, at = paths_->parent(at))
                if (paths_->leaf(at) != queue_root_segments[queue_root_segments.size() - 1 - up]) return std::nullopt;
            queue_root_id_ = root;
        }
        if (root != *queue_root_id_) return std::nullopt;
        return id;
    }
    void note(journal_map& journal, path_id key) {
        check_journal();
        if (auto* known = journal.find(key.value)) {
            *known = ++sequence_;
            return;
        }
        journal.add(key.value, ++sequence_);
        if (&journal == &last_write_) written_.push_back(key);
    }

    // After this store's operations, does `entry` exist, given whether it existed in the tree before them? The
    // latest of its own writes and of the removals of it or an ancestor decides.
    [[nodiscard]] bool exists_after(path_id entry, bool existed) const {
        check_journal();
        const auto* written = last_write_.find(entry.value);
        const std::size_t w = written == nullptr ? 0 : *written;
        std::size_t r = 0;
        if (last_remove_.size() != 0)
            for (path_id at = entry;; at = paths_->parent(at)) {
                if (const auto* removed = last_remove_.find(at.value); removed != nullptr && *removed > r) r = *removed;
                if (at == path_table::root()) break;
            }
        if (w == 0 && r == 0) return existed;
        return w > r;
    }

    // The journal keys entries by path id. Transient ids released since the store took them may name other paths
    // now (a store kept across beats, below a transient root), so it refuses to go on rather than answer wrong.
    // A store that holds no id yet simply starts from the current release.
    // Writes return the error; the journal's readers (tick's) throw it.
    [[nodiscard]] bool outlived_release() const noexcept {
        if (paths_->releases() == releases_) [[likely]]
            return false;
        if (sequence_ == 0 && !queue_root_id_) {
            releases_ = paths_->releases();
            return false;
        }
        return true;
    }
    [[gnu::cold]] static error outlived_error() {
        return error{errc::closure_store_outlived,
                     "this closure::store outlived a release of transient path ids (the end of a commit, or "
                     "release_unused_paths): the ids in its journal may name other paths now; use one store per "
                     "call or beat"};
    }
    void check_journal() const {
        if (outlived_release()) [[unlikely]]
            throw closure_error(outlived_error());
    }

    const cell_tree* committed_;
    cell_tree* tree_ = nullptr;
    write_context* ctx_ = nullptr;
    path_table* paths_;
    mutable std::uint64_t releases_;  // paths_->releases() when the journal's ids were taken
    cep::detail::lazy<Deferred, std::optional<path_id>> queue_root_id_;
    std::size_t sequence_ = 0;
    journal_map last_write_;   // queue entry -> sequence number of its latest write
    journal_map last_remove_;  // any cell -> sequence number of its latest removal
    cep::detail::lazy<Deferred, std::vector<path_id>> written_;  // the keys of last_write_, in first-write order
};

namespace detail {
// Tick's own state writes are not journalled (it knows what it did to the entries it visits); its removals are.
struct store_access {
    template <class Deferred>
    static result<void> put_text(basic_store<Deferred>& s, path_id id, std::string_view text) {
        return s.raw_put_text(id, text);
    }
    template <class Deferred>
    static bool exists_after(const basic_store<Deferred>& s, path_id entry, bool existed) {
        return s.exists_after(entry, existed);
    }
    template <class Deferred>
    static bool exists_after(const basic_store<Deferred>& s, const path& entry, bool existed) {
        return s.exists_after(s.paths_->intern(entry), existed);
    }
    template <class Deferred>
    [[nodiscard]] static std::size_t mark(const basic_store<Deferred>& s) noexcept {
        return s.sequence_;
    }
    // Queue entries written through the store after `mark` (by upserts, typically from handlers), by id.
    template <class Deferred>
    static cep::detail::lazy<Deferred, std::vector<path_id>> entry_ids_written_since(const basic_store<Deferred>& s,
                                                                                    std::size_t mark) {
        s.check_journal();
        cep::detail::lazy<Deferred, std::vector<path_id>> out;
        for (const auto id : s.written_)
            if (*s.last_write_.find(id.value) > mark) out.push_back(id);
        return out;
    }
    // The same as paths, in path order.
    template <class Deferred>
    static cep::detail::lazy<Deferred, std::vector<path>> entries_written_since(const basic_store<Deferred>& s,
                                                                               std::size_t mark) {
        cep::detail::lazy<Deferred, std::vector<path>> out;
        for (const auto id : entry_ids_written_since(s, mark)) out.push_back(s.paths_->path_of(id));
        std::sort(out.begin(), out.end());
        return out;
    }
};
}  // namespace detail

}  // namespace cep::closure
