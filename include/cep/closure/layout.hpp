// Layer 1's place in the tree: where contexts, facet records and the facet queue live, and the state words written
// there. Paths and words follow the seed, so a ledger reader (or a test) can check them by text.
#pragma once

#include <cep/core/path.hpp>

#include <cstdint>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`: the compiler
// then compiles one only where a program calls it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::closure {

// /data/CEP/CEP/L1/contexts/<hash>: tag, label, participants/<role> (cep's addition: lets handlers reach the
// participants and lets an upsert tell a hash collision from the same context).
inline constexpr auto contexts_root = path_c<"/data/CEP/CEP/L1/contexts">;
// /data/CEP/CEP/L1/facets/<facet>/<hash>: value, facet_state, context_tag, meta/attempts (the seed's placeholder).
inline constexpr auto facets_root = path_c<"/data/CEP/CEP/L1/facets">;
// /bonds/facet_queue/<facet>/<hash>: value, queue_state, context_tag (the seed's work item).
inline constexpr auto queue_root = path_c<"/bonds/facet_queue">;

// facet_state of a facet record.
enum class facet_state : std::uint8_t { pending, complete, failed, cancelled };
// queue_state of a queue entry.
enum class queue_state : std::uint8_t { pending, complete, fatal, missing };

[[nodiscard]] constexpr std::string_view to_string(facet_state s) noexcept {
    switch (s) {
        case facet_state::pending: return "pending";
        case facet_state::complete: return "complete";
        case facet_state::failed: return "failed";
        case facet_state::cancelled: return "cancelled";
    }
    return "unknown";
}

[[nodiscard]] constexpr std::string_view to_string(queue_state s) noexcept {
    switch (s) {
        case queue_state::pending: return "pending";
        case queue_state::complete: return "complete";
        case queue_state::fatal: return "fatal";
        case queue_state::missing: return "missing";
    }
    return "unknown";
}

// The cells of one context and one facet. The segments must be valid path segments (facet tags are names, hashes
// come from context_hash); a bad one throws cep::path_error.
template <class Deferred = void>
[[nodiscard]] path context_record(std::string_view hash) { return path(contexts_root) / hash; }
template <class Deferred = void>
[[nodiscard]] path facet_record(std::string_view facet, std::string_view hash) {
    return path(facets_root) / facet / hash;
}
template <class Deferred = void>
[[nodiscard]] path queue_entry(std::string_view facet, std::string_view hash) {
    return path(queue_root) / facet / hash;
}

}  // namespace cep::closure
