// Helpers shared by the fuzzers: a property check that stops the run with a message (libFuzzer then saves the
// input as a crash-* file), and small text utilities for splitting inputs and reading ledger lines.
#pragma once

#include <cep/core/error.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cep_fuzz {

// A violated property. abort() (not an exception) so that nothing in the library can swallow it.
[[noreturn]] inline void fail(const char* what, std::string_view detail = {}) {
    std::fprintf(stderr, "\n*** cep fuzz property violated: %s\n", what);
    if (!detail.empty()) std::fprintf(stderr, "    %.*s\n", static_cast<int>(detail.size()), detail.data());
    std::fflush(stderr);
    std::abort();
}

inline void check(bool ok, const char* what, std::string_view detail = {}) {
    if (!ok) fail(what, detail);
}

// A cep error must carry a code and a non-empty message.
inline void check_error(const cep::error& e, const char* where) {
    check(e.code != cep::errc::none, "an error without a code", where);
    check(!e.message.empty(), "an error without a message", where);
}

// The input split at the first occurrence of `sep` (the second part is empty when there is none).
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text, char sep) {
    const auto at = text.find(sep);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + 1)};
}

// Whitespace-separated words (space or tab); used by the script and ledger parsers.
inline std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

// "key=value" -> value, when the word starts with key=.
inline std::optional<std::string_view> field(std::string_view word, std::string_view key) {
    if (word.size() < key.size() + 1 || word.substr(0, key.size()) != key || word[key.size()] != '=')
        return std::nullopt;
    return word.substr(key.size() + 1);
}

}  // namespace cep_fuzz
