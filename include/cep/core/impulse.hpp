// An impulse: a request to act (the signal path) at a place (the target path), queued for a beat.
#pragma once

#include <cep/core/path.hpp>

#include <cstdint>

namespace cep {

using beat_number = std::uint64_t;

struct impulse {
    path signal;
    path target;
    [[nodiscard]] friend bool operator==(const impulse&, const impulse&) = default;
};

}  // namespace cep
