// expect: overwrite_before_original<cep::detail::kind_name<'q', 'u', 'e', 'u', 'e'>, ?queue_v2 ?>
// An overwrite hook that builds on its own kind must come after the hook it overwrites.
#include <cep/build.hpp>

struct queue_v1 {};
struct queue_v2 {};

int main() {
    constexpr cep::hook<queue_v1, cep::kind<"queue">> v1{};
    constexpr cep::hook<queue_v2, cep::kind<"queue">, cep::overwrite, cep::depends_on<"queue">> v2{};
    [[maybe_unused]] auto ok = cep::build(v1, v2);
#ifdef CEP_COMPILE_FAIL
    [[maybe_unused]] auto bad = cep::build(v2, v1);
#endif
}
