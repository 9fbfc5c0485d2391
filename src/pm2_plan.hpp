// --from-pm2: a PM2 ecosystem file's app, run the container way. vigil does
// not parse JavaScript: the image's own node evaluates the file (pm2_evaluation)
// and prints the selected app as NUL-separated records; this piece, pure,
// reads those records and maps each PM2 key to what vigil does (or to a
// warning, never silently), and renders the plain configuration to move to
// (--print).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duration.hpp"
#include "result.hpp"

namespace vigil {

// One value of the app object, as the evaluator printed it.
struct Pm2Entry {
    // unset: a member whose value is undefined or null (value: "NAME=undefined" or "NAME=null")
    enum class Kind { scalar, element, member, unset, empty, other };
    Kind kind;
    std::string key;     // the app's key ("args", "env", "env_production", …)
    std::string name;    // Kind::member: the member's name (an env variable)
    std::string value;   // scalar, element or member value; Kind::other: the JavaScript type
};

// What evaluating the file gave: the app's entries, or why not.
struct Pm2File {
    enum class Status { ok, error, choose };
    Status status = Status::error;
    std::string error;                // Status::error: node's first line about it
    std::vector<std::string> names;   // Status::choose: the apps to choose from
    std::string path;                 // the file, absolute
    std::vector<Pm2Entry> entries;    // Status::ok
};

// Reads the evaluator's records ("kind\0key\0value\0" …).
Result<Pm2File> parse_pm2_records(std::string_view records);

// What the plan asks of the container's files, to run the script as PM2
// would: given by the caller (pm2_evaluation), so that the plan stays pure.
struct Pm2Files {
    // A program's absolute path through PATH, or nullopt.
    std::function<std::optional<std::string>(const std::string& name)> find_on_path;
    // Whether the file is a binary (PM2's test: a NUL or too many
    // non-text bytes in its first 512); nullopt when there is no such file.
    std::function<std::optional<bool>(const std::string& path)> is_binary;
};

struct Pm2Context {
    std::string file_directory;       // cwd is relative to it
    std::string caller_directory;     // the default cwd, as pm2's own
    std::optional<std::string> env;   // --pm2-env, else NODE_ENV
    std::string node_options;         // NODE_OPTIONS of the container, for source maps
    std::optional<std::string> kill_signal;   // PM2_KILL_SIGNAL of the container
    std::optional<std::string> kill_timeout;  // PM2_KILL_TIMEOUT of the container
    Pm2Files files;
};

// What vigil does with the app.
struct Pm2Plan {
    std::string name;
    std::vector<std::string> command;
    std::string working_directory;
    std::vector<std::string> environment;     // NAME=value, over the container's, in order
    std::optional<Milliseconds> drain_timeout;    // from kill_timeout
    std::optional<std::uint64_t> memory_restart;  // bytes, from max_memory_restart
    int stop_signal = 0;                      // what PM2 stops the app with (SIGINT unless told)
    std::string stop_signal_reason;           // why, for the log
    bool node_channel = false;                // node runs the app: give it PM2's IPC channel (process.send)
    bool forward_to_group = true;             // treekill (PM2's default): signals reach the app's whole process group
    std::vector<std::string> warnings;        // one line each, naming the key
    std::vector<std::string> notes;           // what was mapped, for the log
};

Result<Pm2Plan> plan_from_pm2(const Pm2File& file, const Pm2Context& context);

// "a 'b c' \"d e\"" -> a, b c, d e: PM2's string form of args and node_args.
std::vector<std::string> split_arguments(std::string_view text);

// vigil's own side of --print: the options it was given, which win over the file's.
struct Pm2Print {
    std::vector<std::string> options;   // for ENTRYPOINT, before the command (the rewrite rules included)
    bool drain_timeout_given = false;   // then kill_timeout is not printed
    bool memory_restart_given = false;  // then max_memory_restart is not printed
};

// The Dockerfile lines that do what the ecosystem file did, as the running
// container applies it, for --print. A value a Dockerfile cannot carry (a
// newline) is a "# not carried over" line saying how to pass it.
std::string pm2_dockerfile(const Pm2Plan& plan, const std::string& file, const std::optional<std::string>& env, const Pm2Print& vigil);

// The JavaScript the evaluator runs: node -e SCRIPT FILE [APP].
std::string_view pm2_evaluator_script();

}  // namespace vigil
