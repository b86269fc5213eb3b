// expect: invalid path/query literal: '\*' and '\*\*' segments are only allowed in a query
// Globs belong in queries: the same text is fine as a query literal and rejected as a path literal.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
    [[maybe_unused]] cep::query ok = "/env/fs/projects/*"_query;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::path bad = "/env/fs/projects/*"_path;
#endif
}
