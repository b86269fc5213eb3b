// expect: invalid path/query literal: the text is empty
// An empty path literal: a path starts with '/' (the root is "/").
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] constexpr auto bad = ""_path;
#else
    [[maybe_unused]] constexpr auto good = "/"_path;
#endif
}
