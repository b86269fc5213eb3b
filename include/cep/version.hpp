// The one place the cep version is defined; CMake parses the three macros below.
#pragma once

#define CEP_VERSION_MAJOR 0
#define CEP_VERSION_MINOR 1
#define CEP_VERSION_PATCH 0

namespace cep {

struct version_info {
    int major;
    int minor;
    int patch;
};

inline constexpr version_info version{CEP_VERSION_MAJOR, CEP_VERSION_MINOR, CEP_VERSION_PATCH};

// "MAJOR.MINOR.PATCH", built by the preprocessor so it costs nothing at run time.
#define CEP_DETAIL_STR2(x) #x
#define CEP_DETAIL_STR(x) CEP_DETAIL_STR2(x)
inline constexpr char version_string[] =
    CEP_DETAIL_STR(CEP_VERSION_MAJOR) "." CEP_DETAIL_STR(CEP_VERSION_MINOR) "." CEP_DETAIL_STR(CEP_VERSION_PATCH);
#undef CEP_DETAIL_STR
#undef CEP_DETAIL_STR2

}  // namespace cep
