// Flat hash indexes for the kernel's lookups: a 64-bit key (an exact key, or a text's hash) -> a 32-bit value, in
// one power-of-two array probed linearly. A hit is one multiply, one shift and (nearly always) one probe; adding
// allocates only when the array doubles, so interning and resolving allocate nothing per item in steady state
// (node-based std::unordered_map allocates on every insert).
#pragma once

#include <cep/detail/lazy.hpp>
#include <cep/detail/text_hash.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

namespace cep::detail {

// key -> value, where several values may share a key (text hashes collide): find() and erase() take a predicate
// that confirms a value (for exact keys, one that always says yes). Values are positions or ids, never pointers,
// so whatever they index may move.
template <class Deferred = void>
class basic_flat_index;
// A template only so that its members are compiled where they are used (see lazy.hpp).
using flat_index = basic_flat_index<>;

template <class Deferred>
class basic_flat_index {
public:
    static constexpr std::uint32_t absent = 0xffffffffu;

    basic_flat_index() = default;
    basic_flat_index(basic_flat_index&& other) noexcept
        : slots_(std::exchange(other.slots_, nullptr)),
          mask_(std::exchange(other.mask_, 0)),
          shift_(std::exchange(other.shift_, 64)),
          size_(std::exchange(other.size_, 0)) {}
    basic_flat_index& operator=(basic_flat_index&& other) noexcept {
        if (this == &other) return *this;
        delete[] slots_;
        slots_ = std::exchange(other.slots_, nullptr);
        mask_ = std::exchange(other.mask_, 0);
        shift_ = std::exchange(other.shift_, 64);
        size_ = std::exchange(other.size_, 0);
        return *this;
    }
    basic_flat_index(const basic_flat_index& other)
        : slots_(other.slots_ ? new slot[other.slots()] : nullptr),
          mask_(other.mask_),
          shift_(other.shift_),
          size_(other.size_) {
        if (slots_) std::memcpy(static_cast<void*>(slots_), other.slots_, slots() * sizeof(slot));
    }
    ~basic_flat_index() { delete[] slots_; }
    basic_flat_index& operator=(const basic_flat_index& other) {
        if (this != &other) *this = basic_flat_index(other);
        return *this;
    }

    template <class Confirms>
    [[nodiscard]] std::uint32_t find(std::uint64_t key, Confirms&& confirms) const noexcept {
        if (size_ == 0) return absent;
        for (std::size_t at = home(key);; at = (at + 1) & mask_) {
            const slot& s = slots_[at];
            if (s.value == absent) return absent;
            if (s.key == key && confirms(s.value)) return s.value;
        }
    }
    [[nodiscard, gnu::always_inline]] std::uint32_t find(std::uint64_t key) const noexcept {
        return find(key, [](std::uint32_t) { return true; });
    }
    // Precondition: no confirmed value under this key yet.
    void insert(std::uint64_t key, std::uint32_t value) {
        // mask_ + 1 is the capacity; with no array, mask_ is 0, so the first insert grows.
        if ((size_ + 1) * 4 > (mask_ + 1) * 3) grow();
        place(key, value);
        ++size_;
    }
    // Removes the confirmed value under `key`; false when there is none. Later slots of the probe run move back,
    // so no tombstones accumulate.
    template <class Confirms>
    bool erase(std::uint64_t key, Confirms&& confirms) noexcept {
        if (size_ == 0) return false;
        std::size_t at = home(key);
        for (;; at = (at + 1) & mask_) {
            if (slots_[at].value == absent) return false;
            if (slots_[at].key == key && confirms(slots_[at].value)) break;
        }
        for (std::size_t next = (at + 1) & mask_;; next = (next + 1) & mask_) {
            if (slots_[next].value == absent) break;
            const std::size_t wanted = home(slots_[next].key);
            // Move back the slot at `next` when its home is not in (at, next] (cyclically).
            const bool stays = at <= next ? (at < wanted && wanted <= next) : (at < wanted || wanted <= next);
            if (stays) continue;
            slots_[at] = slots_[next];
            at = next;
        }
        slots_[at].value = absent;
        --size_;
        return true;
    }
    bool erase(std::uint64_t key) noexcept {
        return erase(key, [](std::uint32_t) { return true; });
    }
    void clear() noexcept {
        if (slots_) fill_absent(slots_, slots());  // keeps the array: no allocation when it fills up again
        size_ = 0;
    }
    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    // The slots of the array (what clear() walks).
    [[nodiscard]] std::size_t slots() const noexcept { return slots_ == nullptr ? 0 : mask_ + 1; }

private:
    // No member initializers: a new array is filled by fill_absent(), one memset, where constructing slot by slot
    // cost a loop of stores per slot (a third of what a growing index spent, by callgrind).
    struct slot {
        std::uint64_t key;
        std::uint32_t value;
    };
    static_assert(std::is_trivially_copyable_v<slot> && absent == 0xffffffffu);
    // Every byte 0xff: value == absent (the key of an absent slot is never read).
    static void fill_absent(slot* slots, std::size_t count) noexcept {
        std::memset(static_cast<void*>(slots), 0xff, count * sizeof(slot));
    }
    [[nodiscard]] std::size_t home(std::uint64_t key) const noexcept {
        return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> shift_);
    }
    void place(std::uint64_t key, std::uint32_t value) noexcept {
        std::size_t at = home(key);
        while (slots_[at].value != absent) at = (at + 1) & mask_;
        slots_[at] = slot{key, value};
    }
    [[gnu::noinline]] void grow() {  // out of line: inlined, it made every insert save and restore registers
        const std::size_t old_capacity = slots();
        const std::size_t capacity = old_capacity == 0 ? 64 : old_capacity * 2;
        slot* const fresh = new slot[capacity];  // not initialized (slot has no initializers): filled next
        fill_absent(fresh, capacity);
        slot* const old = std::exchange(slots_, fresh);
        mask_ = capacity - 1;
        shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
        for (std::size_t k = 0; k < old_capacity; ++k)
            if (old[k].value != absent) place(old[k].key, old[k].value);
        delete[] old;
    }

    // mask_ + 1 slots, or none. Owned by hand: <memory> for a unique_ptr would add a sixth to what cep.hpp parses.
    slot* slots_ = nullptr;
    std::size_t mask_ = 0;
    unsigned shift_ = 64;
    std::size_t size_ = 0;
};

// An exact key (an id, or two ids in one word) -> Value, for the resolver's caches: values side by side in a
// vector, found through a flat_index. References returned stay valid until the next add() or clear().
template <class Value>
class flat_map {
public:
    [[nodiscard]] Value* find(std::uint64_t key) noexcept {
        const auto at = index_.find(key);
        return at == flat_index::absent ? nullptr : &values_[at];
    }
    [[nodiscard]] const Value* find(std::uint64_t key) const noexcept {
        const auto at = index_.find(key);
        return at == flat_index::absent ? nullptr : &values_[at];
    }
    // Where the value of `key` sits (flat_index::absent: nowhere): positions count add() calls since clear().
    [[nodiscard]] std::uint32_t position_of(std::uint64_t key) const noexcept { return index_.find(key); }
    [[nodiscard]] const Value& at(std::uint32_t position) const noexcept { return values_[position]; }
    // Precondition: `key` is not in the map.
    Value& add(std::uint64_t key, Value value) {
        index_.insert(key, static_cast<std::uint32_t>(values_.size()));
        values_.push_back(std::move(value));
        return values_.back();
    }
    Value& find_or_add(std::uint64_t key) {
        if (Value* known = find(key)) return *known;
        return add(key, Value{});
    }
    // Forgets `key` (its value stays in place, unreachable, until clear(): positions of others do not move).
    void forget(std::uint64_t key) noexcept { (void)index_.erase(key); }
    void clear() noexcept {
        index_.clear();
        values_.clear();
    }
    [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }

private:
    lazy<Value, flat_index> index_;
    std::vector<Value> values_;
};

}  // namespace cep::detail
