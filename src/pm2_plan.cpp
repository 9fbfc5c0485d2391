#include "pm2_plan.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>

#include "memory_restart.hpp"
#include "text.hpp"

namespace vigil {
namespace {

// Run by the image's node: requires the file and prints the selected app on
// descriptor 3 (the file's own console output cannot mix in) as
// "kind\0key\0value\0" records, so that vigil needs no JSON parser.
constexpr std::string_view evaluator = R"js('use strict';
const fs = require('fs');
const path = require('path');
const write = (kind, key, value) => fs.writeSync(3, [kind, key, value].map((part) => String(part).replace(/\0/g, '')).join('\0') + '\0');
const file = path.resolve(process.argv[1]);
const wanted = process.argv[2] || '';
write('file', '', file);
let loaded;
try {
  loaded = require(file);
} catch (error) {
  write('error', '', String(error && error.message ? error.message : error).split('\n')[0]);
  process.exit(0);
}
if (loaded && typeof loaded === 'object' && !Array.isArray(loaded) && !loaded.apps && loaded.default) loaded = loaded.default;
let apps = Array.isArray(loaded) ? loaded : loaded && typeof loaded === 'object' ? loaded.apps : undefined;
if (apps && typeof apps === 'object' && !Array.isArray(apps)) apps = [apps];
if (!Array.isArray(apps) || apps.length === 0) {
  write('error', '', 'it defines no apps (module.exports = {apps: [...]}, or an array of apps)');
  process.exit(0);
}
const nameOf = (app) => String((app && (app.name || ((app.script || app.exec) && path.basename(String(app.script || app.exec)).replace(/\.[^.]*$/, '')))) || '');
const listNames = (status) => { apps.forEach((app) => write('name', '', nameOf(app))); write('status', '', status); process.exit(0); };
let app;
if (wanted) {
  app = apps.find((candidate) => nameOf(candidate) === wanted);
  if (!app) listNames('missing');
} else if (apps.length === 1) {
  app = apps[0];
} else {
  listNames('choose');
}
if (!app || typeof app !== 'object') {
  write('error', '', 'the app is not an object');
  process.exit(0);
}
const text = (value) => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
for (const [key, value] of Object.entries(app)) {
  if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    write('other', key, value === null ? 'null' : typeof value);
  } else if (Array.isArray(value)) {
    if (value.length === 0) write('empty', key, '');
    value.forEach((element) => write('element', key, text(element)));
  } else if (typeof value === 'object') {
    const members = Object.entries(value);
    if (members.length === 0) write('empty', key, '');
    members.forEach(([name, member]) => write('member', key, name + '=' + text(member)));
  } else {
    write('scalar', key, String(value));
  }
}
write('status', '', 'ok');
)js";

// Tables in read-only data: built at compile time, never on PID 1's heap.
constexpr auto restart_keys = std::to_array<std::string_view>({"autorestart", "max_restarts", "restart_delay", "cron_restart", "watch", "ignore_watch",
                                                               "watch_options", "exp_backoff_restart_delay", "min_uptime", "stop_exit_codes"});
constexpr auto log_keys = std::to_array<std::string_view>({"out_file", "output", "out", "out_log", "error_file", "error", "err", "err_file", "err_log",
                                                           "log_file", "log", "merge_logs", "combine_logs", "log_date_format", "log_type", "pid_file", "pid"});

bool one_of(std::span<const std::string_view> keys, std::string_view key) { return std::find(keys.begin(), keys.end(), key) != keys.end(); }

// The values of a key that may be a string (split like a command line) or an array.
std::vector<std::string> words_of(const std::vector<const Pm2Entry*>& entries) {
    std::vector<std::string> words;
    for (const auto* entry : entries) {
        if (entry->kind == Pm2Entry::Kind::scalar) {
            for (auto& word : split_arguments(entry->value)) words.push_back(std::move(word));
        } else if (entry->kind == Pm2Entry::Kind::element) {
            words.push_back(entry->value);
        }
    }
    return words;
}

std::string extension_of(std::string_view path) {
    const auto slash = path.rfind('/');
    const auto base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = base.rfind('.');
    return dot == std::string_view::npos || dot == 0 ? std::string() : std::string(base.substr(dot));
}

std::string joined_path(const std::string& directory, std::string_view path) {
    if (!path.empty() && path.front() == '/') return std::string(path);
    if (path.empty() || path == ".") return directory;
    std::string_view rest = path;
    if (rest.substr(0, 2) == "./") rest.remove_prefix(2);
    return directory == "/" ? "/" + std::string(rest) : directory + "/" + std::string(rest);
}

std::string size_spelling(std::uint64_t bytes) {
    if (bytes % (std::uint64_t{1} << 30) == 0) return fmt::format("{}G", bytes >> 30);
    if (bytes % (std::uint64_t{1} << 20) == 0) return fmt::format("{}M", bytes >> 20);
    if (bytes % (std::uint64_t{1} << 10) == 0) return fmt::format("{}K", bytes >> 10);
    return fmt::format("{}B", bytes);
}

// A value inside double quotes in a Dockerfile: no expansion, no end of string.
std::string dockerfile_quoted(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\' || c == '$') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

std::string_view pm2_evaluator_script() { return evaluator; }

std::vector<std::string> split_arguments(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : text) {
        if (quote != 0) {
            if (c == quote) quote = 0;
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(word));
    return words;
}

Result<Pm2File> parse_pm2_records(std::string_view records) {
    Pm2File file;
    auto fields = split(records, '\0');
    if (!fields.empty() && fields.back().empty()) fields.pop_back();  // after the last record's NUL
    if (fields.size() % 3 != 0) return Error{"the evaluator's output is cut short"};
    bool finished = false;
    for (std::size_t i = 0; i < fields.size(); i += 3) {
        const auto kind = fields[i];
        const auto key = std::string(fields[i + 1]);
        const auto value = std::string(fields[i + 2]);
        if (kind == "file") file.path = value;
        else if (kind == "error") {
            file.status = Pm2File::Status::error;
            file.error = value;
            return file;
        } else if (kind == "name") file.names.push_back(value);
        else if (kind == "status") {
            finished = true;
            if (value == "ok") file.status = Pm2File::Status::ok;
            else if (value == "choose" || value == "missing") file.status = Pm2File::Status::choose;
            else return Error{fmt::format("the evaluator's output has an unknown status '{}'", value)};
        } else {
            Pm2Entry entry{Pm2Entry::Kind::scalar, key, "", value};
            if (kind == "scalar") entry.kind = Pm2Entry::Kind::scalar;
            else if (kind == "element") entry.kind = Pm2Entry::Kind::element;
            else if (kind == "empty") entry.kind = Pm2Entry::Kind::empty;
            else if (kind == "other") entry.kind = Pm2Entry::Kind::other;
            else if (kind == "member") {
                entry.kind = Pm2Entry::Kind::member;
                const auto equals = value.find('=');
                entry.name = value.substr(0, equals);
                entry.value = equals == std::string::npos ? "" : value.substr(equals + 1);
            } else {
                return Error{fmt::format("the evaluator's output has an unknown record '{}'", kind)};
            }
            file.entries.push_back(std::move(entry));
        }
    }
    if (!finished) return Error{"the evaluator's output is cut short"};
    return file;
}

Result<Pm2Plan> plan_from_pm2(const Pm2File& file, const Pm2Context& context) {
    Pm2Plan plan;
    // Each key's entries, in the file's order.
    std::vector<std::string> keys;
    std::vector<std::vector<const Pm2Entry*>> values;
    for (const auto& entry : file.entries) {
        auto found = std::find(keys.begin(), keys.end(), entry.key);
        if (found == keys.end()) {
            keys.push_back(entry.key);
            values.emplace_back();
            found = keys.end() - 1;
        }
        values[static_cast<std::size_t>(found - keys.begin())].push_back(&entry);
    }
    const auto scalar = [&](std::string_view key) -> std::optional<std::string> {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key && values[i].front()->kind == Pm2Entry::Kind::scalar) return values[i].front()->value;
        }
        return std::nullopt;
    };
    const auto entries_of = [&](std::string_view key) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key) return values[i];
        }
        return std::vector<const Pm2Entry*>{};
    };

    const auto script = scalar("script") ? scalar("script") : scalar("exec");
    const auto named = scalar("name");
    if (!script || script->empty())
        return Error{fmt::format("the app{} in {} has no script", named ? fmt::format(" '{}'", *named) : std::string(), file.path)};
    plan.name = named ? *named : std::string(*script);

    // The command: the interpreter PM2 would use, its arguments, the script, its arguments.
    auto node_arguments = words_of(entries_of("node_args"));
    for (const char* alias : {"interpreter_args", "interpreterArgs"}) {
        for (auto& word : words_of(entries_of(alias))) node_arguments.push_back(std::move(word));
    }
    const auto interpreter = scalar("interpreter") ? scalar("interpreter") : scalar("exec_interpreter");
    const auto extension = extension_of(*script);
    const bool javascript = extension == ".js" || extension == ".cjs" || extension == ".mjs";
    if (interpreter && *interpreter != "none") {
        plan.command.push_back(*interpreter);
    } else if (!interpreter && javascript) {
        plan.command.push_back("node");
    } else if (!node_arguments.empty()) {
        plan.warnings.push_back(fmt::format("node_args: '{}' runs without an interpreter: its interpreter arguments are left out", *script));
        node_arguments.clear();
    }
    plan.command.insert(plan.command.end(), node_arguments.begin(), node_arguments.end());
    // A script run directly is a path in its working directory, as PM2 resolves it.
    const bool direct = plan.command.empty();
    plan.command.push_back(direct && script->find('/') == std::string::npos ? "./" + *script : *script);
    for (auto& word : words_of(entries_of("args"))) plan.command.push_back(std::move(word));

    const auto cwd = scalar("cwd");
    plan.working_directory = cwd ? joined_path(context.file_directory, *cwd) : context.caller_directory;

    // env, then env_<ENV> over it, then what PM2 sets itself.
    std::vector<std::pair<std::string, std::string>> environment;
    const auto set = [&](const std::string& name, const std::string& value) {
        auto found = std::find_if(environment.begin(), environment.end(), [&](const auto& pair) { return pair.first == name; });
        if (found != environment.end()) found->second = value;
        else environment.emplace_back(name, value);
    };
    for (const auto* entry : entries_of("env")) {
        if (entry->kind == Pm2Entry::Kind::member) set(entry->name, entry->value);
    }
    if (context.env) {
        const auto specific = entries_of("env_" + *context.env);
        if (specific.empty()) plan.warnings.push_back(fmt::format("env_{}: the app has none; only env applies", *context.env));
        for (const auto* entry : specific) {
            if (entry->kind == Pm2Entry::Kind::member) set(entry->name, entry->value);
        }
    }
    const auto instance_variable = scalar("instance_var").value_or("NODE_APP_INSTANCE");
    set(instance_variable, "0");
    if (scalar("source_map_support") == "true") {
        auto found = std::find_if(environment.begin(), environment.end(), [](const auto& pair) { return pair.first == "NODE_OPTIONS"; });
        const std::string base = found != environment.end() ? found->second : context.node_options;
        if (base.find("--enable-source-maps") == std::string::npos)
            set("NODE_OPTIONS", base.empty() ? "--enable-source-maps" : base + " --enable-source-maps");
        plan.notes.push_back("source_map_support: --enable-source-maps in NODE_OPTIONS");
    }
    plan.environment.reserve(environment.size());
    for (const auto& [name, value] : environment) plan.environment.push_back(fmt::format("{}={}", name, value));

    if (const auto timeout = scalar("kill_timeout")) {
        const auto milliseconds = whole_number<std::int64_t>(*timeout);
        if (!milliseconds || *milliseconds < 0)
            plan.warnings.push_back(fmt::format("kill_timeout: '{}' is not a number of milliseconds; ignored", *timeout));
        else {
            plan.drain_timeout = Milliseconds{*milliseconds};
            plan.notes.push_back(fmt::format("kill_timeout {} ms: the drain timeout is {}", *milliseconds, format_duration(*plan.drain_timeout)));
        }
    } else {
        plan.notes.push_back("no kill_timeout: vigil's drain timeout applies (PM2's default of 1.6 s would have cut drains short)");
    }
    if (const auto memory = scalar("max_memory_restart")) {
        const bool digits_only = memory->find_first_not_of("0123456789") == std::string::npos;
        auto size = parse_memory_size(digits_only ? *memory + "B" : *memory);
        if (!size) plan.warnings.push_back(fmt::format("max_memory_restart: '{}' is not a size such as 500M or 1G; ignored", *memory));
        else {
            plan.memory_restart = *size;
            plan.notes.push_back(fmt::format("max_memory_restart {}: drain and exit 75 at that working set (--memory-restart)", *memory));
        }
    }

    static constexpr auto mapped = std::to_array<std::string_view>({"name", "script", "exec", "args", "node_args", "interpreter_args", "interpreterArgs",
                                                                    "interpreter", "exec_interpreter", "cwd", "env", "kill_timeout", "max_memory_restart",
                                                                    "source_map_support", "instance_var"});
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& key = keys[i];
        const auto& value = values[i].front()->value;
        if (one_of(mapped, key) || key.rfind("env_", 0) == 0) continue;
        if (key == "instances") {
            if (value != "1" && value != "0") plan.warnings.push_back(fmt::format("instances: {}: vigil runs one instance; scaling is the orchestrator's job (one container per process)", value));
        } else if (key == "exec_mode") {
            if (value.rfind("cluster", 0) == 0) plan.warnings.push_back(fmt::format("exec_mode: {}: vigil runs one process; scaling is the orchestrator's job (one container per process)", value));
        } else if (one_of(restart_keys, key)) {
            plan.warnings.push_back(fmt::format("{}: not done: restarts belong to the orchestrator, which sees them", key));
        } else if (one_of(log_keys, key)) {
            plan.warnings.push_back(fmt::format("{}: ignored: the app's stdout and stderr go to the container's log", key));
        } else {
            plan.warnings.push_back(fmt::format("{}: not something vigil does; ignored", key));
        }
    }
    return plan;
}

std::string pm2_dockerfile(const Pm2Plan& plan, const std::string& file, const std::optional<std::string>& env) {
    std::string out = fmt::format("# The plain configuration of app '{}' from {}{}: these lines replace\n# `--from-pm2`, and the ecosystem file can go.\n",
                                  printable(plan.name), printable(file), env ? fmt::format(" (env_{})", printable(*env)) : "");
    out += fmt::format("WORKDIR {}\n", plan.working_directory);
    std::vector<std::string> variables;
    for (const auto& entry : plan.environment) {
        const auto equals = entry.find('=');
        variables.push_back(entry.substr(0, equals) + "=" + dockerfile_quoted(entry.substr(equals + 1)));
    }
    if (plan.drain_timeout) variables.push_back("VIGIL_DRAIN_TIMEOUT=" + dockerfile_quoted(format_duration(*plan.drain_timeout)));
    if (plan.memory_restart) variables.push_back("VIGIL_MEMORY_RESTART=" + dockerfile_quoted(size_spelling(*plan.memory_restart)));
    for (std::size_t i = 0; i < variables.size(); ++i)
        out += fmt::format("{}{}{}\n", i == 0 ? "ENV " : "    ", variables[i], i + 1 < variables.size() ? " \\" : "");
    std::string entrypoint = "ENTRYPOINT [\"/init\"";
    for (const auto& word : plan.command) entrypoint += ", \"" + json_escape(word) + "\"";
    out += entrypoint + "]\n";
    for (const auto& warning : plan.warnings) out += fmt::format("# not carried over: {}\n", printable(warning));
    return out;
}

}  // namespace vigil
