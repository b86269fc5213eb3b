// expect: invalid path/query literal: control character \(bytes 0x00-0x1f and 0x7f are not allowed\)
// A control byte (here a tab) inside a segment.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "/data/a\tb"_query;
#else
    [[maybe_unused]] constexpr auto good = "/data/a-b"_query;
#endif
}
