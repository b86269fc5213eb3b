// The hierarchy part of the kernel: the cell tree (committed state) and the staging area of the current beat.
// It satisfies the default `hierarchy` contract over paths; the heartbeat uses tree() and staging() directly.
#pragma once

#include <cep/contract/defaults.hpp>
#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cep {

template <class Deferred = void>
class basic_tree_hierarchy;
using tree_hierarchy = basic_tree_hierarchy<>;

// cep::tree_hierarchy is basic_tree_hierarchy<> (see detail/lazy.hpp).
template <class Deferred>
class basic_tree_hierarchy {
    using cell_tree = basic_cell_tree<Deferred>;
    using cell_view = basic_cell_view<Deferred>;
    using staging_area = basic_staging_area<Deferred>;

public:
    // The public name, also in classes derived from this one (where the injected class name served).
    using tree_hierarchy = basic_tree_hierarchy;

    basic_tree_hierarchy() = default;
    // Views and the staging area point into the tree: it stays where it was built.
    basic_tree_hierarchy(const basic_tree_hierarchy&) = delete;
    basic_tree_hierarchy& operator=(const basic_tree_hierarchy&) = delete;

    // ---- kernel interface ----
    [[nodiscard]] cell_tree& tree() noexcept { return children; }
    [[nodiscard]] const cell_tree& tree() const noexcept { return children; }
    [[nodiscard]] staging_area& staging() noexcept { return stage_; }

    // ---- the hierarchy contract (immediate writes on the committed tree: for use between beats) ----
    // Creates the dictionary parent/name.
    result<void> add_child(const path& parent, std::string_view name) {
        auto child = parent.child(name);
        if (!child) return child.error();
        auto made = children.make_dictionary(*child);
        if (!made) return made.error();
        return {};
    }
    // Removes parent/name and everything below it.
    result<void> remove_child(const path& parent, std::string_view name) {
        auto child = parent.child(name);
        if (!child) return child.error();
        return children.remove(*child);
    }
    [[nodiscard]] std::optional<cell_view> get_child(const path& parent, std::string_view name) const {
        const auto cell = children.find(parent);
        if (!cell) return std::nullopt;
        return cell->child(name);
    }
    // The names of the children of a cell, in the tree's order (byte order; list entries in append order).
    [[nodiscard]] detail::lazy<Deferred, std::vector<std::string>> list_children(const path& parent) const {
        detail::lazy<Deferred, std::vector<std::string>> names;
        if (const auto cell = children.find(parent))
            for (const auto& child : cell->children()) names.emplace_back(child.name());
        return names;
    }
    // Cells are addressed by their path, and interned paths never change: a cell cannot move to another parent.
    // Always an error (cell_cannot_move); copy the cells and remove the old ones instead.
    result<void> set_parent(const path& child, const path& new_parent) const {
        return error{errc::cell_cannot_move, "cannot move " + child.str() + " under " + new_parent.str() +
                                                 ": cells are addressed by path and do not move"};
    }
    [[nodiscard]] detail::lazy<Deferred, std::optional<path>> get_parent(const path& cell) const {
        if (cell.is_root()) return std::nullopt;
        return cell.parent();
    }
    [[nodiscard]] bool is_root(const path& cell) const noexcept { return cell.is_root(); }
    [[nodiscard]] path get_root() const { return path::root(); }
    // The chain from the root down to the cell, both included.
    [[nodiscard]] detail::lazy<Deferred, std::vector<path>> get_lineage(const path& cell) const {
        detail::lazy<Deferred, std::vector<path>> chain{cell};
        while (!chain.back().is_root()) chain.push_back(chain.back().parent());
        return {chain.rbegin(), chain.rend()};
    }

    // The contract's `children` property: the cells themselves.
    cell_tree children;

private:
    staging_area stage_{children};
};

}  // namespace cep
