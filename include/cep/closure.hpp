// Layer 1, facets and closure guarantees (namespace cep::closure; not the build facets of cep::build): contexts
// promise follow-up work (facets), handlers keyed by (facet, context tag) keep the promises, tick runs them.
#pragma once

#include <cep/closure/cancel.hpp>
#include <cep/closure/context.hpp>
#include <cep/closure/enzyme.hpp>
#include <cep/closure/handler.hpp>
#include <cep/closure/handler_set.hpp>
#include <cep/closure/layout.hpp>
#include <cep/closure/store.hpp>
#include <cep/closure/summary.hpp>
