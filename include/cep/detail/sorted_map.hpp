// An ordered map kept as one sorted vector of (key, value) pairs, for cep's small ordered tables (a session's
// journal, an envelope's fields, the queue's far beats, the heartbeat's wallclock). It stands in for std::map, whose
// header every translation unit would otherwise parse (about 25 ms of clang++'s second over <cep/cep.hpp>), and it
// allocates once per growth rather than once per node.
//
// What differs from std::map: an insertion or an erasure invalidates iterators and references (callers keep
// neither across one), and one in the middle moves the elements after it. Erasing from the front only moves a start
// index, compacting when the dropped part is as long as the rest, because the heartbeat and the queue drop their
// oldest entry every beat.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

namespace cep::detail {

// a < b on one type: std::less<T> without <functional> (see text_less.hpp). A key of another type converts first, as
// it would for std::map.
template <class T>
struct less_than {
    [[nodiscard]] constexpr bool operator()(const T& a, const T& b) const noexcept(noexcept(a < b)) { return a < b; }
};

template <class Key, class Value, class Less = less_than<Key>>
class sorted_map {
public:
    using key_type = Key;
    using mapped_type = Value;
    using value_type = std::pair<Key, Value>;
    using iterator = typename std::vector<value_type>::iterator;
    using const_iterator = typename std::vector<value_type>::const_iterator;

    [[nodiscard]] iterator begin() noexcept { return items_.begin() + offset(); }
    [[nodiscard]] iterator end() noexcept { return items_.end(); }
    [[nodiscard]] const_iterator begin() const noexcept { return items_.begin() + offset(); }
    [[nodiscard]] const_iterator end() const noexcept { return items_.end(); }
    [[nodiscard]] std::size_t size() const noexcept { return items_.size() - start_; }
    [[nodiscard]] bool empty() const noexcept { return size() == 0; }

    // The first entry whose key is not less than `key`.
    template <class K>
    [[nodiscard]] iterator lower_bound(const K& key) {
        return std::lower_bound(begin(), end(), key, key_less{});
    }
    template <class K>
    [[nodiscard]] const_iterator lower_bound(const K& key) const {
        return std::lower_bound(begin(), end(), key, key_less{});
    }
    template <class K>
    [[nodiscard]] iterator find(const K& key) {
        const auto it = lower_bound(key);
        return it != end() && !Less{}(key, it->first) ? it : end();
    }
    template <class K>
    [[nodiscard]] const_iterator find(const K& key) const {
        const auto it = lower_bound(key);
        return it != end() && !Less{}(key, it->first) ? it : end();
    }
    template <class K>
    [[nodiscard]] bool contains(const K& key) const {
        return find(key) != end();
    }
    // The value of `key`; std::out_of_range when there is none (as std::map::at).
    template <class K>
    [[nodiscard]] const Value& at(const K& key) const {
        const auto it = find(key);
        if (it == end()) throw std::out_of_range("cep::detail::sorted_map::at: no such key");
        return it->second;
    }

    // Inserts (key, Value(args...)) unless `key` is there; the entry and whether it was inserted. `key` becomes a
    // Key only when it is inserted.
    template <class K, class... Args>
    std::pair<iterator, bool> try_emplace(K&& key, Args&&... args) {
        const auto it = lower_bound(key);
        if (it != end() && !Less{}(key, it->first)) return {it, false};
        return {insert_at(it, Key(std::forward<K>(key)), Value(std::forward<Args>(args)...)), true};
    }
    template <class K, class V>
    std::pair<iterator, bool> insert_or_assign(K&& key, V&& value) {
        const auto it = lower_bound(key);
        if (it != end() && !Less{}(key, it->first)) {
            it->second = std::forward<V>(value);
            return {it, false};
        }
        return {insert_at(it, Key(std::forward<K>(key)), Value(std::forward<V>(value))), true};
    }
    template <class K>
    Value& operator[](K&& key) {
        return try_emplace(std::forward<K>(key)).first->second;
    }

    // Erases [first, last); the entry after them.
    iterator erase(const_iterator first, const_iterator last) {
        if (first == last) return begin() + (first - cbegin());
        if (first == cbegin()) {
            // From the front: the dropped entries give their resources back now, and stay in place until compacted.
            for (auto it = begin(); it != begin() + (last - first); ++it) *it = value_type{};
            start_ += static_cast<std::size_t>(last - first);
            if (start_ >= items_.size() - start_) compact();
            return begin();
        }
        return items_.erase(first, last);
    }
    iterator erase(const_iterator at) { return erase(at, at + 1); }
    void clear() noexcept {
        items_.clear();
        start_ = 0;
    }

private:
    struct key_less {
        template <class K>
        bool operator()(const value_type& item, const K& key) const {
            return Less{}(item.first, key);
        }
    };
    [[nodiscard]] const_iterator cbegin() const noexcept { return begin(); }
    [[nodiscard]] std::ptrdiff_t offset() const noexcept { return static_cast<std::ptrdiff_t>(start_); }
    iterator insert_at(iterator at, Key&& key, Value&& value) {
        // A dropped front slot takes an entry that goes first, rather than moving the rest.
        if (at == begin() && start_ != 0) {
            --start_;
            items_[start_] = value_type(std::move(key), std::move(value));
            return begin();
        }
        return items_.insert(at, value_type(std::move(key), std::move(value)));
    }
    void compact() {
        items_.erase(items_.begin(), items_.begin() + offset());
        start_ = 0;
    }

    std::vector<value_type> items_;
    std::size_t start_ = 0;  // items_[0, start_) were erased from the front
};

}  // namespace cep::detail
