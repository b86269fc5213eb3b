// The library side of the differential test: the test enzyme TYPES (a compile-time registry per variant, whose
// before/after lists must say what scenario.hpp's direct_edges() says; the driver checks it against
// registry::runs_before), each running scenario.hpp's decide() through a cep::write_context.
#pragma once

#include "scenario.hpp"

#include <cep/cep.hpp>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cep_ref::lib {

using namespace cep::literals;

// Selects every signal whose last segment equals the query's last segment (precedence 0, below cep::prefix).
struct same_leaf {
    static constexpr std::string_view name = "same_leaf";
    static constexpr int precedence = 0;
    static constexpr bool matches(std::span<const std::string_view> query, std::span<const std::string_view> signal) {
        return !query.empty() && !signal.empty() && query.back() == signal.back();
    }
};

// What the enzymes see of the run (the registry's enzymes are default-constructed by the heartbeat, so the seed
// reaches them through here; one heartbeat runs at a time).
struct read_record {
    std::uint64_t beat;
    std::string path;
    std::string text;
};
struct environment {
    std::uint64_t seed = 0;
    unsigned emit_percent = 10;
    std::vector<read_record>* reads = nullptr;  // every read of /data, for the N-in-N invariant
};
inline environment& env() {
    static environment e;
    return e;
}

inline cep::status run_enzyme(std::size_t index, const cep::impulse_ref& impulse, cep::write_context& ctx) {
    const std::string signal = impulse.signal.str();
    const std::string target = impulse.target.empty() ? std::string() : impulse.target.str();
    const action a = decide(env().seed, index, signal, target, ctx.beat(), env().emit_percent);
    if (a.write) {
        const auto cell = ctx.find(cep::path(a.read_path));
        const std::string read = cell && cell->has_value() ? std::string(cell->text()) : std::string("-");
        if (env().reads && a.read_path.starts_with("/data/")) env().reads->push_back({ctx.beat(), a.read_path, read});
        if (!ctx.put_text(cep::path(a.write_path), a.value + read)) return cep::status::fatal;
    }
    if (a.emit) {
        const cep::path s(a.emit_signal);
        const auto at = ctx.beat() + a.emit_delay;
        const auto r = a.emit_target.empty()
                           ? (a.emit_delay == 1 ? ctx.emit(s) : ctx.emit_at(at, s))
                           : (a.emit_delay == 1 ? ctx.emit(s, cep::path(a.emit_target))
                                                : ctx.emit_at(at, s, cep::path(a.emit_target)));
        if (!r) return cep::status::fatal;
    }
    switch (a.rc) {
        case outcome::success: return cep::status::success;
        case outcome::retry: return cep::status::retry;
        case outcome::fatal: return cep::status::fatal;
        case outcome::throw_std: throw std::runtime_error(a.what);
        case outcome::throw_other: throw 42;  // not a std::exception: "unknown exception"
    }
    return cep::status::fatal;
}

template <std::size_t I>
struct runs {
    cep::status operator()(const cep::impulse_ref& impulse, cep::write_context& ctx) { return run_enzyme(I, impulse, ctx); }
};

template <int V> struct alpha;
template <int V> struct beta;
template <int V> struct gamma;
template <int V> struct delta;
template <int V> struct eps;
template <int V> struct zeta;
template <int V> struct eta;
template <int V> struct cei_h;

// Variant 1: alpha < beta < gamma; zeta < eps. Variant 2: eta < alpha; zeta < delta < eps < gamma; eta < cei_h.
// Written with both before and after on purpose.
template <bool C, class L>
using when = std::conditional_t<C, L, cep::enzymes<>>;

template <int V>
struct alpha : runs<0> {
    static constexpr cep::name name = "alpha";
    static constexpr auto query = "/signals/**"_query;
    using before = when<V == 1, cep::enzymes<beta<V>>>;
    using after = when<V == 2, cep::enzymes<eta<V>>>;
};
template <int V>
struct beta : runs<1> {
    static constexpr cep::name name = "beta";
    static constexpr auto query = "/signals/in/a/*"_query;
};
template <int V>
struct gamma : runs<2> {
    static constexpr cep::name name = "gamma";
    static constexpr auto query = "/signals/in"_query;
    using match = cep::prefix;
    using after = std::conditional_t<V == 1, cep::enzymes<beta<V>>, when<V == 2, cep::enzymes<eps<V>>>>;
};
template <int V>
struct delta : runs<3> {
    static constexpr cep::name name = "delta";
    static constexpr auto query = "/signals/*/b/*"_query;
    static constexpr cep::enzyme_flags flags = cep::enzyme_flags::no_retry;
    using before = when<V == 2, cep::enzymes<eps<V>>>;
};
template <int V>
struct eps : runs<4> {
    static constexpr cep::name name = "eps";
    static constexpr auto query = "/signals/out"_query;
    using match = cep::prefix;
    using after = when<V == 1, cep::enzymes<zeta<V>>>;
};
template <int V>
struct zeta : runs<5> {
    static constexpr cep::name name = "zeta";
    static constexpr auto query = "/signals/**/x"_query;
    using before = when<V == 2, cep::enzymes<delta<V>>>;
};
template <int V>
struct eta : runs<6> {
    static constexpr cep::name name = "eta";
    static constexpr auto query = "/any/z"_query;
    using match = same_leaf;
    using before = when<V == 2, cep::enzymes<cei_h<V>>>;
};
template <int V>
struct cei_h : runs<7> {
    static constexpr cep::name name = "cei_h";
    static constexpr auto query = "/sig_cei/*"_query;
};

template <int V>
using registry = cep::enzyme_registry<alpha<V>, beta<V>, gamma<V>, delta<V>, eps<V>, zeta<V>, eta<V>, cei_h<V>>;

// The registry must be what scenario.hpp describes: names, queries and the ordering closure.
template <int V>
bool registry_matches_scenario(const std::vector<std::vector<bool>>& model_closure) {
    using R = registry<V>;
    static_assert(R::ok && R::size == enzyme_count);
    for (std::size_t i = 0; i < enzyme_count; ++i) {
        if (std::string_view(R::names[i]) != specs()[i].name || std::string_view(R::queries[i]) != specs()[i].query)
            return false;
        for (std::size_t j = 0; j < enzyme_count; ++j)
            if (R::runs_before(i, j) != model_closure[i][j]) return false;
    }
    return true;
}

}  // namespace cep_ref::lib
