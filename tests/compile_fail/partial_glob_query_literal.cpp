// expect: invalid path/query literal: '\*' must be a whole segment
// A query literal may use '*' only as a whole segment.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
    [[maybe_unused]] cep::query ok = "/images/**"_query;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::query bad = "/images/*.jpg"_query;
#endif
}
