// Uses cep through its installed package (find_package(cep) + cep::cep).
#include <cep/cep.hpp>

#include <cstdio>
#include <string>

using namespace cep::literals;

int main() {
    cep::cell_tree tree;
    tree.put_text("/installed/ok"_path, "yes").value();
    const auto cell = tree.find("/installed/ok"_path);
    std::printf("cep %s: %s\n", cep::version_string, cell ? std::string(cell->text()).c_str() : "missing");
    return cell && cell->text() == "yes" ? 0 : 1;
}
