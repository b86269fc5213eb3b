// A transparent "less" over texts, for ordered containers keyed by std::string that are searched with views. It is
// what std::less<> would do, without naming std::less<void>, which the standard declares in <functional> (a heavy
// header cep does not include: see core/callback.hpp).
#pragma once

#include <string_view>

namespace cep::detail {

struct text_less {
    using is_transparent = void;
    [[nodiscard]] bool operator()(std::string_view a, std::string_view b) const noexcept { return a < b; }
};

}  // namespace cep::detail
