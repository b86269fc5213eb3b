// The contract registry: a compile-time list of contract types (a duplicate name does not compile), usable by name
// at run time for dynamic cases (a contract name read from configuration or a plugin manifest): has(), enforce().
//
// C++ has no reflection, so a contract cannot be created from run-time data: registration happens in the type
// (contract_registry<...>::add<C>), which is also where a duplicate is caught, before the program runs.
#pragma once

#include <cep/contract/contract.hpp>
#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/name.hpp>
#include <cep/detail/spelling.hpp>
#include <cep/detail/type_list.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace cep {

// Diagnostic names (never true): a second contract with a name already registered; a name that no contract has.
template <class Name, class First, class Second>
struct duplicate_contract_name {
    static constexpr bool value = false;
};
template <class Name, class Registry>
struct contract_not_registered {
    static constexpr bool value = false;
};

namespace detail {
struct index_pair {
    std::size_t first;
    std::size_t second;
};

// Names in text order at a low constant-evaluation cost: each name's first eight characters packed into an integer
// (big-endian, zero-padded; names hold no NUL) decide most comparisons with one integer compare, and only names
// sharing those eight characters compare the rest. Sorting a thousand names by plain string_view comparison costs
// clang more steps than its default budget allows.
template <std::size_t N>
struct name_order {
    const std::array<std::string_view, N>* names;
    std::array<std::uint64_t, N> keys{};

    constexpr explicit name_order(const std::array<std::string_view, N>& all) : names(&all) {
        for (std::size_t i = 0; i < N; ++i) keys[i] = order_key(all[i]);
    }
    // Is name a before `name` (text order), given order_key(name)?
    [[nodiscard]] constexpr bool less_than(std::size_t a, std::string_view name, std::uint64_t key) const {
        if (keys[a] != key) return keys[a] < key;
        // Equal keys: the same first eight characters (or the same whole name, when shorter).
        const std::string_view x = (*names)[a];
        return x.substr(x.size() < 8 ? x.size() : 8) < name.substr(name.size() < 8 ? name.size() : 8);
    }
    // Is name a before name b (text order)?
    [[nodiscard]] constexpr bool less(std::size_t a, std::size_t b) const { return less_than(a, (*names)[b], keys[b]); }
    [[nodiscard]] constexpr bool equal(std::size_t a, std::size_t b) const { return !less(a, b) && !less(b, a); }
    // The positions in text order (equal names by position).
    [[nodiscard]] constexpr std::array<std::size_t, N> sorted() const {
        std::array<std::size_t, N> order{};
        for (std::size_t i = 0; i < N; ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            if (less(a, b)) return true;
            if (less(b, a)) return false;
            return a < b;
        });
        return order;
    }
};

// The duplicate whose second occurrence comes first, as (first occurrence, second occurrence); {N, N} when all
// names differ. O(N log N) past a few names: positions sorted by (name, position) put equal names next to each
// other, so large registries stay within the compiler's constant-evaluation budget.
template <std::size_t N>
constexpr index_pair first_duplicate(const std::array<std::string_view, N>& names) {
    if constexpr (N <= 16) {
        // A few names: comparing each with those before it costs the compiler less than instantiating std::sort.
        for (std::size_t k = 1; k < N; ++k)
            for (std::size_t j = 0; j < k; ++j)
                if (names[j] == names[k]) return {j, k};
        return {N, N};
    } else {
        const name_order<N> by_name(names);
        const std::array<std::size_t, N> order = by_name.sorted();
        index_pair best{N, N};
        for (std::size_t k = 1; k < N; ++k) {
            const bool starts_group = k == 1 || !by_name.equal(order[k - 2], order[k - 1]);
            if (starts_group && by_name.equal(order[k], order[k - 1]) && order[k] < best.second)
                best = {order[k - 1], order[k]};
        }
        return best;
    }
}

template <std::size_t N>
constexpr std::size_t index_of(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name) return i;
    return N;
}

// Checked as a base class, so the check is complete before the registry's own body.
template <class... Contracts>
struct registry_duplicate_check {
    static constexpr std::size_t size = sizeof...(Contracts);
    static constexpr std::array<std::string_view, size> names{Contracts::name...};

    template <index_pair D>
    static constexpr bool report_duplicate() {
        if constexpr (D.second == size) {
            return true;
        } else {
            using first = nth_type<D.first, Contracts...>;
            using second = nth_type<D.second, Contracts...>;
            static_assert(duplicate_contract_name<spelled<second::name_text>, first, second>::value,
                          "cep: two contracts in one registry have the same name "
                          "(duplicate_contract_name<name, first, second>)");
            return false;
        }
    }
    static constexpr bool unique = report_duplicate<first_duplicate(names)>();
};
}  // namespace detail

template <class... Contracts>
class contract_registry : detail::registry_duplicate_check<Contracts...> {
    static_assert((contract_type<Contracts> && ...),
                  "cep: contract_registry<...>: every argument must be a contract type (cep::contract<...>)");
    static_assert(detail::registry_duplicate_check<Contracts...>::unique);

public:
    static constexpr std::size_t size = sizeof...(Contracts);
    static constexpr const auto& names = detail::registry_duplicate_check<Contracts...>::names;

public:
    [[nodiscard]] static constexpr bool has(std::string_view name) noexcept {
        return detail::index_of(names, name) != size;
    }
    template <fixed_string Name>
    static constexpr bool contains = detail::index_of(names, Name.view()) != size;
    // Position of a name in the registry (size when absent), and the contract at a position.
    [[nodiscard]] static constexpr std::size_t index_of(std::string_view name) noexcept {
        return detail::index_of(names, name);
    }
    template <std::size_t I>
    using contract_at = detail::nth_type<I, Contracts...>;

    // The contract registered under Name; a compile error naming Name when there is none.
    template <fixed_string Name>
    static constexpr auto lookup() {
        constexpr std::size_t index = detail::index_of(names, Name.view());
        if constexpr (index == size) {
            static_assert(contract_not_registered<detail::spelled<Name>, contract_registry>::value,
                          "cep: no contract with this name is registered (contract_not_registered<name, registry>)");
            return detail::type_identity<void>{};
        } else {
            return detail::type_identity<detail::nth_type<index, Contracts...>>{};
        }
    }
    template <fixed_string Name>
    using find = typename decltype(lookup<Name>())::type;

    // A registry with one more contract (a duplicate name does not compile).
    template <class Contract>
    using add = contract_registry<Contracts..., Contract>;

    // By name at run time: the contract's member checks and custom validation, with the seed's error texts.
    // Throws cep::contract_error: "FacetContractRegistry.enforce: no contract found for name '<name>'", or the
    // contract's own error (missing methods, missing properties, validation failed).
    template <class Facet>
    static void enforce(std::string_view name, const Facet& facet) {
        bool found = false;
        (void)((Contracts::name == name ? (found = true, enforce_at_run_time<Contracts>(facet), true) : false) || ...);
        if (!found)
            throw contract_error(error{errc::contract_not_registered,
                                       "FacetContractRegistry.enforce: no contract found for name '" +
                                           std::string(name) + "'"});
    }
};

}  // namespace cep
