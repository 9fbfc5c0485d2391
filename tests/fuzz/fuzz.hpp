// Shared by the fuzz targets: the libFuzzer entry point, and splitting one
// input into several texts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The input cut at every separator; always at least one part.
inline std::vector<std::string_view> split(std::string_view input, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = input.find(separator);
        parts.push_back(input.substr(0, at));
        if (at == std::string_view::npos) return parts;
        input.remove_prefix(at + 1);
    }
}

// A property that must hold: a crash libFuzzer reports, with the input.
inline void require(bool holds) {
    if (!holds) __builtin_trap();
}

}  // namespace fuzz
