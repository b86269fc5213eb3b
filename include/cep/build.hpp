// Subsystem builds: hooks and facets, the compile-time build plan, the built subsystem.
#pragma once

#include <cep/build/hook.hpp>
#include <cep/build/plan.hpp>
#include <cep/build/subsystem.hpp>
