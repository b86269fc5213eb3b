// Links odr_a.cpp and odr_b.cpp into one program: both include the whole library; the program must link (no
// duplicate definitions) and both translation units must see the same entities.
#include <cep/cep.hpp>

#include <cstdio>

#include "odr.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "ODR mismatch between odr_a.cpp and odr_b.cpp: %s\n", what);
        ++failures;
    }
}

}  // namespace

int main() {
    const cep_odr::report a = cep_odr::from_a();
    const cep_odr::report b = cep_odr::from_b();

    check(a.version_string == b.version_string, "version_string");
    check(a.version_string == cep::version_string, "version_string (main)");
    check(a.major == b.major && a.minor == b.minor && a.patch == b.patch, "version numbers");
    check(a.version_address == b.version_address, "address of cep::version");
    check(a.version_address == &cep::version, "address of cep::version (main)");
    check(a.version_string_address == b.version_string_address, "address of cep::version_string");
    check(a.check_name_address == b.check_name_address, "address of cep::check_name");
    check(a.result_no_error_address == b.result_no_error_address, "static inside cep::result<int>::error()");
    check(!a.tree_dump.empty() && a.tree_dump == b.tree_dump, "tree built by the same operations");
    check(a.build_plan.ends_with("wired") && a.build_plan == b.build_plan, "subsystem built from the same hooks");
    check(a.default_contracts_address == b.default_contracts_address, "address of cep::default_contracts");

    if (failures == 0) {
        std::printf("odr: both translation units agree (cep %s)\n", a.version_string.c_str());
    }
    return failures == 0 ? 0 : 1;
}
