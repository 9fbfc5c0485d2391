// Evaluating a PM2 ecosystem file for --from-pm2: the image's own node runs
// the evaluator (pm2_plan.hpp) in a short-lived child with the app's user,
// capabilities and no_new_privs, bounded in time and in output, with the
// signal mask the container gave vigil and the file's own output on vigil's
// stderr. Then the app's plan replaces the command, the environment, the
// working directory, the stop signal and, unless vigil's own options say
// otherwise, the drain timeout and the memory restart; every key vigil does
// not carry over is logged.
#pragma once

#include <csignal>

#include "log.hpp"
#include "options.hpp"
#include "pm2_plan.hpp"
#include "signal_state.hpp"
#include "spawn.hpp"

namespace vigil {

struct Pm2Evaluation {
    std::string file;
    std::optional<std::string> app;
    std::string path_variable;
    Milliseconds timeout{10'000};
    std::size_t output_limit = std::size_t{1} << 20;
};

// Runs node on the file as `privileges` (a SpawnRequest with only the
// identity, capabilities, no_new_privs and signals set); the records it
// printed, or why it could not. Done once the records are in and node has
// exited; whatever the file left running is killed (vigil is a subreaper
// or PID 1 by then, so nothing it started can escape).
Result<Pm2File> evaluate_pm2_file(const Pm2Evaluation& evaluation, SpawnRequest privileges, bool pid_one, Log& log);

// The files the plan asks about, as they are in this container.
Pm2Files container_files(const std::string& path_variable);

// --from-pm2 into config. Returns the exit code when vigil must stop here
// (2 for a bad file, 0 after --print), or nullopt to go on and run the app.
std::optional<int> apply_pm2_file(Config& config, Log& log, const InheritedSignals& inherited, char** environment);

}  // namespace vigil
