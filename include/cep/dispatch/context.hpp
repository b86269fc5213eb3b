// What an enzyme sees while it runs: the impulse (paths only) and a context. Reads see the tree as committed at the
// end of the previous beat; writes go into the current beat's staging and become visible at the next beat; emitted
// impulses are queued for a later beat. An enzyme declares read-only or read-write access in its type, and a
// read-only context has no mutating operations at all: a write is a compile error, not a run-time check.
#pragma once

#include <cep/core/error.hpp>
#include <cep/core/impulse.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>
#include <cep/core/staging.hpp>
#include <cep/core/tree.hpp>
#include <cep/detail/lazy.hpp>
#include <cep/detail/sha256.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cep {

enum class access : std::uint8_t { read_only, read_write };

// The impulse an enzyme runs for. The target is empty for a broadcast (an impulse without a target).
struct impulse_ref {
    path_ref signal;
    path_ref target;
};

template <class Deferred = void>
class basic_impulse_sink;
using impulse_sink = basic_impulse_sink<>;

// Where emitted impulses go (the heartbeat implements it; a test or a tool derives from cep::impulse_sink). A
// template only so that the default emit_to(), which writes the path out with the path table, is compiled where a
// sink is built rather than in every translation unit (see detail/lazy.hpp).
template <class Deferred>
class basic_impulse_sink {
public:
    // Queues (signal, target) for `beat` (no target: a broadcast); a beat that is not in the future is an error.
    virtual result<void> emit(beat_number beat, const path& signal, const path* target) = 0;
    // The same with a target interned in `paths` (an impulse's target, say). The heartbeat's sink queues the id
    // as it is; this default writes the path out and calls emit().
    virtual result<void> emit_to(beat_number beat, const path& signal, const basic_path_table<Deferred>& paths,
                                 path_id target) {
        const path written = paths.path_of(target);
        return emit(beat, signal, &written);
    }
    // The same two with a literal signal ("/signals/x"_path): its text, checked by the compiler, and its hash
    // (path_constant::hash). The heartbeat's sink interns them as they are, so emitting with a literal builds no
    // path (a path's text longer than the small-string buffer is allocated); these defaults build it and call the
    // functions above.
    virtual result<void> emit_literal(beat_number beat, std::string_view signal, [[maybe_unused]] std::uint64_t hash,
                                      const path* target) {
        return emit(beat, path(signal), target);
    }
    virtual result<void> emit_literal_to(beat_number beat, std::string_view signal,
                                         [[maybe_unused]] std::uint64_t hash, const basic_path_table<Deferred>& paths,
                                         path_id target) {
        return emit_to(beat, path(signal), paths, target);
    }

protected:
    basic_impulse_sink() = default;
    basic_impulse_sink(const basic_impulse_sink&) = default;
    basic_impulse_sink& operator=(const basic_impulse_sink&) = default;
    ~basic_impulse_sink() = default;
};

template <access Access>
class context {
    // Dependent spellings of the tree and the staging: their members are compiled with the context that uses them
    // (see detail/lazy.hpp).
    using cell_tree = detail::lazy<context, cep::cell_tree>;
    using cell_view = detail::lazy<context, cep::cell_view>;
    using staging_area = detail::lazy<context, cep::staging_area>;
    using impulse_sink = detail::lazy<context, cep::impulse_sink>;

public:
    static constexpr cep::access access_mode = Access;
    // Mutating operations exist only for enzymes that declare read-write access; calling one from a read-only
    // enzyme fails to compile with "declared_read_write evaluated to false".
    static constexpr bool declared_read_write = Access == access::read_write;

    context(const cell_tree& committed, staging_area& stage, impulse_sink& sink, beat_number beat) noexcept
        : tree_(&committed), stage_(&stage), sink_(&sink), beat_(beat) {}
    // Copyable, not assignable: the heartbeat hands every invocation of a beat the same context object, which an
    // enzyme must not be able to repoint for the others.
    context(const context&) = default;
    context& operator=(const context&) = delete;

    // The beat being processed.
    [[nodiscard]] beat_number beat() const noexcept { return beat_; }

    // ---- reading: the committed tree (end of the previous beat) ----
    [[nodiscard]] std::optional<cell_view> find(const path& p) const { return tree_->find(p); }
    [[nodiscard]] std::optional<cell_view> find(const path_ref& p) const {
        if (p.empty()) return std::nullopt;
        if (p.table() == &tree_->paths()) return tree_->find(p.id());
        return tree_->find(p.to_path());
    }
    [[nodiscard]] std::optional<cell_view> child(const cell_view& parent, std::string_view name) const {
        return parent.child(name);
    }
    [[nodiscard]] const cell_tree& tree() const noexcept { return *tree_; }

    // ---- writing: staged for this beat, visible at the next (read-write enzymes only) ----
    result<void> put_text(const path& p, std::string_view text)
        requires declared_read_write
    {
        return stage_->put_text(p, text);
    }
    result<void> put_bytes(const path& p, std::span<const std::byte> bytes)
        requires declared_read_write
    {
        return stage_->put_bytes(p, bytes);
    }
    // Creates the dictionary `parent/name` (and missing intermediates) at commit.
    result<void> make_child(const path& parent, std::string_view name)
        requires declared_read_write
    {
        auto child = parent.child(name);
        if (!child) return child.error();
        return stage_->make_dictionary(*child);
    }
    result<void> make_list(const path& p, std::string_view entry_prefix = {})
        requires declared_read_write
    {
        return stage_->make_list(p, entry_prefix);
    }
    result<void> append_text(const path& list, std::string_view text)
        requires declared_read_write
    {
        return stage_->append_text(list, text);
    }
    result<void> remove(const path& p)
        requires declared_read_write
    {
        return stage_->remove(p);
    }
    // By interned path (paths().intern(p), or an impulse's path_ref): the text is not hashed again.
    result<void> put_text(const path_ref& p, std::string_view text)
        requires declared_read_write
    {
        if (p.table() == &tree_->paths()) return stage_->put_text(p.id(), text);
        if (p.empty()) return empty_ref("put_text");
        return stage_->put_text(p.to_path(), text);
    }
    result<void> remove(const path_ref& p)
        requires declared_read_write
    {
        if (p.table() == &tree_->paths()) return stage_->remove(p.id());
        if (p.empty()) return empty_ref("remove");
        return stage_->remove(p.to_path());
    }
    result<void> append_text(const path_ref& list, std::string_view text)
        requires declared_read_write
    {
        if (list.table() == &tree_->paths()) return stage_->append_text(list.id(), text);
        if (list.empty()) return empty_ref("append_text");
        return stage_->append_text(list.to_path(), text);
    }
    // The tree's path table, to intern the paths an enzyme writes often, once (interning adds names, not cells).
    [[nodiscard]] path_table& paths() const noexcept
        requires declared_read_write
    {
        return stage_->paths();
    }

    // Content store: stages a large payload under /cas/<sha-256 hex> and returns the digest, for outputs and
    // journals to reference instead of carrying the bytes.
    result<std::string> store_content(std::span<const std::byte> bytes)
        requires declared_read_write
    {
        std::string digest = detail::sha256::hex(bytes);
        auto staged = stage_->put_bytes(path("/cas") / digest, bytes);
        if (!staged) return staged.error();
        return digest;
    }
    result<std::string> store_content(std::string_view text)
        requires declared_read_write
    {
        return store_content(std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
    }

    // ---- emitting: an impulse for the next beat, or for a named later beat ----
    result<void> emit(const path& signal, const path& target)
        requires declared_read_write
    {
        return sink_->emit(beat_ + 1, signal, &target);
    }
    // A broadcast: no target.
    result<void> emit(const path& signal)
        requires declared_read_write
    {
        return sink_->emit(beat_ + 1, signal, nullptr);
    }
    result<void> emit_at(beat_number beat, const path& signal, const path& target)
        requires declared_read_write
    {
        return sink_->emit(beat, signal, &target);
    }
    result<void> emit_at(beat_number beat, const path& signal)
        requires declared_read_write
    {
        return sink_->emit(beat, signal, nullptr);
    }
    // To an interned target (an impulse's own target, say): its text is neither built nor hashed again. An empty
    // path_ref is an error: emit(signal) is the broadcast.
    result<void> emit(const path& signal, const path_ref& target)
        requires declared_read_write
    {
        return emit_at(beat_ + 1, signal, target);
    }
    result<void> emit_at(beat_number beat, const path& signal, const path_ref& target)
        requires declared_read_write
    {
        if (target.empty()) return empty_target();
        return sink_->emit_to(beat, signal, *target.table(), target.id());
    }
    // The same with a literal signal ("/signals/x"_path): interned by its compile-time hash, no path built, so an
    // enzyme that emits with a literal allocates nothing per impulse.
    template <fixed_string Signal>
    result<void> emit(path_constant<Signal> signal, const path& target)
        requires declared_read_write
    {
        return emit_at(beat_ + 1, signal, target);
    }
    template <fixed_string Signal>
    result<void> emit(path_constant<Signal> signal)
        requires declared_read_write
    {
        return emit_at(beat_ + 1, signal);
    }
    template <fixed_string Signal>
    result<void> emit(path_constant<Signal> signal, const path_ref& target)
        requires declared_read_write
    {
        return emit_at(beat_ + 1, signal, target);
    }
    template <fixed_string Signal>
    result<void> emit_at(beat_number beat, path_constant<Signal>, const path& target)
        requires declared_read_write
    {
        return sink_->emit_literal(beat, Signal.view(), path_constant<Signal>::hash, &target);
    }
    template <fixed_string Signal>
    result<void> emit_at(beat_number beat, path_constant<Signal>)
        requires declared_read_write
    {
        return sink_->emit_literal(beat, Signal.view(), path_constant<Signal>::hash, nullptr);
    }
    template <fixed_string Signal>
    result<void> emit_at(beat_number beat, path_constant<Signal>, const path_ref& target)
        requires declared_read_write
    {
        if (target.empty()) return empty_target();
        return sink_->emit_literal_to(beat, Signal.view(), path_constant<Signal>::hash, *target.table(), target.id());
    }

private:
    [[gnu::cold]] static error empty_target() {
        return error{errc::path_unknown_id, "emit: an empty path_ref names no target (emit(signal) broadcasts)"};
    }
    [[gnu::cold]] static error empty_ref(std::string_view doing) {
        return error{errc::path_unknown_id, std::string(doing) + ": an empty path_ref names no cell"};
    }

    const cell_tree* tree_;
    staging_area* stage_;
    impulse_sink* sink_;
    beat_number beat_;
};

using read_context = context<access::read_only>;
using write_context = context<access::read_write>;

}  // namespace cep
