// Facet contracts: member tags, requirements, the satisfies concept and diagnostics, the registry, the defaults.
#pragma once

#include <cep/contract/contract.hpp>
#include <cep/contract/defaults.hpp>
#include <cep/contract/member.hpp>
#include <cep/contract/registry.hpp>
