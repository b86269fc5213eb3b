// expect: invalid path/query literal: '\.' and '\.\.' segments are not allowed
// Paths are canonical: no '.' or '..' segment.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "/data/../etc"_path;
#else
    [[maybe_unused]] constexpr auto good = "/data/etc"_path;
#endif
}
