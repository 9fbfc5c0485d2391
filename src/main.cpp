// vigil: a tiny PID 1 for containers. Parse the configuration, then hand
// over to the event loop; the exit code is the program's.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "entry.hpp"
#include "event_loop.hpp"
#include "exit_status.hpp"
#include "health_check.hpp"
#include "log.hpp"
#include "options.hpp"
#include "pm2_evaluation.hpp"
#include "signal_state.hpp"
#include "standard_streams.hpp"
#include "text.hpp"

namespace {

// Parses the command line into config, or says why vigil is done at once (a
// usage error, --help, --version, a health check) with the exit code.
std::optional<int> configure(int argc, char** argv, const vigil::InheritedSignals& inherited, std::optional<vigil::Config>& config) {
    auto invocation = vigil::parse_invocation(argc, argv, vigil::vigil_environment(environ));
    if (!invocation) {
        fmt::print(stderr, "vigil: {} (see 'vigil --help')\n", vigil::printable(invocation.error()));
        return invocation.failure().health_check ? 1 : vigil::exit_usage;
    }
    if (invocation->request == vigil::Request::help) {
        fmt::print("{}", vigil::help_text());
        return 0;
    }
    if (invocation->request == vigil::Request::version) {
        fmt::print("{}", vigil::version_text());
        return 0;
    }
    if (invocation->request == vigil::Request::health_check) {
        // A check is an ordinary command: Ctrl-C or a SIGTERM ends it at once.
        ::sigprocmask(SIG_SETMASK, &inherited.blocked, nullptr);
        return vigil::run_health_check(*invocation->config.health_check, invocation->config.health_timeout);
    }
    config.emplace(std::move(invocation->config));
    return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
    // The signals were blocked before main (src/entry.cpp); what was
    // inherited is recorded now that it is safe to look.
    const vigil::InheritedSignals inherited = vigil::take_over_signals(vigil::mask_at_exec());
    vigil::ensure_standard_streams();
    std::optional<vigil::Config> config;
    if (const auto done = configure(argc, argv, inherited, config)) return *done;

    vigil::Log log(config->log_level, config->log_format);
    log.debug("signals", fmt::format("signals blocked {}", vigil::where_signals_were_blocked()));
    if (config->from_pm2) {
        if (const auto stop = vigil::apply_pm2_file(*config, log, inherited, environ)) return *stop;
    }
    vigil::EventLoop event_loop(*config, log, inherited);
    return event_loop.run(environ);
}
