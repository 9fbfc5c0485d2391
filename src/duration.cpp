#include "duration.hpp"

#include <array>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace vigil {
namespace {

struct Unit {
    std::string_view suffix;
    std::int64_t milliseconds;
};

// Longest suffix first, so "ms" is not read as "m" followed by junk.
constexpr std::array<Unit, 4> units{{{"ms", 1}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}}};

// A week of milliseconds times a thousand: far beyond any sensible budget,
// far below overflow of the int64 arithmetic below.
constexpr std::int64_t max_milliseconds = std::int64_t{604'800'000} * 1000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Milliseconds> parse_duration(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return Error{fmt::format("invalid duration '{}': {}", text, why)};
    };
    if (text.empty()) return bad("empty");
    if (text.front() == '-') return bad("must not be negative");

    bool all_digits = true;
    for (char c : text) all_digits = all_digits && is_digit(c);

    std::int64_t total = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        std::int64_t number = 0;
        std::size_t digits = 0;
        while (digits < rest.size() && is_digit(rest[digits])) {
            number = number * 10 + (rest[digits] - '0');
            if (number > max_milliseconds) return bad("too large");
            ++digits;
        }
        if (digits == 0) return bad("expected a number (use e.g. 250ms, 25s, 1m30s, 2h)");
        rest.remove_prefix(digits);

        std::int64_t scale = 0;
        if (rest.empty()) {
            // A bare number means seconds, but only on its own: "1m30" is ambiguous.
            if (!all_digits) return bad("missing unit after the last number");
            scale = 1000;
        } else {
            for (const auto& unit : units) {
                if (rest.substr(0, unit.suffix.size()) == unit.suffix) {
                    scale = unit.milliseconds;
                    rest.remove_prefix(unit.suffix.size());
                    break;
                }
            }
            if (scale == 0) return bad("unknown unit (use ms, s, m or h)");
        }
        if (number > max_milliseconds / scale) return bad("too large");
        total += number * scale;
        if (total > max_milliseconds) return bad("too large");
    }
    return Milliseconds{total};
}

std::string format_duration(Milliseconds duration) {
    std::int64_t ms = duration.count();
    if (ms == 0) return "0s";
    std::string out;
    for (const auto& unit : {units[1], units[2], units[3], units[0]}) {
        if (ms >= unit.milliseconds) {
            out += fmt::format("{}{}", ms / unit.milliseconds, unit.suffix);
            ms %= unit.milliseconds;
        }
    }
    return out;
}

}  // namespace vigil
