// Fuzzes query matching: the input is "<query>\n<path>". When both parse, the library's verdicts must agree with
// a reference matcher written here from the documented rules (segment by segment; '*' is one segment, '**' zero
// or more; cep::exact matches the whole path, cep::prefix the path or one of its ancestors), through every entry
// point: query::matches, cep::policy_matches, the policies' matches() on segment spans, and a heartbeat whose
// enzymes are registered under the fuzzed query (the broadcast agenda of the path). The specificity must be the
// number of literal segments.
#include "fuzz_common.hpp"

#include <cep/dispatch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

using cep_fuzz::check;

namespace {

std::vector<std::string_view> split(std::string_view text) {
    std::vector<std::string_view> out;
    if (text.size() <= 1) return out;
    std::size_t start = 1;
    while (true) {
        const auto end = text.find('/', start);
        out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

// Reference: can[i][j] says whether query segments [i, end) match path segments [j, end). Dynamic programming,
// so '**' costs no backtracking; written independently of the library's matcher.
std::vector<std::vector<char>> match_table(const std::vector<std::string_view>& q, const std::vector<std::string_view>& p) {
    const std::size_t n = q.size(), m = p.size();
    std::vector<std::vector<char>> can(n + 1, std::vector<char>(m + 1, 0));
    can[n][m] = 1;
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m + 1; j-- > 0;) {
            if (q[i] == "**") {
                // zero segments, or one more segment and stay on '**'
                can[i][j] = can[i + 1][j] || (j < m && can[i][j + 1]);
            } else if (j < m && (q[i] == "*" || q[i] == p[j])) {
                can[i][j] = can[i + 1][j + 1];
            }
        }
    }
    return can;
}

bool reference_exact(const std::vector<std::string_view>& q, const std::vector<std::string_view>& p) {
    return match_table(q, p)[0][0] != 0;
}
// The query matches the path or one of its ancestors (a prefix of its segments, the root included).
bool reference_prefix(const std::vector<std::string_view>& q, const std::vector<std::string_view>& p) {
    for (std::size_t k = 0; k <= p.size(); ++k)
        if (reference_exact(q, std::vector<std::string_view>(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(k))))
            return true;
    return false;
}

// Two enzymes that are never registered under their own query: the fuzzed query is given to
// register_enzyme(name, query), so the heartbeat matches with it alone.
cep::status noop(const cep::impulse_ref&, cep::read_context&) { return cep::status::success; }
using by_exact = cep::enzyme<"by_exact", "/own/query/unused", &noop>;
using by_prefix = cep::enzyme<"by_prefix", "/own/query/unused", &noop, cep::prefix>;
using registry = cep::enzyme_registry<by_exact, by_prefix>;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto [query_text, path_text] = cep_fuzz::split_once(input, '\n');
    const auto q = cep::query::parse(query_text);
    const auto p = cep::path::parse(path_text);
    if (!q || !p) return 0;

    const auto qs = split(query_text);
    const auto ps = split(path_text);
    const bool exact = reference_exact(qs, ps);
    const bool prefix = reference_prefix(qs, ps);
    const std::string both = std::string(query_text) + " ~ " + std::string(path_text);

    check(!exact || prefix, "reference: exact without prefix", both);  // the path is its own ancestor-or-self
    check(q->matches(*p) == exact, "query::matches disagrees with the reference", both);
    check(cep::policy_matches<cep::exact>(query_text, path_text) == exact, "policy_matches<exact> disagrees", both);
    check(cep::policy_matches<cep::prefix>(query_text, path_text) == prefix, "policy_matches<prefix> disagrees", both);
    const std::span<const std::string_view> qspan(qs), pspan(ps);
    check(cep::exact::matches(qspan, pspan) == exact, "cep::exact::matches disagrees", both);
    check(cep::prefix::matches(qspan, pspan) == prefix, "cep::prefix::matches disagrees", both);

    const auto literal = static_cast<std::size_t>(
        std::count_if(qs.begin(), qs.end(), [](std::string_view s) { return s != "*" && s != "**"; }));
    check(q->specificity() == literal, "specificity is not the number of literal segments", both);
    check(cep::detail::query_specificity(query_text) == literal, "detail::query_specificity disagrees", both);
    check(q->has_glob() == (literal != qs.size()), "has_glob disagrees", both);

    // End to end: the broadcast agenda of the path lists the enzymes whose (fuzzed) query selects it, exact before
    // prefix at equal specificity.
    cep::heartbeat<registry> hb;
    hb.register_enzyme("by_exact", *q).value();
    hb.register_enzyme("by_prefix", *q).value();
    hb.begin_beat();  // registrations count from the beat boundary
    const auto agenda = hb.agenda(*p);
    std::vector<std::string_view> want;
    if (exact) want.push_back("by_exact");
    if (prefix) want.push_back("by_prefix");
    check(agenda == want, "the heartbeat's broadcast agenda disagrees with the reference", both);
    return 0;
}
