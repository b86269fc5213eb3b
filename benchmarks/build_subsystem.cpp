// Building a 20-facet subsystem at run time (construct, verify, init in plan order, dispose in reverse), against
// a hand-written struct that does the same calls in the same order; and contract enforcement by name at run time
// (the by-name registry lookup plus the queue contract's validation) against the direct, typed call.
#include "bench_util.hpp"

#include <cep/cep.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <utility>

namespace {

int counter = 0;          // init adds, dispose subtracts: 0 at the end when every facet was disposed once
volatile int last_touched;  // a volatile write per call, so neither version folds the calls away

// Facet I: a processor (checked against the processor contract) that depends on facet I - 1.
template <int I>
struct chain_facet {
    void init() {
        counter += I;
        last_touched = I;
    }
    void dispose() {
        counter -= I;
        last_touched = -I;
    }
    bool accept(const cep::impulse&) { return true; }
    cep::status process_message(const cep::impulse&) { return cep::status::success; }
    std::size_t process_tick() { return 0; }
    cep::status process_immediately(const cep::impulse&) { return cep::status::success; }
};

template <int I>
constexpr cep::fixed_string<3> kind_of() {
    cep::fixed_string<3> k{};
    k.chars[0] = 'f';
    k.chars[1] = static_cast<char>('0' + I / 10);
    k.chars[2] = static_cast<char>('0' + I % 10);
    return k;
}

template <int I>
struct hook_for {
    using type = cep::hook<chain_facet<I>, cep::kind<kind_of<I>()>, cep::uses_contract<"processor">,
                           cep::depends_on<kind_of<I - 1>()>>;
};
template <>
struct hook_for<0> {
    using type = cep::hook<chain_facet<0>, cep::kind<kind_of<0>()>, cep::uses_contract<"processor">>;
};

// Registered in reverse, so the plan has to reorder all of them.
template <int... Is>
void build_reversed(std::integer_sequence<int, Is...>) {
    auto system = cep::build(typename hook_for<19 - Is>::type{}...);
    bench::keep(system.template get<"f07">());
}

template <int... Is>
struct hand_written {
    std::tuple<chain_facet<Is>...> facets;
    hand_written() { (std::get<Is>(facets).init(), ...); }
    ~hand_written() { dispose_reverse(std::make_integer_sequence<int, sizeof...(Is)>{}); }
    template <int... Js>
    void dispose_reverse(std::integer_sequence<int, Js...>) {
        (std::get<sizeof...(Is) - 1 - Js>(facets).dispose(), ...);
    }
};
template <int... Is>
void build_by_hand(std::integer_sequence<int, Is...>) {
    hand_written<Is...> system;
    bench::keep(std::get<7>(system.facets));
}

struct store {
    std::deque<cep::impulse> items;
    void enqueue(const cep::impulse& i) { items.push_back(i); }
};
struct queue_facet {
    std::unique_ptr<store> queue_manager = std::make_unique<store>();
    std::deque<cep::impulse>* queue = &queue_manager->items;
    std::optional<cep::impulse> select_next_message() { return std::nullopt; }
    bool has_messages_to_process() const { return false; }
    cep::queue_status get_queue_status() const { return {}; }
};

}  // namespace

int main(int argc, char** argv) {
    bench::init(argc, argv);
    constexpr auto twenty = std::make_integer_sequence<int, 20>{};
    constexpr std::size_t builds = 200000;
    const auto [built, by_hand] = bench::compare(
        builds, [&] { for (std::size_t i = 0; i < builds; ++i) build_reversed(twenty); },
        [&] { for (std::size_t i = 0; i < builds; ++i) build_by_hand(twenty); });

    queue_facet queue;
    constexpr std::size_t checks = 1 << 20;
    const auto [by_name, typed] = bench::compare(
        checks, [&] { for (std::size_t i = 0; i < checks; ++i) cep::default_contract_registry::enforce("queue", queue); },
        [&] { for (std::size_t i = 0; i < checks; ++i) cep::enforce<cep::queue_contract>(queue); });

    bench::row("build 20 facets, run time (ns/build)", built, "hand-written init/dispose", by_hand);
    bench::row("enforce(\"queue\", facet) by name (ns/call)", by_name, "enforce<queue_contract>", typed);
    return counter == 0 ? 0 : 1;
}
