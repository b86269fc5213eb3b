// expect: specialization of .cep::basic_cell_tree<>. after instantiation
// <cep/cep.hpp> alone compiles none of the stateful classes that cep defers (detail/lazy.hpp): a program that never
// uses the cell tree, the path table or the kernel's parts does not pay for their members. A header that used one
// outside a template (a parameter of a non-dependent type, a call in an inline function) would instantiate it in
// every translation unit. An explicit specialization is an error after an instantiation, so declaring one for each
// class proves that none was instantiated. The failing case instantiates the tree first, as such a header would.
#include <cep/cep.hpp>

#include <cstddef>

#ifdef CEP_COMPILE_FAIL
inline constexpr std::size_t tree_size = sizeof(cep::cell_tree);
#endif

template <>
class cep::basic_cell_tree<void>;
template <>
class cep::basic_path_table<void>;
template <>
class cep::basic_staging_area<void>;
template <>
class cep::basic_impulse_sink<void>;
template <>
class cep::basic_tree_hierarchy<void>;
template <>
class cep::basic_beat_queue<void>;
template <>
class cep::basic_beat_scheduler<void>;
template <>
class cep::basic_listener_hub<void>;
template <>
class cep::closure::basic_store<void>;
template <>
class cep::ops::basic_session<void>;
template <>
class cep::mailbox::basic_envelope<void>;

int main() { return 0; }
