// cell_tree: the core vocabulary of cep in one program.
//
// Shows paths checked at compile time and at run time, interning, the cell tree (dictionaries, lists, links,
// sealed branches) and staging: writes staged during beat 1 are invisible until the commit, then all appear at
// once, in order. It prints the tree after each step.
//
// Build against an installed cep:
//   find_package(cep REQUIRED)                    # in your CMakeLists.txt
//   add_executable(cell_tree cell_tree.cpp)
//   target_link_libraries(cell_tree PRIVATE cep::cep)
#include <cep/cep.hpp>

#include <cstdio>
#include <string>

using namespace cep::literals;

namespace {

void print_tree(const cep::cell_tree& tree, const char* title) {
    std::printf("-- %s (%zu cells)\n", title, tree.size());
    for (const auto cell : tree.subtree(tree.root())) {
        std::string line = cell.path().str();
        if (cell.is_list()) line += "  [list]";
        if (cell.is_link()) line += "  -> " + tree.paths().text_of(*cell.link_target());
        if (cell.has_value()) line += "  = \"" + std::string(cell.text()) + "\"";
        if (cell.sealed()) line += "  (sealed)";
        std::printf("%s\n", line.c_str());
    }
}

}  // namespace

int main() {
    // Paths: literals are validated by the compiler, run-time text by parse().
    const cep::path signal = "/signals/image/thumbnail"_path;
    const cep::query projects = "/env/fs/projects/*"_query;
    auto target = cep::path::parse("/env/fs/projects/p1");
    auto typo = cep::path::parse("/env/fs//p1");
    std::printf("target %s matches %s: %s\n", target->str().c_str(), projects.str().c_str(),
                projects.matches(*target) ? "yes" : "no");
    std::printf("rejected: %s\n", typo.error().message.c_str());

    // The tree interns every path it sees: ids are small integers, text round-trips exactly.
    cep::cell_tree tree;
    const cep::path_id signal_id = tree.paths().intern(signal);
    std::printf("interned %s as id %u\n", tree.paths().text_of(signal_id).c_str(), signal_id.value);

    // Beat 1: an impulse list with its legacy alias, and a sealed operation envelope.
    tree.make_list("/rt/beat/1/impulses"_path).value();
    tree.append_text("/rt/beat/1/impulses"_path, "signal=/signals/image/thumbnail target=/env/fs/projects/p1")
        .value();
    tree.link("/rt/beat/1/inbox"_path, "/rt/beat/1/impulses"_path).value();
    tree.put_text("/rt/ops/op1/envelope/verb"_path, "op/thumbnail").value();
    tree.seal("/rt/ops/op1/envelope"_path).value();
    print_tree(tree, "committed at beat 1");

    auto refused = tree.put_text("/rt/ops/op1/envelope/verb"_path, "op/other");
    std::printf("write into the sealed envelope: %s\n", refused.error().message.c_str());

    // Writes staged during beat 1 stay invisible until the commit at the beat boundary.
    cep::staging_area stage(tree);
    stage.put_text("/data/assets/img123/thumbnail"_path, "new-bytes").value();
    stage.make_list("/rt/beat/2/impulses"_path).value();
    stage.append_text("/rt/beat/2/impulses"_path, "signal=/signals/db/write target=/data/assets/img123/thumbnail")
        .value();
    std::printf("staged %zu writes; /data visible before commit: %s\n", stage.size(),
                tree.contains("/data"_path) ? "yes" : "no");
    const auto report = stage.commit();
    std::printf("commit applied %zu writes, %zu failed\n", report.applied, report.failures.size());
    print_tree(tree, "committed at beat 2");
    return report.ok() ? 0 : 1;
}
