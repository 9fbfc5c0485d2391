// --from-pm2: a PM2 ecosystem file's app, run the container way. vigil does
// not parse JavaScript: the image's own node evaluates the file (pm2_evaluation)
// and prints the selected app as NUL-separated records; this piece, pure,
// reads those records and maps each PM2 key to what vigil does (or to a
// warning, never silently), and renders the plain configuration to move to
// (--print).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duration.hpp"
#include "result.hpp"

namespace vigil {

// One value of the app object, as the evaluator printed it.
struct Pm2Entry {
    enum class Kind { scalar, element, member, empty, other };
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

struct Pm2Context {
    std::string file_directory;       // cwd is relative to it
    std::string caller_directory;     // the default cwd, as pm2's own
    std::optional<std::string> env;   // --pm2-env, else NODE_ENV
    std::string node_options;         // NODE_OPTIONS of the container, for source maps
};

// What vigil does with the app.
struct Pm2Plan {
    std::string name;
    std::vector<std::string> command;
    std::string working_directory;
    std::vector<std::string> environment;     // NAME=value, over the container's, in order
    std::optional<Milliseconds> drain_timeout;    // from kill_timeout
    std::optional<std::uint64_t> memory_restart;  // bytes, from max_memory_restart
    std::vector<std::string> warnings;        // one line each, naming the key
    std::vector<std::string> notes;           // what was mapped, for the log
};

Result<Pm2Plan> plan_from_pm2(const Pm2File& file, const Pm2Context& context);

// "a 'b c' \"d e\"" -> a, b c, d e: PM2's string form of args and node_args.
std::vector<std::string> split_arguments(std::string_view text);

// The Dockerfile lines that do what the ecosystem file did, for --print.
std::string pm2_dockerfile(const Pm2Plan& plan, const std::string& file, const std::optional<std::string>& env);

// The JavaScript the evaluator runs: node -e SCRIPT FILE [APP].
std::string_view pm2_evaluator_script();

}  // namespace vigil
