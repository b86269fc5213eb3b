// expect: invalid path/query literal: trailing '/'
// A path literal may not end in '/' (only the root "/" does).
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = "/signals/image/"_path;
#else
    [[maybe_unused]] constexpr auto good = "/signals/image"_path;
#endif
}
