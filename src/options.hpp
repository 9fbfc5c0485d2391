// The command line and VIGIL_* environment variables turned into a Config.
// Pure: the environment comes in as a map, nothing is printed here. Options
// end at the first word that is not an option, so the program's own flags
// reach it untouched. An option given on the command line replaces its
// environment variable entirely.
#pragma once

#include <bitset>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duration.hpp"
#include "log_settings.hpp"
#include "memory_restart.hpp"
#include "result.hpp"
#include "signals.hpp"

namespace vigil {

struct Config {
    Milliseconds drain_timeout{25'000};  // 0 = wait forever
    Milliseconds pre_stop_delay{0};
    RewriteMap rewrite;
    std::bitset<256> success_exits;      // exit codes reported as 0
    bool success_on_stop = false;        // -e stop: 0 after a stop vigil forwarded
    int parent_death_signal = 0;         // 0 = none
    LogLevel log_level = LogLevel::info;
    LogFormat log_format = LogFormat::text;
    std::string user;                    // USER[:GROUP]; empty = stay who vigil is
    std::optional<std::vector<int>> capabilities;  // --caps: the only ones the program keeps
    bool no_new_privs = false;
    bool forward_to_group = false;
    int node_heap_percent = 0;           // 0 = leave Node's heap alone
    MemoryRestartSetting memory_restart; // off unless set
    std::optional<std::string> termination_log;  // nullopt: /dev/termination-log if it exists
    std::vector<std::string> command;    // program and its arguments
    std::vector<std::string> unknown_variables;  // VIGIL_* names vigil does not know
    // --from-pm2: the program comes from a PM2 ecosystem file's app.
    std::optional<std::string> from_pm2;
    std::optional<std::string> pm2_app;
    std::optional<std::string> pm2_env;
    // --health-check: GET this URL and exit, running no program.
    std::optional<std::string> health_check;
    Milliseconds health_timeout{3'000};
    std::vector<std::string> command_line_options;  // with --print: vigil's own options as given (not --rewrite, nor the PM2 ones)
    bool print = false;                  // print the plain configuration instead of running
    // Set on the command line or in VIGIL_*: then an ecosystem file's value does not replace it.
    bool drain_timeout_given = false;
    bool memory_restart_given = false;
    // Give the program PM2's IPC channel (NODE_CHANNEL_FD): process.send works.
    bool node_channel = false;
    // For the program only (from --from-pm2): NAME=value over the container's
    // environment, and the directory it starts in instead of the caller's.
    std::vector<std::string> program_environment;
    std::optional<std::string> program_directory;
};

enum class Request { run, help, version, health_check };

struct Invocation {
    Request request = Request::run;
    Config config;
};

using Environment = std::map<std::string, std::string, std::less<>>;

struct UsageError {
    std::string message;  // names the bad value (and the variable, for the environment)
    // vigil's own options included --health-check: the error ends a health
    // check, whose failure is exit 1 (Docker reserves 2).
    bool health_check = false;
};

// The caller adds the pointer to --help.
Result<Invocation, UsageError> parse_invocation(const std::vector<std::string>& argv, const Environment& environment);
// The same over main's arguments, without copying them (argv[argc] is null).
Result<Invocation, UsageError> parse_invocation(int argc, char** argv, const Environment& environment);

// The VIGIL_* entries of an environ-style array.
Environment vigil_environment(char** environ_entries);

// Every option of the table that drives the parser: its long name, its
// short letter (0 if none) and its environment variable (empty if none).
struct OptionName {
    std::string_view long_name;
    char short_name;
    std::string_view variable;
};
std::vector<OptionName> option_names();

std::string help_text();
std::string version_text();

}  // namespace vigil
