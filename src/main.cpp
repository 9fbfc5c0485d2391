// vigil: a tiny PID 1 for containers. Parse the configuration, then hand
// over to the event loop; the exit code is the program's.
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "entry.hpp"
#include "event_loop.hpp"
#include "exit_status.hpp"
#include "log.hpp"
#include "options.hpp"
#include "pm2_file.hpp"
#include "process_setup.hpp"
#include "standard_streams.hpp"

int main(int argc, char** argv) {
    // The signals were blocked before main (src/entry.cpp); what was
    // inherited is recorded now that it is safe to look.
    const auto inherited = vigil::take_over_signals(vigil::mask_at_exec());
    vigil::ensure_standard_streams();

    const std::vector<std::string> arguments(argv, argv + argc);
    auto invocation = vigil::parse_invocation(arguments, vigil::vigil_environment(environ));
    if (!invocation) {
        fmt::print(stderr, "vigil: {} (see 'vigil --help')\n", vigil::printable(invocation.error()));
        return vigil::exit_usage;
    }
    if (invocation->request == vigil::Request::help) {
        fmt::print("{}", vigil::help_text());
        return 0;
    }
    if (invocation->request == vigil::Request::version) {
        fmt::print("{}", vigil::version_text());
        return 0;
    }

    auto& config = invocation->config;
    vigil::Log log(config.log_level, config.log_format);
    if (config.from_pm2) {
        if (const auto stop = vigil::take_pm2_app(config, log, inherited, environ)) return *stop;
    }
    vigil::EventLoop loop(config, log, inherited);
    return loop.run(environ);
}
