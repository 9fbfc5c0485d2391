// Durations: whatever parses must print back to the same value.
#include "duration.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed = vigil::parse_duration(fuzz::as_text(data, size));
    if (!parsed.ok()) return 0;
    fuzz::require(parsed->count() >= 0);
    const auto again = vigil::parse_duration(vigil::format_duration(*parsed));
    fuzz::require(again.ok() && *again == *parsed);
    return 0;
}
