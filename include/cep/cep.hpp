// Umbrella header: includes every public header of cep, nothing else.
#pragma once

#include <cep/version.hpp>
