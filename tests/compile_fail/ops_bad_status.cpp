// expect: cep_ops_error_a_status_must_be_sts_ok_sts_fail_or_sts_cnl
// A close status is one of three literals; anything else does not compile, even where a function takes it.
#include <cep/ops.hpp>

int main() {
    cep::cell_tree tree;
    cep::ops::session s(tree, 1);
    const auto oid = cep::ops::op_start(s, "upload", cep::path("/data/file"), cep::ops::modes::direct).value();
    (void)cep::ops::op_close(s, oid, "sts:ok");
#ifdef CEP_COMPILE_FAIL
    (void)cep::ops::op_close(s, oid, "sts:done");
#endif
}
