// The outcome an enzyme (or a layer-1 facet handler) reports for one invocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace cep {

enum class status : std::uint8_t {
    success,  // the work is done; staged writes are committed at the end of the beat
    retry,    // run again at a later beat (policy: attempt budget, backoff)
    fatal,    // give up: staged writes of this invocation are discarded and an error record is written
};

[[nodiscard]] constexpr std::string_view to_string(status s) noexcept {
    switch (s) {
        case status::success: return "success";
        case status::retry: return "retry";
        case status::fatal: return "fatal";
    }
    return "unknown";
}

}  // namespace cep
