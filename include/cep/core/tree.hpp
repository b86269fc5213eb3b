// The cell tree: cells addressed by path, each with an optional value (text or bytes) and children. A cell is a
// dictionary (children by name, always iterated in byte order of their names), a list (append-only, entries named
// automatically "1", "2", ... or "<prefix>:1", ...), or a link (an alias of another path). Sealed branches reject
// every write. The ledger, OPS dossiers, facet records and mailbox buckets live here.
//
// Not thread-safe: a tree belongs to one heartbeat. Views (cell_view, children(), subtree()) read the live tree;
// a cell_view whose cell was removed reports a stale-view error instead of reading freed memory.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/fwd.hpp>

// Only range-v3's forward declarations: the views below derive from ranges::view_base and std::ranges::view_base
// and bring their own iterators, so they model range-v3's and the standard's view concepts without the cost of
// range-v3's view headers.
#include <range/v3/range_fwd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace cep {

enum class cell_kind : std::uint8_t { dictionary, list, link };
enum class value_kind : std::uint8_t { none, text, bytes };

[[nodiscard]] constexpr std::string_view to_string(cell_kind kind) noexcept {
    switch (kind) {
        case cell_kind::dictionary: return "dictionary";
        case cell_kind::list: return "list";
        case cell_kind::link: return "link";
    }
    return "unknown";
}

// Links are followed at most this many times while resolving one path. A link can only be made to a path that
// resolves, so links never form a cycle; this bounds long chains.
inline constexpr std::size_t max_link_hops = 32;

namespace detail {
template <class Deferred>
class basic_subtree_range;
template <class Deferred>
class basic_children_range;

// The items of a range as project(item) makes them, for one range insert into a vector (its size known once, the
// elements built in place). A forward iterator whose reference is a value: vector::insert counts the items, then
// reads each once.
template <class It, class Project>
struct projecting_iterator {
    using iterator_category = std::forward_iterator_tag;
    using difference_type = std::ptrdiff_t;
    using value_type = std::remove_cvref_t<std::invoke_result_t<Project&, decltype(*std::declval<It>())>>;
    using pointer = void;
    using reference = value_type;

    It at;
    Project* project;

    value_type operator*() const { return (*project)(*at); }
    projecting_iterator& operator++() {
        ++at;
        return *this;
    }
    projecting_iterator operator++(int) {
        auto before = *this;
        ++at;
        return before;
    }
    friend bool operator==(const projecting_iterator& a, const projecting_iterator& b) { return a.at == b.at; }
};
}  // namespace detail

// A list entry kept as a compact record until it is read (cell_tree::append_record): three words the renderer
// turns into the entry's text, deterministically, when the entry becomes a cell. (Twelve bytes: a ledger keeps a
// record per impulse and per invocation, for every beat it retains.)
struct entry_record {
    std::uint32_t words[3]{};
};
// A record type of the caller's with exactly an entry_record's bytes (trivially copyable, 12 bytes, no padding):
// cell_tree::append_records_verbatim copies a span of them in one block move, and the renderer may std::bit_cast
// the entry_record back.
template <class Record>
concept same_bytes_as_entry_record = std::is_trivially_copyable_v<Record> &&
                                     sizeof(Record) == sizeof(entry_record) &&
                                     std::has_unique_object_representations_v<Record>;
using entry_renderer = void (*)(const path_table& paths, const entry_record& record, std::string& out);

// A read-only handle on one cell: cheap to copy, checked on every use (a removed cell is reported, not read).
// cep::cell_view is basic_cell_view<> (see detail/lazy.hpp).
template <class Deferred>
class basic_cell_view {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view;

public:
    basic_cell_view() = default;

    [[nodiscard]] bool valid() const noexcept;
    [[nodiscard]] cell_kind kind() const;
    [[nodiscard]] bool is_dictionary() const { return kind() == cell_kind::dictionary; }
    [[nodiscard]] bool is_list() const { return kind() == cell_kind::list; }
    [[nodiscard]] bool is_link() const { return kind() == cell_kind::link; }

    // Where the cell lives (its canonical path: links are not part of it).
    [[nodiscard]] path_id id() const;
    [[nodiscard]] cep::path path() const;
    [[nodiscard]] std::string_view name() const;

    [[nodiscard]] value_kind value_type() const;
    [[nodiscard]] bool has_value() const { return value_type() != value_kind::none; }
    // The stored bytes as characters (for text and for bytes alike); empty without a value.
    [[nodiscard]] std::string_view text() const;
    [[nodiscard]] std::span<const std::byte> bytes() const;

    // True when this cell or one of its ancestors is sealed.
    [[nodiscard]] bool sealed() const;
    // For a link: the path it points at.
    [[nodiscard]] std::optional<path_id> link_target() const;

    [[nodiscard]] std::size_t size() const;  // number of children
    [[nodiscard]] std::optional<cell_view> child(std::string_view name) const;
    [[nodiscard]] std::optional<cell_view> parent() const;
    // Children in deterministic order (dictionaries: by name; lists: append order): a random-access, sized view.
    [[nodiscard]] detail::basic_children_range<Deferred> children() const;

    [[nodiscard]] friend bool operator==(const cell_view& a, const cell_view& b) noexcept {
        return a.tree_ == b.tree_ && a.index_ == b.index_ && a.generation_ == b.generation_;
    }

private:
    friend cell_tree;
    basic_cell_view(const cell_tree* tree, std::uint32_t index, std::uint32_t generation) noexcept
        : tree_(tree), index_(index), generation_(generation) {}
    const struct cell_node& node() const;
    [[noreturn, gnu::cold, gnu::noinline]] void stale() const;

    const cell_tree* tree_ = nullptr;
    std::uint32_t index_ = 0;
    std::uint32_t generation_ = 0;
};

struct cell_node {
    static constexpr std::uint32_t npos = 0xffffffffu;
    std::uint32_t parent = npos;
    std::uint32_t generation = 0;
    path_id id{};
    std::uint32_t aux = 0;     // list: entries appended so far; link: target path id
    std::uint32_t prefix = 0;  // list: index into the tree's entry prefixes (0 = none)
    cell_kind kind = cell_kind::dictionary;
    value_kind value_type = value_kind::none;
    bool sealed = false;
    bool in_sealed = false;  // this cell or an ancestor is sealed: writability is one read, not a walk up
    bool alive = false;
    std::uint32_t deferred = npos;  // list: its entries appended with append_entry() and not yet cells
    std::uint32_t ordered = 0;      // children[0, ordered) are in order; those after were added since (order_children)
    std::uint32_t removed = 0;      // children removed since the last compaction: still in `children`, not alive
    std::string value;
    std::vector<std::uint32_t> children;  // node indices: a list's in append order, a dictionary's by name
};

// cep::cell_tree is basic_cell_tree<> (see detail/lazy.hpp).
template <class Deferred>
class basic_cell_tree {
    using cell_view = basic_cell_view<Deferred>;

public:
    using path_table = basic_path_table<Deferred>;

    basic_cell_tree() {
        nodes_.push_back(cell_node{});
        nodes_[0].alive = true;
        by_path_.push_back(0);
        prefixes_.emplace_back();
    }
    basic_cell_tree(const basic_cell_tree&) = delete;
    basic_cell_tree& operator=(const basic_cell_tree&) = delete;
    basic_cell_tree(basic_cell_tree&&) noexcept = default;
    basic_cell_tree& operator=(basic_cell_tree&&) noexcept = default;

    [[nodiscard]] path_table& paths() noexcept { return paths_; }
    [[nodiscard]] const path_table& paths() const noexcept { return paths_; }
    [[nodiscard]] cell_view root() const noexcept { return view(0); }
    // Number of cells, the root included (entries made by append_entry count: they become cells here).
    [[nodiscard]] std::size_t size() const {
        materialize_all();
        return live_;
    }

    // ---- reading (links are followed) ----
    [[nodiscard]] std::optional<cell_view> find(const path& p) const {
        auto found = resolve_text(p, true);
        if (found.code != errc::none) return std::nullopt;
        return view(found.index);
    }
    [[nodiscard]] std::optional<cell_view> find(path_id id) const {
        auto found = resolve_id(id, true, 0);
        if (found.code != errc::none) return std::nullopt;
        return view(found.index);
    }
    [[nodiscard]] bool contains(const path& p) const { return find(p).has_value(); }
    // Like find(), with the reason when there is no cell.
    [[nodiscard]] result<cell_view> lookup(const path& p) const {
        auto found = resolve_text(p, true);
        if (found.code != errc::none) return describe(found, p.str());
        return view(found.index);
    }
    // The cell at `p` itself, without following a final link.
    [[nodiscard]] std::optional<cell_view> find_no_follow(const path& p) const {
        auto found = resolve_text(p, false);
        if (found.code != errc::none) return std::nullopt;
        return view(found.index);
    }
    [[nodiscard]] std::optional<cell_view> find_no_follow(path_id id) const {
        auto found = resolve_id(id, false, 0);
        if (found.code != errc::none) return std::nullopt;
        return view(found.index);
    }
    // Whether a cell lives at `id` itself: one array read, no check (an unknown id has none). For releasing unused
    // transient ids: paths().release_unused([&](path_id id) { return tree.holds_cell(id); }).
    [[nodiscard]] bool holds_cell(path_id id) const noexcept {
        return id.value < by_path_.size() && by_path_[id.value] != npos;
    }
    // Every list entry still kept as a record (append_record), with its renderer: what refers to ids until read.
    template <class Visit>
    void for_each_pending_record(Visit&& visit) const {
        for (const auto& pending : deferred_)
            if (pending.list != npos)
                for (const auto& record : pending.records) visit(record, pending.render);
    }
    // The cell at names... below `base`: one probe per name from base, no path built or interned. A link on the way
    // is followed from its own cell, as find() follows it. For reading several fields of a record already found.
    [[nodiscard]] std::optional<cell_view> find_below(const cell_view& base,
                                                      std::initializer_list<std::string_view> names) const;
    // The same (the base's path is not needed: kept for the callers that pass it).
    [[nodiscard]] std::optional<cell_view> find_below(const cell_view& base, const path& base_path,
                                                      std::initializer_list<std::string_view> names) const {
        (void)base_path;
        return find_below(base, names);
    }

    // Would a write at `id` be refused because it lies in a sealed branch? (Checks the nearest existing cell.)
    [[nodiscard]] result<void> can_write(path_id id) const {
        for (path_id at = id;; at = paths_.parent(at)) {
            auto found = resolve_id(at, true, 0);
            if (found.code == errc::none) return check_writable(found.index, id);
            if (at == path_table::root()) return {};
        }
    }

    // Pre-order, depth-first walk of a cell and everything below it (links are listed, not entered): a forward view.
    [[nodiscard]] detail::basic_subtree_range<Deferred> subtree(cell_view top) const;

    // ---- writing (to the committed tree; see staging_area for beat-deferred writes) ----
    // Each creates missing intermediate cells as dictionaries and follows links on the way. While the tree is read
    // only (the heartbeat's processor makes it so while enzymes run, whose writes go through their contexts into
    // the beat's staging), each fails with cell_read_only and changes nothing.
    void set_read_only(bool on) noexcept { read_only_ = on; }
    [[nodiscard]] bool read_only() const noexcept { return read_only_; }

    // A dictionary at `p` (existing one returned as is).
    result<cell_view> make_dictionary(const path& p) { return make_dictionary(paths_.intern(p)); }
    result<cell_view> make_dictionary(path_id id) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        auto at = ensure(id, cell_kind::dictionary, 0);
        if (!at) return at.error();
        return view(*at);
    }
    // A list at `p` whose entries are named "<entry_prefix>:<n>" (or "<n>" without a prefix). The prefix is a name.
    result<cell_view> make_list(const path& p, std::string_view entry_prefix = {}) {
        return make_list(paths_.intern(p), entry_prefix);
    }
    result<cell_view> make_list(path_id id, std::string_view entry_prefix = {}) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        if (!entry_prefix.empty())
            if (auto ok = check_name(entry_prefix); !ok) return ok.error();
        auto at = ensure(id, cell_kind::list, intern_prefix(entry_prefix));
        if (!at) return at.error();
        return view(*at);
    }
    // Sets the value of the cell at `p`, creating it (as a dictionary) when missing.
    result<cell_view> put_text(const path& p, std::string_view text) { return put_text(paths_.intern(p), text); }
    result<cell_view> put_text(path_id id, std::string_view text) { return put(id, value_kind::text, text); }
    result<cell_view> put_bytes(const path& p, std::span<const std::byte> bytes) {
        return put_bytes(paths_.intern(p), bytes);
    }
    result<cell_view> put_bytes(path_id id, std::span<const std::byte> bytes) {
        return put(id, value_kind::bytes, as_chars(bytes));
    }
    result<void> clear_value(const path& p) { return clear_value(paths_.intern(p)); }
    result<void> clear_value(path_id id) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        auto found = resolve_id(id, true, 0);
        if (found.code != errc::none) return describe(found, paths_.text_of(id));
        if (auto ok = check_writable(found.index, id); !ok) return ok;
        nodes_[found.index].value.clear();
        nodes_[found.index].value_type = value_kind::none;
        return {};
    }
    // Appends an entry (a dictionary, with an optional value) to the list at `p`.
    result<cell_view> append(const path& list) { return append(paths_.intern(list), value_kind::none, {}); }
    result<cell_view> append_text(const path& list, std::string_view text) {
        return append(paths_.intern(list), value_kind::text, text);
    }
    result<cell_view> append_bytes(const path& list, std::span<const std::byte> bytes) {
        return append(paths_.intern(list), value_kind::bytes, as_chars(bytes));
    }
    result<cell_view> append(path_id list, value_kind type, std::string_view data) {
        if (read_only_) [[unlikely]] return refused_read_only(list);
        auto found = find_list(list, "append to");
        if (!found) return found.error();
        if (auto ok = check_writable(*found, list); !ok) return ok.error();
        materialize(*found);  // entries keep their order
        auto index = add_entry(*found, type, data);
        if (!index) return index.error();
        return view(*index);
    }
    // Appends a text entry to the list without making its cell now: the entry becomes a cell (named, valued and
    // ordered exactly as append_text would make it) the first time anything reads the list, its entries or their
    // paths. For write-mostly lists such as the ledger: an append is a copy into a buffer, not a cell and an
    // interned path. Errors are checked now, as for append_text.
    result<void> append_entry(path_id list, std::string_view text) {
        return append_deferred(list, nullptr, [&](deferred_entries& pending) {
            pending.text.append(text);
            pending.ends.push_back(static_cast<std::uint32_t>(pending.text.size()));
        });
    }
    // The same with the entry kept as a record: `render` writes its text when it becomes a cell (it must be a pure
    // function of the record and the paths, so the tree reads the same whenever that happens).
    result<void> append_record(path_id list, const entry_record& record, entry_renderer render) {
        return append_deferred(list, render, [&](deferred_entries& pending) { pending.records.push_back(record); });
    }
    // append_record's common case alone, for ledgers written entry by entry: true when the record went in (the
    // list is the one appended to last, and nothing that would need a check changed since); false when nothing
    // was done and append_record must check the append in full.
    [[nodiscard]] bool try_append_record(path_id list, const entry_record& record, entry_renderer render) {
        deferred_entries* pending = checked_last_list(list, render);
        if (pending == nullptr) return false;
        pending->records.push_back(record);
        return true;
    }
    // Several records at once, all or none (an error names the last entry, whose path is the longest): one check
    // for the batch instead of one per entry.
    result<void> append_records(path_id list, std::span<const entry_record> records, entry_renderer render) {
        return append_records(list, records, render, [](const entry_record& record) { return record; });
    }
    // Records of the caller's own type that are entry_records byte for byte (see same_bytes_as_entry_record): one
    // check, then one block copy.
    template <class Record>
    result<void> append_records_verbatim(path_id list, std::span<const Record> records, entry_renderer render) {
        static_assert(same_bytes_as_entry_record<Record>,
                      "cep::cell_tree::append_records_verbatim: the record type must have exactly the bytes of a "
                      "cep::entry_record (trivially copyable, 12 bytes, no padding)");
        const std::size_t count = records.size();
        if (count == 0) return {};
        auto pending = batch_records(list, render, count);
        if (!pending) return pending.error();
        const std::size_t at = (*pending)->size();
        (*pending)->resize(at + count);
        std::memcpy(static_cast<void*>((*pending)->data() + at), records.data(), count * sizeof(entry_record));
        return {};
    }
    // The same for the records project(item) makes of each item: a caller converting its own records needs no
    // buffer of its own.
    template <class Items, class Project>
    result<void> append_records(path_id list, const Items& items, entry_renderer render, Project&& project) {
        const std::size_t count = items.size();
        if (count == 0) return {};
        auto pending = batch_records(list, render, count);
        if (!pending) return pending.error();
        // One range insert: the records are built in place after one size check. (push_back() re-read and
        // stored the vector's end for every record: about a sixth of what a ledger line cost.)
        using projecting =
            detail::projecting_iterator<decltype(std::ranges::begin(items)), std::remove_reference_t<Project>>;
        (*pending)->insert((*pending)->end(), projecting{std::ranges::begin(items), &project},
                           projecting{std::ranges::end(items), &project});
        return {};
    }
    result<void> append_entry(const path& list, std::string_view text) { return append_entry(paths_.intern(list), text); }

    // Calls visit(text) for each entry of the list, in order, without making cells of entries still waiting
    // (records are rendered into a scratch string). For journals and exports of write-mostly lists.
    template <class Visit>
    result<void> visit_entries(path_id list, Visit&& visit) const {
        auto found = find_list(list, "read the entries of");
        if (!found) return found.error();
        const auto& node = nodes_[*found];
        for (const auto child : node.children) visit(std::string_view(nodes_[child].value));
        if (node.deferred == npos) return {};
        const auto& pending = deferred_[node.deferred];
        std::uint32_t begin = 0;
        for (const auto end : pending.ends) {
            visit(std::string_view(pending.text).substr(begin, end - begin));
            begin = end;
        }
        std::string line;
        for (const auto& record : pending.records) {
            line.clear();
            pending.render(paths_, record, line);
            visit(std::string_view(line));
        }
        return {};
    }

    // A link at `at` that aliases `target`, which must resolve to a cell now (so links never form a cycle).
    // `at` must be free.
    result<cell_view> link(const path& at, const path& target) { return link(paths_.intern(at), paths_.intern(target)); }
    result<cell_view> link(path_id at, path_id target) {
        if (read_only_) [[unlikely]] return refused_read_only(at);
        if (at == path_table::root()) return error{errc::cell_exists, "cannot make the root a link"};
        auto existing = resolve_id(at, false, 0);
        if (existing.code == errc::none) return error{errc::cell_exists, "a cell already exists at " + quoted(at)};
        auto to = resolve_id(target, true, 0);
        if (to.code != errc::none) return describe(to, paths_.text_of(target));
        // The link keeps the id, so it must keep naming this path; unless the link lives in the same recycled
        // directory (rt/beat/<N>/inbox -> rt/beat/<N>/impulses): then both go together. Transient ids are released
        // one by one, so a link to one always pins it.
        if (!paths_.recyclable(at) || paths_.transient(target) ||
            paths_.recycling_unit(at) != paths_.recycling_unit(target))
            paths_.pin(target);
        auto parent = ensure_container(paths_.parent(at));
        if (!parent) return parent.error();
        if (auto ok = check_can_add(*parent, at); !ok) return ok.error();
        auto child_id = paths_.child(nodes_[*parent].id, paths_.leaf(at));
        if (!child_id) return child_id.error();
        const auto index = create(*parent, *child_id, cell_kind::link);
        nodes_[index].aux = target.value;
        return view(index);
    }
    // Seals the cell at `p` and its whole subtree for good: later writes there fail with cell_sealed.
    result<void> seal(const path& p) { return seal(paths_.intern(p)); }
    result<void> seal(path_id id) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        auto found = resolve_id(id, true, 0);
        if (found.code != errc::none) return describe(found, paths_.text_of(id));
        // The cell that gets sealed (a link's target, when `id` is a link).
        if (auto ok = check_not_reserved(nodes_[found.index].id, "seal", true); !ok) return ok;
        nodes_[found.index].sealed = true;
        mark_sealed(found.index);
        ++seal_epoch_;  // the append fast path re-checks writability
        return {};
    }
    // Reserves a branch for its writer (the heartbeat reserves rt/beat, rt/cei and rt/analytics/spacing): sealing
    // it, a cell inside it or an ancestor of it, and removing it or an ancestor, fail with cell_reserved: the
    // writer's own writes there must not start failing. Cells inside it can still be removed (retention does).
    void reserve(path_id branch) {
        (void)paths_.parent(branch);  // checks the id
        if (std::find(reserved_.begin(), reserved_.end(), branch) == reserved_.end()) reserved_.push_back(branch);
    }
    // Removes the cell at `p` (a link itself, not its target) and its subtree.
    result<void> remove(const path& p) { return remove(paths_.intern(p)); }
    result<void> remove(path_id id) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        if (id == path_table::root()) return error{errc::cell_root, "cannot remove the root"};
        auto found = resolve_id(id, false, 0);
        if (found.code != errc::none) return describe(found, paths_.text_of(id));
        if (auto ok = check_not_reserved(id, "remove", false); !ok) return ok;
        if (auto ok = check_writable(found.index, id); !ok) return ok;
        const auto parent = nodes_[found.index].parent;
        if (nodes_[parent].kind == cell_kind::list)
            return error{errc::cell_list_append_only, "cannot remove " + quoted(nodes_[found.index].id) +
                                                          ": entries of list " + quoted(nodes_[parent].id) +
                                                          " are append-only"};
        // The parent's vector keeps the removed child, dead, until the next read of its children (or until half of
        // them are dead): erasing it at once moved half the siblings, quadratic for a mass removal (a mailbox
        // purge). Until then its node is not reused, so the vector never names a live cell twice.
        release(found.index, true);
        auto& above = nodes_[parent];
        ++above.removed;
        if (above.removed * 2 > above.children.size()) compact_children(parent);
        return {};
    }

private:
    friend cell_view;
    friend detail::basic_subtree_range<Deferred>;
    friend detail::basic_children_range<Deferred>;
    static constexpr std::uint32_t npos = cell_node::npos;

    struct resolution {
        std::uint32_t index = npos;
        errc code = errc::none;
        path_id at{};       // where resolution stopped (missing cell, or the dangling link)
        path_id target{};   // for a dangling link: what it points at
        std::uint32_t parent = npos;  // for a missing cell: its parent's cell when that exists (links followed)
    };

    [[nodiscard]] cell_view view(std::uint32_t index) const noexcept {
        return cell_view(this, index, nodes_[index].generation);
    }
    [[nodiscard]] std::string quoted(path_id id) const {
        std::string out = "\"";
        paths_.append_text(id, out);
        out.push_back('"');
        return out;
    }
    [[nodiscard]] static std::string_view as_chars(std::span<const std::byte> bytes) noexcept {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }

    error describe(const resolution& r, const std::string& wanted) const {
        switch (r.code) {
            case errc::cell_dangling_link:
                return error{r.code, "link " + quoted(r.at) + " points at " + quoted(r.target) +
                                         ", which does not exist (while resolving \"" + wanted + "\")"};
            case errc::cell_too_many_links:
                return error{r.code, "too many links while resolving \"" + wanted + "\" (more than " +
                                         std::to_string(max_link_hops) + " in a chain)"};
            default: return error{errc::cell_not_found, "no cell at \"" + wanted + "\""};
        }
    }

    // Up to this many children, a dictionary's child is found by comparing names (see child_index).
    static constexpr std::size_t small_dictionary = 8;
    [[nodiscard]] std::uint32_t child_index(std::uint32_t parent, std::string_view name) const {
        if (nodes_[parent].kind == cell_kind::list) {
            materialize(parent);
            return list_entry(nodes_[parent], name);
        }
        const auto& node = nodes_[parent];
        if (node.kind != cell_kind::dictionary) return npos;
        // A record of a few fields (layer 1's, OPS's, a beat's directory): its children's nodes and path entries
        // were made together, so comparing their names is a few reads nearby, where the path table's indexes are
        // a hash of the name and two probes into tables the size of the whole tree (cache misses, mostly).
        if (node.children.size() <= small_dictionary) {
            for (const auto index : node.children)
                if (const auto& child = nodes_[index]; child.alive && paths_.leaf(child.id) == name) return index;
            return npos;
        }
        // A dictionary's children carry the ids interned under its own (create() takes paths_.child of it), so
        // the path table's (parent, segment) index finds the child in one probe, however many siblings it has.
        const auto child = paths_.find_child(node.id, name);
        if (!child || child->value >= by_path_.size()) return npos;
        const std::uint32_t index = by_path_[child->value];
        return index != npos && nodes_[index].parent == parent ? index : npos;
    }

    // List entries are named in order, so entry n is at position n - 1.
    [[nodiscard]] std::uint32_t list_entry(const cell_node& list, std::string_view name) const {
        const auto& prefix = prefixes_[list.prefix];
        if (!prefix.empty()) {
            if (name.size() <= prefix.size() + 1 || name.substr(0, prefix.size()) != prefix ||
                name[prefix.size()] != ':')
                return npos;
            name.remove_prefix(prefix.size() + 1);
        }
        if (name.empty() || name.size() > 9 || name[0] == '0') return npos;
        std::size_t n = 0;
        for (char c : name) {
            if (c < '0' || c > '9') return npos;
            n = n * 10 + static_cast<std::size_t>(c - '0');
        }
        if (n > list.children.size()) return npos;
        return list.children[n - 1];
    }

    // Follows links from `index` until a non-link cell.
    [[nodiscard]] resolution follow(std::uint32_t index, std::size_t hops) const {
        while (nodes_[index].kind == cell_kind::link) {
            if (++hops > max_link_hops) return {npos, errc::cell_too_many_links, nodes_[index].id, {}};
            const path_id target{nodes_[index].aux};
            auto next = resolve_id(target, false, hops);
            if (next.code == errc::cell_not_found) return {npos, errc::cell_dangling_link, nodes_[index].id, target};
            if (next.code != errc::none) return next;
            index = next.index;
        }
        return {index, errc::none, nodes_[index].id, {}};
    }

    // By id: canonical cells are one array read away; other ids (through links) resolve from their parent.
    [[nodiscard]] resolution resolve_id(path_id id, bool follow_final, std::size_t hops) const {
        std::uint32_t index = id.value < by_path_.size() ? by_path_[id.value] : npos;
        if (index == npos) {
            if (id == path_table::root()) return {0, errc::none, id, {}};
            const path_id parent_id = paths_.parent(id);
            auto parent = resolve_id(parent_id, true, hops);
            if (parent.code != errc::none) {
                parent.parent = npos;  // that was the grandparent: id's own parent is what is missing
                return parent;
            }
            // Under its own parent's cell (no link on the way), a dictionary's child named like id would carry id
            // itself, which has no cell: missing, without looking the name up.
            const auto& above = nodes_[parent.index];
            if (above.kind == cell_kind::dictionary && above.id == parent_id)
                return {npos, errc::cell_not_found, id, {}, parent.index};
            index = child_index(parent.index, paths_.leaf(id));
            if (index == npos) return {npos, errc::cell_not_found, id, {}, parent.index};
        }
        return follow_final ? follow(index, hops) : resolution{index, errc::none, id, {}};
    }

    // By text: walks segments from the root, so paths never interned resolve too (through links).
    [[nodiscard]] resolution resolve_text(const path& p, bool follow_final) const {
        if (auto id = paths_.find(p)) return resolve_id(*id, follow_final, 0);
        std::uint32_t index = 0;
        std::size_t remaining = p.depth();
        for (auto segment : p.segments()) {
            auto step = follow(index, 0);
            if (step.code != errc::none) return step;
            index = child_index(step.index, segment);
            if (index == npos) return {npos, errc::cell_not_found, {}, {}};
            if (--remaining == 0 && !follow_final) return {index, errc::none, nodes_[index].id, {}};
        }
        return follow(index, 0);
    }

    // A seal reaches the whole subtree (cells created there later inherit it in create()). Recursive: depth is
    // bounded by path_limits::max_depth.
    void mark_sealed(std::uint32_t index) noexcept {
        nodes_[index].in_sealed = true;
        for (const auto child : nodes_[index].children)
            if (nodes_[child].alive && !nodes_[child].in_sealed) mark_sealed(child);
    }
    [[nodiscard]] std::optional<std::uint32_t> sealed_ancestor(std::uint32_t index) const {
        for (auto i = index; i != npos; i = nodes_[i].parent)
            if (nodes_[i].sealed) return i;
        return std::nullopt;
    }
    [[gnu::cold, gnu::noinline]] error refused_read_only(path_id wanted) const {
        return error{errc::cell_read_only, "cannot write " + quoted(wanted) +
                                               ": the committed tree is read-only while enzymes run (write through "
                                               "the invocation's context: the write is staged for the commit)"};
    }
    result<void> check_writable(std::uint32_t index, path_id wanted) const {
        if (!nodes_[index].in_sealed) [[likely]] return {};
        if (auto sealed = sealed_ancestor(index))
            return error{errc::cell_sealed, "cannot write " + quoted(wanted) + ": " + quoted(nodes_[*sealed].id) +
                                                " is sealed"};
        return {};
    }
    result<void> check_can_add(std::uint32_t parent, path_id wanted) const {
        const auto& node = nodes_[parent];
        if (node.kind == cell_kind::list)
            return error{errc::cell_not_a_dictionary, "cannot create " + quoted(wanted) + ": " + quoted(node.id) +
                                                          " is a list (lists take entries through append)"};
        return check_writable(parent, wanted);
    }

    // The cell at `id`, created (with dictionary intermediates) when missing; an existing cell must be of `kind`.
    result<std::uint32_t> ensure(path_id id, cell_kind kind, std::uint32_t prefix) {
        return ensure(id, kind, prefix, resolve_id(id, true, 0));
    }
    // The same, given what resolving id found (a caller that resolved it already does not resolve it twice).
    result<std::uint32_t> ensure(path_id id, cell_kind kind, std::uint32_t prefix, const resolution& found) {
        if (found.code == errc::none) {
            const auto& node = nodes_[found.index];
            if (node.kind != kind)
                return error{errc::cell_wrong_kind, "cell " + quoted(node.id) + " is a " +
                                                        std::string(to_string(node.kind)) + ", not a " +
                                                        std::string(to_string(kind))};
            if (kind == cell_kind::list && node.prefix != prefix)
                return error{errc::cell_wrong_kind, "list " + quoted(node.id) + " exists with entry prefix \"" +
                                                        prefixes_[node.prefix] + "\", not \"" + prefixes_[prefix] +
                                                        "\""};
            return found.index;
        }
        if (found.code != errc::cell_not_found) return describe(found, paths_.text_of(id));
        // The parent's cell, when resolving id reached it: not resolved a second time.
        auto parent = found.parent != npos ? result<std::uint32_t>(found.parent) : ensure_container(paths_.parent(id));
        if (!parent) return parent.error();
        if (auto ok = check_can_add(*parent, id); !ok) return ok.error();
        // Reached without a link, the parent cell is id's own parent and the new cell's id is id (checked when it
        // was interned); through a link, the cell is made under the link's target, with an id interned there.
        path_id child_id = id;
        if (nodes_[*parent].id != paths_.parent(id)) {
            auto interned = paths_.child(nodes_[*parent].id, paths_.leaf(id));
            if (!interned) return interned.error();
            child_id = *interned;
        }
        const auto index = create(*parent, child_id, kind);
        nodes_[index].prefix = prefix;
        return index;
    }

    // The parent for a new cell: an existing cell of any kind (check_can_add judges it), or a new dictionary.
    result<std::uint32_t> ensure_container(path_id id) {
        auto found = resolve_id(id, true, 0);
        if (found.code == errc::none) return found.index;
        return ensure(id, cell_kind::dictionary, 0);
    }

    result<cell_view> put(path_id id, value_kind type, std::string_view data) {
        if (read_only_) [[unlikely]] return refused_read_only(id);
        auto found = resolve_id(id, true, 0);
        std::uint32_t index;
        if (found.code == errc::none) {
            index = found.index;
            if (auto ok = check_writable(index, id); !ok) return ok.error();
        } else {
            auto made = ensure(id, cell_kind::dictionary, 0, found);
            if (!made) return made.error();
            index = *made;
        }
        set_value(index, type, data);
        return view(index);
    }

    void set_value(std::uint32_t index, value_kind type, std::string_view data) {
        nodes_[index].value.assign(data);
        nodes_[index].value_type = type;
    }

    // The node of the list at `list` (links followed), or why there is none; `doing` names the operation refused.
    [[nodiscard]] result<std::uint32_t> find_list(path_id list, std::string_view doing) const {
        auto found = resolve_id(list, true, 0);
        if (found.code != errc::none) return describe(found, paths_.text_of(list));
        const auto& node = nodes_[found.index];
        if (node.kind != cell_kind::list)
            return error{errc::cell_not_a_list, "cannot " + std::string(doing) + " " + quoted(node.id) + ": it is a " +
                                                    std::string(to_string(node.kind)) + ", not a list"};
        return found.index;
    }

    // The deferred entries of a list, ready for one more entry of the given kind (renderer, or nullptr for text):
    // the list exists, is a list, is writable, and the new entry's path will be valid.
    struct deferred_entries;  // below, with the other deferred-entry state
    // One deferred entry: `add` puts it into the list's pending entries, found inline when the list is the one
    // appended to last (checked_last_list), else checked in full (deferred_slot).
    template <class Add>
    result<void> append_deferred(path_id list, entry_renderer render, Add&& add) {
        deferred_entries* pending = checked_last_list(list, render);
        if (pending == nullptr) [[unlikely]] {
            auto slot = deferred_slot(list, render);
            if (!slot) return slot.error();
            pending = &deferred_[*slot];
        }
        add(*pending);
        return {};
    }
    // The common case of an append, small enough to inline into it: the same list as last time, still alive,
    // nothing sealed since, the same kind of entry, and the next entry's name still fits (the limit was computed
    // when the list was checked). Null otherwise: deferred_slot() checks everything.
    [[nodiscard, gnu::always_inline]] deferred_entries* checked_last_list(path_id list, entry_renderer render) noexcept {
        if (list != last_list_.id || last_list_.epoch != seal_epoch_ || read_only_) return nullptr;
        const auto& node = nodes_[last_list_.index];
        if (!node.alive || node.generation != last_list_.generation || node.deferred == npos) return nullptr;
        auto& pending = deferred_[node.deferred];
        const bool same_kind =
            render == nullptr ? pending.records.empty() : pending.ends.empty() && pending.render == render;
        if (!same_kind || node.aux + pending.ends.size() + pending.records.size() + 1 >= last_list_.fits_below)
            return nullptr;
        return &pending;
    }
    // Checks an append of `count` records and returns the list's records, with room for them (grown
    // geometrically, so many batches stay linear).
    result<std::vector<entry_record>*> batch_records(path_id list, entry_renderer render, std::size_t count) {
        auto slot = deferred_slot(list, render, count);
        if (!slot) return slot.error();
        auto& pending = deferred_[*slot].records;
        if (pending.capacity() - pending.size() < count)
            pending.reserve(std::max(pending.size() + count, 2 * pending.capacity()));
        return &pending;
    }
    // Checks an append of `count` entries (their paths, up to the last one's) and returns the list's slot.
    [[gnu::noinline]] result<std::uint32_t> deferred_slot(path_id list, entry_renderer render, std::size_t count = 1) {
        if (read_only_) [[unlikely]] return refused_read_only(list);
        auto found = find_list(list, "append to");
        if (!found) [[unlikely]] return found.error();
        const std::uint32_t index = *found;
        if (auto ok = check_writable(index, list); !ok) [[unlikely]] return ok.error();
        if (const auto slot = nodes_[index].deferred; slot != npos) {
            const auto& pending = deferred_[slot];
            const bool same_kind = render == nullptr ? pending.records.empty()
                                                     : pending.ends.empty() && pending.render == render;
            if (!same_kind) materialize(index);  // one kind per batch, so the entries keep their order
        }
        auto& node = nodes_[index];
        if (node.deferred == npos) {
            if (paths_.depth(node.id) + 1 > path_limits::max_depth) [[unlikely]]
                return error{errc::path_too_deep, "cannot append to " + quoted(node.id) + ": its entries would be "
                                                  "deeper than " + std::to_string(path_limits::max_depth) + " segments"};
            if (deferred_free_.empty()) {
                node.deferred = static_cast<std::uint32_t>(deferred_.size());
                deferred_.emplace_back();
            } else {
                node.deferred = deferred_free_.back();
                deferred_free_.pop_back();
            }
            auto& fresh = deferred_[node.deferred];
            fresh.list = index;
            fresh.render = render;
            fresh.path_length = static_cast<std::uint32_t>(paths_.text_length(node.id));
        }
        const auto& pending = deferred_[node.deferred];
        // The entry's path must be valid when it becomes a cell: "<list>/<prefix>:<n>" (names only grow longer, so
        // the last entry of a batch is the one to check).
        const std::size_t number = node.aux + pending.ends.size() + pending.records.size() + count;
        const std::size_t prefix = prefixes_[node.prefix].size();
        const std::size_t name_length = (prefix == 0 ? 0 : prefix + 1) + decimal_digits(number);
        if (pending.path_length + 1 + name_length > path_limits::max_length) [[unlikely]]
            return error{errc::path_too_long, "cannot append to " + quoted(node.id) + ": entry " +
                                                  std::to_string(number) + "'s path would be longer than " +
                                                  std::to_string(path_limits::max_length) + " bytes"};
        // Entry numbers below the next power of ten have names no longer than this one's.
        std::size_t fits_below = 10;
        while (fits_below <= number && fits_below < (std::size_t{1} << 40)) fits_below *= 10;
        last_list_ = {list, index, node.generation, seal_epoch_, fits_below};
        return node.deferred;
    }

    // A new entry at the end of the list (its path was checked by the caller or is checked here).
    result<std::uint32_t> add_entry(std::uint32_t list, value_kind type, std::string_view data) {
        std::string entry = prefixes_[nodes_[list].prefix];
        if (!entry.empty()) entry.push_back(':');
        entry.append(std::to_string(nodes_[list].aux + 1));
        auto child_id = paths_.child(nodes_[list].id, entry);
        if (!child_id) return child_id.error();
        const auto index = create(list, *child_id, cell_kind::dictionary);
        nodes_[list].aux += 1;
        set_value(index, type, data);
        return index;
    }

    [[nodiscard]] static std::size_t decimal_digits(std::size_t n) noexcept {
        std::size_t digits = 1;
        for (; n >= 10; n /= 10) ++digits;
        return digits;
    }

    // Entries appended with append_entry() become cells. Called by every read of a list's entries, also through
    // const members: a cache being filled, never a change a reader could observe (the object is never const when
    // entries are waiting, since appending needs a non-const tree).
    void materialize(std::uint32_t list) const {
        if (nodes_[list].deferred != npos) const_cast<basic_cell_tree*>(this)->make_deferred_cells(list);
    }
    // A dictionary's new children go to the back of its vector: inserting each at its place moved half the
    // siblings, quadratic for a directory of many hash-named children (a 32k-child put cost 5x more). Every read
    // that needs the name order calls this first, also through const members, on the same grounds as
    // materialize(): only a non-const tree adds or removes children.
    void order_children(std::uint32_t index) const {
        const auto& node = nodes_[index];
        if (node.removed != 0 || node.ordered != node.children.size())
            const_cast<basic_cell_tree*>(this)->order_new_children(index);
    }
    // Drops the removed children from the vector (and frees their nodes), keeping the others' order.
    void compact_children(std::uint32_t index) {
        auto& node = nodes_[index];
        std::uint32_t kept = 0;
        std::uint32_t ordered = 0;
        for (std::uint32_t k = 0; k < node.children.size(); ++k) {
            const std::uint32_t child = node.children[k];
            if (!nodes_[child].alive) {
                free_.push_back(child);
                continue;
            }
            ordered += k < node.ordered;
            node.children[kept++] = child;
        }
        node.children.resize(kept);
        node.ordered = ordered;
        node.removed = 0;
    }
    // The children added since the last ordering are sorted (by an 8-byte prefix of the name read once each: a
    // name read through the path table is a cache miss or two, and a sort compares each element many times), then
    // merged in: a binary search among the ordered ones for each, and one pass that moves the runs between.
    void order_new_children(std::uint32_t index) {
        if (nodes_[index].removed != 0) compact_children(index);
        auto& node = nodes_[index];
        if (node.ordered == node.children.size()) return;
        auto& children = node.children;
        const auto name_of = [this](std::uint32_t child) { return paths_.leaf(nodes_[child].id); };
        auto& added = order_keys_;
        added.clear();
        for (auto k = children.begin() + node.ordered; k != children.end(); ++k)
            added.emplace_back(detail::order_key(name_of(*k)), *k);
        std::sort(added.begin(), added.end(), [&](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first : name_of(a.second) < name_of(b.second);
        });
        auto& merged = order_scratch_;
        merged.clear();
        merged.reserve(children.size());
        auto from = children.cbegin();
        const auto ordered_end = children.cbegin() + node.ordered;
        for (const auto& [key, child] : added) {
            const auto at = std::lower_bound(from, ordered_end, name_of(child),
                                             [&](std::uint32_t c, std::string_view name) { return name_of(c) < name; });
            merged.insert(merged.end(), from, at);
            merged.push_back(child);
            from = at;
        }
        merged.insert(merged.end(), from, ordered_end);
        children.swap(merged);  // the old buffer is the next ordering's scratch
        node.ordered = static_cast<std::uint32_t>(children.size());
    }
    void materialize_all() const {
        for (const auto& pending : deferred_)
            if (pending.list != npos) materialize(pending.list);
    }
    void make_deferred_cells(std::uint32_t list) {
        const std::uint32_t slot = nodes_[list].deferred;
        nodes_[list].deferred = npos;
        // Paths were checked at append time, so add_entry cannot fail here. (deferred_ does not grow meanwhile.)
        std::uint32_t begin = 0;
        for (const auto end : deferred_[slot].ends) {
            (void)add_entry(list, value_kind::text, std::string_view(deferred_[slot].text).substr(begin, end - begin));
            begin = end;
        }
        std::string line;
        for (const auto& record : deferred_[slot].records) {
            line.clear();
            deferred_[slot].render(paths_, record, line);
            (void)add_entry(list, value_kind::text, line);
        }
        drop_deferred(slot);
    }
    void drop_deferred(std::uint32_t slot) {
        auto& pending = deferred_[slot];
        pending.list = npos;
        pending.text.clear();  // capacities are kept for the next list
        pending.ends.clear();
        pending.records.clear();
        pending.render = nullptr;
        deferred_free_.push_back(slot);
    }

    std::uint32_t intern_prefix(std::string_view prefix) {
        for (std::uint32_t i = 0; i < prefixes_.size(); ++i)
            if (prefixes_[i] == prefix) return i;
        prefixes_.emplace_back(prefix);
        return static_cast<std::uint32_t>(prefixes_.size() - 1);
    }

    std::uint32_t create(std::uint32_t parent, path_id id, cell_kind kind) {
        std::uint32_t index;
        if (!free_.empty()) {
            index = free_.back();
            free_.pop_back();
        } else {
            index = static_cast<std::uint32_t>(nodes_.size());
            nodes_.emplace_back();
        }
        auto& node = nodes_[index];
        node.parent = parent;
        node.id = id;
        node.kind = kind;
        node.alive = true;
        node.sealed = false;
        node.in_sealed = nodes_[parent].in_sealed;
        node.aux = 0;
        node.prefix = 0;
        node.value_type = value_kind::none;
        node.value.clear();
        node.children.clear();
        node.ordered = 0;
        node.deferred = npos;
        if (by_path_.size() <= id.value) by_path_.resize(paths_.size(), npos);
        by_path_[id.value] = index;
        auto& above = nodes_[parent];
        // Still in order when the parent is a list (append order), or when the new name sorts after the last one
        // of an ordered dictionary (names added in order, like numbered ones of equal length); else order_children()
        // sorts it in at the next read.
        if (above.removed == 0 && above.ordered == above.children.size() &&
            (above.kind == cell_kind::list || above.children.empty() ||
             paths_.leaf(nodes_[above.children.back()].id) < paths_.leaf(id)))
            ++above.ordered;
        // Room for a few at the first child: records of a handful of fields (OPS, layer 1, a beat's directory)
        // then take one allocation rather than one per doubling.
        if (above.children.capacity() == 0) above.children.reserve(4);
        above.children.push_back(index);
        ++live_;
        return index;
    }

    // Parked: the node stays out of the free list (its parent's vector still holds it; compact_children frees it).
    void release(std::uint32_t index, bool parked = false) {
        auto& node = nodes_[index];
        if (node.deferred != npos) {
            drop_deferred(node.deferred);
            node.deferred = npos;
        }
        for (auto child : node.children) {
            if (nodes_[child].alive)
                release(child);
            else
                free_.push_back(child);  // removed earlier, parked in this vector
        }
        by_path_[node.id.value] = npos;
        node.alive = false;
        node.generation += 1;  // stale views notice
        node.children.clear();
        node.ordered = 0;
        node.removed = 0;
        node.value.clear();
        if (!parked) free_.push_back(index);
        --live_;
    }

    path_table paths_;
    detail::lazy<Deferred, std::vector<cell_node>> nodes_;
    detail::lazy<Deferred, std::vector<std::uint32_t>> by_path_;  // path id -> node index of the cell that lives there
    detail::lazy<Deferred, std::vector<std::uint32_t>> free_;
    detail::lazy<Deferred, std::vector<std::string>> prefixes_;   // list entry prefixes; [0] is "no prefix"
    std::size_t live_ = 1;

    // Entries of one list appended with append_entry() (texts back to back, each one's end) or append_record().
    struct deferred_entries {
        std::uint32_t list = npos;
        std::uint32_t path_length = 0;  // of the list's path, to check entry paths at append time
        std::string text;
        std::vector<std::uint32_t> ends;
        std::vector<entry_record> records;
        entry_renderer render = nullptr;
    };
    std::vector<deferred_entries> deferred_;
    detail::lazy<Deferred, std::vector<std::uint32_t>> deferred_free_;
    // Scratch of order_new_children(), kept for its capacity.
    detail::lazy<Deferred, std::vector<std::pair<std::uint64_t, std::uint32_t>>> order_keys_;
    detail::lazy<Deferred, std::vector<std::uint32_t>> order_scratch_;
    // The list appended to last, checked then (see deferred_slot).
    struct checked_list {
        path_id id{0xffffffffu};
        std::uint32_t index = 0;
        std::uint32_t generation = 0;
        std::uint64_t epoch = 0;
        std::size_t fits_below = 0;
    };
    checked_list last_list_{};
    detail::lazy<Deferred, std::vector<path_id>> reserved_;  // see reserve()

    // Sealing touches the subtree and the cell itself: refused at, above or below a reserved branch. Removing
    // touches the subtree: refused at or above one.
    [[nodiscard]] result<void> check_not_reserved(path_id id, std::string_view doing, bool inside_too) const {
        for (const path_id branch : reserved_) {
            if (paths_.contains(id, branch) || (inside_too && paths_.contains(branch, id)))
                return error{errc::cell_reserved, "cannot " + std::string(doing) + " " + quoted(id) + ": " +
                                                      quoted(branch) + " is reserved for the runtime's own writes"};
        }
        return {};
    }
    std::uint64_t seal_epoch_ = 0;
    bool read_only_ = false;  // see set_read_only()
};

// ---- cell_view ----
template <class Deferred>
auto basic_cell_view<Deferred>::valid() const noexcept -> bool {
    return tree_ && index_ < tree_->nodes_.size() && tree_->nodes_[index_].alive &&
           tree_->nodes_[index_].generation == generation_;
}
template <class Deferred>
auto basic_cell_view<Deferred>::node() const -> const cell_node& {
    // The check inline, the throw out of line: every read of a view passes here.
    if (tree_ != nullptr && index_ < tree_->nodes_.size()) [[likely]] {
        const cell_node& n = tree_->nodes_[index_];
        if (n.alive && n.generation == generation_) [[likely]]
            return n;
    }
    stale();
}
template <class Deferred>
void basic_cell_view<Deferred>::stale() const {
    throw tree_error(error{errc::cell_stale_view, tree_ ? "the cell view is stale: its cell was removed"
                                                        : "the cell view is empty (default-constructed)"});
}
template <class Deferred>
auto basic_cell_view<Deferred>::kind() const -> cell_kind { return node().kind; }
template <class Deferred>
auto basic_cell_view<Deferred>::id() const -> path_id { return node().id; }
template <class Deferred>
auto basic_cell_view<Deferred>::path() const -> cep::path { return tree_->paths_.path_of(node().id); }
template <class Deferred>
auto basic_cell_view<Deferred>::name() const -> std::string_view { return tree_->paths_.leaf(node().id); }
template <class Deferred>
auto basic_cell_view<Deferred>::value_type() const -> value_kind { return node().value_type; }
template <class Deferred>
auto basic_cell_view<Deferred>::text() const -> std::string_view { return node().value; }
template <class Deferred>
auto basic_cell_view<Deferred>::bytes() const -> std::span<const std::byte> {
    const auto& value = node().value;
    return {reinterpret_cast<const std::byte*>(value.data()), value.size()};
}
template <class Deferred>
auto basic_cell_view<Deferred>::sealed() const -> bool { return node().in_sealed; }
template <class Deferred>
auto basic_cell_view<Deferred>::link_target() const -> std::optional<path_id> {
    const auto& n = node();
    if (n.kind != cell_kind::link) return std::nullopt;
    return path_id{n.aux};
}
template <class Deferred>
auto basic_cell_view<Deferred>::size() const -> std::size_t {
    (void)node();
    tree_->materialize(index_);
    return node().children.size() - node().removed;
}
template <class Deferred>
auto basic_cell_view<Deferred>::child(std::string_view name) const -> std::optional<cell_view> {
    (void)node();
    const auto index = tree_->child_index(index_, name);
    if (index == cell_tree::npos) return std::nullopt;
    return tree_->view(index);
}
template <class Deferred>
auto basic_cell_tree<Deferred>::find_below(const cell_view& base,
                                          std::initializer_list<std::string_view> names) const
    -> std::optional<cell_view> {
    std::optional<cell_view> at = base;
    for (const auto name : names) {
        at = at->child(name);
        if (at && at->is_link()) at = find(at->id());  // find() by the link's id follows it (and any chain of links)
        if (!at) return std::nullopt;
    }
    return at;
}
template <class Deferred>
auto basic_cell_view<Deferred>::parent() const -> std::optional<cell_view> {
    const auto& n = node();
    if (n.parent == cell_tree::npos) return std::nullopt;
    return tree_->view(n.parent);
}
namespace detail {

// The children of one cell, as cell_views. Random access; invalidated by writes to the tree, like any iterator.
template <class Deferred>
class basic_children_range : public ranges::view_base, public std::ranges::view_base {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view<Deferred>;

public:
    class iterator {
    public:
        using value_type = cell_view;
        using reference = cell_view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::random_access_iterator_tag;
        using iterator_concept = std::random_access_iterator_tag;

        iterator() = default;
        iterator(const cell_tree* tree, const std::uint32_t* at) noexcept : tree_(tree), at_(at) {}

        [[nodiscard]] cell_view operator*() const noexcept { return tree_->view(*at_); }
        [[nodiscard]] cell_view operator[](difference_type n) const noexcept { return tree_->view(at_[n]); }
        iterator& operator++() noexcept {
            ++at_;
            return *this;
        }
        iterator operator++(int) noexcept { return {tree_, at_++}; }
        iterator& operator--() noexcept {
            --at_;
            return *this;
        }
        iterator operator--(int) noexcept { return {tree_, at_--}; }
        iterator& operator+=(difference_type n) noexcept {
            at_ += n;
            return *this;
        }
        iterator& operator-=(difference_type n) noexcept {
            at_ -= n;
            return *this;
        }
        [[nodiscard]] friend iterator operator+(iterator i, difference_type n) noexcept { return i += n; }
        [[nodiscard]] friend iterator operator+(difference_type n, iterator i) noexcept { return i += n; }
        [[nodiscard]] friend iterator operator-(iterator i, difference_type n) noexcept { return i -= n; }
        [[nodiscard]] friend difference_type operator-(const iterator& a, const iterator& b) noexcept {
            return a.at_ - b.at_;
        }
        [[nodiscard]] friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.at_ == b.at_; }
        [[nodiscard]] friend auto operator<=>(const iterator& a, const iterator& b) noexcept { return a.at_ <=> b.at_; }

    private:
        const cell_tree* tree_ = nullptr;
        const std::uint32_t* at_ = nullptr;
    };

    basic_children_range() = default;
    basic_children_range(const cell_tree* tree, const std::vector<std::uint32_t>& indices) noexcept
        : tree_(tree), first_(indices.data()), count_(indices.size()) {}

    [[nodiscard]] iterator begin() const noexcept { return {tree_, first_}; }
    [[nodiscard]] iterator end() const noexcept { return {tree_, first_ + count_}; }
    [[nodiscard]] std::size_t size() const noexcept { return count_; }
    [[nodiscard]] bool empty() const noexcept { return count_ == 0; }
    [[nodiscard]] cell_view operator[](std::size_t n) const noexcept { return begin()[static_cast<std::ptrdiff_t>(n)]; }

private:
    const cell_tree* tree_ = nullptr;
    const std::uint32_t* first_ = nullptr;
    std::size_t count_ = 0;
};

// Pre-order walk; the iterator keeps the path from the top as (cell, next child position) pairs.
template <class Deferred>
class basic_subtree_range : public ranges::view_base, public std::ranges::view_base {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view<Deferred>;

public:
    class iterator {
    public:
        using value_type = cell_view;
        using reference = cell_view;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;
        using iterator_concept = std::forward_iterator_tag;

        iterator() = default;
        iterator(const cell_tree* tree, std::uint32_t top) : tree_(tree) { stack_.emplace_back(top, 0); }

        [[nodiscard]] cell_view operator*() const { return tree_->view(stack_.back().first); }
        iterator& operator++() {
            while (!stack_.empty()) {
                auto& [index, position] = stack_.back();
                if (position == 0) {
                    tree_->materialize(index);
                    tree_->order_children(index);
                }
                const auto& node = tree_->nodes_[index];
                if (node.kind != cell_kind::link && position < node.children.size()) {
                    const auto child = node.children[position++];
                    stack_.emplace_back(child, 0);
                    return *this;
                }
                stack_.pop_back();
            }
            return *this;
        }
        iterator operator++(int) {
            auto copy = *this;
            ++*this;
            return copy;
        }
        // Two iterators are equal at the same place of the same walk; every finished walk equals the end.
        [[nodiscard]] friend bool operator==(const iterator& a, const iterator& b) noexcept {
            return a.stack_ == b.stack_;
        }

    private:
        const cell_tree* tree_ = nullptr;
        detail::lazy<Deferred, std::vector<std::pair<std::uint32_t, std::uint32_t>>> stack_;
    };

    basic_subtree_range() = default;
    basic_subtree_range(const cell_tree* tree, std::uint32_t top) noexcept : tree_(tree), top_(top) {}

    [[nodiscard]] iterator begin() const { return tree_ ? iterator(tree_, top_) : iterator(); }
    [[nodiscard]] iterator end() const noexcept { return {}; }

private:
    const cell_tree* tree_ = nullptr;
    std::uint32_t top_ = 0;
};

}  // namespace detail

template <class Deferred>
auto basic_cell_view<Deferred>::children() const -> detail::basic_children_range<Deferred> {
    (void)node();
    tree_->materialize(index_);
    tree_->order_children(index_);
    return detail::basic_children_range<Deferred>(tree_, node().children);
}

template <class Deferred>
auto basic_cell_tree<Deferred>::subtree(cell_view top) const -> detail::basic_subtree_range<Deferred> {
    (void)top.node();
    return detail::basic_subtree_range<Deferred>(this, top.index_);
}

}  // namespace cep
