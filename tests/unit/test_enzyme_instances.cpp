// The heartbeat's enzyme instances (one of each enzyme type, in one flat buffer), and registries larger than the
// limits that bit before: clang nests a fold expression's operands and stops at 256, and sorting a thousand names
// by plain string comparison exceeded clang's constant-evaluation budget.
#include <cep/dispatch.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace cep::literals;

namespace {

// ---- lifetime: built in registration order, destroyed in reverse, rolled back when a constructor throws ----
std::vector<std::string>& events() {
    static std::vector<std::string> log;
    return log;
}
bool throw_in_second = false;

template <int I>
struct tracked {
    tracked() {
        if (I == 2 && throw_in_second) throw std::runtime_error("second enzyme refuses");
        events().push_back("make " + std::to_string(I));
    }
    tracked(const tracked&) = delete;
    tracked& operator=(const tracked&) = delete;
    ~tracked() { events().push_back("drop " + std::to_string(I)); }
    int value = I * 10;
};

struct alignas(64) wide {
    std::array<std::uint64_t, 8> lanes{1, 2, 3, 4, 5, 6, 7, 8};
};
struct narrow {
    char c = 'n';
};

}  // namespace

TEST_CASE("enzyme instances are built in registration order and destroyed in reverse") {
    events().clear();
    throw_in_second = false;
    {
        cep::detail::enzyme_instances<tracked<1>, tracked<2>, tracked<3>> instances;
        CHECK(events() == std::vector<std::string>{"make 1", "make 2", "make 3"});
        CHECK(instances.get<tracked<2>, 1>().value == 20);
        instances.get<tracked<3>, 2>().value = 7;
        CHECK(instances.get<tracked<3>, 2>().value == 7);  // the same object each time
    }
    CHECK(events() == std::vector<std::string>{"make 1", "make 2", "make 3", "drop 3", "drop 2", "drop 1"});
}

TEST_CASE("a throwing enzyme constructor destroys the instances already built, and nothing else") {
    events().clear();
    throw_in_second = true;
    using instances_type = cep::detail::enzyme_instances<tracked<1>, tracked<2>, tracked<3>>;
    CHECK_THROWS_WITH(instances_type{}, "second enzyme refuses");
    CHECK(events() == std::vector<std::string>{"make 1", "drop 1"});
    throw_in_second = false;
}

TEST_CASE("enzyme instances keep each type's alignment") {
    cep::detail::enzyme_instances<narrow, wide, narrow, wide> instances;
    auto& first = instances.get<wide, 1>();
    auto& second = instances.get<wide, 3>();
    CHECK(reinterpret_cast<std::uintptr_t>(&first) % 64 == 0);
    CHECK(reinterpret_cast<std::uintptr_t>(&second) % 64 == 0);
    CHECK(&first != &second);
    CHECK(first.lanes[7] == 8);
    CHECK(instances.get<narrow, 0>().c == 'n');
    CHECK(instances.get<narrow, 2>().c == 'n');
    second.lanes[0] = 99;
    CHECK(first.lanes[0] == 1);  // distinct objects, no overlap
}

// ---- a registry of 300 enzymes: past clang's fold limit of 256 ----
namespace {

template <int I>
constexpr cep::fixed_string<5> numbered_label() {
    cep::fixed_string<5> s{};
    s.chars[0] = 'e';
    s.chars[1] = static_cast<char>('0' + I / 1000 % 10);
    s.chars[2] = static_cast<char>('0' + I / 100 % 10);
    s.chars[3] = static_cast<char>('0' + I / 10 % 10);
    s.chars[4] = static_cast<char>('0' + I % 10);
    return s;
}

// An enzyme whose constructor throws for I == 2 while throw_in_second is set.
template <int I>
struct fragile : tracked<I> {
    static constexpr cep::fixed_string<5> label_text = numbered_label<I>();
    static constexpr cep::name name = label_text;
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

std::vector<int>& calls() {
    static std::vector<int> log;
    return log;
}

// The enzyme numbered<I> that fails (status::fatal), if any.
int failing_enzyme = -1;

// Enzyme I answers /signals/tick; every one is read-only and records its index when it runs.
template <int I>
struct numbered {
    static constexpr cep::fixed_string<5> label_text = numbered_label<I>();
    static constexpr cep::name name = label_text;
    static constexpr auto query = "/signals/tick"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) {
        calls().push_back(I);
        ++runs;
        return I == failing_enzyme ? cep::status::fatal : cep::status::success;
    }
    int runs = 0;
};

// Registered in reverse index order, so registration order and name order differ.
template <int... Is>
auto reversed_registry(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<numbered<299 - Is>...>;
using large = decltype(reversed_registry(std::make_integer_sequence<int, 300>{}));

// 64 enzymes, registry index = I: the largest registry whose agendas run in the threaded loop
// (agenda_processor::run_intake(), one label per registry index).
template <int... Is>
auto forward_registry(std::integer_sequence<int, Is...>) -> cep::enzyme_registry<numbered<Is>...>;
using sixty_four = decltype(forward_registry(std::make_integer_sequence<int, 64>{}));

}  // namespace

TEST_CASE("a registry of 300 enzymes is checked, and runs its agendas in name order") {
    static_assert(large::size == 300);
    static_assert(large::ok);
    static_assert(large::index_of<numbered<0>>() == 299);
    static_assert(large::query_segments(0).size() == 2);
    static_assert(large::query_segments(299)[1] == "tick");
    static_assert(large::name_rank[299] == 0 && large::name_rank[0] == 299);  // registered in reverse
    static_assert(large::name_rank[150] == 149);

    cep::heartbeat<large> hb;
    hb.register_all();
    // Bound in an order that is neither registration order nor name order.
    for (const std::string_view name : {"e0150", "e0007", "e0299", "e0000", "e0201"})
        hb.bind("/a"_path, name, cep::propagate).value();
    hb.step();
    calls().clear();
    REQUIRE(hb.enqueue("/signals/tick"_path, "/a/b"_path));
    hb.step();
    CHECK(calls() == std::vector<int>{0, 7, 150, 201, 299});  // equal specificity and precedence: by name
    CHECK(hb.enzyme<numbered<150>>().runs == 1);
    CHECK(hb.enzyme<numbered<151>>().runs == 0);  // registered, not bound
}

TEST_CASE("a registry of 300 enzymes: every enzyme bound runs, as itself, through each block of the agenda loop's switch") {
    // With the ledger off (the loop for agendas nothing watches; the test above has the ledger on: the watched
    // loop), the agenda loop jumps to registry indices 0-63 through its table of labels, and dispatches the others
    // by a switch in blocks of 64 (enzyme_instances::dispatch). With all 300 bound, every label and every case of
    // the blocks past the first runs once, and each must call its own enzyme.
    cep::heartbeat<large> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    for (const std::string_view name : large::names) hb.bind("/a"_path, name, cep::propagate).value();
    hb.step();
    calls().clear();
    REQUIRE(hb.enqueue("/signals/tick"_path, "/a/b"_path));
    hb.step();
    std::vector<int> every(300);
    for (int i = 0; i < 300; ++i) every[static_cast<std::size_t>(i)] = i;
    CHECK(calls() == every);  // by name: e0000 .. e0299
    CHECK(hb.enzyme<numbered<0>>().runs == 1);    // registry index 299, the last block
    CHECK(hb.enzyme<numbered<236>>().runs == 1);  // index 63, the last case of the first block
    CHECK(hb.enzyme<numbered<235>>().runs == 1);  // index 64, the first case of the second
}

TEST_CASE("a registry of 64 enzymes: each runs as itself in the threaded agenda loop; a failure lets the rest run") {
    // With the ledger off and no retry pending, agendas run in the threaded loop, which jumps from each enzyme's
    // invocation to the next step's label. Every label must call its own enzyme, and a step that fails (first,
    // midway, last) must leave the agenda's later steps to run.
    cep::heartbeat<sixty_four> hb(cep::heartbeat_policy{.ensure_directories = false});
    hb.register_all();
    for (const std::string_view name : sixty_four::names) hb.bind("/a"_path, name, cep::propagate).value();
    hb.step();
    std::vector<int> every(64);
    for (int i = 0; i < 64; ++i) every[static_cast<std::size_t>(i)] = i;
    int target = 0;
    for (const int fails : {-1, 0, 31, 63}) {
        CAPTURE(fails);
        failing_enzyme = fails;
        calls().clear();
        REQUIRE(hb.enqueue("/signals/tick"_path, cep::path("/a/t" + std::to_string(target++))));
        CHECK(hb.step() == (fails < 0));  // false: an invocation failed
        CHECK(calls() == every);
    }
    failing_enzyme = -1;
    CHECK(hb.enzyme<numbered<0>>().runs == 4);
    CHECK(hb.enzyme<numbered<63>>().runs == 4);
}

TEST_CASE("a heartbeat whose enzyme constructor throws throws, after destroying the enzymes already built") {
    using registry = cep::enzyme_registry<fragile<1>, fragile<2>, fragile<3>>;
    events().clear();
    throw_in_second = true;
    CHECK_THROWS_WITH(cep::heartbeat<registry>{}, "second enzyme refuses");
    CHECK(events() == std::vector<std::string>{"make 1", "drop 1"});
    throw_in_second = false;
    events().clear();
    {
        cep::heartbeat<registry> hb;
        CHECK(events() == std::vector<std::string>{"make 1", "make 2", "make 3"});
    }
    CHECK(events() == std::vector<std::string>{"make 1", "make 2", "make 3", "drop 3", "drop 2", "drop 1"});
}

// ---- names in text order within clang's constant-evaluation budget ----
namespace {

constexpr std::size_t many = 1024;
// "n0000".."n1023", laid out in one array so the views can be constant.
constexpr auto many_texts = [] {
    std::array<std::array<char, 5>, many> texts{};
    for (std::size_t i = 0; i < many; ++i) {
        texts[i] = {'n', static_cast<char>('0' + i / 1000 % 10), static_cast<char>('0' + i / 100 % 10),
                    static_cast<char>('0' + i / 10 % 10), static_cast<char>('0' + i % 10)};
    }
    return texts;
}();
constexpr std::array<std::string_view, many> many_names = [] {
    std::array<std::string_view, many> names{};
    for (std::size_t i = 0; i < many; ++i) names[i] = std::string_view(many_texts[many - 1 - i].data(), 5);
    return names;
}();

}  // namespace

TEST_CASE("duplicate names are found among 1024 at compile time") {
    static_assert(cep::detail::first_duplicate(many_names).first == many);
    static_assert(cep::detail::first_duplicate(many_names).second == many);
    constexpr auto with_duplicate = [] {
        auto names = many_names;
        names[900] = names[700];
        names[1000] = names[3];
        return names;
    }();
    // The duplicate whose second occurrence comes first.
    static_assert(cep::detail::first_duplicate(with_duplicate).first == 700);
    static_assert(cep::detail::first_duplicate(with_duplicate).second == 900);
    CHECK(cep::detail::first_duplicate(with_duplicate).second == 900);  // and at run time
}

TEST_CASE("duplicate names: the scan of a few names and the sort of more give the same answer") {
    // Three duplicated names; the one whose second occurrence comes first is "y", at 5 and 7 (and again at 11).
    static constexpr std::array<std::string_view, 16> sixteen{"a", "b", "x", "z",  "c", "y", "d", "y",
                                                              "e", "x", "f", "y",  "z", "g", "h", "i"};
    static constexpr auto seventeen = [] {  // the same, past the scan's limit
        std::array<std::string_view, 17> names{};
        for (std::size_t i = 0; i < 16; ++i) names[i] = sixteen[i];
        names[16] = "j";
        return names;
    }();
    STATIC_REQUIRE(cep::detail::first_duplicate(sixteen).first == 5);
    STATIC_REQUIRE(cep::detail::first_duplicate(sixteen).second == 7);
    STATIC_REQUIRE(cep::detail::first_duplicate(seventeen).first == 5);
    STATIC_REQUIRE(cep::detail::first_duplicate(seventeen).second == 7);
    static constexpr std::array<std::string_view, 3> none{"a", "b", "c"};
    STATIC_REQUIRE(cep::detail::first_duplicate(none).first == 3);
    STATIC_REQUIRE(cep::detail::first_duplicate(none).second == 3);
}

TEST_CASE("name order compares beyond the first eight characters") {
    static constexpr std::array<std::string_view, 6> names{"abcdefgh_b", "abcdefgh_a", "abcdefgh", "abc", "abcdefgh_a", "b"};
    constexpr cep::detail::name_order<6> order(names);
    STATIC_REQUIRE(order.less(1, 0));   // differ after eight characters
    STATIC_REQUIRE(!order.less(0, 1));
    STATIC_REQUIRE(order.less(2, 1));   // a prefix comes first
    STATIC_REQUIRE(order.less(3, 2));   // shorter than eight characters
    STATIC_REQUIRE(order.equal(1, 4));  // the same text
    STATIC_REQUIRE(order.less(0, 5));   // the first character decides
    STATIC_REQUIRE(cep::detail::first_duplicate(names).first == 1);
    STATIC_REQUIRE(cep::detail::first_duplicate(names).second == 4);
}
