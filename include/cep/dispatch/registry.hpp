// The static enzyme registry: the enzyme types a heartbeat knows, verified at compile time. Names are unique;
// before/after name only registered enzymes; the ordering constraints have no cycle (a cycle is reported as its
// path). The transitive ordering closure is computed by the compiler, so "A before X before B" orders A before B
// even on an agenda without X. For a signal known at compile time (cep::signal<"/signals/x">), the candidate
// enzymes and their specificities are computed by the compiler too.
#pragma once

#include <cep/contract/registry.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/detail/spelling.hpp>
#include <cep/detail/type_list.hpp>
#include <cep/dispatch/enzyme.hpp>
#include <cep/dispatch/match.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cep {

// A signal path known at compile time.
template <fixed_string Path>
struct signal {
    static_assert(detail::checked_literal<Path, detail::path_grammar::path>::valid);
    static constexpr std::string_view text = Path.view();
    static constexpr fixed_string value = Path;
};

// Diagnostic names (never true); enzyme names are spelled kind_name<'r', 'e', ...>.
template <class Name, class FirstEnzyme, class SecondEnzyme>
struct duplicate_enzyme_name {
    static constexpr bool value = false;
};
template <class Enzyme, class Unregistered>
struct enzyme_order_names_unregistered_enzyme {
    static constexpr bool value = false;
};
template <class... Path>
struct enzyme_order_cycle {
    static constexpr bool value = false;
};

namespace detail {

// A set of enzyme indices.
template <std::size_t N>
struct index_set {
    static constexpr std::size_t words = N == 0 ? 1 : (N + 63) / 64;
    std::array<std::uint64_t, words> bits{};
    constexpr void insert(std::size_t i) noexcept { bits[i / 64] |= std::uint64_t{1} << (i % 64); }
    [[nodiscard]] constexpr bool contains(std::size_t i) const noexcept {
        return (bits[i / 64] >> (i % 64)) & 1u;
    }
    constexpr void erase(std::size_t i) noexcept { bits[i / 64] &= ~(std::uint64_t{1} << (i % 64)); }
    constexpr void merge(const index_set& other) noexcept {
        for (std::size_t w = 0; w < words; ++w) bits[w] |= other.bits[w];
    }
    // Calls f(i) for each member, in increasing order (a word at a time: cheap for sparse sets).
    template <class F>
    constexpr void for_each(F&& f) const {
        for (std::size_t w = 0; w < words; ++w)
            for (std::uint64_t word = bits[w]; word != 0; word &= word - 1)
                f(w * 64 + static_cast<std::size_t>(std::countr_zero(word)));
    }
};

// Type -> position in one step: a class with one base per (position, type); converting a pointer to it into the
// base for a given type deduces the position. A registry of N types costs N bases once, instead of N comparisons
// per lookup (quadratic over a registry's before/after lists).
template <std::size_t I, class T>
struct indexed_type {};
template <class Positions, class... Ts>
struct type_positions;
template <std::size_t... Is, class... Ts>
struct type_positions<std::index_sequence<Is...>, Ts...> : indexed_type<Is, Ts>... {};
template <class T, std::size_t I>
constexpr std::size_t position_from(const indexed_type<I, T>*) noexcept {
    return I;
}

// A type's identity as a constant: the address of a variable of its own. Comparing two such addresses is a
// constant expression, so a before/after list is resolved against the registry by value (names, then identity)
// rather than by instantiating a registry member per referenced type: those members spell every enzyme type in
// their symbols, which made a registry with a long before/after chain quadratic to compile.
template <class T>
inline constexpr char type_token = 0;

template <class E>
constexpr std::string_view referenced_name() {
    if constexpr (requires { E::name; })
        return enzyme_name_of<E>();
    else
        return {};
}

// The types a before/after list names: their names and identities (nothing for a type that is not a list: the
// enzyme check reports it).
template <class List>
struct enzyme_list_refs {
    static constexpr std::array<std::string_view, 0> names{};
    static constexpr std::array<const void*, 0> tokens{};
};
template <class... Es>
struct enzyme_list_refs<enzymes<Es...>> {
    static constexpr std::array<std::string_view, sizeof...(Es)> names{referenced_name<Es>()...};
    static constexpr std::array<const void*, sizeof...(Es)> tokens{&type_token<Es>...};
};

// An enzyme's references, as spans over the lists' static arrays.
struct enzyme_refs {
    std::span<const std::string_view> before_names;
    std::span<const void* const> before_tokens;
    std::span<const std::string_view> after_names;
    std::span<const void* const> after_tokens;
};
template <class E>
constexpr enzyme_refs refs_of() {
    using before = enzyme_list_refs<typename enzyme_traits<E>::before>;
    using after = enzyme_list_refs<typename enzyme_traits<E>::after>;
    return {before::names, before::tokens, after::names, after::tokens};
}

// Direct ordering edges "i runs before j" of a registry, and the first reference to an unregistered enzyme.
template <std::size_t N>
struct ordering_graph {
    std::array<index_set<N>, N> before{};  // before[i] holds j: i runs before j
    std::size_t unknown_from = N;          // the enzyme whose list names an unregistered type ...
    std::size_t unknown_at = 0;            // ... at this position of (before..., after...)
};

template <std::size_t N>
struct ordering_analysis {
    std::array<index_set<N>, N> closure{};  // closure[i] holds j: i runs before j, directly or transitively
    bool has_cycle = false;
    std::array<std::size_t, N + 1> cycle{};  // enzyme indices, the first repeated at the end
    std::size_t cycle_size = 0;
};

// Kahn's algorithm over the direct edges; without a cycle, the closure follows in reverse topological order (each
// enzyme's successors are complete before it is reached), which costs O(edges x N/64) instead of Warshall's
// O(N^3/64): registries of a thousand enzymes stay within the compiler's constant-evaluation budget.
template <std::size_t N>
constexpr ordering_analysis<N> analyze_ordering(const std::array<index_set<N>, N>& edges) {
    ordering_analysis<N> r;
    std::array<std::size_t, N> indegree{};
    for (std::size_t u = 0; u < N; ++u) edges[u].for_each([&](std::size_t v) { ++indegree[v]; });
    std::array<std::size_t, N> order{};
    std::size_t placed = 0;
    for (std::size_t u = 0; u < N; ++u)
        if (indegree[u] == 0) order[placed++] = u;
    for (std::size_t head = 0; head < placed; ++head)
        edges[order[head]].for_each([&](std::size_t v) {
            if (--indegree[v] == 0) order[placed++] = v;
        });
    if (placed == N) {
        for (std::size_t k = N; k-- > 0;) {
            const std::size_t u = order[k];
            r.closure[u] = edges[u];
            edges[u].for_each([&](std::size_t v) { r.closure[u].merge(r.closure[v]); });
        }
        return r;
    }
    // A cycle: report the one through the first-registered enzyme that lies on one, as the shortest way back to
    // it (breadth-first over direct edges). Enzymes left with an in-degree are on a cycle or after one.
    for (std::size_t start = 0; start < N && !r.has_cycle; ++start) {
        if (indegree[start] == 0) continue;
        std::array<std::size_t, N> from{};
        std::array<bool, N> seen{};
        std::array<std::size_t, N> queue{};
        std::size_t head = 0;
        std::size_t tail = 0;
        queue[tail++] = start;
        std::size_t last = N;
        while (head < tail && last == N) {
            const std::size_t u = queue[head++];
            edges[u].for_each([&](std::size_t v) {
                if (last != N) return;
                if (v == start) {
                    last = u;
                } else if (!seen[v]) {
                    seen[v] = true;
                    from[v] = u;
                    queue[tail++] = v;
                }
            });
        }
        if (last == N) continue;  // after a cycle, not on one
        std::array<std::size_t, N + 1> reversed{};
        std::size_t n = 0;
        for (std::size_t at = last; at != start; at = from[at]) reversed[n++] = at;
        r.cycle[0] = start;
        for (std::size_t i = 0; i < n; ++i) r.cycle[i + 1] = reversed[n - 1 - i];
        r.cycle[n + 1] = start;
        r.cycle_size = n + 2;
        r.has_cycle = true;
    }
    return r;
}

}  // namespace detail

template <class... Enzymes>
class enzyme_registry {
    // Every type is checked (an array, not a fold over &&), so each non-conforming one is reported.
    static constexpr bool all_enzymes = [] {
        constexpr bool checked[] = {true, check_enzyme<Enzymes>()...};
        bool all = true;
        for (bool c : checked) all = all && c;
        return all;
    }();
    static_assert(all_enzymes, "cep::enzyme_registry: every type must be an enzyme (see above)");

public:
    static constexpr std::size_t size = sizeof...(Enzymes);
    static constexpr std::array<std::string_view, size> names{enzyme_traits<Enzymes>::name...};
    static constexpr std::array<std::string_view, size> queries{enzyme_traits<Enzymes>::query...};
    static constexpr std::array<std::size_t, size> specificity{detail::query_specificity(enzyme_traits<Enzymes>::query)...};
    static constexpr std::array<int, size> precedence{enzyme_traits<Enzymes>::match::precedence...};
    static constexpr std::array<access, size> access_modes{enzyme_traits<Enzymes>::mode...};
    static constexpr std::array<enzyme_flags, size> flags{enzyme_traits<Enzymes>::flags...};
    static constexpr std::array<std::string_view, size> match_names{enzyme_traits<Enzymes>::match::name...};

private:
    // Every query's segments in one array (a few per enzyme, not a fixed-size buffer each: a thousand buffers of
    // the longest path made megabytes of constant data for the compiler to build).
    static constexpr std::size_t total_query_segments = [] {
        std::size_t n = 0;
        for (std::string_view q : queries)
            for ([[maybe_unused]] std::string_view segment : detail::segment_range(q)) ++n;
        return n;
    }();
    struct segment_table {
        std::array<std::string_view, total_query_segments> items{};
        std::array<std::size_t, size + 1> first{};  // enzyme i's segments: [first[i], first[i + 1])
    };
    static constexpr segment_table query_segment_table = [] {
        segment_table t;
        std::size_t n = 0;
        for (std::size_t i = 0; i < size; ++i) {
            t.first[i] = n;
            for (std::string_view segment : detail::segment_range(queries[i])) t.items[n++] = segment;
        }
        t.first[size] = n;
        return t;
    }();

public:
    // The segments of enzyme i's query.
    [[nodiscard]] static constexpr std::span<const std::string_view> query_segments(std::size_t i) noexcept {
        return {query_segment_table.items.data() + query_segment_table.first[i],
                query_segment_table.first[i + 1] - query_segment_table.first[i]};
    }

    template <std::size_t I>
    using enzyme_at = detail::nth_type<I, Enzymes...>;
    // F<the enzyme types...>: how code that needs the whole pack gets it (one expansion, no per-index lookup).
    template <template <class...> class F>
    using apply = F<Enzymes...>;
    // Each enzyme's match policy's matches().
    static constexpr std::array<bool (*)(std::span<const std::string_view>, std::span<const std::string_view>), size>
        matchers{&enzyme_traits<Enzymes>::match::matches...};

private:
    using positions = detail::type_positions<std::index_sequence_for<Enzymes...>, Enzymes...>;

public:
    template <class E>
    static constexpr bool contains =
        requires { detail::position_from<E>(static_cast<const positions*>(nullptr)); };

    // Position of an enzyme type (a compile error when it is not registered).
    template <class E>
    static constexpr std::size_t index_of() {
        static_assert(contains<E>, "cep::enzyme_registry::index_of<E>(): E is not registered in this registry");
        return detail::position_from<E>(static_cast<const positions*>(nullptr));
    }
    // Position of a name (size when there is none); usable at run time.
    [[nodiscard]] static constexpr std::size_t index_of(std::string_view name) noexcept {
        for (std::size_t i = 0; i < size; ++i)
            if (names[i] == name) return i;
        return size;
    }

private:
    static constexpr std::array<const void*, size> tokens{&detail::type_token<Enzymes>...};
    static constexpr detail::name_order<size> name_keys{names};
    static constexpr std::array<std::size_t, size> by_name = name_keys.sorted();

public:
    // Each enzyme's place in name order (equal names by registration order): the name part of the tie-break.
    static constexpr std::array<std::size_t, size> name_rank = [] {
        std::array<std::size_t, size> rank{};
        for (std::size_t r = 0; r < size; ++r) rank[by_name[r]] = r;
        return rank;
    }();

private:
    // The position of the enzyme with this name and identity (size when it is not registered): a binary search
    // over the names, then the identity (another type may bear a registered name).
    static constexpr std::size_t position_of(std::string_view name, const void* token) {
        const std::uint64_t key = detail::order_key(name);
        std::size_t low = 0;
        std::size_t high = size;
        while (low < high) {
            const std::size_t mid = low + (high - low) / 2;
            if (name_keys.less_than(by_name[mid], name, key))
                low = mid + 1;
            else
                high = mid;
        }
        for (std::size_t k = low; k < size && names[by_name[k]] == name; ++k)
            if (tokens[by_name[k]] == token) return by_name[k];
        return size;
    }

    // A braced list over the enzymes, not a fold: clang nests a fold's operands, and stops at 256.
    static constexpr std::array<detail::enzyme_refs, size> references{detail::refs_of<Enzymes>()...};

    static constexpr detail::ordering_graph<size> graph = [] {
        detail::ordering_graph<size> g;
        // One list of `self`: its k-th entry is at `first + k` of (before..., after...), the first unknown reported.
        auto add = [&](std::size_t self, std::span<const std::string_view> list_names,
                       std::span<const void* const> list_tokens, std::size_t first, bool self_first) {
            for (std::size_t k = 0; k < list_names.size(); ++k) {
                const std::size_t other = position_of(list_names[k], list_tokens[k]);
                if (other == size) {
                    if (g.unknown_from == size) g.unknown_from = self, g.unknown_at = first + k;
                } else if (self_first) {
                    g.before[self].insert(other);
                } else {
                    g.before[other].insert(self);
                }
            }
        };
        for (std::size_t self = 0; self < size; ++self) {
            const detail::enzyme_refs& r = references[self];
            add(self, r.before_names, r.before_tokens, 0, true);
            add(self, r.after_names, r.after_tokens, r.before_names.size(), false);
        }
        return g;
    }();

    static constexpr detail::index_pair duplicate = detail::first_duplicate(names);

    template <class E>
    struct order_types {
        template <class... Bs, class... As>
        static detail::type_list<Bs..., As...> join(enzymes<Bs...>*, enzymes<As...>*);
        using type = decltype(join(static_cast<typename enzyme_traits<E>::before*>(nullptr),
                                   static_cast<typename enzyme_traits<E>::after*>(nullptr)));
    };

    static constexpr bool report_names() {
        if constexpr (duplicate.second == size) {
            return true;
        } else {
            using first = enzyme_at<duplicate.first>;
            using second = enzyme_at<duplicate.second>;
            static_assert(duplicate_enzyme_name<detail::spelled_kind<detail::kind_text{names[duplicate.second]}>,
                                                first, second>::value,
                          "cep::enzyme_registry: two enzymes have the same name "
                          "(duplicate_enzyme_name<name, first, second>)");
            return false;
        }
    }
    static constexpr bool report_unknown() {
        if constexpr (graph.unknown_from == size) {
            return true;
        } else {
            using from = enzyme_at<graph.unknown_from>;
            using unknown = typename detail::list_element<graph.unknown_at, typename order_types<from>::type>::type;
            static_assert(enzyme_order_names_unregistered_enzyme<from, unknown>::value,
                          "cep::enzyme_registry: an enzyme's before/after names an enzyme that is not registered "
                          "(enzyme_order_names_unregistered_enzyme<enzyme, unregistered>)");
            return false;
        }
    }

public:
    static constexpr bool names_ok = report_names();
    static constexpr bool references_ok = report_unknown();
    static constexpr auto ordering = detail::analyze_ordering(graph.before);

private:
    static constexpr detail::kind_text cycle_name(std::size_t n) { return detail::kind_text{names[ordering.cycle[n]]}; }
    template <std::size_t... Is>
    static constexpr bool report_cycle(std::index_sequence<Is...>) {
        static_assert(enzyme_order_cycle<detail::spelled_kind<cycle_name(Is)>...>::value,
                      "cep::enzyme_registry: the enzymes' before/after constraints form a cycle "
                      "(enzyme_order_cycle<a, b, ..., a>: a runs before b, ..., which runs before a)");
        return false;
    }
    static constexpr bool report_ordering() {
        if constexpr (!ordering.has_cycle)
            return true;
        else
            return report_cycle(std::make_index_sequence<ordering.cycle_size>{});
    }

public:
    static constexpr bool ordering_ok = report_ordering();
    static constexpr bool ok = names_ok && references_ok && ordering_ok;

    // Must enzyme i run before enzyme j (directly or through others)?
    [[nodiscard]] static constexpr bool runs_before(std::size_t i, std::size_t j) noexcept {
        return ordering.closure[i].contains(j);
    }
    [[nodiscard]] static constexpr bool directly_before(std::size_t i, std::size_t j) noexcept {
        return graph.before[i].contains(j);
    }

    // For a signal known at compile time: which enzymes' queries select it (by their own match policy).
    template <fixed_string Signal>
    static constexpr std::array<bool, size> candidates_for = [] {
        static_assert(detail::checked_literal<Signal, detail::path_grammar::path>::valid);
        return std::array<bool, size>{policy_matches<typename enzyme_traits<Enzymes>::match>(
            enzyme_traits<Enzymes>::query, Signal.view())...};
    }();
    template <class Signal>
    static constexpr std::array<bool, size> candidates_for_signal = candidates_for<Signal::value>;

    // The ordering graph (direct constraints) as Graphviz DOT: an edge a -> b when a runs before b.
    [[nodiscard]] static std::string to_dot() {
        std::string out = "digraph enzyme_order {\n  rankdir=LR;\n  node [shape=ellipse];\n";
        for (std::size_t i = 0; i < size; ++i)
            out += "  \"" + std::string(names[i]) + "\" [label=\"" + std::string(names[i]) + "\\n" +
                   std::string(queries[i]) + " (" + std::string(match_names[i]) + ")\"];\n";
        for (std::size_t i = 0; i < size; ++i)
            for (std::size_t j = 0; j < size; ++j)
                if (directly_before(i, j))
                    out += "  \"" + std::string(names[i]) + "\" -> \"" + std::string(names[j]) + "\";\n";
        out += "}\n";
        return out;
    }
    // The same as a Mermaid flowchart.
    [[nodiscard]] static std::string to_mermaid() {
        std::string out = "flowchart LR\n";
        for (std::size_t i = 0; i < size; ++i)
            out += "  e" + std::to_string(i) + "[\"" + std::string(names[i]) + "<br/>" + std::string(queries[i]) +
                   "\"]\n";
        for (std::size_t i = 0; i < size; ++i)
            for (std::size_t j = 0; j < size; ++j)
                if (directly_before(i, j)) out += "  e" + std::to_string(i) + " --> e" + std::to_string(j) + "\n";
        return out;
    }
};

}  // namespace cep
