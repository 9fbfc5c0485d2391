#include "pm2_plan.hpp"

#include <algorithm>
#include <array>
#include <csignal>
#include <span>

#include <fmt/format.h>

#include "memory_restart.hpp"
#include "signals.hpp"
#include "text.hpp"

namespace vigil {
namespace {

// Run by the image's node: loads the file as PM2 does (.json as a
// JavaScript expression, .yml/.yaml with the YAML reader PM2 itself uses,
// anything else with require) and prints the selected app on descriptor 3
// (the file's own console output goes to vigil's stderr and cannot mix in)
// as "kind\0key\0value\0" records, so that vigil needs no JSON parser.
// Every failure is one error record with the real cause, and it exits as
// soon as the records are out: a timer the file left armed does not matter.
constexpr std::string_view evaluator = R"js('use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const write = (kind, key, value) => fs.writeSync(3, [kind, key, value].map((part) => String(part).replace(/\0/g, '')).join('\0') + '\0');
const describe = (error) => {
  if (error !== null && typeof error === 'object' && typeof error.message === 'string') {
    let text = error.message.split('\n')[0];
    const at = error.name === 'SyntaxError' && /^(\/[^\n]*:\d+)\n/.exec(String(error.stack));
    if (at) text += ' (' + at[1] + ')';
    return text;
  }
  return 'it threw ' + (typeof error === 'string' ? JSON.stringify(error) : String(error));
};
const fail = (message) => { write('error', '', message); process.exit(0); };
const file = path.resolve(process.argv[1]);
const wanted = process.argv[2] || '';
write('file', '', file);
const yamlReader = () => {
  const places = [path.dirname(file), path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'pm2')];
  for (const [name, read] of [['js-yaml', (module, text) => module.load(text)], ['yaml', (module, text) => module.parse(text)]]) {
    let found;
    try { found = require.resolve(name, { paths: places }); } catch (error) { continue; }
    const module = require(found);
    return (text) => read(module, text);
  }
  return undefined;
};
let loaded;
try {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.json') {
    loaded = vm.runInThisContext('(' + fs.readFileSync(file, 'utf8') + ')', { filename: file });
  } else if (extension === '.yml' || extension === '.yaml') {
    const read = yamlReader();
    if (!read) fail('a YAML file needs a YAML reader and none was found (js-yaml, as PM2 uses, or yaml, in the app\'s node_modules or a global pm2): install one in the image (npm install js-yaml), or write the apps as ecosystem.config.js');
    loaded = read(fs.readFileSync(file, 'utf8'));
  } else {
    loaded = require(file);
  }
} catch (error) {
  fail(describe(error));
}
try {
  if (loaded && typeof loaded === 'object' && !Array.isArray(loaded) && !loaded.apps && loaded.default) loaded = loaded.default;
  let apps = Array.isArray(loaded) ? loaded : loaded && typeof loaded === 'object' ? loaded.apps : undefined;
  if (apps && typeof apps === 'object' && !Array.isArray(apps)) apps = [apps];
  if (!Array.isArray(apps) || apps.length === 0) fail('it defines no apps (module.exports = {apps: [...]}, or an array of apps)');
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
  if (!app || typeof app !== 'object') fail('the app is not an object');
  const text = (where, value) => {
    if (typeof value !== 'object' || value === null) return String(value);
    try { return JSON.stringify(value); } catch (error) { fail(where + ' cannot be turned into text: ' + describe(error)); }
  };
  for (const key of Object.keys(app)) {
    let value;
    try { value = app[key]; } catch (error) { fail('reading the app\'s ' + key + ' threw: ' + describe(error)); }
    if (value === null || value === undefined || typeof value === 'function' || typeof value === 'symbol') {
      write('other', key, value === null ? 'null' : typeof value);
    } else if (Array.isArray(value)) {
      if (value.length === 0) write('empty', key, '');
      value.forEach((element, index) => write('element', key, text(key + '[' + index + ']', element)));
    } else if (typeof value === 'object') {
      const names = Object.keys(value);
      if (names.length === 0) write('empty', key, '');
      for (const name of names) {
        let member;
        try { member = value[name]; } catch (error) { fail('reading the app\'s ' + key + '.' + name + ' threw: ' + describe(error)); }
        // As Node leaves an undefined variable out of a child's environment.
        if (member === undefined || member === null) write('unset', key, name + '=' + (member === null ? 'null' : 'undefined'));
        else write('member', key, name + '=' + text(key + '.' + name, member));
      }
    } else {
      write('scalar', key, String(value));
    }
  }
} catch (error) {
  fail(describe(error));
}
write('status', '', 'ok');
process.exit(0);
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
            else if (kind == "member" || kind == "unset") {
                entry.kind = kind == "member" ? Pm2Entry::Kind::member : Pm2Entry::Kind::unset;
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
    const auto entries_of = [&](std::string_view key) {
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == key) return values[i];
        }
        return std::vector<const Pm2Entry*>{};
    };
    const auto scalar = [&](std::string_view key) -> std::optional<std::string> {
        const auto entries = entries_of(key);
        if (!entries.empty() && entries.front()->kind == Pm2Entry::Kind::scalar) return entries.front()->value;
        return std::nullopt;
    };

    const auto given_script = scalar("script") ? scalar("script") : scalar("exec");
    const auto named = scalar("name");
    if (!given_script || given_script->empty())
        return Error{fmt::format("the app{} in {} has no script", named ? fmt::format(" '{}'", *named) : std::string(), file.path)};
    plan.name = named ? *named : *given_script;

    const auto cwd = scalar("cwd");
    plan.working_directory = cwd ? joined_path(context.file_directory, *cwd) : context.caller_directory;

    // The command, as PM2 makes it: a command line runs with bash -c (sh -c
    // without bash); a script is looked for in the working directory, then
    // on PATH ("npm"); the interpreter is the one given, else the one for
    // the script's extension, else node for anything that is not a binary.
    std::string script = *given_script;
    auto script_arguments = words_of(entries_of("args"));
    if (script.find(' ') != std::string::npos) {
        if (!script_arguments.empty())
            plan.warnings.push_back(fmt::format("args: left out: PM2 runs the command line '{}' with bash -c, without args", script));
        script_arguments = {"-c", script};
        script = context.files.find_on_path("bash") ? "bash" : "sh";
    }
    auto binary = context.files.is_binary(joined_path(plan.working_directory, script));
    if (!binary && script.find('/') == std::string::npos) {
        if (const auto found = context.files.find_on_path(script)) {
            script = *found;
            binary = context.files.is_binary(*found);
        }
    }
    if (!binary) return Error{fmt::format("the app's script '{}' is not in {} nor on PATH", script, plan.working_directory)};

    const auto given_interpreter = scalar("interpreter") ? scalar("interpreter") : scalar("exec_interpreter");
    std::string interpreter;  // empty: the script runs directly
    if (given_interpreter) {
        if (*given_interpreter != "none") interpreter = *given_interpreter;
    } else {
        const auto extension = extension_of(script);
        if (extension == ".coffee" || extension == ".ls")
            return Error{fmt::format("PM2 runs '{}' with a compiler of its own: compile it to JavaScript, or give an interpreter", script)};
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> by_extension = {{
            {".sh", "bash"}, {".py", "python"}, {".rb", "ruby"}, {".php", "php"}, {".pl", "perl"}, {".js", "node"}, {".ts", "bun"}}};
        const auto known = std::find_if(by_extension.begin(), by_extension.end(), [&](const auto& pair) { return pair.first == extension; });
        if (known != by_extension.end()) interpreter = std::string(known->second);
        else if (!*binary) interpreter = "node";
        if (interpreter == "python" && !context.files.find_on_path("python") && context.files.find_on_path("python3")) interpreter = "python3";
    }
    if (!interpreter.empty() && interpreter.find('/') == std::string::npos && !context.files.find_on_path(interpreter))
        return Error{fmt::format("the interpreter '{}' is not on PATH", interpreter)};
    auto node_arguments = words_of(entries_of("node_args"));
    for (const char* alias : {"interpreter_args", "interpreterArgs"}) {
        for (auto& word : words_of(entries_of(alias))) node_arguments.push_back(std::move(word));
    }
    if (interpreter.empty() && !node_arguments.empty()) {
        plan.warnings.push_back(fmt::format("node_args: '{}' runs without an interpreter: its interpreter arguments are left out", script));
        node_arguments.clear();
    }
    if (!interpreter.empty()) plan.command.push_back(interpreter);
    plan.command.insert(plan.command.end(), node_arguments.begin(), node_arguments.end());
    // A script run directly is a path in its working directory, as PM2 resolves it.
    plan.command.push_back(interpreter.empty() && script.find('/') == std::string::npos ? "./" + script : script);
    plan.command.insert(plan.command.end(), script_arguments.begin(), script_arguments.end());
    const auto interpreter_name = interpreter.substr(interpreter.rfind('/') + 1);
    plan.node_channel = interpreter_name == "node";

    // env, then env_<ENV> over it, then what PM2 sets itself. A variable
    // that is undefined or null is left out, as Node leaves it out.
    std::vector<std::pair<std::string, std::string>> environment;
    const auto find_variable = [&](const std::string& name) {
        return std::find_if(environment.begin(), environment.end(), [&](const auto& pair) { return pair.first == name; });
    };
    const auto set = [&](const std::string& name, const std::string& value) {
        if (auto found = find_variable(name); found != environment.end()) found->second = value;
        else environment.emplace_back(name, value);
    };
    const auto apply = [&](const Pm2Entry* entry) {
        if (entry->kind == Pm2Entry::Kind::member) set(entry->name, entry->value);
        if (entry->kind != Pm2Entry::Kind::unset) return;
        if (auto found = find_variable(entry->name); found != environment.end()) environment.erase(found);
        plan.notes.push_back(fmt::format("{}.{} is {}: left unset{}", entry->key, entry->name, entry->value,
                                         entry->value == "null" ? " (PM2 would set it to the text 'null')" : ", as Node leaves it"));
    };
    for (const auto* entry : entries_of("env")) apply(entry);
    if (context.env) {
        const auto specific = entries_of("env_" + *context.env);
        if (specific.empty()) plan.warnings.push_back(fmt::format("env_{}: the app has none; only env applies", *context.env));
        for (const auto* entry : specific) apply(entry);
    }
    const auto instance_variable = scalar("instance_var").value_or("NODE_APP_INSTANCE");
    set(instance_variable, "0");
    if (interpreter_name.rfind("python", 0) == 0) set("PYTHONUNBUFFERED", "1");
    if (scalar("source_map_support") == "true") {
        auto found = find_variable("NODE_OPTIONS");
        const std::string base = found != environment.end() ? found->second : context.node_options;
        if (base.find("--enable-source-maps") == std::string::npos)
            set("NODE_OPTIONS", base.empty() ? "--enable-source-maps" : base + " --enable-source-maps");
        plan.notes.push_back("source_map_support: --enable-source-maps in NODE_OPTIONS");
    }
    plan.environment.reserve(environment.size());
    for (const auto& [name, value] : environment) plan.environment.push_back(fmt::format("{}={}", name, value));

    // The stop signal: PM2 stops an app with SIGINT, or PM2_KILL_SIGNAL; a kill_signal in the file comes first.
    const auto kill_signal = scalar("kill_signal");
    plan.stop_signal = SIGINT;
    plan.stop_signal_reason = "PM2's default";
    if (const auto text = kill_signal ? kill_signal : context.kill_signal) {
        const auto signal = parse_signal(*text);
        if (!signal) return Error{fmt::format("{}: {}", kill_signal ? "kill_signal" : "PM2_KILL_SIGNAL", signal.error())};
        plan.stop_signal = *signal;
        plan.stop_signal_reason = kill_signal ? "the file's kill_signal" : "PM2_KILL_SIGNAL";
    }

    // The drain budget. PM2 takes a kill_timeout that is 0 or otherwise
    // falsy for its default (PM2_KILL_TIMEOUT, else 1.6 s), never for "no limit".
    const auto kill_timeout_entries = entries_of("kill_timeout");
    const auto kill_timeout = scalar("kill_timeout");
    const bool falsy = !kill_timeout_entries.empty() && (!kill_timeout || *kill_timeout == "0" || kill_timeout->empty() || *kill_timeout == "false");
    if (falsy)
        plan.notes.push_back(fmt::format("kill_timeout {}: PM2 takes it for its default, not for no limit", kill_timeout ? *kill_timeout : kill_timeout_entries.front()->value));
    const bool from_file = kill_timeout && !falsy;
    if (const auto text = from_file ? kill_timeout : context.kill_timeout) {
        const char* source = from_file ? "kill_timeout" : "PM2_KILL_TIMEOUT";
        const auto milliseconds = whole_number<std::int64_t>(*text);
        if (!milliseconds || *milliseconds <= 0) {
            plan.warnings.push_back(fmt::format("{}: '{}' is not a number of milliseconds; ignored", source, *text));
        } else {
            plan.drain_timeout = Milliseconds{*milliseconds};
            plan.notes.push_back(fmt::format("{} {} ms: the drain timeout is {}", source, *milliseconds, format_duration(*plan.drain_timeout)));
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
    // PM2 signals the app's whole process tree unless treekill is false:
    // `npm start` and `sh -c` pass nothing on, so the app itself must get it.
    plan.forward_to_group = scalar("treekill") != "false";
    if (scalar("wait_ready") == "true") {
        plan.notes.push_back(plan.node_channel ? "wait_ready: the app's process.send('ready') reaches vigil, which logs it; traffic waits for the orchestrator's readiness probe"
                                               : "wait_ready: only a node app has process.send; traffic waits for the orchestrator's readiness probe");
    }

    static constexpr auto mapped = std::to_array<std::string_view>({"name", "script", "exec", "args", "node_args", "interpreter_args", "interpreterArgs",
                                                                    "interpreter", "exec_interpreter", "cwd", "env", "kill_timeout", "kill_signal",
                                                                    "max_memory_restart", "source_map_support", "instance_var", "wait_ready", "treekill"});
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& key = keys[i];
        const auto& value = values[i].front()->value;
        if (one_of(mapped, key) || key.rfind("env_", 0) == 0) continue;
        if (key == "instances") {
            if (value != "1") plan.warnings.push_back(fmt::format("instances: {}: vigil runs one instance; scaling is the orchestrator's job (one container per process)", value));
        } else if (key == "exec_mode") {
            if (value.rfind("cluster", 0) == 0) plan.warnings.push_back(fmt::format("exec_mode: {}: vigil runs one process; scaling is the orchestrator's job (one container per process)", value));
        } else if (key == "listen_timeout") {
            plan.warnings.push_back("listen_timeout: not done: vigil does not wait for 'ready'; the orchestrator's readiness probe does");
        } else if (key == "shutdown_with_message") {
            plan.warnings.push_back(fmt::format("shutdown_with_message: not done: vigil stops the app with {}, not a 'shutdown' message", signal_name(plan.stop_signal)));
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

std::string pm2_dockerfile(const Pm2Plan& plan, const std::string& file, const std::optional<std::string>& env, const Pm2Print& vigil) {
    std::string out = fmt::format("# The plain configuration of app '{}' from {}{}: these lines replace\n"
                                  "# `--from-pm2` (and VIGIL_FROM_PM2, VIGIL_PM2_APP, VIGIL_PM2_ENV), and the ecosystem file can go.\n",
                                  printable(plan.name), printable(file), env ? fmt::format(" (env_{})", printable(*env)) : "");
    out += fmt::format("WORKDIR {}\n", plan.working_directory);
    std::vector<std::string> variables;
    std::vector<std::string> left_out;
    for (const auto& entry : plan.environment) {
        const auto equals = entry.find('=');
        const auto name = entry.substr(0, equals);
        const auto value = entry.substr(equals + 1);
        if (value.find_first_of("\n\r") != std::string::npos) {
            left_out.push_back(fmt::format("env.{}: its value has a line break, which ENV cannot carry: pass it when the container runs, "
                                           "as a secret file or with docker run -e / a Kubernetes env entry",
                                           printable(name)));
            continue;
        }
        variables.push_back(name + "=" + dockerfile_quoted(value));
    }
    if (plan.drain_timeout && !vigil.drain_timeout_given) variables.push_back("VIGIL_DRAIN_TIMEOUT=" + dockerfile_quoted(format_duration(*plan.drain_timeout)));
    if (plan.memory_restart && !vigil.memory_restart_given) variables.push_back("VIGIL_MEMORY_RESTART=" + dockerfile_quoted(size_spelling(*plan.memory_restart)));
    for (std::size_t i = 0; i < variables.size(); ++i)
        out += fmt::format("{}{}{}\n", i == 0 ? "ENV " : "    ", variables[i], i + 1 < variables.size() ? " \\" : "");
    std::string entrypoint = "ENTRYPOINT [\"/init\"";
    for (const auto& word : vigil.options) entrypoint += ", \"" + json_escape(word) + "\"";
    for (const auto& word : plan.command) entrypoint += ", \"" + json_escape(word) + "\"";
    out += entrypoint + "]\n";
    for (const auto& line : left_out) out += fmt::format("# not carried over: {}\n", line);
    for (const auto& warning : plan.warnings) out += fmt::format("# not carried over: {}\n", printable(warning));
    return out;
}

}  // namespace vigil
