#include "options.hpp"

#include <getopt.h>

#include <array>

#include <fmt/format.h>

#include "capabilities.hpp"
#include "text.hpp"
#include "version.hpp"

namespace vigil {
namespace {


enum LongOnly : int {
    opt_pre_stop_delay = 256, opt_log_level, opt_log_format, opt_caps, opt_no_new_privs, opt_node_heap, opt_termination_log, opt_memory_restart,
    opt_from_pm2, opt_pm2_app, opt_pm2_env, opt_print, opt_node_channel, opt_health_check, opt_health_timeout,
};

// One table drives getopt_long, the environment and their error messages.
struct OptionSpec {
    const char* long_name;
    int key;              // short letter or LongOnly value
    bool takes_value;
    const char* variable; // nullptr: no environment variable
};

constexpr OptionSpec option_specs[] = {
    {"drain-timeout", 't', true, "VIGIL_DRAIN_TIMEOUT"},
    {"pre-stop-delay", opt_pre_stop_delay, true, "VIGIL_PRE_STOP_DELAY"},
    {"rewrite", 'r', true, "VIGIL_REWRITE"},
    {"group", 'g', false, "VIGIL_GROUP"},
    {"success-exit", 'e', true, "VIGIL_SUCCESS_EXIT"},
    {"subreaper", 's', false, nullptr},
    {"pdeathsig", 'p', true, "VIGIL_PDEATHSIG"},
    {"log-level", opt_log_level, true, "VIGIL_LOG_LEVEL"},
    {"log-format", opt_log_format, true, "VIGIL_LOG_FORMAT"},
    {"user", 'u', true, "VIGIL_USER"},
    {"caps", opt_caps, true, "VIGIL_CAPS"},
    {"no-new-privs", opt_no_new_privs, false, "VIGIL_NO_NEW_PRIVS"},
    {"node-heap", opt_node_heap, true, "VIGIL_NODE_HEAP"},
    {"memory-restart", opt_memory_restart, true, "VIGIL_MEMORY_RESTART"},
    {"node-channel", opt_node_channel, false, "VIGIL_NODE_CHANNEL"},
    {"from-pm2", opt_from_pm2, true, "VIGIL_FROM_PM2"},
    {"pm2-app", opt_pm2_app, true, "VIGIL_PM2_APP"},
    {"pm2-env", opt_pm2_env, true, "VIGIL_PM2_ENV"},
    {"print", opt_print, false, nullptr},
    {"termination-log", opt_termination_log, true, "VIGIL_TERMINATION_LOG"},
    {"health-check", opt_health_check, true, nullptr},
    {"health-timeout", opt_health_timeout, true, nullptr},
    {"help", 'h', false, nullptr},
    {"version", 'V', false, nullptr},
};

Result<int> parse_exit_code(std::string_view text) {
    const auto value = whole_number<int>(text);
    if (!value || *value < 0 || *value > 255) return Error{fmt::format("invalid exit code '{}': expected a number from 0 to 255, or stop", text)};
    return *value;
}

Result<bool> parse_flag(std::string_view text) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
    if (text == "0" || text == "false" || text == "no" || text == "off" || text.empty()) return false;
    return Error{fmt::format("invalid switch value '{}': expected 1 or 0", text)};
}

// Applies one option's value to the config. An environment variable holds a
// comma list where the command line repeats the option.
Status apply(Config& config, int key, std::string_view value, bool from_environment) {
    switch (key) {
        case 't': {
            auto duration = parse_duration(value);
            if (!duration) return Error{duration.error()};
            config.drain_timeout = *duration;
            config.drain_timeout_given = true;
            return success();
        }
        case opt_pre_stop_delay: {
            auto duration = parse_duration(value);
            if (!duration) return Error{duration.error()};
            config.pre_stop_delay = *duration;
            return success();
        }
        case 'r':
            for (auto rule : from_environment ? split(value, ',') : std::vector{value}) {
                if (auto added = config.rewrite.add(rule); !added) return added;
            }
            return success();
        case 'g': {
            auto flag = parse_flag(value);
            if (!flag) return Error{flag.error()};
            config.forward_to_group = *flag;
            return success();
        }
        case 'e':
            for (auto item : from_environment ? split(value, ',') : std::vector{value}) {
                if (item == "stop") {
                    config.success_on_stop = true;
                    continue;
                }
                auto code = parse_exit_code(item);
                if (!code) return Error{code.error()};
                config.success_exits.set(static_cast<std::size_t>(*code));
            }
            return success();
        case 'p': {
            auto signal = parse_signal(value);
            if (!signal) return Error{signal.error()};
            if (is_reserved_by_libc(*signal))
                return Error{fmt::format("invalid parent-death signal '{}': signal {} is reserved by the C library", value, *signal)};
            config.parent_death_signal = *signal;
            return success();
        }
        case opt_log_level: {
            constexpr std::pair<std::string_view, LogLevel> levels[] = {
                {"off", LogLevel::off},   {"error", LogLevel::error}, {"warn", LogLevel::warn},
                {"info", LogLevel::info}, {"debug", LogLevel::debug},
            };
            for (auto [name, level] : levels) {
                if (name == value) {
                    config.log_level = level;
                    return success();
                }
            }
            return Error{fmt::format("invalid log level '{}': expected off, error, warn, info or debug", value)};
        }
        case 'u':
            if (value.empty()) return Error{"invalid user '': expected USER or USER:GROUP"};
            config.user = std::string(value);
            return success();
        case opt_caps: {
            auto capabilities = parse_capabilities(value);
            if (!capabilities) return Error{capabilities.error()};
            config.capabilities = std::move(*capabilities);
            return success();
        }
        case opt_no_new_privs:
        case opt_node_channel: {
            auto flag = parse_flag(value);
            if (!flag) return Error{flag.error()};
            (key == opt_no_new_privs ? config.no_new_privs : config.node_channel) = *flag;
            return success();
        }
        case opt_node_heap: {
            const auto percent = whole_number<int>(value);
            if (!percent || *percent < 1 || *percent > 100)
                return Error{fmt::format("invalid heap percentage '{}': expected a number from 1 to 100", value)};
            config.node_heap_percent = *percent;
            return success();
        }
        case opt_memory_restart: {
            auto setting = parse_memory_restart(value);
            if (!setting) return Error{setting.error()};
            config.memory_restart = *setting;
            config.memory_restart_given = true;
            return success();
        }
        case opt_from_pm2:
        case opt_pm2_app:
        case opt_pm2_env: {
            const char* what = key == opt_from_pm2 ? "ecosystem file" : key == opt_pm2_app ? "PM2 app name" : "PM2 environment name";
            if (value.empty()) return Error{fmt::format("invalid {} '': expected a name", what)};
            (key == opt_from_pm2 ? config.from_pm2 : key == opt_pm2_app ? config.pm2_app : config.pm2_env) = std::string(value);
            return success();
        }
        case opt_print: {
            auto flag = parse_flag(value);
            if (!flag) return Error{flag.error()};
            config.print = *flag;
            return success();
        }
        case opt_termination_log:
            if (value.empty()) return Error{"invalid termination log path '': expected a file path"};
            config.termination_log = std::string(value);
            return success();
        case opt_health_check:
            config.health_check = std::string(value);
            return success();
        case opt_health_timeout: {
            auto duration = parse_duration(value);
            if (!duration) return Error{duration.error()};
            if (duration->count() == 0) return Error{"invalid health check timeout '0': expected a duration above 0"};
            config.health_timeout = *duration;
            return success();
        }
        case opt_log_format:
            if (value == "text") config.log_format = LogFormat::text;
            else if (value == "json") config.log_format = LogFormat::json;
            else return Error{fmt::format("invalid log format '{}': expected text or json", value)};
            return success();
        default:
            return success();
    }
}

// getopt_long's tables, made from option_specs at compile time: start-up
// builds nothing on the heap for them (each freed heap block of start-up
// stays behind, on pages PID 1 keeps for good).
constexpr std::size_t option_count = std::size(option_specs);

constexpr std::array<option, option_count + 1> make_long_options() {
    std::array<option, option_count + 1> table{};  // ends with a zeroed entry
    std::size_t length = 0;
    for (const auto& spec : option_specs) {
        table[length++] = {spec.long_name, spec.takes_value ? required_argument : no_argument, nullptr, spec.key};
    }
    return table;
}

constexpr std::array<char, 2 + 2 * option_count + 1> make_short_options() {
    std::array<char, 2 + 2 * option_count + 1> text{};  // NUL-terminated
    std::size_t length = 0;
    text[length++] = '+';  // stop at the first word that is not an option
    text[length++] = ':';  // a missing value is ':', not '?'
    for (const auto& spec : option_specs) {
        if (spec.key >= 256) continue;
        text[length++] = static_cast<char>(spec.key);
        if (spec.takes_value) text[length++] = ':';
    }
    return text;
}

constexpr auto long_options = make_long_options();
constexpr auto short_options = make_short_options();

}  // namespace

Environment vigil_environment(char** environ_entries) {
    Environment environment;
    for (char** entry = environ_entries; entry != nullptr && *entry != nullptr; ++entry) {
        std::string_view text(*entry);
        if (text.rfind("VIGIL_", 0) != 0) continue;
        const auto equals = text.find('=');
        if (equals == std::string_view::npos) continue;
        environment.emplace(text.substr(0, equals), text.substr(equals + 1));
    }
    return environment;
}

Result<Invocation, UsageError> parse_invocation(const std::vector<std::string>& argv, const Environment& environment) {
    // getopt_long wants mutable C strings.
    std::vector<std::string> storage(argv);
    std::vector<char*> args;
    args.reserve(storage.size() + 1);
    for (auto& arg : storage) args.push_back(arg.data());
    args.push_back(nullptr);
    return parse_invocation(static_cast<int>(storage.size()), args.data(), environment);
}

namespace {

// parse_invocation's work; health_check says whether the options asked for one, even when they are wrong.
Result<Invocation> parse_words(int argc, char** argv, const Environment& environment, bool& health_check) {
    Invocation invocation;
    Config& config = invocation.config;

    // Command-line values, in order, collected before anything is applied so
    // that each given option can replace its environment variable. They
    // point into argv, which outlives the parse.
    std::vector<std::pair<int, std::string_view>> given;
    std::optional<std::string> bad_word;
    optind = 0;  // full re-initialisation: parse_invocation may run many times
    opterr = 0;
    while (true) {
        const int previous_index = optind == 0 ? 1 : optind;
        // With '+' first in short_options, getopt_long permutes nothing.
        const int key = getopt_long(argc, argv, short_options.data(), long_options.data(), nullptr);
        if (key == -1) break;
        const std::string_view word = previous_index < argc ? argv[previous_index] : "";
        if (key == opt_health_check || (key == ':' && optopt == opt_health_check)) health_check = true;
        // The first bad word is the error; the options after it are still
        // read, for a --health-check among them.
        if (key == '?' && !bad_word) {
            if (optopt != 0 && optopt < 256) bad_word = fmt::format("unknown option '-{}'", static_cast<char>(optopt));
            else bad_word = fmt::format("unknown option '{}'", word);
        }
        if (key == ':' && !bad_word) {
            if (optopt != 0 && optopt < 256 && word.rfind("--", 0) != 0)
                bad_word = fmt::format("option '-{}' needs a value", static_cast<char>(optopt));
            else bad_word = fmt::format("option '{}' needs a value", word.substr(0, word.find('=')));
        }
        if (bad_word) continue;
        if (key == 'h') { invocation.request = Request::help; return invocation; }
        if (key == 'V') { invocation.request = Request::version; return invocation; }
        if (given.empty()) given.reserve(static_cast<std::size_t>(argc));  // sized once: no freed growth steps
        given.emplace_back(key, optarg != nullptr ? std::string_view(optarg) : std::string_view("1"));
    }
    if (bad_word) return Error{std::move(*bad_word)};

    for (const auto& spec : option_specs) {
        if (spec.variable == nullptr) continue;
        bool on_command_line = false;
        for (const auto& entry : given) on_command_line = on_command_line || entry.first == spec.key;
        if (on_command_line) continue;
        const auto found = environment.find(spec.variable);
        // Set but empty counts as unset, as a manifest's `value: ""` means.
        if (found == environment.end() || found->second.empty()) continue;
        if (auto applied = apply(config, spec.key, found->second, true); !applied)
            return Error{fmt::format("{}: {}", spec.variable, applied.error())};
    }
    for (const auto& [key, value] : given) {
        if (auto applied = apply(config, key, value, false); !applied) return Error{applied.error()};
    }

    for (const auto& [name, value] : environment) {
        bool known = false;
        for (const auto& spec : option_specs) known = known || (spec.variable != nullptr && name == spec.variable);
        if (!known) config.unknown_variables.push_back(name);
    }

    // For --print: vigil's own options as given, in a canonical spelling
    // (the rewrite rules are printed from the final map).
    for (const auto& [key, value] : given) {
        if (!config.print) break;
        for (const auto& spec : option_specs) {
            if (spec.key != key || key == opt_from_pm2 || key == opt_pm2_app || key == opt_pm2_env || key == opt_print || key == 'r') continue;
            config.command_line_options.push_back(std::string("--") + spec.long_name);
            if (spec.takes_value) config.command_line_options.emplace_back(value);
        }
    }

    // A health check reads the container's VIGIL_* variables as a run would, and uses none of them.
    if (config.health_check) {
        if (optind < argc) return Error{fmt::format("--health-check runs no program; remove '{}'", argv[optind])};
        invocation.request = Request::health_check;
        return invocation;
    }
    for (const auto& [key, value] : given) {
        if (key == opt_health_timeout) return Error{"--health-timeout goes with --health-check"};
    }

    if (optind < argc) config.command.reserve(static_cast<std::size_t>(argc - optind));
    for (int index = optind; index < argc; ++index) config.command.emplace_back(argv[index]);
    if (config.from_pm2) {
        if (!config.command.empty())
            return Error{fmt::format("--from-pm2 takes the program from the ecosystem file; remove '{}'", config.command.front())};
        return invocation;
    }
    if (config.pm2_app) return Error{"--pm2-app goes with --from-pm2"};
    if (config.pm2_env) return Error{"--pm2-env goes with --from-pm2"};
    if (config.print) return Error{"--print goes with --from-pm2"};
    if (config.command.empty()) return Error{"missing program to run"};
    if (config.command.front().empty()) return Error{"the program name is empty"};
    return invocation;
}

}  // namespace

Result<Invocation, UsageError> parse_invocation(int argc, char** argv, const Environment& environment) {
    bool health_check = false;
    auto parsed = parse_words(argc, argv, environment, health_check);
    if (!parsed) return UsageError{parsed.error(), health_check};
    return std::move(parsed.value());
}

std::vector<OptionName> option_names() {
    std::vector<OptionName> names;
    for (const auto& spec : option_specs) {
        names.push_back({spec.long_name, spec.key < 256 ? static_cast<char>(spec.key) : '\0', spec.variable != nullptr ? spec.variable : ""});
    }
    return names;
}

std::string help_text() {
    return fmt::format(R"(Usage: vigil [OPTIONS] [--] PROGRAM [ARGS...]
       vigil [OPTIONS] --from-pm2 FILE [--pm2-app NAME] [--pm2-env ENV] [--print]
       vigil --health-check URL [--health-timeout DURATION]

Runs PROGRAM as the one child of a container's PID 1: forwards signals,
reaps zombies, drains on SIGTERM/SIGINT and exits with PROGRAM's status.
Options end at the first word that is not an option.

  -t, --drain-timeout DURATION  shutdown budget after the first stop signal, or
                                after PROGRAM exits for what it left behind;
                                0 waits forever (default 25s)   VIGIL_DRAIN_TIMEOUT
      --pre-stop-delay DURATION keep serving this long after a stop signal before
                                forwarding it (default 0)       VIGIL_PRE_STOP_DELAY
  -r, --rewrite FROM:TO         translate a signal before forwarding; TO may be
                                NONE or 0 to drop it (repeatable) VIGIL_REWRITE=a:b,c:d
  -g, --group                   forward to PROGRAM's process group  VIGIL_GROUP=1
  -e, --success-exit CODE       report exit CODE as 0 (repeatable); stop: 0 when
                                the program ended by the stop signal vigil
                                forwarded, before the deadline
                                                  VIGIL_SUCCESS_EXIT=143,130,stop
  -s, --subreaper               accepted for tini compatibility; vigil is a
                                subreaper whenever it is not PID 1
  -p, --pdeathsig SIGNAL        signal vigil gets when its parent dies  VIGIL_PDEATHSIG
  -u, --user USER[:GROUP]       run PROGRAM as this user (names or ids, from
                                /etc/passwd and /etc/group)     VIGIL_USER
      --caps CAP[,CAP...]       the only capabilities PROGRAM keeps (ambient
                                across --user), e.g. NET_BIND_SERVICE  VIGIL_CAPS
      --no-new-privs            set no_new_privs for PROGRAM    VIGIL_NO_NEW_PRIVS=1
      --node-heap PERCENT       when PROGRAM is node, size its heap to PERCENT of
                                the memory limit (NODE_OPTIONS)  VIGIL_NODE_HEAP
      --memory-restart LIMIT    drain and exit (75) when the working set reaches
                                LIMIT: a percentage of the memory limit (85,
                                85.5) or a size with its unit (900M, 1.5G)
                                                            VIGIL_MEMORY_RESTART
      --node-channel            give PROGRAM a Node IPC channel: process.send
                                works, vigil logs 'ready'     VIGIL_NODE_CHANNEL=1
      --from-pm2 FILE           run an app of this PM2 ecosystem file (.js, .cjs,
                                .json, .yaml; evaluated by the image's node as
                                the app's user)                 VIGIL_FROM_PM2
      --pm2-app NAME            which app, when the file has several  VIGIL_PM2_APP
      --pm2-env ENV             env_ENV over env (default: NODE_ENV)  VIGIL_PM2_ENV
      --print                   with --from-pm2: print the Dockerfile lines that
                                replace the ecosystem file, and exit
      --termination-log PATH    write how the container ended here (default
                                /dev/termination-log if it exists) VIGIL_TERMINATION_LOG
      --health-check URL        GET http://HOST[:PORT]/PATH once, run no program:
                                exit 0 for a 2xx or 3xx answer, 1 otherwise
                                (for HEALTHCHECK in images with no curl)
      --health-timeout DURATION give up the health check after this (default 3s)
      --log-level LEVEL         off, error, warn, info (default), debug VIGIL_LOG_LEVEL
      --log-format FORMAT       text (default) or json          VIGIL_LOG_FORMAT
  -h, --help                    show this help
  -V, --version                 show the version

Durations: 250ms, 25s, 1m30s, 2h; a bare number means seconds.
Signals: TERM, SIGTERM, 15, RTMIN+3.
Exit status: PROGRAM's own; 128+N if it died by signal N; 75 after a clean
drain for --memory-restart; 127 if it was not found, 126 if it could not be
started, 2 for a bad option.
)");
}

// "vigil version 0.1.0 - git.1a2b3c4d5e6f": the form dockerd parses when
// vigil is its init (`docker info` then shows the commit).
std::string version_text() { return fmt::format("vigil version {} - git.{}\n", VIGIL_VERSION, build_commit); }

}  // namespace vigil
