// Shared by the fuzz targets: the libFuzzer entry point, and splitting one
// input into several texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fuzz {

using vigil::split;

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A property that must hold: a crash libFuzzer reports, with the input.
inline void require(bool holds) {
    if (!holds) __builtin_trap();
}

}  // namespace fuzz
