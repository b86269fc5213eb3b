// Layer 0, compile-time part: match policies, the enzyme concept and descriptor, the enzyme context, the static
// enzyme registry with its ordering closure.
#pragma once

#include <cep/dispatch/context.hpp>
#include <cep/dispatch/enzyme.hpp>
#include <cep/dispatch/heartbeat.hpp>
#include <cep/dispatch/match.hpp>
#include <cep/dispatch/registry.hpp>
