// The one translation unit that compiles the heartbeats of cep_extern::registry (see registry.hpp).
#include "registry.hpp"

CEP_INSTANTIATE_HEARTBEAT(cep_extern::registry);
CEP_INSTANTIATE_HEARTBEAT_WITH(cep::bound_or_matched, cep_extern::registry);
