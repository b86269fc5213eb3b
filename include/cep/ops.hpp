// OPS/STATES operations (namespace cep::ops): dossiers for long-running work under /rt/ops/<oid>, with states,
// history, watchers that fire continuations or timeouts at a commit, and a sealed close record.
#pragma once

#include <cep/ops/commit.hpp>
#include <cep/ops/layout.hpp>
#include <cep/ops/names.hpp>
#include <cep/ops/operations.hpp>
#include <cep/ops/session.hpp>
