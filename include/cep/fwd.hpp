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
// The stateful classes are class templates with one unused parameter, named by aliases: a program compiles only
// the members it uses (see detail/lazy.hpp).
template <class Deferred = void>
class basic_path_table;
using path_table = basic_path_table<>;
template <class Deferred = void>
class basic_path_ref;
using path_ref = basic_path_ref<>;
template <class Deferred = void>
class basic_cell_tree;
using cell_tree = basic_cell_tree<>;
template <class Deferred = void>
class basic_cell_view;
using cell_view = basic_cell_view<>;
template <class Deferred = void>
class basic_staging_area;
using staging_area = basic_staging_area<>;
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
