// Umbrella header: includes every public header of cep, nothing else.
#pragma once

#include <cep/build.hpp>
#include <cep/closure.hpp>
#include <cep/contract.hpp>
#include <cep/core.hpp>
#include <cep/dispatch.hpp>
#include <cep/fwd.hpp>
#include <cep/kernel.hpp>
#include <cep/mailbox.hpp>
#include <cep/ops.hpp>
#include <cep/version.hpp>
