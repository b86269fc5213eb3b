// expect: append_records_verbatim: the record type must have exactly the bytes of a cep::entry_record \(trivially copyable, 12 bytes, no padding\)
// Records appended verbatim are copied byte for byte and read back by the renderer: a type with padding (here 3
// bytes after `kind`) would copy indeterminate bytes, so the tree refuses it at compile time.
#include <cep/core.hpp>

#include <cstdint>
#include <span>
#include <string>

#ifdef CEP_COMPILE_FAIL
struct line_record {
    std::uint8_t kind;  // padding follows
    std::uint32_t first;
    std::uint32_t second;
};
#else
struct line_record {
    std::uint8_t kind;
    std::uint8_t unused[3];
    std::uint32_t first;
    std::uint32_t second;
};
#endif

void render(const cep::path_table&, const cep::entry_record& r, std::string& out) { out += std::to_string(r.words[1]); }

int main() {
    cep::cell_tree tree;
    const auto log = tree.paths().intern(cep::path("/log"));
    (void)tree.make_list(log);
    const line_record records[1]{};
    (void)tree.append_records_verbatim(log, std::span<const line_record>(records), &render);
}
