// expect: invalid path/query literal: space is not allowed
// A space inside a segment.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "/data/my file"_path;
#else
    [[maybe_unused]] constexpr auto good = "/data/my_file"_path;
#endif
}
