// Forward declarations of cep's public types (cheap to include in headers that only name them).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cep {
template <std::size_t N>
struct fixed_string;
class name;
class path;
class query;
struct path_id;
class path_table;
class cell_tree;
class cell_view;
class staging_area;
struct impulse;
template <class... Contracts>
class contract_registry;
struct error;
class exception;
template <class T>
class result;
enum class errc : std::uint16_t;
enum class status : std::uint8_t;
enum class cell_kind : std::uint8_t;
enum class value_kind : std::uint8_t;
}  // namespace cep
