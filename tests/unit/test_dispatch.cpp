// Layer 0, compile-time part: match policies, enzyme types and descriptors, the context, the static registry.
#include <cep/detail/sha256.hpp>
#include <cep/dispatch.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

using namespace cep::literals;

// ---- match policies ----

TEST_CASE("exact matches the whole signal path, with '*' and '**' in the query") {
    STATIC_REQUIRE(cep::match_policy<cep::exact>);
    STATIC_REQUIRE(cep::policy_matches<cep::exact>("/signals/image/thumbnail", "/signals/image/thumbnail"));
    STATIC_REQUIRE(cep::policy_matches<cep::exact>("/signals/image/*", "/signals/image/thumbnail"));
    STATIC_REQUIRE(cep::policy_matches<cep::exact>("/signals/**", "/signals/image/thumbnail"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<cep::exact>("/signals/image", "/signals/image/thumbnail"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<cep::exact>("/signals/image/thumbnail", "/signals/image"));
    CHECK(cep::policy_matches<cep::exact>("/env/fs/projects/*", "/env/fs/projects/p1"));
}

TEST_CASE("prefix matches the signal path or any path below it") {
    STATIC_REQUIRE(cep::match_policy<cep::prefix>);
    STATIC_REQUIRE(cep::policy_matches<cep::prefix>("/signals/image", "/signals/image"));
    STATIC_REQUIRE(cep::policy_matches<cep::prefix>("/signals/image", "/signals/image/thumbnail"));
    STATIC_REQUIRE(cep::policy_matches<cep::prefix>("/signals/*", "/signals/db/write"));
    STATIC_REQUIRE(cep::policy_matches<cep::prefix>("/", "/anything"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<cep::prefix>("/signals/image", "/signals/imagery"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<cep::prefix>("/signals/image", "/signals"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<cep::prefix>("/a/*/c", "/a/b"));
    STATIC_REQUIRE(cep::exact::precedence > cep::prefix::precedence);
}

namespace {
// A user policy: the signal's last segment must equal the query's last segment.
struct same_leaf {
    static constexpr std::string_view name = "same_leaf";
    static constexpr int precedence = 0;
    static constexpr bool matches(std::span<const std::string_view> query, std::span<const std::string_view> signal) {
        return !query.empty() && !signal.empty() && query.back() == signal.back();
    }
};
struct not_a_policy {
    static constexpr std::string_view name = "nope";
};
}  // namespace

TEST_CASE("a user policy satisfies cep::match_policy") {
    STATIC_REQUIRE(cep::match_policy<same_leaf>);
    STATIC_REQUIRE_FALSE(cep::match_policy<not_a_policy>);
    STATIC_REQUIRE(cep::policy_matches<same_leaf>("/x/write", "/signals/db/write"));
    STATIC_REQUIRE_FALSE(cep::policy_matches<same_leaf>("/x/write", "/signals/db/read"));
}

// ---- enzymes ----

namespace {
struct write_metadata;
struct audit;

struct resize_image {
    static constexpr cep::name name = "resize_image";
    static constexpr auto query = "/signals/image/thumbnail"_query;
    using before = cep::enzymes<write_metadata>;
    int calls = 0;  // enzymes may keep state
    cep::status operator()(const cep::impulse_ref&, cep::write_context& ctx) {
        ++calls;
        return ctx.put_text(cep::path("/data/thumbnail"), "bytes") ? cep::status::success : cep::status::fatal;
    }
};
struct write_metadata {
    static constexpr cep::name name = "write_metadata";
    static constexpr auto query = "/signals/image/*"_query;
    using before = cep::enzymes<audit>;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
struct audit {
    static constexpr cep::name name = "audit";
    static constexpr auto query = "/signals"_query;
    using match = cep::prefix;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
};

cep::status count_bytes(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
cep::status store(const cep::impulse_ref&, cep::write_context&) { return cep::status::retry; }
using count_enzyme = cep::enzyme<"count_bytes", "/signals/**", &count_bytes, cep::prefix, cep::runs_after<audit>>;
using store_enzyme = cep::enzyme<"store", "/signals/db/write", &store, cep::runs_before<audit, count_enzyme>>;

struct no_call {
    static constexpr cep::name name = "no_call";
    static constexpr auto query = "/a"_query;
};
struct wrong_context {
    static constexpr cep::name name = "wrong_context";
    static constexpr auto query = "/a"_query;
    static constexpr cep::access access = cep::access::read_only;
    cep::status operator()(const cep::impulse_ref&, cep::write_context&) { return cep::status::success; }
};
}  // namespace

TEST_CASE("an enzyme type: traits with defaults filled in") {
    STATIC_REQUIRE(cep::enzyme_type<resize_image>);
    using traits = cep::enzyme_traits<resize_image>;
    STATIC_REQUIRE(traits::name == "resize_image");
    STATIC_REQUIRE(traits::query == "/signals/image/thumbnail");
    STATIC_REQUIRE(std::is_same_v<traits::match, cep::exact>);
    STATIC_REQUIRE(std::is_same_v<traits::before, cep::enzymes<write_metadata>>);
    STATIC_REQUIRE(std::is_same_v<traits::after, cep::enzymes<>>);
    STATIC_REQUIRE(traits::mode == cep::access::read_write);
    STATIC_REQUIRE(cep::enzyme_traits<audit>::mode == cep::access::read_only);
    STATIC_REQUIRE(std::is_same_v<cep::enzyme_traits<audit>::context_type, cep::read_context>);
}

TEST_CASE("non-conforming types are not enzymes") {
    STATIC_REQUIRE_FALSE(cep::enzyme_type<no_call>);
    STATIC_REQUIRE_FALSE(cep::enzyme_type<wrong_context>);  // read-only enzymes take a read_context
    STATIC_REQUIRE_FALSE(cep::enzyme_type<int>);
}

TEST_CASE("cep::enzyme builds an enzyme from a plain function") {
    STATIC_REQUIRE(cep::enzyme_type<count_enzyme>);
    STATIC_REQUIRE(cep::enzyme_traits<count_enzyme>::name == "count_bytes");
    STATIC_REQUIRE(cep::enzyme_traits<count_enzyme>::query == "/signals/**");
    STATIC_REQUIRE(cep::enzyme_traits<count_enzyme>::mode == cep::access::read_only);  // from the context type
    STATIC_REQUIRE(std::is_same_v<cep::enzyme_traits<count_enzyme>::match, cep::prefix>);
    STATIC_REQUIRE(std::is_same_v<cep::enzyme_traits<count_enzyme>::after, cep::enzymes<audit>>);
    STATIC_REQUIRE(std::is_same_v<cep::enzyme_traits<store_enzyme>::before, cep::enzymes<audit, count_enzyme>>);
    STATIC_REQUIRE(std::is_same_v<cep::enzyme_traits<store_enzyme>::match, cep::exact>);
    STATIC_REQUIRE(cep::enzyme_traits<store_enzyme>::mode == cep::access::read_write);
}

// ---- the context ----

namespace {
struct recording_sink final : cep::impulse_sink {
    std::vector<std::string> emitted;
    cep::beat_number now = 0;
    cep::result<void> emit(cep::beat_number beat, const cep::path& signal, const cep::path* target) override {
        if (beat <= now) return cep::error{cep::errc::beat_in_past, "beat in the past"};
        emitted.push_back(std::to_string(beat) + " " + signal.str() + " " + (target ? target->str() : "-"));
        return {};
    }
};
}  // namespace

TEST_CASE("a context reads the committed tree and stages writes for the next beat") {
    cep::cell_tree tree;
    tree.put_text("/data/old"_path, "committed").value();
    cep::staging_area stage(tree);
    recording_sink sink;
    sink.now = 7;
    cep::write_context ctx(tree, stage, sink, 7);
    CHECK(ctx.beat() == 7);
    CHECK(ctx.find("/data/old"_path)->text() == "committed");
    const cep::path_ref old_ref(tree.paths(), tree.paths().intern("/data/old"_path));
    CHECK(ctx.find(old_ref)->text() == "committed");
    REQUIRE(ctx.put_text("/data/new"_path, "staged").has_value());
    REQUIRE(ctx.make_child("/data"_path, "dir").has_value());
    CHECK(ctx.make_child("/data"_path, "bad name").error().code == cep::errc::path_space);
    REQUIRE(ctx.make_list("/data/log"_path).has_value());
    REQUIRE(ctx.append_text("/data/log"_path, "one").has_value());
    CHECK_FALSE(ctx.find("/data/new"_path).has_value());  // not visible in the same beat
    REQUIRE(ctx.emit("/signals/db/write"_path, "/data/new"_path).has_value());
    REQUIRE(ctx.emit_at(10, "/signals/later"_path, "/data"_path).has_value());
    CHECK_FALSE(ctx.emit_at(7, "/signals/now"_path, "/data"_path).has_value());
    REQUIRE(ctx.emit("/signals/everyone"_path).has_value());
    REQUIRE(ctx.emit_at(9, "/signals/everyone"_path).has_value());
    CHECK(sink.emitted == std::vector<std::string>{"8 /signals/db/write /data/new", "10 /signals/later /data",
                                                   "8 /signals/everyone -", "9 /signals/everyone -"});
    REQUIRE(stage.commit().ok());
    CHECK(tree.find("/data/new"_path)->text() == "staged");
    CHECK(tree.find("/data/dir"_path)->is_dictionary());
    CHECK(tree.find("/data/log/1"_path)->text() == "one");
}

namespace {
template <class Context>
constexpr bool can_put = requires(Context& c) { c.put_text(cep::path(), "x"); };
template <class Context>
constexpr bool can_emit = requires(Context& c) { c.emit(cep::path(), cep::path()); };
// Literal signals spelled cep::path_c<...>: clang++ 14 crashes on "..."_path inside these requires-expressions.
template <class Context>
constexpr bool can_emit_literal = requires(Context& c, const cep::path_ref& p) {
    c.emit(cep::path_c<"/signals/x">, cep::path());
    c.emit(cep::path_c<"/signals/x">, p);
    c.emit(cep::path_c<"/signals/x">);
    c.emit_at(2, cep::path_c<"/signals/x">, cep::path());
    c.emit_at(2, cep::path_c<"/signals/x">, p);
    c.emit_at(2, cep::path_c<"/signals/x">);
};
template <class Context>
constexpr bool can_emit_literal_to_path = requires(Context& c) { c.emit(cep::path_c<"/signals/x">, cep::path()); };
template <class Context>
constexpr bool can_emit_literal_to_ref = requires(Context& c, const cep::path_ref& p) { c.emit(cep::path_c<"/signals/x">, p); };
template <class Context>
constexpr bool can_broadcast_literal = requires(Context& c) { c.emit_at(2, cep::path_c<"/signals/x">); };
template <class Context>
constexpr bool can_remove = requires(Context& c) { c.remove(cep::path()); };
template <class Context>
constexpr bool can_find = requires(Context& c) { c.find(cep::path()); };
template <class Context>
constexpr bool can_put_by_ref = requires(Context& c, const cep::path_ref& p) { c.put_text(p, "x"); };
template <class Context>
constexpr bool can_remove_by_ref = requires(Context& c, const cep::path_ref& p) { c.remove(p); };
template <class Context>
constexpr bool can_append_by_ref = requires(Context& c, const cep::path_ref& p) { c.append_text(p, "x"); };
template <class Context>
constexpr bool can_intern = requires(Context& c) { c.paths(); };
}  // namespace

TEST_CASE("a read-only context has no mutating operations") {
    STATIC_REQUIRE(can_put<cep::write_context>);
    STATIC_REQUIRE(can_emit<cep::write_context>);
    STATIC_REQUIRE(can_remove<cep::write_context>);
    STATIC_REQUIRE_FALSE(can_put<cep::read_context>);
    STATIC_REQUIRE_FALSE(can_emit<cep::read_context>);
    STATIC_REQUIRE(can_emit_literal<cep::write_context>);  // a literal signal: no path built (see test_allocations)
    STATIC_REQUIRE_FALSE(can_emit_literal_to_path<cep::read_context> || can_emit_literal_to_ref<cep::read_context> ||
                         can_broadcast_literal<cep::read_context>);
    STATIC_REQUIRE_FALSE(can_remove<cep::read_context>);
    STATIC_REQUIRE(can_find<cep::read_context>);
    STATIC_REQUIRE(can_put_by_ref<cep::write_context> && can_remove_by_ref<cep::write_context>);
    STATIC_REQUIRE(can_intern<cep::write_context>);
    STATIC_REQUIRE_FALSE(can_put_by_ref<cep::read_context> || can_remove_by_ref<cep::read_context>);
    STATIC_REQUIRE(can_append_by_ref<cep::write_context>);
    STATIC_REQUIRE_FALSE(can_append_by_ref<cep::read_context>);
    STATIC_REQUIRE_FALSE(can_intern<cep::read_context>);
}

TEST_CASE("a context writes by path_ref: by id in its own table, by text from another, and refuses an empty one") {
    cep::cell_tree tree;
    tree.put_text("/data/old"_path, "committed").value();
    cep::staging_area stage(tree);
    recording_sink sink;
    cep::write_context ctx(tree, stage, sink, 3);
    const cep::path_ref mine(ctx.paths(), ctx.paths().intern("/data/mine"_path));
    REQUIRE(ctx.put_text(mine, "by id").has_value());
    cep::path_table elsewhere;  // e.g. a path_ref kept from another heartbeat's impulse
    const cep::path_ref theirs(elsewhere, elsewhere.intern("/data/theirs"_path));
    REQUIRE(ctx.put_text(theirs, "by text").has_value());
    REQUIRE(ctx.remove(cep::path_ref(ctx.paths(), ctx.paths().intern("/data/old"_path))).has_value());
    tree.make_list("/data/log"_path).value();
    REQUIRE(ctx.append_text(cep::path_ref(ctx.paths(), ctx.paths().intern("/data/log"_path)), "mine").has_value());
    REQUIRE(ctx.append_text(cep::path_ref(elsewhere, elsewhere.intern("/data/log"_path)), "theirs").has_value());
    CHECK(ctx.append_text(cep::path_ref{}, "x").error().message == "append_text: an empty path_ref names no cell");
    const auto empty = ctx.put_text(cep::path_ref{}, "nowhere");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == cep::errc::path_unknown_id);
    CHECK(empty.error().message == "put_text: an empty path_ref names no cell");
    CHECK(ctx.remove(cep::path_ref{}).error().message == "remove: an empty path_ref names no cell");
    // Emits: a sink that implements only emit(beat, signal, path*) receives the path written out.
    sink.now = 3;
    REQUIRE(ctx.emit("/signals/x"_path, mine).has_value());
    REQUIRE(ctx.emit_at(9, "/signals/y"_path, theirs).has_value());
    CHECK(sink.emitted == std::vector<std::string>{"4 /signals/x /data/mine", "9 /signals/y /data/theirs"});
    CHECK(ctx.emit("/signals/x"_path, cep::path_ref{}).error().code == cep::errc::path_unknown_id);
    CHECK(ctx.find("/data/old"_path)->text() == "committed");  // staged: the next beat sees the changes
    REQUIRE(stage.commit().ok());
    CHECK(tree.find("/data/mine"_path)->text() == "by id");
    CHECK(tree.find("/data/theirs"_path)->text() == "by text");
    CHECK(tree.find("/data/log/1"_path)->text() == "mine");
    CHECK(tree.find("/data/log/2"_path)->text() == "theirs");
    CHECK_FALSE(tree.find("/data/old"_path).has_value());
}

// ---- the registry ----

namespace {
using registry = cep::enzyme_registry<audit, resize_image, write_metadata, count_enzyme, store_enzyme>;
}

TEST_CASE("the registry lists names, queries and specificity in registration order") {
    STATIC_REQUIRE(registry::ok);
    STATIC_REQUIRE(registry::size == 5);
    CHECK(std::vector<std::string_view>(registry::names.begin(), registry::names.end()) ==
          std::vector<std::string_view>{"audit", "resize_image", "write_metadata", "count_bytes", "store"});
    STATIC_REQUIRE(registry::specificity[1] == 3);
    STATIC_REQUIRE(registry::specificity[2] == 2);
    STATIC_REQUIRE(registry::specificity[3] == 1);
    STATIC_REQUIRE(registry::index_of<write_metadata>() == 2);
    STATIC_REQUIRE(registry::index_of("store") == 4);
    STATIC_REQUIRE(registry::index_of("unknown") == registry::size);
    STATIC_REQUIRE(registry::contains<audit>);
    STATIC_REQUIRE_FALSE(registry::contains<no_call>);
    STATIC_REQUIRE(registry::access_modes[0] == cep::access::read_only);
}

TEST_CASE("the ordering closure is transitive, also through enzymes not on an agenda") {
    // resize_image -> write_metadata -> audit -> count_bytes; store -> audit, store -> count_bytes
    STATIC_REQUIRE(registry::directly_before(1, 2));
    STATIC_REQUIRE_FALSE(registry::directly_before(1, 0));
    STATIC_REQUIRE(registry::runs_before(1, 0));  // through write_metadata
    STATIC_REQUIRE(registry::runs_before(1, 3));  // through write_metadata and audit
    STATIC_REQUIRE(registry::runs_before(4, 3));
    STATIC_REQUIRE_FALSE(registry::runs_before(3, 1));
    STATIC_REQUIRE_FALSE(registry::runs_before(4, 1));  // unrelated
    STATIC_REQUIRE_FALSE(registry::runs_before(1, 4));
    for (std::size_t i = 0; i < registry::size; ++i) CHECK_FALSE(registry::runs_before(i, i));
}

TEST_CASE("candidates for a signal known at compile time") {
    constexpr auto thumbnail = registry::candidates_for<"/signals/image/thumbnail">;
    STATIC_REQUIRE(thumbnail[0]);   // audit: prefix /signals
    STATIC_REQUIRE(thumbnail[1]);   // resize_image: exact
    STATIC_REQUIRE(thumbnail[2]);   // write_metadata: /signals/image/*
    STATIC_REQUIRE(thumbnail[3]);   // count_bytes: /signals/**
    STATIC_REQUIRE_FALSE(thumbnail[4]);  // store: /signals/db/write
    constexpr auto db = registry::candidates_for_signal<cep::signal<"/signals/db/write">>;
    STATIC_REQUIRE(db[0]);
    STATIC_REQUIRE_FALSE(db[1]);
    STATIC_REQUIRE_FALSE(db[2]);
    STATIC_REQUIRE(db[4]);
    constexpr auto elsewhere = registry::candidates_for<"/env/fs">;
    STATIC_REQUIRE_FALSE(elsewhere[0] || elsewhere[1] || elsewhere[2] || elsewhere[3] || elsewhere[4]);
}

TEST_CASE("the ordering graph as Graphviz DOT and as Mermaid") {
    using small = cep::enzyme_registry<audit, resize_image, write_metadata>;
    CHECK(small::to_dot() ==
          "digraph enzyme_order {\n  rankdir=LR;\n  node [shape=ellipse];\n"
          "  \"audit\" [label=\"audit\\n/signals (prefix)\"];\n"
          "  \"resize_image\" [label=\"resize_image\\n/signals/image/thumbnail (exact)\"];\n"
          "  \"write_metadata\" [label=\"write_metadata\\n/signals/image/* (exact)\"];\n"
          "  \"resize_image\" -> \"write_metadata\";\n  \"write_metadata\" -> \"audit\";\n}\n");
    CHECK(small::to_mermaid() ==
          "flowchart LR\n  e0[\"audit<br/>/signals\"]\n  e1[\"resize_image<br/>/signals/image/thumbnail\"]\n"
          "  e2[\"write_metadata<br/>/signals/image/*\"]\n  e1 --> e2\n  e2 --> e0\n");
}

TEST_CASE("the ordering analysis finds the shortest cycle from its first-registered enzyme") {
    using set = cep::detail::index_set<4>;
    std::array<set, 4> edges{};
    edges[0].insert(1);  // 0 -> 1 -> 2 -> 3 -> 1
    edges[1].insert(2);
    edges[2].insert(3);
    edges[3].insert(1);
    const auto analysis = cep::detail::analyze_ordering(edges);
    REQUIRE(analysis.has_cycle);
    std::vector<std::size_t> path(analysis.cycle.begin(), analysis.cycle.begin() + analysis.cycle_size);
    CHECK(path == std::vector<std::size_t>{1, 2, 3, 1});
}

TEST_CASE("the ordering closure, computed in reverse topological order") {
    using set = cep::detail::index_set<70>;  // two words per set
    std::array<set, 70> edges{};
    edges[69].insert(3);  // 69 -> 3 -> 65 -> 0, and 3 -> 1
    edges[3].insert(65);
    edges[65].insert(0);
    edges[3].insert(1);
    const auto analysis = cep::detail::analyze_ordering(edges);
    REQUIRE_FALSE(analysis.has_cycle);
    std::vector<std::size_t> after_69;
    analysis.closure[69].for_each([&](std::size_t j) { after_69.push_back(j); });
    CHECK(after_69 == std::vector<std::size_t>{0, 1, 3, 65});
    CHECK(analysis.closure[65].contains(0));
    CHECK_FALSE(analysis.closure[65].contains(3));
    CHECK_FALSE(analysis.closure[0].contains(0));
    for (std::size_t i = 0; i < 70; ++i) CHECK_FALSE(analysis.closure[i].contains(i));
}

TEST_CASE("SHA-256 digests match the standard test vectors") {
    auto hex = [](std::string_view text) {
        return cep::detail::sha256::hex(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(text.data()), text.size()));
    };
    CHECK(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    // A prefix of the digits: the same digits, cut (odd lengths end on a high nibble); more than 64 is all 64.
    const auto abc = std::as_bytes(std::span<const char>("abc", 3));
    CHECK(cep::detail::sha256::hex(abc, 16) == "ba7816bf8f01cfea");
    CHECK(cep::detail::sha256::hex(abc, 5) == "ba781");
    CHECK(cep::detail::sha256::hex(abc, 0).empty());
    CHECK(cep::detail::sha256::hex(abc, 100) == hex("abc"));
}

TEST_CASE("SHA-256 fed in pieces of any size gives the digest of the whole") {
    // update() copies a partial block and compresses whole ones where they lie: every split must agree.
    std::string text;
    for (int i = 0; i < 300; ++i) text.push_back(static_cast<char>('a' + (i * 7) % 26));
    const auto bytes = std::as_bytes(std::span<const char>(text.data(), text.size()));
    for (const std::size_t length : {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 300}) {
        cep::detail::sha256 whole;
        whole.update(bytes.first(length));
        const auto want = whole.finish();
        for (const std::size_t piece : {1, 7, 63, 64, 65, 100}) {
            INFO("length " << length << ", pieces of " << piece);
            cep::detail::sha256 pieces;
            for (std::size_t at = 0; at < length; at += piece)
                pieces.update(bytes.subspan(at, std::min(piece, length - at)));
            CHECK(pieces.finish() == want);
        }
    }
}

TEST_CASE("store_content stages a payload under cas/<digest> and returns the digest") {
    cep::cell_tree tree;
    cep::staging_area stage(tree);
    recording_sink sink;
    cep::write_context ctx(tree, stage, sink, 1);
    auto digest = ctx.store_content(std::string_view("abc"));
    REQUIRE(digest.has_value());
    CHECK(*digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_FALSE(tree.contains(cep::path("/cas") / *digest));  // staged, not yet visible
    REQUIRE(stage.commit().ok());
    const auto stored = tree.find(cep::path("/cas") / *digest);
    REQUIRE(stored.has_value());
    CHECK(stored->value_type() == cep::value_kind::bytes);
    CHECK(stored->text() == "abc");
}
