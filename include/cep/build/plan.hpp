// The build plan of a subsystem, computed at compile time from its hooks (seed 001's pipeline): facets by kind
// (a duplicate kind needs cep::overwrite) -> contract enforcement -> dependency graph (every required kind must
// exist) -> topological sort (Kahn; among ready facets, registration order) -> the plan. Every problem is a
// compile error whose text names the culprits, and a dependency cycle is reported as its path.
#pragma once

#include <cep/build/hook.hpp>
#include <cep/contract/contract.hpp>
#include <cep/contract/registry.hpp>
#include <cep/detail/type_list.hpp>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace cep {

// ---- diagnostic names (never true); kinds are spelled kind_name<'q', 'u', 'e', 'u', 'e'> ----
template <class Kind, class FirstFacet, class SecondFacet>
struct duplicate_facet_kind {
    static constexpr bool value = false;
};
template <class Kind, class Facet>
struct overwrite_before_original {
    static constexpr bool value = false;
};
template <class Kind, class MissingKind, class Facet>
struct missing_facet_dependency {
    static constexpr bool value = false;
};
template <class... Path>
struct facet_dependency_cycle {
    static constexpr bool value = false;
};
template <class Kind, class ContractName, class Facet>
struct facet_contract_not_registered {
    static constexpr bool value = false;
};
// How contract diagnostics name a facet of a build: its kind and its type.
template <class Kind, class Facet>
struct facet_of {};

// One step of a build plan.
struct plan_entry {
    std::string_view kind;
    std::string_view contract;                    // empty: no contract
    std::size_t hook;                             // position of the hook in the build's argument list
    std::span<const std::string_view> depends_on; // kinds this facet requires
};

namespace detail {

enum class build_problem { none, overwrite_before_original, duplicate_kind, missing_dependency, cycle };

template <std::size_t N>
struct build_analysis {
    build_problem problem = build_problem::none;
    std::size_t culprit = 0;  // a hook index
    std::size_t other = 0;    // a second hook index, or a dependency entry
    std::array<bool, N> active{};                  // the last hook of its kind
    std::array<std::size_t, N> order{};            // hook indices in initialisation order
    std::size_t order_size = 0;
    std::array<std::size_t, N> by_registration{};  // active hooks in order of their kind's first registration
    std::array<std::size_t, N + 1> cycle{};        // hook indices, first repeated at the end
    std::size_t cycle_size = 0;
};

template <std::size_t N, std::size_t E>
constexpr build_analysis<N> analyze(const std::array<kind_text, N>& kinds, const std::array<bool, N>& overwrites,
                                    const std::array<std::size_t, N + 1>& dep_begin,
                                    const std::array<kind_text, E>& deps) {
    build_analysis<N> r;
    constexpr std::size_t none = N;
    auto requires_itself = [&](std::size_t i) {
        for (std::size_t k = dep_begin[i]; k < dep_begin[i + 1]; ++k)
            if (deps[k] == kinds[i]) return true;
        return false;
    };

    // Facets by kind: an overwrite that builds on its own kind must follow the hook it overwrites; a second hook
    // of a kind must say that it overwrites.
    for (std::size_t i = 0; i < N; ++i) {
        if (!overwrites[i] || !requires_itself(i)) continue;
        bool earlier = false;
        for (std::size_t j = 0; j < i; ++j) earlier = earlier || kinds[j] == kinds[i];
        if (!earlier) {
            r.problem = build_problem::overwrite_before_original;
            r.culprit = i;
            return r;
        }
    }
    for (std::size_t i = 0; i < N; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (kinds[j] == kinds[i] && !overwrites[i]) {
                r.problem = build_problem::duplicate_kind;
                r.culprit = j;
                r.other = i;
                return r;
            }

    std::array<std::size_t, N> slot{};  // the kind's first registration: overwriting keeps the place
    for (std::size_t i = 0; i < N; ++i) {
        r.active[i] = true;
        for (std::size_t j = i + 1; j < N; ++j) r.active[i] = r.active[i] && !(kinds[j] == kinds[i]);
        slot[i] = i;
        for (std::size_t j = i; j-- > 0;)
            if (kinds[j] == kinds[i]) slot[i] = j;
    }

    // Dependency graph over active hooks: target[k] is the hook a dependency entry points at (none: skipped).
    std::array<std::size_t, (E > 0 ? E : 1)> target{};
    for (std::size_t i = 0; i < N; ++i) {
        for (std::size_t k = dep_begin[i]; k < dep_begin[i + 1]; ++k) {
            target[k] = none;
            if (!r.active[i]) continue;
            if (deps[k] == kinds[i] && overwrites[i]) continue;  // "built on the one I replace": an order rule only
            for (std::size_t j = 0; j < N; ++j)
                if (r.active[j] && kinds[j] == deps[k]) target[k] = j;
            if (target[k] == none) {
                r.problem = build_problem::missing_dependency;
                r.culprit = i;
                r.other = k;
                return r;
            }
        }
    }

    // Registration order of the active facets (contracts are verified in this order).
    std::size_t active_count = 0;
    for (std::size_t s = 0; s < N; ++s)
        for (std::size_t i = 0; i < N; ++i)
            if (r.active[i] && slot[i] == s) r.by_registration[active_count++] = i;

    // Kahn's algorithm; among ready facets the one registered first goes first.
    std::array<bool, N> placed{};
    while (r.order_size < active_count) {
        std::size_t pick = none;
        for (std::size_t n = 0; n < active_count && pick == none; ++n) {
            const std::size_t i = r.by_registration[n];
            if (placed[i]) continue;
            bool ready = true;
            for (std::size_t k = dep_begin[i]; k < dep_begin[i + 1]; ++k)
                ready = ready && (target[k] == none || placed[target[k]]);
            if (ready) pick = i;
        }
        if (pick == none) break;
        placed[pick] = true;
        r.order[r.order_size++] = pick;
    }
    if (r.order_size == active_count) return r;

    // A cycle: every facet left has a dependency left. Walk first-unplaced-dependency edges from the first facet
    // left until a facet repeats; the repeated stretch is the cycle, shown from its first-registered facet.
    r.problem = build_problem::cycle;
    std::array<std::size_t, N + 1> walk{};
    std::size_t length = 0;
    std::size_t at = none;
    for (std::size_t n = 0; n < active_count && at == none; ++n)
        if (!placed[r.by_registration[n]]) at = r.by_registration[n];
    while (true) {
        for (std::size_t w = 0; w < length; ++w) {
            if (walk[w] != at) continue;
            std::size_t start = w;
            for (std::size_t v = w; v < length; ++v)
                if (slot[walk[v]] < slot[walk[start]]) start = v;
            for (std::size_t v = 0; v < length - w; ++v) r.cycle[v] = walk[w + (start - w + v) % (length - w)];
            r.cycle_size = length - w + 1;
            r.cycle[length - w] = r.cycle[0];
            return r;
        }
        walk[length++] = at;
        std::size_t next = none;
        for (std::size_t k = dep_begin[at]; k < dep_begin[at + 1] && next == none; ++k)
            if (target[k] != none && !placed[target[k]]) next = target[k];
        at = next;
    }
}

template <class... Hooks>
constexpr auto dependency_begin() {
    std::array<std::size_t, sizeof...(Hooks) + 1> begin{};
    constexpr std::size_t sizes[] = {0, Hooks::dependencies.size()...};
    for (std::size_t i = 0; i < sizeof...(Hooks); ++i) begin[i + 1] = begin[i] + sizes[i + 1];
    return begin;
}

template <class... Hooks>
constexpr auto all_dependencies() {
    std::array<kind_text, (Hooks::dependencies.size() + ... + 0)> out{};
    std::size_t n = 0;
    auto add = [&](const auto& list) {
        for (const auto& d : list) out[n++] = d;
    };
    (add(Hooks::dependencies), ...);
    (void)add;
    return out;
}

}  // namespace detail

// The compile-time plan of a build: checked when instantiated (a wrong set of hooks does not compile).
template <class Registry, class... Hooks>
struct build_plan {
    static_assert((is_hook<Hooks> && ...), "cep::build: every argument must be a cep::hook<Facet, Options...>");
    static constexpr std::size_t hook_count = sizeof...(Hooks);

private:
    static constexpr std::array<detail::kind_text, hook_count> kind_texts{Hooks::kind...};
    static constexpr std::array<bool, hook_count> overwrite_flags{Hooks::overwrites...};
    static constexpr auto dep_begin = detail::dependency_begin<Hooks...>();
    static constexpr auto dep_texts = detail::all_dependencies<Hooks...>();
    static constexpr std::array<detail::kind_text, hook_count> contract_texts{Hooks::contract_name...};

public:
    static constexpr auto analysis = detail::analyze(kind_texts, overwrite_flags, dep_begin, dep_texts);

private:
    template <std::size_t I>
    using hook_at = detail::nth_type<I, Hooks...>;

    // (A function, not an array subscript inside the pack expansion below: that crashes g++ 12.)
    static constexpr detail::kind_text cycle_kind(std::size_t n) { return kind_texts[analysis.cycle[n]]; }

    template <std::size_t... Is>
    static constexpr bool report_cycle(std::index_sequence<Is...>) {
        static_assert(facet_dependency_cycle<detail::spelled_kind<cycle_kind(Is)>...>::value,
                      "cep::build: the facets' dependencies form a cycle (facet_dependency_cycle<a, b, ..., a>: "
                      "a requires b, ..., which requires a)");
        return false;
    }

    static constexpr bool report_structure() {
        using detail::build_problem;
        if constexpr (analysis.problem == build_problem::overwrite_before_original) {
            using h = hook_at<analysis.culprit>;
            static_assert(overwrite_before_original<detail::spelled_kind<h::kind>, typename h::facet_type>::value,
                          "cep::build: an overwrite hook that requires its own kind must come after the hook it "
                          "overwrites (overwrite_before_original<kind, facet>)");
            return false;
        } else if constexpr (analysis.problem == build_problem::duplicate_kind) {
            using first = hook_at<analysis.culprit>;
            using second = hook_at<analysis.other>;
            static_assert(duplicate_facet_kind<detail::spelled_kind<first::kind>, typename first::facet_type,
                                               typename second::facet_type>::value,
                          "cep::build: two hooks create the same kind of facet; mark the later one cep::overwrite "
                          "to replace the earlier (duplicate_facet_kind<kind, first facet, second facet>)");
            return false;
        } else if constexpr (analysis.problem == build_problem::missing_dependency) {
            using h = hook_at<analysis.culprit>;
            static_assert(missing_facet_dependency<detail::spelled_kind<h::kind>,
                                                   detail::spelled_kind<dep_texts[analysis.other]>,
                                                   typename h::facet_type>::value,
                          "cep::build: a facet requires a kind that no hook provides "
                          "(missing_facet_dependency<kind, required kind, facet>)");
            return false;
        } else if constexpr (analysis.problem == build_problem::cycle) {
            return report_cycle(std::make_index_sequence<analysis.cycle_size>{});
        } else {
            return true;
        }
    }

    template <std::size_t I>
    static constexpr bool check_contract_of() {
        using h = hook_at<I>;
        using facet = typename h::facet_type;
        if constexpr (!analysis.active[I] || !h::has_contract) {
            return true;
        } else if constexpr (!Registry::has(h::contract_name.view())) {
            static_assert(facet_contract_not_registered<detail::spelled_kind<h::kind>,
                                                        detail::spelled_kind<h::contract_name>, facet>::value,
                          "cep::build: a facet names a contract that is not registered in the build's contract "
                          "registry (facet_contract_not_registered<kind, contract, facet>)");
            return false;
        } else {
            using contract = typename Registry::template contract_at<Registry::index_of(h::contract_name.view())>;
            return check_contract<contract, facet, facet_of<detail::spelled_kind<h::kind>, facet>>();
        }
    }

    template <std::size_t... Is>
    static constexpr bool check_contracts(std::index_sequence<Is...>) {
        // Facets by kind come first: with a duplicate kind the contracts are not looked at.
        if constexpr (analysis.problem == detail::build_problem::overwrite_before_original ||
                      analysis.problem == detail::build_problem::duplicate_kind) {
            return false;
        } else {
            constexpr bool results[] = {true, check_contract_of<Is>()...};  // all checked, all reported
            bool all = true;
            for (bool r : results) all = all && r;
            return all;
        }
    }

    static constexpr std::array<std::string_view, dep_texts.size()> dep_views = [] {
        std::array<std::string_view, dep_texts.size()> out{};
        for (std::size_t k = 0; k < dep_texts.size(); ++k) out[k] = dep_texts[k].view();
        return out;
    }();

public:
    static constexpr bool structure_ok = report_structure();
    static constexpr bool contracts_ok = check_contracts(std::make_index_sequence<hook_count>{});
    static constexpr bool ok = structure_ok && contracts_ok;

    // The plan: active facets (the last hook of each kind) in initialisation order.
    static constexpr std::size_t size = analysis.order_size;
    static constexpr std::array<plan_entry, size> entries = [] {
        std::array<plan_entry, size> out{};
        for (std::size_t n = 0; n < size; ++n) {
            const std::size_t i = analysis.order[n];
            out[n] = plan_entry{kind_texts[i].view(),
                                contract_texts[i].view(),
                                i,
                                std::span<const std::string_view>(dep_views.data() + dep_begin[i],
                                                                  dep_begin[i + 1] - dep_begin[i])};
        }
        return out;
    }();

    // Position in the plan of the facet of a kind (size when there is none).
    [[nodiscard]] static constexpr std::size_t position_of(std::string_view kind) noexcept {
        for (std::size_t n = 0; n < size; ++n)
            if (entries[n].kind == kind) return n;
        return size;
    }

    // The plan as a Graphviz digraph: one node per facet (kind, contract, step), an edge from a facet to each kind
    // it requires.
    [[nodiscard]] static std::string to_dot() {
        std::string out = "digraph build_plan {\n  rankdir=LR;\n  node [shape=box];\n";
        for (std::size_t n = 0; n < size; ++n) {
            const auto& e = entries[n];
            out += "  \"" + std::string(e.kind) + "\" [label=\"" + std::to_string(n + 1) + ". " +
                   std::string(e.kind);
            if (!e.contract.empty()) out += "\\ncontract: " + std::string(e.contract);
            out += "\"];\n";
        }
        for (std::size_t n = 0; n < size; ++n)
            for (auto dep : entries[n].depends_on)
                if (dep != entries[n].kind)
                    out += "  \"" + std::string(entries[n].kind) + "\" -> \"" + std::string(dep) + "\";\n";
        out += "}\n";
        return out;
    }
};

}  // namespace cep
