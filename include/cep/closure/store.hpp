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

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cep::closure {

class store;

namespace detail {
struct store_access;
}

class store {
public:
    // Immediate: writes go into `tree` and are visible at once.
    explicit store(cell_tree& tree) noexcept : committed_(&tree), tree_(&tree) {}
    // Staged: reads see the committed tree, writes go into the beat's staging (visible at the next beat).
    explicit store(write_context& ctx) noexcept : committed_(&ctx.tree()), ctx_(&ctx) {}

    store(const store&) = delete;
    store& operator=(const store&) = delete;

    [[nodiscard]] bool staged() const noexcept { return ctx_ != nullptr; }
    // The enzyme's context when staged (to emit impulses, say); nullptr when writing a tree directly.
    [[nodiscard]] write_context* beat_context() const noexcept { return ctx_; }

    // ---- reading: the tree (as committed, when staged) ----
    [[nodiscard]] const cell_tree& tree() const noexcept { return *committed_; }
    [[nodiscard]] std::optional<cell_view> find(const path& p) const { return committed_->find(p); }
    // The text of a cell, or nullopt when it does not exist.
    [[nodiscard]] std::optional<std::string> text(const path& p) const {
        const auto cell = committed_->find(p);
        if (!cell) return std::nullopt;
        return std::string(cell->text());
    }

    // ---- writing ----
    result<void> put_text(const path& p, std::string_view text) {
        note_write(p);
        return raw_put_text(p, text);
    }
    result<void> put_bytes(const path& p, std::span<const std::byte> bytes) {
        note_write(p);
        if (ctx_) return ctx_->put_bytes(p, bytes);
        return discard_view(tree_->put_bytes(p, bytes));
    }
    result<void> make_list(const path& p, std::string_view entry_prefix = {}) {
        note_write(p);
        if (ctx_) return ctx_->make_list(p, entry_prefix);
        return discard_view(tree_->make_list(p, entry_prefix));
    }
    result<void> append_text(const path& list, std::string_view text) {
        note_write(list);
        if (ctx_) return ctx_->append_text(list, text);
        return discard_view(tree_->append_text(list, text));
    }
    result<void> remove(const path& p) {
        note_remove(p);
        return raw_remove(p);
    }

private:
    friend struct detail::store_access;

    static result<void> discard_view(const result<cell_view>& r) {
        if (!r) return r.error();
        return {};
    }
    result<void> raw_put_text(const path& p, std::string_view text) {
        if (ctx_) return ctx_->put_text(p, text);
        return discard_view(tree_->put_text(p, text));
    }
    result<void> raw_remove(const path& p) {
        if (ctx_) return ctx_->remove(p);
        return tree_->remove(p);
    }
    // Only writes at or below a queue entry (/bonds/facet_queue/<facet>/<hash>/...) are journalled, as the entry.
    // On texts, not paths: this runs for every write through the store, and building paths allocates.
    void note_write(const path& p) {
        constexpr std::string_view root = queue_root.view();
        const std::string_view text = p.text();
        if (text.size() <= root.size() + 1 || !text.starts_with(root) || text[root.size()] != '/') return;
        const std::size_t facet_end = text.find('/', root.size() + 1);
        if (facet_end == std::string_view::npos) return;  // the facet's directory itself
        note(last_write_, text.substr(0, text.find('/', facet_end + 1)));  // the entry: two segments below root
    }
    void note_remove(const path& p) { note(last_remove_, p.text()); }
    void note(std::map<std::string, std::size_t, std::less<>>& journal, std::string_view key) {
        if (const auto it = journal.find(key); it != journal.end())
            it->second = ++sequence_;
        else
            journal.emplace(std::string(key), ++sequence_);
    }

    // After this store's operations, does `entry` exist, given whether it existed in the tree before them? The
    // latest of its own writes and of the removals of it or an ancestor decides.
    [[nodiscard]] bool exists_after(const path& entry, bool existed) const {
        const auto written = last_write_.find(entry.text());
        const std::size_t w = written == last_write_.end() ? 0 : written->second;
        std::size_t r = 0;
        // The entry and each ancestor, as prefixes of its text ("/a/b", "/a", "/"): nothing to build.
        for (std::string_view at = entry.text(); !last_remove_.empty();) {
            if (const auto removed = last_remove_.find(at); removed != last_remove_.end() && removed->second > r)
                r = removed->second;
            if (at == "/") break;
            const std::size_t slash = at.rfind('/');
            at = at.substr(0, slash == 0 ? 1 : slash);
        }
        if (w == 0 && r == 0) return existed;
        return w > r;
    }

    const cell_tree* committed_;
    cell_tree* tree_ = nullptr;
    write_context* ctx_ = nullptr;
    std::size_t sequence_ = 0;
    std::map<std::string, std::size_t, std::less<>> last_write_;   // queue entry -> sequence number of its latest write
    std::map<std::string, std::size_t, std::less<>> last_remove_;  // any cell -> sequence number of its latest removal
};

namespace detail {
// Tick's own state writes are not journalled (it knows what it did to the entries it visits); its removals are.
struct store_access {
    static result<void> put_text(store& s, const path& p, std::string_view text) { return s.raw_put_text(p, text); }
    static bool exists_after(const store& s, const path& entry, bool existed) { return s.exists_after(entry, existed); }
    [[nodiscard]] static std::size_t mark(const store& s) noexcept { return s.sequence_; }
    // Queue entries written through the store after `mark` (by upserts, typically from handlers), in path order.
    static std::vector<path> entries_written_since(const store& s, std::size_t mark) {
        std::vector<path> out;
        for (const auto& [text, sequence] : s.last_write_)
            if (sequence > mark) out.push_back(path(text));
        return out;
    }
};
}  // namespace detail

}  // namespace cep::closure
