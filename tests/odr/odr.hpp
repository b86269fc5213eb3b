// ODR check: odr_a.cpp and odr_b.cpp both include <cep/cep.hpp> and report what they see; odr_main.cpp links
// both into one program and checks that they agree (same values, and the same object for inline variables).
#pragma once

#include <cep/build.hpp>

#include <string>

namespace cep_odr {

struct report {
    std::string version_string;
    int major = 0;
    int minor = 0;
    int patch = 0;
    const void* version_address = nullptr;         // inline variables: one object in the whole program
    const void* version_string_address = nullptr;
    const void* check_name_address = nullptr;       // inline functions: one definition
    const void* result_no_error_address = nullptr;  // a function-local static of a class template member
    std::string tree_dump;                          // the same operations give the same tree in both units
    std::string build_plan;                         // the same hooks give the same plan in both units
    const void* default_contracts_address = nullptr;
};

// Facets and hooks shared by both units (inline: one definition each).
struct odr_storage {
    int value = 0;
    void init() { value = 1; }
};
struct odr_index {
    odr_storage* storage = nullptr;
    template <class S>
    void init(S& s) {
        storage = &s.template get<"storage">();
    }
};

report from_a();
report from_b();

}  // namespace cep_odr
