// Fuzzes path and query parsing, names, interning and the text round trip.
//
// The whole input is the text. Properties (see docs/fuzzing.md):
//  - parse() either succeeds with exactly the input text, or fails with a code, a message of the documented
//    form ("invalid path \"<quoted>\" at offset <n>: <rule>") whose offset lies within the text and whose quoted
//    part is the escaped text (cut after 80 bytes); the throwing constructor agrees;
//  - every valid path is a valid query with the same text; a query error implies a path error;
//  - a valid path re-parses to itself, its segments rebuild it, interning it and asking text_of(id) gives it
//    back, and parent(), leaf(), depth(), child() agree between cep::path and cep::path_table;
//  - splitting the text at its last '/' and appending the last segment with child() gives the same verdict as
//    parsing the whole text;
//  - check_name() accepts exactly the documented name grammar.
#include "fuzz_common.hpp"

#include <cep/core/name.hpp>
#include <cep/core/path.hpp>
#include <cep/core/path_table.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using cep_fuzz::check;
using cep_fuzz::check_error;

namespace {

// The text append_quoted is documented to produce (control bytes, '"' and '\' escaped; 80 bytes shown).
std::string expected_quote(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < text.size() && i < 80; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
    if (text.size() > 80) out += "...";
    out += '"';
    return out;
}

// Checks the documented message form and returns the offset it states.
std::size_t check_message(const cep::error& e, std::string_view text, std::string_view kind) {
    check_error(e, "path parse");
    const std::string head = std::string("invalid ") + std::string(kind) + " " + expected_quote(text) + " at offset ";
    check(e.message.compare(0, head.size(), head) == 0, "path error message does not start as documented", e.message);
    std::size_t i = head.size();
    std::size_t offset = 0;
    const std::size_t digits_start = i;
    while (i < e.message.size() && e.message[i] >= '0' && e.message[i] <= '9' && i - digits_start < 12)
        offset = offset * 10 + static_cast<std::size_t>(e.message[i++] - '0');
    check(i > digits_start, "path error message has no offset", e.message);
    check(e.message.compare(i, 2, ": ") == 0, "path error message: no ': ' after the offset", e.message);
    const auto rule = cep::detail::path_rule_text(e.code);
    check(!rule.empty(), "path error code has no rule text", e.message);
    check(std::string_view(e.message).substr(i + 2) == rule, "path error message does not end with its rule",
          e.message);
    check(offset <= text.size(), "path error offset lies outside the text", e.message);
    // The offset points at the culprit (or just past the text's end for the length limit).
    const bool points_in = offset < text.size();
    if (e.code == cep::errc::path_control_character) {
        check(points_in, "control-character offset past the text", e.message);
        const auto c = static_cast<unsigned char>(text[offset]);
        check(c < 0x20 || c == 0x7f, "control-character offset does not point at a control byte", e.message);
    }
    if (e.code == cep::errc::path_space) check(points_in && text[offset] == ' ', "space offset is not a space", e.message);
    if (e.code == cep::errc::path_partial_glob) check(points_in && text[offset] == '*', "partial-glob offset is not '*'", e.message);
    return offset;
}

bool is_name(std::string_view t) {
    auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (t.empty() || t.size() > 64 || !(letter(t[0]) || t[0] == '_')) return false;
    for (char c : t.substr(1))
        if (!(letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':')) return false;
    return true;
}

void check_valid_path(const cep::path& p, std::string_view text) {
    check(p.text() == text, "parsed path text differs from the input", text);
    check(cep::path::parse(p.text()).has_value(), "a valid path does not re-parse", text);
    check(*cep::path::parse(p.text()) == p, "re-parsed path differs", text);

    // Segments rebuild the text; depth counts them.
    std::string rebuilt;
    std::vector<std::string_view> segs;
    for (auto s : p.segments()) {
        check(!s.empty(), "an empty segment in a valid path", text);
        rebuilt += '/';
        rebuilt += s;
        segs.push_back(s);
    }
    if (segs.empty()) rebuilt = "/";
    check(rebuilt == text, "segments do not rebuild the path", text);
    check(segs.size() == p.depth(), "depth differs from the segment count", text);
    check(p.is_root() == segs.empty(), "is_root disagrees with depth", text);
    check(p.leaf() == (segs.empty() ? std::string_view{} : segs.back()), "leaf is not the last segment", text);

    // Interning: the id's text, depth, leaf and parent agree with the path's.
    cep::path_table table;
    const cep::path_id id = table.intern(p);
    check(table.text_of(id) == text, "text_of(intern(p)) differs from p", text);
    check(table.path_of(id) == p, "path_of(intern(p)) differs from p", text);
    check(table.depth(id) == p.depth(), "interned depth differs", text);
    check(table.leaf(id) == p.leaf(), "interned leaf differs", text);
    check(table.intern(p) == id, "interning twice gives another id", text);
    check(table.find(p) == id, "find(p) differs from intern(p)", text);
    const auto by_text = table.intern(text);
    check(by_text.has_value() && *by_text == id, "intern(text) differs from intern(path)", text);
    check(cep::path_ref(table, id) == p, "path_ref does not compare equal to its path", text);
    check(cep::path_ref(table, id).str() == text, "path_ref text differs", text);
    check(table.contains(cep::path_table::root(), id), "root does not contain the id", text);
    check(!table.owns(cep::path_id{static_cast<std::uint32_t>(table.size())}), "owns() an id never issued", text);

    if (p.is_root()) {
        check(id == cep::path_table::root(), "the root is not id 0", text);
        bool threw = false;
        try {
            (void)p.parent();
        } catch (const cep::path_error& e) {
            threw = e.code() == cep::errc::path_root_has_no_parent && e.what()[0] != '\0';
        }
        check(threw, "root parent() did not throw path_root_has_no_parent", text);
        return;
    }
    const cep::path parent = p.parent();
    const cep::path_id parent_id = table.parent(id);
    check(table.text_of(parent_id) == parent.str(), "table parent differs from path parent", text);
    check(parent.contains(p) && !p.contains(parent), "parent containment is wrong", text);
    check(table.contains(parent_id, id) && !table.contains(id, parent_id), "table containment is wrong", text);
    check(parent.depth() + 1 == p.depth(), "parent depth is not depth - 1", text);
    const auto again = parent.child(p.leaf());
    check(again.has_value() && *again == p, "parent().child(leaf()) is not the path", text);
    const auto child_id = table.child(parent_id, p.leaf());
    check(child_id.has_value() && *child_id == id, "table.child(parent, leaf) is not the id", text);
    check(table.find_child(parent_id, p.leaf()) == id, "find_child(parent, leaf) is not the id", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    const auto p = cep::path::parse(text);
    const auto q = cep::query::parse(text);

    // The throwing constructors agree with parse().
    try {
        const cep::path thrown(text);
        check(p.has_value() && thrown.text() == text, "path(text) accepted what parse() refused", text);
    } catch (const cep::path_error& e) {
        check(!p.has_value() && e.error() == p.error(), "path(text) threw another error than parse()", e.what());
    }
    try {
        const cep::query thrown(text);
        check(q.has_value() && thrown.text() == text, "query(text) accepted what parse() refused", text);
    } catch (const cep::path_error& e) {
        check(!q.has_value() && e.error() == q.error(), "query(text) threw another error than parse()", e.what());
    }

    if (p) {
        check_valid_path(*p, text);
        check(q.has_value() && q->text() == text, "a valid path is not a valid query", text);
        check(q->specificity() == p->depth() && !q->has_glob(), "a path-query has glob segments", text);
        check(q->matches(*p), "a path as a query does not match itself", text);
        check(cep::query(*p) == *q, "query(path) differs from query::parse(text)", text);
    } else {
        const std::size_t offset = check_message(p.error(), text, "path");
        const auto interned = cep::path_table{}.intern(text);
        check(!interned.has_value() && interned.error() == p.error(), "path_table::intern(text) disagrees", text);
        if (q) {
            check(p.error().code == cep::errc::path_glob_outside_query,
                  "a valid query is an invalid path for a reason other than a glob", p.error().message);
        } else {
            const std::size_t q_offset = check_message(q.error(), text, "query");
            // The query grammar is the path grammar minus one rule: a path fails at the same place, or earlier at
            // a glob segment.
            const bool same = q.error().code == p.error().code && q_offset == offset;
            const bool earlier_glob = p.error().code == cep::errc::path_glob_outside_query && offset <= q_offset;
            check(same || earlier_glob, "query and path errors disagree", q.error().message + " / " + p.error().message);
        }
    }
    if (q) {
        std::size_t literal = 0, depth = 0;
        for (auto s : q->segments()) {
            ++depth;
            literal += !(s == "*" || s == "**");
        }
        check(q->depth() == depth && q->specificity() == literal, "query depth/specificity miscounted", text);
    }

    // child(): appending the last segment to the rest gives the same verdict as parsing the whole text.
    // (The root "/" has no last segment.)
    if (const auto slash = text.rfind('/'); slash != std::string_view::npos && text.size() > 1 && text[0] == '/') {
        const std::string_view base_text = slash == 0 ? std::string_view("/") : text.substr(0, slash);
        const std::string_view segment = text.substr(slash + 1);
        // "//x" splits into "/" and "x", which child() joins as "/x": not a split of the text.
        const bool joins_back = slash == 0 || base_text != "/";
        if (const auto base = cep::path::parse(base_text); base && joins_back) {
            const auto child = base->child(segment);
            check(child.has_value() == p.has_value(), "child() and parse() disagree", text);
            if (child) check(child->text() == text, "child() text differs", text);
            else check_error(child.error(), "path::child");
            cep::path_table table;
            const auto child_id = table.child(table.intern(*base), segment);
            check(child_id.has_value() == p.has_value(), "path_table::child() and parse() disagree", text);
            if (child_id) check(table.text_of(*child_id) == text, "path_table::child() text differs", text);
            else check_error(child_id.error(), "path_table::child");
        }
    }

    // Names.
    const auto name = cep::check_name(text);
    check(name.has_value() == is_name(text), "check_name disagrees with the documented name grammar", text);
    if (!name) check_error(name.error(), "check_name");
    return 0;
}
