// Where the op_* functions read and write, and at which beat. A session writes either straight into a tree (between
// beats, from a commit listener, or in a program without a heartbeat; the beat is given) or into an enzyme's staging
// through its cep::write_context (the beat is the context's; writes become visible at the next beat). Writing goes
// through a cep::closure::store, the writer layer 1 uses, so both modes follow one path.
//
// Staged writes are invisible to reads until the commit, so a session also keeps a journal of what it staged (the
// operations it started, the states and closes it recorded, the watchers it added): op_* calls through the same
// session see their own earlier calls. Calls through different sessions in one beat (two enzymes, say) see only
// the committed tree; docs/ops.md lists what that means.
//
// Names in staged mode: two invocations in one beat cannot see each other's staging, so a counter could hand both
// the same name. A staged session names operations and watchers after their content instead (the beat and the
// SHA-256 of what was asked, plus this session's sequence number): different requests never share a name, and the
// same request made twice in one beat is one operation or one watcher, which is what the heartbeat's single-run
// rule would make of their impulses anyway.
#pragma once

#include <cep/closure/store.hpp>
#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/sorted_map.hpp>
#include <cep/detail/text_less.hpp>
#include <cep/detail/sha256.hpp>
#include <cep/dispatch/context.hpp>
#include <cep/ops/layout.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cep::ops {

template <class Deferred = void>
class basic_session;
using session = basic_session<>;

namespace detail {
struct session_access;

// What one staged session did to one operation (the committed tree does not show it yet).
struct staged_op {
    std::optional<std::string> mode;          // started through this session: its mode
    std::optional<std::string> state;         // the latest state staged
    std::optional<std::string> close_status;  // closed through this session
    std::optional<history_entry> last_history;
    std::vector<std::pair<std::string, std::string>> watchers;  // (watcher id, wanted state) staged
};
// A staged session's operations by id.
using staged_journal = cep::detail::sorted_map<std::string, staged_op, cep::detail::text_less>;
}  // namespace detail

// cep::ops::session is basic_session<> (see cep/detail/lazy.hpp).
template <class Deferred>
class basic_session {
    using cell_tree = basic_cell_tree<Deferred>;

public:
    // Immediate: writes go into `tree` at once; `beat` is the beat they belong to (between beats, hb.beat(): the
    // beat the next step() processes; in a commit listener, the beat being committed).
    basic_session(cell_tree& tree, beat_number beat) noexcept : store_(tree), tree_(&tree), beat_(beat) {}
    // Staged: reads see the committed tree, writes go into the beat's staging; the beat is ctx.beat().
    explicit basic_session(write_context& ctx) noexcept : store_(ctx), ctx_(&ctx), beat_(ctx.beat()) {}

    basic_session(const basic_session&) = delete;
    basic_session& operator=(const basic_session&) = delete;

    [[nodiscard]] bool staged() const noexcept { return ctx_ != nullptr; }
    [[nodiscard]] beat_number beat() const noexcept { return beat_; }
    // The tree reads see (as committed, when staged).
    [[nodiscard]] const cell_tree& tree() const noexcept { return store_.tree(); }
    // The writer underneath, shared with layer 1 (cep::closure).
    [[nodiscard]] closure::store& store() noexcept { return store_; }

private:
    friend struct detail::session_access;

    cep::detail::lazy<Deferred, closure::store> store_;
    cell_tree* tree_ = nullptr;     // immediate mode
    write_context* ctx_ = nullptr;  // staged mode
    beat_number beat_;
    std::uint64_t minted_ = 0;      // names minted by this session (staged mode)
    cep::detail::lazy<Deferred, detail::staged_journal> journal_;
};

namespace detail {

[[nodiscard]] inline std::span<const std::byte> bytes_of(std::string_view text) noexcept {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

// Everything the op_* functions need beyond closure::store: the journal, sealing, dictionaries, naming, the CAS.
// Its functions are templates over the session's parameter: compiled only where used, like the session's members.
struct session_access {
    template <class Deferred>
    static closure::store& store(basic_session<Deferred>& s) noexcept { return s.store_; }
    // The path table of the session's tree (reading sessions intern too: names are not cells).
    template <class Deferred>
    static path_table& paths(const basic_session<Deferred>& s) noexcept { return s.store_.paths(); }
    template <class Deferred>
    static staged_journal& journal(basic_session<Deferred>& s) noexcept {
        return s.journal_;
    }
    template <class Deferred>
    static const staged_journal& journal(const basic_session<Deferred>& s) noexcept {
        return s.journal_;
    }
    // The journal entry of `oid` (staged sessions only; nullptr otherwise or when there is none).
    template <class Deferred>
    static const staged_op* staged(const basic_session<Deferred>& s, std::string_view oid) {
        const auto it = s.journal_.find(oid);
        return it == s.journal_.end() ? nullptr : &it->second;
    }
    template <class Deferred>
    static staged_op* note(basic_session<Deferred>& s, std::string_view oid) {
        if (!s.staged()) return nullptr;
        auto it = s.journal_.find(oid);
        if (it == s.journal_.end()) it = s.journal_.try_emplace(std::string(oid)).first;
        return &it->second;
    }

    template <class Deferred>
    static result<void> make_dictionary(basic_session<Deferred>& s, const path& p) {
        if (s.ctx_) return s.ctx_->make_child(p.parent(), p.leaf());
        auto made = s.tree_->make_dictionary(p);
        if (!made) return made.error();
        return {};
    }
    // Sealing is immediate only: a write_context cannot seal, so the commit pass seals what a staged session wrote.
    template <class Deferred>
    static result<void> seal(basic_session<Deferred>& s, const path& p) {
        if (s.ctx_) return {};
        return s.tree_->seal(p);
    }
    // Stores `content` under /cas/<sha-256 hex> and returns the digest.
    template <class Deferred>
    static result<std::string> store_content(basic_session<Deferred>& s, std::string_view content) {
        if (s.ctx_) return s.ctx_->store_content(content);
        std::string digest = cep::detail::sha256::hex(bytes_of(content));
        if (auto put = s.store_.put_bytes(path("/cas") / digest, bytes_of(content)); !put) return put.error();
        return digest;
    }

    // A new name: <prefix>:<n> from the counter at `counter` (immediate), or <prefix>:<beat>-<12 hex digits> of
    // `identity` and the session's sequence number (staged). `taken` says whether a name is already in use.
    template <class Deferred, class Taken>
    static result<std::string> mint(basic_session<Deferred>& s, std::string_view prefix, const path& counter,
                                    std::string_view identity, Taken taken) {
        if (s.ctx_) {
            const std::string text = std::string(identity) + ";seq=" + std::to_string(++s.minted_);
            std::string name = std::string(prefix) + ":" + std::to_string(s.beat_) + "-" +
                               cep::detail::sha256::hex(bytes_of(text), 12);
            if (taken(name))
                return error{errc::op_invalid, "the name " + name + " is already taken in the committed tree"};
            return name;
        }
        std::uint64_t n = 0;
        if (const auto cell = s.tree_->find(counter); cell && cell->has_value()) {
            const auto stored = parse_u64(cell->text());
            if (!stored)
                return error{errc::op_invalid, "the counter \"" + counter.str() + "\" holds \"" +
                                                   std::string(cell->text()) + "\", not a number"};
            n = *stored;
        }
        cep::detail::lazy<Deferred, std::string> name;
        do name = std::string(prefix) + ":" + std::to_string(++n);
        while (taken(name));
        if (auto put = s.tree_->put_text(counter, std::to_string(n)); !put) return put.error();
        return name;
    }
};

}  // namespace detail

}  // namespace cep::ops
