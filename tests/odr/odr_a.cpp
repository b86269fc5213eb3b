// First translation unit of the ODR check (see odr.hpp).
#include <cep/cep.hpp>

#include "odr.hpp"

namespace cep_odr {

report from_a() {
    report r;
    r.version_string = cep::version_string;
    r.major = cep::version.major;
    r.minor = cep::version.minor;
    r.patch = cep::version.patch;
    r.version_address = &cep::version;
    r.version_string_address = &cep::version_string;
    r.check_name_address = reinterpret_cast<const void*>(&cep::check_name);
    const cep::result<int> ok = 1;
    r.result_no_error_address = &ok.error();

    cep::cell_tree tree;
    cep::staging_area stage(tree);
    stage.put_text(cep::path("/data/a"), "x").value();
    stage.make_list(cep::path("/log"), "OPH").value();
    stage.append_text(cep::path("/log"), "entry").value();
    (void)stage.commit();
    for (auto cell : tree.subtree(tree.root())) r.tree_dump += cell.path().str() + "=" + std::string(cell.text()) + ";";
    const cep::hook<odr_index, cep::kind<"index">, cep::depends_on<"storage">> use_index{};
    const cep::hook<odr_storage, cep::kind<"storage">> use_storage{};
    auto system = cep::build(use_index, use_storage);
    r.build_plan = system.to_dot() + (system.get<"index">().storage->value == 1 ? "wired" : "not wired");
    r.default_contracts_address = &cep::default_contracts;
    return r;
}

}  // namespace cep_odr
