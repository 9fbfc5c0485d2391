#include "memory_restart.hpp"


#include <fmt/format.h>

#include "text.hpp"

namespace vigil {
namespace {

std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    return text;
}

// The number after "NAME " on its own line of a memory.stat file.
std::optional<std::uint64_t> stat_value(std::string_view stat, std::string_view name) {
    for (auto line : parts(stat, '\n')) {
        if (line.size() > name.size() && line.substr(0, name.size()) == name && line[name.size()] == ' ')
            return whole_number<std::uint64_t>(line.substr(name.size() + 1));
    }
    return std::nullopt;
}

}  // namespace

Result<std::uint64_t> parse_memory_size(std::string_view text) {
    const auto bad = [&] { return Error{fmt::format("invalid size '{}': expected e.g. 500M, 1G, 1.5G or a number of bytes", text)}; };
    std::size_t digits = 0;
    while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
    const auto number = text.substr(0, digits);
    std::string unit(text.substr(digits));
    for (char& c : unit) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B") scale = 1;
    else if (unit == "K" || unit == "KB" || unit == "KIB") scale = std::uint64_t{1} << 10;
    else if (unit == "M" || unit == "MB" || unit == "MIB") scale = std::uint64_t{1} << 20;
    else if (unit == "G" || unit == "GB" || unit == "GIB") scale = std::uint64_t{1} << 30;
    else return bad();
    // A whole part and at most three decimals ("1.5G"), without floating point.
    const auto dot = number.find('.');
    const auto whole = whole_number<std::uint64_t>(number.substr(0, dot));
    std::uint64_t thousandths = 0;
    if (dot != std::string_view::npos) {
        const auto fraction = number.substr(dot + 1);
        const auto value = whole_number<std::uint64_t>(fraction);
        if (!value || fraction.size() > 3) return bad();
        thousandths = *value;
        for (std::size_t i = fraction.size(); i < 3; ++i) thousandths *= 10;
    }
    if (!whole || *whole > (std::uint64_t{1} << 40)) return bad();
    const std::uint64_t bytes = *whole * scale + thousandths * scale / 1000;
    if (bytes == 0) return Error{fmt::format("invalid size '{}': must be more than 0", text)};
    return bytes;
}

Result<MemoryRestartSetting> parse_memory_restart(std::string_view text) {
    MemoryRestartSetting setting;
    auto percent_text = text;
    if (!percent_text.empty() && percent_text.back() == '%') percent_text.remove_suffix(1);
    // A bare number is a percentage; a size always has its unit.
    if (const auto percent = whole_number<std::uint64_t>(percent_text)) {
        if (*percent < 1 || *percent > 99)
            return Error{fmt::format("invalid memory restart '{}': expected a percentage of the memory limit from 1 to 99, or a size such as 500M", text)};
        setting.percent = static_cast<int>(*percent);
        return setting;
    }
    auto size = parse_memory_size(text);
    if (!size)
        return Error{fmt::format("invalid memory restart '{}': expected a percentage of the memory limit from 1 to 99, or a size such as 500M", text)};
    setting.bytes = *size;
    return setting;
}

std::optional<std::uint64_t> working_set(CgroupVersion version, std::string_view usage, std::string_view stat) {
    const auto used = whole_number<std::uint64_t>(trimmed(usage));
    const auto inactive = stat_value(stat, version == CgroupVersion::v2 ? "inactive_file" : "total_inactive_file");
    if (!used || !inactive) return std::nullopt;
    return *used > *inactive ? *used - *inactive : 0;
}

std::optional<std::uint64_t> restart_threshold(const MemoryRestartSetting& setting, std::optional<std::uint64_t> limit) {
    if (setting.bytes != 0) return setting.bytes;
    if (setting.percent == 0 || !limit) return std::nullopt;
    return *limit / 100 * static_cast<std::uint64_t>(setting.percent);
}

bool MemoryRestartDecision::observe(std::uint64_t working_set) {
    if (triggered_ || working_set < threshold_) return false;
    triggered_ = true;
    return true;
}

}  // namespace vigil
