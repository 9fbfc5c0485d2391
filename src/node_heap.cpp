#include "node_heap.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vigil {

bool is_node_program(std::string_view program) {
    const auto slash = program.rfind('/');
    const auto base = slash == std::string_view::npos ? program : program.substr(slash + 1);
    return base == "node" || base == "nodejs";
}

bool sets_heap_size(std::string_view node_options) {
    // Node accepts both spellings of every option: --max-old-space-size and --max_old_space_size.
    std::string normalized(node_options);
    for (char& c : normalized) {
        if (c == '_') c = '-';
    }
    return normalized.find("--max-old-space-size") != std::string::npos;
}

std::optional<std::string> heap_size_in_arguments(const std::vector<std::string>& arguments) {
    static constexpr std::string_view with_value[] = {"-e", "--eval", "-p", "--print", "-r", "--require", "--import",
                                                      "--loader", "--experimental-loader", "-C", "--conditions"};
    bool value_next = false;
    for (std::size_t i = 1; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        if (value_next) {
            value_next = false;
            continue;
        }
        if (argument == "--" || argument == "-" || argument.empty() || argument.front() != '-') return std::nullopt;
        if (sets_heap_size(argument.substr(0, argument.find('=')))) return arguments[i];
        value_next = std::find(std::begin(with_value), std::end(with_value), argument) != std::end(with_value);
    }
    return std::nullopt;
}

std::uint64_t heap_megabytes(std::uint64_t limit_bytes, int percent) {
    const std::uint64_t budget = limit_bytes / (1 << 20) * static_cast<std::uint64_t>(percent) / 100;
    if (budget <= node_reserve_megabytes) return smallest_heap_megabytes;
    return std::max(smallest_heap_megabytes, (budget - node_reserve_megabytes) * 10 / node_heap_factor_tenths);
}

std::string node_options_with_heap(std::optional<std::string_view> node_options, std::uint64_t megabytes) {
    auto option = fmt::format("--max-old-space-size={}", megabytes);
    if (!node_options || node_options->find_first_not_of(' ') == std::string_view::npos) return option;
    return fmt::format("{} {}", *node_options, option);
}

}  // namespace vigil
