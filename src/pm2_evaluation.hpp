// Evaluating a PM2 ecosystem file for --from-pm2: the image's own node runs
// the evaluator (pm2_plan.hpp) in a short-lived child, bounded in time and in
// output, with the signal mask the container gave vigil; then the app's
// plan replaces the command, the environment, the working directory and,
// unless vigil's own options say otherwise, the drain timeout and the
// memory restart, and every key vigil does not carry over is logged.
#pragma once

#include <csignal>

#include "log.hpp"
#include "options.hpp"
#include "pm2_plan.hpp"
#include "signal_state.hpp"

namespace vigil {

// Runs node on the file; the records it printed, or why it could not.
Result<Pm2File> evaluate_pm2_file(const std::string& file, const std::optional<std::string>& app, const std::string& path_variable,
                                  const sigset_t& blocked, Milliseconds timeout, std::size_t output_limit);

// --from-pm2 into config. Returns the exit code when vigil must stop here
// (2 for a bad file, 0 after --print), or nullopt to go on and run the app.
std::optional<int> apply_pm2_file(Config& config, Log& log, const InheritedSignals& inherited, char** environment);

}  // namespace vigil
