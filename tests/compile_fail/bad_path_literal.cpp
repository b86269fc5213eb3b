// expect: invalid path/query literal: empty segment
// A path literal with an empty segment does not compile; the diagnostic names the rule.
#include <cep/core/path.hpp>

using namespace cep::literals;

int main() {
    [[maybe_unused]] cep::path ok = "/signals/image/thumbnail"_path;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::path bad = "/signals//thumbnail"_path;
#endif
}
