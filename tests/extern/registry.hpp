// The registry the extern-heartbeat check compiles once (heartbeat_instance.cpp) and uses from another translation
// unit (heartbeat_use.cpp), through CEP_EXTERN_HEARTBEAT / CEP_INSTANTIATE_HEARTBEAT.
#pragma once

#include <cep/cep.hpp>

namespace cep_extern {

using namespace cep::literals;

// Appends its name to the list /out/<target leaf> (made before the beat): the list's entries are the order the
// agenda ran in.
template <cep::fixed_string Name>
struct recorder {
    static constexpr cep::name name = Name;
    static constexpr auto query = "/signals/**"_query;
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) {
        const cep::path list = cep::path("/out") / impulse.target.leaf();
        return ctx.append_text(list, name.view()) ? cep::status::success : cep::status::fatal;
    }
};

struct fetch : recorder<"fetch"> {};
struct parse : recorder<"parse"> {
    using after = cep::enzymes<fetch>;
};
struct index : recorder<"index"> {
    using after = cep::enzymes<parse>;
};
// Registered first, ordered last: the order comes from the constraints, not from registration.
struct audit : recorder<"audit"> {
    using after = cep::enzymes<index>;
};

using registry = cep::enzyme_registry<audit, index, parse, fetch>;

}  // namespace cep_extern

// Every translation unit that includes this header uses the heartbeats compiled in heartbeat_instance.cpp.
CEP_EXTERN_HEARTBEAT(cep_extern::registry);
CEP_EXTERN_HEARTBEAT_WITH(cep::bound_or_matched, cep_extern::registry);
