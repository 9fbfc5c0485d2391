#include "memory_restart.hpp"

#include <algorithm>

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

// "1.5" as its whole part and thousandths (1 and 500): digits, then up to
// three decimals after one dot, without floating point; nullopt for anything else.
struct Decimal {
    std::uint64_t whole;
    std::uint64_t thousandths;
};
std::optional<Decimal> decimal(std::string_view number) {
    const auto dot = number.find('.');
    const auto whole = whole_number<std::uint64_t>(number.substr(0, dot));
    if (!whole) return std::nullopt;
    Decimal result{*whole, 0};
    if (dot == std::string_view::npos) return result;
    const auto fraction = number.substr(dot + 1);
    const auto value = whole_number<std::uint64_t>(fraction);
    if (!value || fraction.size() > 3) return std::nullopt;
    result.thousandths = *value;
    for (std::size_t i = fraction.size(); i < 3; ++i) result.thousandths *= 10;
    return result;
}

}  // namespace

Result<std::uint64_t> parse_memory_size(std::string_view text) {
    const auto bad = [&] { return Error{fmt::format("invalid size '{}': expected a number and its unit, e.g. 500M, 1G, 1.5G or 1000B", text)}; };
    std::size_t digits = 0;
    while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.')) ++digits;
    const auto number = text.substr(0, digits);
    std::string unit(text.substr(digits));
    for (char& c : unit) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    std::uint64_t scale = 0;
    if (unit == "B") scale = 1;
    else if (unit == "K" || unit == "KB" || unit == "KIB") scale = std::uint64_t{1} << 10;
    else if (unit == "M" || unit == "MB" || unit == "MIB") scale = std::uint64_t{1} << 20;
    else if (unit == "G" || unit == "GB" || unit == "GIB") scale = std::uint64_t{1} << 30;
    else return bad();
    // A whole part and at most three decimals ("1.5G").
    const auto value = decimal(number);
    if (!value || value->whole > (std::uint64_t{1} << 40)) return bad();
    const std::uint64_t bytes = value->whole * scale + value->thousandths * scale / 1000;
    if (bytes == 0) return Error{fmt::format("invalid size '{}': must be more than 0", text)};
    return bytes;
}

std::string percent_text(std::uint32_t thousandths) {
    auto text = fmt::format("{}.{:03}", thousandths / 1000, thousandths % 1000);
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
}

Result<MemoryRestartSetting> parse_memory_restart(std::string_view text) {
    const auto bad = [&] {
        return Error{fmt::format("invalid memory restart '{}': expected a percentage of the memory limit, more than 0 and less than 100 (85, 85.5), "
                                 "or a size with its unit (900M, 1.5G)", text)};
    };
    MemoryRestartSetting setting;
    auto number = text;
    if (!number.empty() && number.back() == '%') number.remove_suffix(1);
    // A bare number is a percentage: digits, and up to three decimals after one dot.
    if (const auto value = decimal(number)) {
        if (value->whole >= 100 || (value->whole == 0 && value->thousandths == 0)) return bad();
        setting.percent_thousandths = static_cast<std::uint32_t>(value->whole * 1000 + value->thousandths);
        return setting;
    }
    if (number.size() != text.size()) return bad();  // "5M%"
    auto size = parse_memory_size(text);
    if (!size) return bad();
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
    if (setting.percent_thousandths == 0 || !limit) return std::nullopt;
    // limit x thousandths / 100000, rounded down, without overflow.
    constexpr std::uint64_t whole = 100'000;
    return *limit / whole * setting.percent_thousandths + *limit % whole * setting.percent_thousandths / whole;
}

Milliseconds next_sample_delay(std::uint64_t previous, std::uint64_t current, Milliseconds elapsed, std::uint64_t threshold) {
    if (current >= threshold) return memory_sample_interval;
    const auto to_go = static_cast<long double>(threshold - current);
    // Near the threshold, whatever the last two reads saw: memory grows in
    // steps, and two reads a few milliseconds apart may see none.
    long double delay = 2 * static_cast<long double>(memory_sample_interval.count()) * to_go / static_cast<long double>(threshold);
    if (current > previous && elapsed.count() > 0) {
        const long double per_millisecond = static_cast<long double>(current - previous) / static_cast<long double>(elapsed.count());
        delay = std::min(delay, to_go / per_millisecond / 2);
    }
    if (delay >= static_cast<long double>(memory_sample_interval.count())) return memory_sample_interval;
    return std::max(memory_sample_floor, Milliseconds{static_cast<std::int64_t>(delay)});
}

bool MemoryRestartDecision::observe(std::uint64_t working_set) {
    if (triggered_ || working_set < threshold_) return false;
    triggered_ = true;
    return true;
}

}  // namespace vigil
