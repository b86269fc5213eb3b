// expect: invalid path/query literal: segment longer than 255 bytes
// A segment of 256 bytes (at most 255).
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "/ssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"_path;
#else
    [[maybe_unused]] constexpr auto good = "/sssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssssss"_path;
#endif
}
