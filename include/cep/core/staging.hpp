// Staging: writes recorded during a beat and applied to the tree at commit, all at once, in the order they were
// staged. Until commit, readers of the tree see none of them (N -> N+1 visibility). A stage-time check rejects a
// write into a branch that is already sealed; anything that still fails at commit is reported, never dropped.
//
// Steady state allocates nothing: paths are interned ids, payloads share one buffer, and both keep their capacity.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cep {

// One staged write that failed when it was applied: its position in staging order and why.
struct commit_failure {
    std::size_t index;
    error reason;
};

struct commit_report {
    std::size_t applied = 0;
    std::vector<commit_failure> failures;
    [[nodiscard]] bool ok() const noexcept { return failures.empty(); }
};

// cep::staging_area is basic_staging_area<> (see detail/lazy.hpp).
template <class Deferred>
class basic_staging_area {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view<Deferred>;
    using path_table = basic_path_table<Deferred>;

public:
    explicit basic_staging_area(cell_tree& tree) : tree_(&tree) {}

    result<void> put_text(const path& p, std::string_view text) { return stage(op_kind::put, p, value_kind::text, text); }
    result<void> put_bytes(const path& p, std::span<const std::byte> bytes) {
        return stage(op_kind::put, p, value_kind::bytes, {reinterpret_cast<const char*>(bytes.data()), bytes.size()});
    }
    result<void> clear_value(const path& p) { return stage(op_kind::clear_value, p); }
    result<void> make_dictionary(const path& p) { return stage(op_kind::make_dictionary, p); }
    result<void> make_list(const path& p, std::string_view entry_prefix = {}) {
        if (!entry_prefix.empty())
            if (auto ok = check_name(entry_prefix); !ok) return ok;
        return stage(op_kind::make_list, p, value_kind::none, entry_prefix);
    }
    result<void> append(const path& list) { return stage(op_kind::append, list); }
    result<void> append_text(const path& list, std::string_view text) {
        return stage(op_kind::append, list, value_kind::text, text);
    }
    result<void> link(const path& at, const path& target) {
        auto staged = stage(op_kind::link, at);
        if (staged) ops_.back().other = tree_->paths().intern(target);
        return staged;
    }
    result<void> seal(const path& p) { return stage(op_kind::seal, p); }
    result<void> remove(const path& p) { return stage(op_kind::remove, p); }

    // By interned id (tree().paths()): no text to hash. An id of another table is an error (path_unknown_id).
    result<void> put_text(path_id id, std::string_view text) {
        return stage_id(op_kind::put, id, value_kind::text, text);
    }
    result<void> remove(path_id id) { return stage_id(op_kind::remove, id); }
    result<void> append_text(path_id list, std::string_view text) {
        return stage_id(op_kind::append, list, value_kind::text, text);
    }
    // The table that ids name paths in (interning is not a write: it adds names, not cells).
    [[nodiscard]] path_table& paths() noexcept { return tree_->paths(); }

    [[nodiscard]] std::size_t size() const noexcept { return ops_.size(); }
    [[nodiscard]] bool empty() const noexcept { return ops_.empty(); }

    // A position in staging order; discard_since(mark) drops everything staged after it (used to throw away the
    // writes of one failed invocation while keeping the others).
    [[nodiscard]] std::size_t mark() const noexcept { return ops_.size(); }
    void discard_since(std::size_t mark) noexcept {
        auto& span = span_start();
        if (span != no_span && span >= mark) span = no_span;  // the span's writes go too
        if (mark >= ops_.size()) return;
        buffer_.resize(ops_[mark].offset);
        ops_.resize(mark);
    }
    // The writes of one invocation, without reading the size before every call: open_span() is one store, and the
    // first write after it notes where the span begins. discard_span() drops the span's writes (none: nothing).
    void open_span() noexcept { span_start() = no_span; }
    void discard_span() noexcept {
        auto& span = span_start();
        if (span != no_span) discard_since(span);
        span = no_span;
    }
    // Where the span's start is kept: here, or (while an agenda runs) beside the processor's other per-invocation
    // state, which then opens a span with a store relative to itself, without loading this object's address per
    // invocation. nullptr: here again. The span is open afresh either way.
    void keep_span_start_in(std::uint32_t* start) noexcept {
        external_span_ = start;
        span_start() = no_span;
    }
    void clear() noexcept {
        ops_.clear();
        buffer_.clear();
        span_start() = no_span;
    }

    // Applies every staged write in order, then empties the area.
    commit_report commit() {
        commit_report report;
        for (std::size_t i = 0; i < ops_.size(); ++i) {
            auto done = apply(ops_[i]);
            if (done) {
                ++report.applied;
            } else {
                report.failures.push_back(commit_failure{i, done.error()});
            }
        }
        clear();
        return report;
    }

private:
    enum class op_kind : std::uint8_t { put, clear_value, make_dictionary, make_list, append, link, seal, remove };
    struct op {
        op_kind kind;
        value_kind type;
        path_id target;
        path_id other;  // link target
        std::size_t offset;
        std::size_t length;
    };

    result<void> stage(op_kind kind, const path& p, value_kind type = value_kind::none, std::string_view data = {}) {
        return stage_known(kind, tree_->paths().intern(p), type, data);
    }
    result<void> stage_id(op_kind kind, path_id id, value_kind type = value_kind::none, std::string_view data = {}) {
        if (!tree_->paths().owns(id)) [[unlikely]]
            return error{errc::path_unknown_id,
                         "path id " + std::to_string(id.value) + " does not belong to this tree's path table"};
        return stage_known(kind, id, type, data);
    }
    result<void> stage_known(op_kind kind, path_id id, value_kind type, std::string_view data) {
        if (auto ok = tree_->can_write(id); !ok) return ok;
        // Positions are 32-bit, as a vector's size is bounded by max_size(): past it, the same exception.
        if (ops_.size() >= no_span) [[unlikely]] too_many_writes();
        if (auto& span = span_start(); span == no_span) span = static_cast<std::uint32_t>(ops_.size());
        ops_.push_back(op{kind, type, id, path_id{}, buffer_.size(), data.size()});
        buffer_.append(data);
        return {};
    }

    static result<void> drop_view(result<cell_view> r) {
        if (!r) return r.error();
        return {};
    }

    result<void> apply(const op& o) {
        const std::string_view data(buffer_.data() + o.offset, o.length);
        switch (o.kind) {
            case op_kind::put:
                if (o.type == value_kind::bytes)
                    return drop_view(tree_->put_bytes(
                        o.target, {reinterpret_cast<const std::byte*>(data.data()), data.size()}));
                return drop_view(tree_->put_text(o.target, data));
            case op_kind::clear_value: return tree_->clear_value(o.target);
            case op_kind::make_dictionary: return drop_view(tree_->make_dictionary(o.target));
            case op_kind::make_list: return drop_view(tree_->make_list(o.target, data));
            case op_kind::append: return drop_view(tree_->append(o.target, o.type, data));
            case op_kind::link: return drop_view(tree_->link(o.target, o.other));
            case op_kind::seal: return tree_->seal(o.target);
            case op_kind::remove: return tree_->remove(o.target);
        }
        return {};
    }

    [[noreturn, gnu::cold]] static void too_many_writes() {
        throw std::length_error("cep::staging_area: more than 4294967294 writes staged in one beat");
    }

    static constexpr std::uint32_t no_span = 0xffffffffu;
    [[nodiscard]] std::uint32_t& span_start() noexcept {
        return external_span_ != nullptr ? *external_span_ : own_span_;
    }

    cell_tree* tree_;
    std::vector<op> ops_;
    detail::lazy<Deferred, std::string> buffer_;
    std::uint32_t own_span_ = no_span;          // the first write since open_span()
    std::uint32_t* external_span_ = nullptr;  // or kept there (keep_span_start_in)
};

}  // namespace cep
