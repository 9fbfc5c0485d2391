// Durations as people write them on a command line: "250ms", "25s",
// "1m30s", "2h", or a bare number of seconds. Pure; no clock is read here.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "result.hpp"

namespace vigil {

using Milliseconds = std::chrono::milliseconds;

// Parses a non-negative duration; the error names the bad text.
Result<Milliseconds> parse_duration(std::string_view text);

// The shortest spelling that parse_duration reads back to the same value.
std::string format_duration(Milliseconds duration);

}  // namespace vigil
