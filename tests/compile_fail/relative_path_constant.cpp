// expect: invalid path/query literal: it must start with '/'
// cep::path_c<"..."> is checked like the _path literal.
#include <cep/core/path.hpp>

int main() {
    [[maybe_unused]] cep::path ok = cep::path_c<"/data/assets">;
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] cep::path bad = cep::path_c<"data/assets">;
#endif
}
