// Third translation unit of the ODR program: explicit instantiation definitions of every class template that cep
// makes a template only to defer compilation (cep::cell_tree is cep::basic_cell_tree<>, see detail/lazy.hpp).
// A member a program never calls is never compiled; instantiating each class whole here compiles every member, on
// each compiler of the build, so an error in one cannot hide. Linked with odr_a.cpp and odr_b.cpp, which use the
// same classes implicitly: explicit and implicit instantiations of the same members must coexist in one program.
#include <cep/cep.hpp>

// core
template class cep::basic_path_table<void>;
template class cep::basic_path_ref<void>;
template class cep::basic_cell_tree<void>;
template class cep::basic_cell_view<void>;
template class cep::detail::basic_children_range<void>;
template class cep::detail::basic_subtree_range<void>;
template class cep::basic_staging_area<void>;
template class cep::detail::basic_flat_index<void>;
template class cep::detail::sorted_map<std::string, std::string, cep::detail::text_less>;  // an envelope's fields
template class cep::detail::sorted_map<cep::beat_number, std::vector<cep::queued_impulse>>;  // the queue's far beats
// dispatch
template class cep::detail::beat_set<void>;
// (read-write only: its members include every read-only one, and clang 14 compiles the bodies of members whose
// constraints are not satisfied in an explicit instantiation, where the standard leaves them out.)
template class cep::context<cep::access::read_write>;
// kernel
template class cep::basic_tree_hierarchy<void>;
template class cep::basic_beat_queue<void>;
template class cep::basic_beat_scheduler<void>;
template class cep::basic_listener_hub<void>;
template struct cep::detail::basic_invocation_frame<void>;
template class cep::detail::basic_retry_counts<void>;
// closure
template class cep::closure::basic_store<void>;
template struct cep::closure::basic_tick_summary<void>;
template class cep::closure::handler_set<>;
template class cep::closure::tick_enzyme<cep::closure::handler_set<>>;
template std::uint32_t cep::closure::detail::read_attempts<void>(const cep::closure::store&, cep::path_id,
                                                                   const std::optional<cep::cell_view>&,
                                                                   cep::closure::tick_summary&);
template cep::closure::tick_summary cep::closure::detail::tick_pass<void>(
    cep::closure::store&, std::span<const cep::closure::detail::handler_entry>, void*);
template std::string cep::closure::context_hash<void>(const cep::closure::context_spec&);
template cep::result<cep::closure::upsert_result> cep::closure::context_upsert<void>(cep::closure::store&,
                                                                                    const cep::closure::context_spec&);
template cep::result<cep::closure::upsert_result> cep::closure::context_upsert<void>(cep::cell_tree&,
                                                                                    const cep::closure::context_spec&);
template cep::result<cep::closure::upsert_result> cep::closure::context_upsert<void>(cep::write_context&,
                                                                                    const cep::closure::context_spec&);
template cep::result<void> cep::closure::cancel<void>(cep::closure::store&, std::string_view, std::string_view,
                                                      std::string_view);
template cep::result<void> cep::closure::cancel<void>(cep::cell_tree&, std::string_view, std::string_view,
                                                      std::string_view);
template cep::result<void> cep::closure::cancel<void>(cep::write_context&, std::string_view, std::string_view,
                                                      std::string_view);
// mailbox and ops
template class cep::mailbox::basic_envelope<void>;
template class cep::mailbox::detail::basic_tree_writer<void>;
template class cep::mailbox::detail::basic_staged_writer<void>;
template class cep::ops::basic_session<void>;
