// Message identity: which id a message gets, with the precedence caller id -> envelope digest -> counter, and
// collision detection by hashing sealed envelopes. The same sealed envelope under the same id is a repeat (the id
// is reused, nothing is written); a different one is a collision (an error, nothing is overwritten).
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/sorted_map.hpp>
#include <cep/detail/text_less.hpp>
#include <cep/detail/sha256.hpp>
#include <cep/mailbox/layout.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

// Functions here that would not otherwise be templates are written `template <class Deferred = void>`, with the
// types of their heavy locals (and of a few results and parameters) spelled cep::detail::lazy<Deferred, T>, and
// a tree they take spelled basic_cell_tree<Deferred>: the compiler then compiles one only where a program calls
// it (docs/performance.md, "compile time"; detail/lazy.hpp).

namespace cep::mailbox {

template <class Deferred = void>
class basic_envelope;
using envelope = basic_envelope<>;

// The content of a message: text fields named like path segments (they become cells under msgs/<id>/envelope),
// kept in byte order of their names. Sealing makes it immutable; only a sealed envelope's content can name it
// (digest ids) or prove a repeat (collision checks). cep::mailbox::envelope is basic_envelope<> (see
// cep/detail/lazy.hpp).
template <class Deferred>
class basic_envelope {
public:
    using field_map = cep::detail::sorted_map<std::string, std::string, cep::detail::text_less>;

    // Sets a field; refused once sealed, or for a name that is not a valid path segment.
    result<void> set(std::string_view field, std::string_view text) {
        if (sealed_)
            return error{errc::cell_sealed,
                         "cannot set envelope field \"" + std::string(field) + "\": the envelope is sealed"};
        if (auto checked = path("/").child(field); !checked)
            return error{checked.error().code, "invalid envelope field name: " + checked.error().message};
        fields_.insert_or_assign(std::string(field), std::string(text));
        return {};
    }
    void seal() noexcept { sealed_ = true; }
    [[nodiscard]] bool sealed() const noexcept { return sealed_; }
    [[nodiscard]] const field_map& fields() const noexcept { return fields_; }

    // SHA-256 (lower-case hex) of the canonical form: the same fields and texts give the same digest.
    [[nodiscard]] std::string digest() const;

private:
    cep::detail::lazy<Deferred, field_map> fields_;
    bool sealed_ = false;
};

// Which rule chose the id.
enum class id_source : std::uint8_t {
    caller,   // the caller gave it
    digest,   // no caller id, sealed envelope: the envelope's SHA-256
    counter,  // no caller id, envelope not sealed: the mailbox counter (meta/runtime/next_msg_id)
};

[[nodiscard]] constexpr std::string_view to_string(id_source source) noexcept {
    switch (source) {
        case id_source::caller:
            return "caller";
        case id_source::digest:
            return "digest";
        case id_source::counter:
            return "counter";
    }
    return "unknown";
}

struct message_id {
    std::string id;
    id_source source = id_source::counter;
    bool reused = false;        // this sealed envelope is already stored under `id`: there is nothing to write
    std::string digest;         // the envelope's SHA-256 when it is sealed, empty otherwise
    std::uint64_t skipped = 0;  // counter values passed over because a message already held them
};

namespace detail {

// Canonical form, length-prefixed so no two field sets serialise alike: "<n>:<name>=<m>:<text>\n" per field.
template <class Deferred = void>
void append_field(std::string& out, std::string_view name, std::string_view text) {
    out += std::to_string(name.size());
    out += ':';
    out += name;
    out += '=';
    out += std::to_string(text.size());
    out += ':';
    out += text;
    out += '\n';
}

template <class Deferred = void>
[[nodiscard]] std::string hex_digest(std::string_view canonical) {
    return cep::detail::sha256::hex(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(canonical.data()), canonical.size()));
}

inline constexpr std::string_view envelope_header = "cep-envelope-1\n";

// The digest of a stored envelope, computed like envelope::digest(). A field that is not plain text (bytes, no
// value, children) gets a marker no envelope can produce, so such a message never passes for a repeat.
template <class Deferred = void>
[[nodiscard]] std::string stored_digest(cell_view stored) {
    std::string canonical(envelope_header);
    for (auto field : stored.children()) {
        if (field.value_type() == value_kind::text && field.size() == 0 && !field.is_link()) {
            append_field(canonical, field.name(), field.text());
        } else {
            canonical += std::to_string(field.name().size());
            canonical += ':';
            canonical += field.name();
            canonical += "#not-text\n";
        }
    }
    return hex_digest(canonical);
}

// The message already stored under `id`: a repeat of `env` (true), or an error (collision, or unverifiable).
template <class Deferred = void>
[[nodiscard]] result<bool> check_stored(const basic_cell_tree<Deferred>& tree, const path& mailbox, const path& message,
                                        std::string_view id, const basic_envelope<Deferred>& env,
                                        const std::string& digest) {
    if (!tree.contains(message)) return false;
    if (!env.sealed())
        return error{errc::mailbox_id_collision, "message id \"" + std::string(id) + "\" is taken in mailbox " +
                                            quoted(mailbox) +
                                            " and the envelope is not sealed, so a repeat cannot be told from a "
                                            "collision (seal the envelope)"};
    const auto stored = tree.find(message / "envelope");
    if (!stored || !stored->sealed())
        return error{errc::mailbox_id_collision, "message id collision in mailbox " + quoted(mailbox) + ": \"" +
                                            std::string(id) + "\" holds a message without a sealed envelope"};
    const std::string existing = stored_digest(*stored);
    if (existing != digest)
        return error{errc::mailbox_id_collision, "message id collision in mailbox " + quoted(mailbox) + ": \"" +
                                            std::string(id) + "\" holds a different envelope (stored sha256 " +
                                            existing + ", new " + digest + ")"};
    return true;
}

}  // namespace detail

template <class Deferred>
std::string basic_envelope<Deferred>::digest() const {
    std::string canonical(detail::envelope_header);
    for (const auto& [name, text] : fields_) detail::append_field(canonical, name, text);
    return detail::hex_digest(canonical);
}

// Chooses the id of a message for `mailbox` (between beats: the counter is written to the tree at once).
//   - a caller id (non-empty `caller_id`, a valid path segment) wins;
//   - else a sealed envelope is named by its digest;
//   - else the mailbox counter gives the next free number ("1", "2", ...), skipping numbers already taken.
// When the id already holds a message, a sealed envelope that hashes the same is a repeat (reused = true) and a
// different one is a collision: an error, and nothing is written.
template <class Deferred = void>
[[nodiscard]] result<message_id> select_message_id(basic_cell_tree<Deferred>& tree, const path& mailbox,
                                                   const basic_envelope<Deferred>& env,
                                                   std::string_view caller_id = {}) {
    cep::detail::lazy<Deferred, message_id> out;
    if (env.sealed()) out.digest = env.digest();

    if (!caller_id.empty() || env.sealed()) {
        out.source = caller_id.empty() ? id_source::digest : id_source::caller;
        out.id = caller_id.empty() ? out.digest : std::string(caller_id);
        auto message = message_path(mailbox, out.id);
        if (!message) return error{message.error().code, "invalid message id: " + message.error().message};
        auto repeat = detail::check_stored(tree, mailbox, *message, out.id, env, out.digest);
        if (!repeat) return repeat.error();
        out.reused = *repeat;
        return out;
    }

    out.source = id_source::counter;
    auto counter = counter_path(mailbox);
    if (!counter) return counter.error();
    std::uint64_t next = 1;
    if (const auto cell = tree.find(*counter); cell && cell->has_value()) {
        const auto stored = detail::parse_u64(cell->text());
        if (!stored || *stored == 0)
            return error{errc::mailbox_bad_record, "message counter " + detail::quoted(*counter) + " holds \"" +
                                                    std::string(cell->text()) + "\", not a number from 1"};
        next = *stored;
    }
    for (;; ++next, ++out.skipped) {
        if (next == std::numeric_limits<std::uint64_t>::max())
            return error{errc::mailbox_bad_record,
                         "the message counter of mailbox " + detail::quoted(mailbox) + " is exhausted"};
        auto message = message_path(mailbox, std::to_string(next));
        if (!message) return message.error();
        if (!tree.contains(*message)) break;
    }
    out.id = std::to_string(next);
    auto written = tree.put_text(*counter, std::to_string(next + 1));
    if (!written) return written.error();
    return out;
}

// Selects the id (as select_message_id) and stores the envelope under msgs/<id>/envelope, sealed. A repeat
// writes nothing. Between beats only: a write_context cannot seal.
template <class Deferred = void>
[[nodiscard]] result<message_id> post_message(basic_cell_tree<Deferred>& tree, const path& mailbox,
                                              const basic_envelope<Deferred>& env, std::string_view caller_id = {}) {
    auto chosen = select_message_id(tree, mailbox, env, caller_id);
    if (!chosen || chosen->reused) return chosen;
    auto stored = detail::join(mailbox, {"msgs", chosen->id, "envelope"});
    if (!stored) return stored.error();
    if (auto made = tree.make_dictionary(*stored); !made) return made.error();
    for (const auto& [field, text] : env.fields()) {
        auto at = detail::join(*stored, {field});
        if (!at) return at.error();
        if (auto written = tree.put_text(*at, text); !written) return written.error();
    }
    if (auto sealed = tree.seal(*stored); !sealed) return sealed.error();
    return chosen;
}

}  // namespace cep::mailbox
