// Compile time: cep's stateful classes (the path table, the cell tree, the kernel's parts...) are class templates
// with one unused parameter, each named by an alias (cep::path_table is cep::basic_path_table<>). A template's
// member functions are compiled only when a program uses them, where an ordinary class's inline members are all
// compiled, with every standard-library template they use, by every file that includes the header.
//
// lazy<Deferred, T> is T, spelled so that it depends on the class's parameter: members declared with it make the
// code that uses them dependent, so that clang too waits for an instantiation before it resolves that code's calls
// (it resolves calls on members of non-dependent types when it reads the template, and instantiates the standard
// library's constexpr functions they name). Inside such a class, other deferred classes are named dependently too
// (basic_cell_tree<Deferred>, not the alias cep::cell_tree). A new class that holds state follows the same pattern,
// and tests/odr/odr_instantiate.cpp instantiates it whole, so that none of its members goes uncompiled.
#pragma once

namespace cep::detail {

template <class Deferred, class T>
struct lazy_type {
    using type = T;
};
template <class Deferred, class T>
using lazy = typename lazy_type<Deferred, T>::type;

}  // namespace cep::detail
