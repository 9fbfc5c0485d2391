// Small text helpers shared by the parsers, and reading a whole small file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// text cut at every separator; always at least one (possibly empty) part.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

// The whole file, opened close-on-exec; nullopt with errno set when it cannot
// be read or is larger than limit bytes (errno EFBIG then).
std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit);

}  // namespace vigil
