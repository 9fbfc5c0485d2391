// The command line and VIGIL_* environment: NUL-separated words; a word
// "VIGIL_NAME=value" goes to the environment, every other word to argv.
#include <string>

#include "fuzz.hpp"
#include "log.hpp"
#include "options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> argv{"vigil"};
    vigil::Environment environment;
    for (auto word : fuzz::split(fuzz::as_text(data, size), '\0')) {
        const auto equals = word.find('=');
        if (word.substr(0, 6) == "VIGIL_" && equals != std::string_view::npos)
            environment.emplace(word.substr(0, equals), word.substr(equals + 1));
        else
            argv.emplace_back(word);
    }
    const auto parsed = vigil::parse_invocation(argv, environment);
    if (parsed.ok() && parsed->request == vigil::Request::run) {
        fuzz::require(!parsed->config.command.empty() && !parsed->config.command.front().empty());
        fuzz::require(parsed->config.node_heap_percent >= 0 && parsed->config.node_heap_percent <= 100);
    }
    // Printed as main prints it, an error stays one line whatever the input held.
    if (!parsed.ok()) fuzz::require(!parsed.error().empty() && vigil::printable(parsed.error()).find('\n') == std::string::npos);
    return 0;
}
