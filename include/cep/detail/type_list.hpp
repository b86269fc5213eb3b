// A minimal type list and the few operations the contract and build layers need (plain pack expansion, no
// recursion, so it stays cheap to compile).
#pragma once


#include <cstddef>
#include <type_traits>
#include <utility>

namespace cep::detail {

template <class... Ts>
struct type_list {
    static constexpr std::size_t size = sizeof...(Ts);
};

template <class T>
struct type_identity {
    using type = T;
};

// The I-th type of a pack, by overload resolution on an index sequence (no recursion).
template <std::size_t I, class T>
struct indexed {
    using type = T;
};
template <class Indices, class... Ts>
struct indexer;
template <std::size_t... Is, class... Ts>
struct indexer<std::index_sequence<Is...>, Ts...> : indexed<Is, Ts>... {};
template <std::size_t I, class T>
indexed<I, T> select_indexed(const indexed<I, T>&);

template <std::size_t I, class... Ts>
using nth_type = typename decltype(select_indexed<I>(indexer<std::index_sequence_for<Ts...>, Ts...>{}))::type;

template <std::size_t I, class List>
struct list_element;
template <std::size_t I, class... Ts>
struct list_element<I, type_list<Ts...>> {
    using type = nth_type<I, Ts...>;
};

}  // namespace cep::detail
