// The core vocabulary: fixed strings, names, paths and queries, interning, status, errors, the cell tree, staging.
#pragma once

#include <cep/core/callback.hpp>
#include <cep/core/error.hpp>
#include <cep/core/fixed_string.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/status.hpp>
#include <cep/core/tree.hpp>
