// Signal names and rewrite rules: a parsed signal is in range and its name
// reads back to it; a rule either applies or leaves the map untouched.
#include "fuzz.hpp"
#include "signals.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto signal = vigil::parse_signal(text);
    if (signal.ok()) {
        fuzz::require(*signal >= 1 && *signal <= vigil::max_signal);
        if (*signal != 32 && *signal != 33) fuzz::require(*vigil::parse_signal(vigil::signal_name(*signal)) == *signal);
    }
    vigil::RewriteMap map;
    for (auto rule : fuzz::split(text, ',')) {
        const vigil::RewriteMap before = map;
        if (!map.add(rule).ok()) fuzz::require(map == before);
    }
    for (int each = 1; each <= vigil::max_signal; ++each) {
        const int target = map.translate(each);
        fuzz::require(target >= 0 && target <= vigil::max_signal);
    }
    return 0;
}
