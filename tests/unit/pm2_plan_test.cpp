// --from-pm2's pure part: the evaluator's records, each PM2 key's mapping
// and warning, and the plain configuration --print shows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "pm2_plan.hpp"

using vigil::Pm2Entry;
using vigil::Pm2File;

namespace {

// Records as the evaluator prints them: kind, key, value.
std::string records(std::initializer_list<std::initializer_list<std::string>> list) {
    std::string out;
    for (const auto& record : list) {
        for (const auto& field : record) out += field + std::string(1, '\0');
    }
    return out;
}

Pm2File app(std::initializer_list<std::initializer_list<std::string>> list) {
    std::string text = records({{"file", "", "/srv/app/ecosystem.config.js"}});
    text += records(list);
    text += records({{"status", "", "ok"}});
    auto parsed = vigil::parse_pm2_records(text);
    REQUIRE(parsed.ok());
    return *parsed;
}

// A container's files: a few programs on PATH, binaries among them; every
// other path is a script there, but those with "missing" in them and the
// PATH programs' names in the working directory.
vigil::Pm2Files fake_files(bool with_bash = true) {
    vigil::Pm2Files files;
    files.find_on_path = [with_bash](const std::string& name) -> std::optional<std::string> {
        for (const char* known : {"node", "sh", "python3", "npm", "bun"}) {
            if (name == known) return (name == "npm" ? "/usr/bin/" : "/bin/") + name;
        }
        if (name == "bash" && with_bash) return std::string("/bin/bash");
        return std::nullopt;
    };
    files.is_binary = [](const std::string& path) -> std::optional<bool> {
        if (path.find("missing") != std::string::npos) return std::nullopt;
        for (const char* absent : {"/work/npm", "/work/bash", "/work/sh"}) {
            if (path == absent) return std::nullopt;
        }
        for (const char* binary : {"/bin/node", "/bin/bash", "/bin/sh", "/bin/python3", "/work/server", "/work/bin/server", "/srv/app/bin/server"}) {
            if (path == binary) return true;
        }
        return false;
    };
    return files;
}

vigil::Pm2Context context(std::optional<std::string> env = std::nullopt) {
    vigil::Pm2Context made;
    made.file_directory = "/srv/app";
    made.caller_directory = "/work";
    made.env = std::move(env);
    made.files = fake_files();
    return made;
}

bool warns(const vigil::Pm2Plan& plan, const std::string& start) {
    for (const auto& warning : plan.warnings)
        if (warning.rfind(start, 0) == 0) return true;
    return false;
}

}  // namespace

TEST_CASE("the evaluator's records: the app's values, a choice of apps, an error, or output cut short") {
    const auto parsed = vigil::parse_pm2_records(records({{"file", "", "/a/e.js"}, {"scalar", "script", "s.js"}, {"element", "args", "x"},
                                                          {"member", "env", "A=b=c"}, {"empty", "watch", ""}, {"other", "f", "function"},
                                                          {"status", "", "ok"}}));
    REQUIRE(parsed.ok());
    CHECK(parsed->status == Pm2File::Status::ok);
    CHECK(parsed->path == "/a/e.js");
    REQUIRE(parsed->entries.size() == 5);
    CHECK(parsed->entries[2].kind == Pm2Entry::Kind::member);
    CHECK(parsed->entries[2].name == "A");
    CHECK(parsed->entries[2].value == "b=c");
    const auto choose = vigil::parse_pm2_records(records({{"name", "", "api"}, {"name", "", "worker"}, {"status", "", "choose"}}));
    REQUIRE(choose.ok());
    CHECK(choose->status == Pm2File::Status::choose);
    CHECK(choose->names == std::vector<std::string>{"api", "worker"});
    const auto error = vigil::parse_pm2_records(records({{"file", "", "/a/e.js"}, {"error", "", "boom"}}));
    REQUIRE(error.ok());
    CHECK(error->status == Pm2File::Status::error);
    CHECK(error->error == "boom");
    CHECK_FALSE(vigil::parse_pm2_records(records({{"scalar", "script", "s.js"}})).ok());             // no status: cut short
    CHECK_FALSE(vigil::parse_pm2_records(std::string("scalar\0script", 13)).ok());                    // half a record
    CHECK_FALSE(vigil::parse_pm2_records(records({{"bogus", "k", "v"}, {"status", "", "ok"}})).ok());
}

TEST_CASE("script, node_args, args and the interpreter make the command") {
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "dist/index.js"}, {"scalar", "node_args", "--inspect --max-semi-space-size=4"},
                                          {"element", "args", "--port"}, {"element", "args", "80"}}),
                                     context());
    REQUIRE(plan.ok());
    CHECK(plan->command == std::vector<std::string>{"node", "--inspect", "--max-semi-space-size=4", "dist/index.js", "--port", "80"});
    CHECK(plan->name == "dist/index.js");
    // An interpreter of its own, with interpreter_args; "none" and binaries run directly.
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "app.py"}, {"scalar", "interpreter", "python3"}, {"scalar", "interpreter_args", "-u"},
                                     {"scalar", "args", "a 'b c'"}}),
                                context());
    CHECK(plan->command == std::vector<std::string>{"python3", "-u", "app.py", "a", "b c"});
    plan = vigil::plan_from_pm2(app({{"scalar", "exec", "bin/server"}, {"scalar", "interpreter", "none"}}), context());
    CHECK(plan->command == std::vector<std::string>{"bin/server"});
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "server"}, {"element", "node_args", "--inspect"}}), context());
    CHECK(plan->command == std::vector<std::string>{"./server"});
    CHECK(warns(*plan, "node_args: "));
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.mjs"}}), context())->command.front() == "node");
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.cjs"}, {"scalar", "exec_interpreter", "/opt/node"}}), context())->command.front() == "/opt/node");
}

TEST_CASE("an app without a script is an error naming the app") {
    const auto plan = vigil::plan_from_pm2(app({{"scalar", "name", "api"}}), context());
    REQUIRE_FALSE(plan.ok());
    CHECK(plan.error() == "the app 'api' in /srv/app/ecosystem.config.js has no script");
}

TEST_CASE("cwd is relative to the file; without it the caller's directory, as pm2's") {
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "cwd", "./api"}}), context())->working_directory == "/srv/app/api");
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "cwd", "/opt/x"}}), context())->working_directory == "/opt/x");
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), context())->working_directory == "/work");
}

TEST_CASE("env, env_ENV over it, NODE_APP_INSTANCE and source maps") {
    const auto file = app({{"scalar", "script", "a.js"}, {"member", "env", "NODE_ENV=development"}, {"member", "env", "PORT=3000"},
                           {"member", "env_production", "NODE_ENV=production"}, {"scalar", "source_map_support", "true"}});
    auto plan = vigil::plan_from_pm2(file, context("production"));
    CHECK(plan->environment == std::vector<std::string>{"NODE_ENV=production", "PORT=3000", "NODE_APP_INSTANCE=0", "NODE_OPTIONS=--enable-source-maps"});
    plan = vigil::plan_from_pm2(file, context());
    CHECK(plan->environment.front() == "NODE_ENV=development");
    plan = vigil::plan_from_pm2(file, context("staging"));
    CHECK(warns(*plan, "env_staging: the app has none"));
    // Source maps join the container's NODE_OPTIONS; instance_var renames the instance variable.
    auto with_options = context();
    with_options.node_options = "--max-old-space-size=100";
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "source_map_support", "true"}, {"scalar", "instance_var", "INSTANCE_ID"}}),
                                with_options);
    CHECK(plan->environment == std::vector<std::string>{"INSTANCE_ID=0", "NODE_OPTIONS=--max-old-space-size=100 --enable-source-maps"});
}

TEST_CASE("kill_timeout becomes the drain timeout, max_memory_restart the memory restart") {
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_timeout", "5000"}, {"scalar", "max_memory_restart", "1G"}}), context());
    CHECK(plan->drain_timeout == vigil::Milliseconds{5000});
    CHECK(plan->memory_restart == std::uint64_t{1} << 30);
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "max_memory_restart", "524288000"}}), context())->memory_restart == 524288000u);
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "max_memory_restart", "500M"}}), context())->memory_restart == 500u << 20);
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_timeout", "soon"}, {"scalar", "max_memory_restart", "lots"}}), context());
    CHECK_FALSE(plan->drain_timeout.has_value());
    CHECK_FALSE(plan->memory_restart.has_value());
    CHECK(warns(*plan, "kill_timeout: 'soon'"));
    CHECK(warns(*plan, "max_memory_restart: 'lots'"));
    // Without kill_timeout, vigil says why it keeps its own drain timeout.
    const auto bare = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), context());
    REQUIRE(bare->notes.size() == 1);
    CHECK(bare->notes.front().find("PM2's default of 1.6 s would have cut drains short") != std::string::npos);
}

TEST_CASE("every key vigil does not carry over is a warning naming it") {
    const auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "instances", "4"}, {"scalar", "exec_mode", "cluster_mode"},
                                                {"scalar", "autorestart", "true"}, {"scalar", "max_restarts", "10"}, {"scalar", "restart_delay", "100"},
                                                {"scalar", "cron_restart", "0 * * * *"}, {"empty", "watch", ""}, {"scalar", "exp_backoff_restart_delay", "100"},
                                                {"scalar", "out_file", "/o"}, {"scalar", "error_file", "/e"}, {"scalar", "log_file", "/l"},
                                                {"scalar", "merge_logs", "true"}, {"scalar", "log_date_format", "YYYY"}, {"scalar", "wait_ready", "true"},
                                                {"scalar", "listen_timeout", "3000"}, {"scalar", "shutdown_with_message", "true"}, {"other", "hook", "function"},
                                                {"scalar", "instances_max", "2"}}),
                                           context());
    REQUIRE(plan.ok());
    CHECK(warns(*plan, "instances: 4: vigil runs one instance; scaling is the orchestrator's job"));
    CHECK(warns(*plan, "exec_mode: cluster_mode: vigil runs one process"));
    for (const char* key : {"autorestart", "max_restarts", "restart_delay", "cron_restart", "watch", "exp_backoff_restart_delay"}) {
        INFO(key);
        CHECK(warns(*plan, std::string(key) + ": not done: restarts belong to the orchestrator, which sees them"));
    }
    for (const char* key : {"out_file", "error_file", "log_file", "merge_logs", "log_date_format"}) {
        INFO(key);
        CHECK(warns(*plan, std::string(key) + ": ignored: the app's stdout and stderr go to the container's log"));
    }
    CHECK(warns(*plan, "listen_timeout: not done: vigil does not wait for 'ready'; the orchestrator's readiness probe does"));
    CHECK(warns(*plan, "shutdown_with_message: not done: vigil stops the app with SIGINT, not a 'shutdown' message"));
    for (const char* key : {"hook", "instances_max"}) {
        INFO(key);
        CHECK(warns(*plan, std::string(key) + ": not something vigil does; ignored"));
    }
    CHECK(plan->warnings.size() == 17);
    // wait_ready is carried over: the app's process.send('ready') reaches vigil.
    CHECK_FALSE(warns(*plan, "wait_ready"));
    CHECK(plan->node_channel);
    // instances 0 and -1 mean "one per CPU" in PM2, as 'max' does.
    for (const char* instances : {"0", "-1", "max"}) {
        INFO(instances);
        CHECK(warns(*vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "instances", instances}}), context()),
                    std::string("instances: ") + instances + ": vigil runs one instance"));
    }
    // One instance, fork mode: nothing to say.
    CHECK(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "instances", "1"}, {"scalar", "exec_mode", "fork"}}), context())->warnings.empty());
}

TEST_CASE("split_arguments reads PM2's string form of args, with quotes") {
    CHECK(vigil::split_arguments("  --port 80  ") == std::vector<std::string>{"--port", "80"});
    CHECK(vigil::split_arguments("a 'b c' \"d 'e'\" f''g") == std::vector<std::string>{"a", "b c", "d 'e'", "fg"});
    CHECK(vigil::split_arguments("''") == std::vector<std::string>{""});
    CHECK(vigil::split_arguments("").empty());
}

TEST_CASE("--print: the Dockerfile lines that replace the ecosystem file") {
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "dist/index.js"}, {"scalar", "cwd", "api"}, {"member", "env", "GREETING=say \"hi\" $USER"},
                                          {"scalar", "kill_timeout", "8000"}, {"scalar", "max_memory_restart", "512M"}, {"scalar", "watch", "true"}}),
                                     context());
    REQUIRE(plan.ok());
    CHECK(vigil::pm2_dockerfile(*plan, "/srv/app/ecosystem.config.js", std::nullopt, {}) ==
          "# The plain configuration of app 'dist/index.js' from /srv/app/ecosystem.config.js: these lines replace\n"
          "# `--from-pm2` (and VIGIL_FROM_PM2, VIGIL_PM2_APP, VIGIL_PM2_ENV), and the ecosystem file can go.\n"
          "WORKDIR /srv/app/api\n"
          "ENV GREETING=\"say \\\"hi\\\" \\$USER\" \\\n"
          "    NODE_APP_INSTANCE=\"0\" \\\n"
          "    VIGIL_DRAIN_TIMEOUT=\"8s\" \\\n"
          "    VIGIL_MEMORY_RESTART=\"512M\"\n"
          "ENTRYPOINT [\"/init\", \"node\", \"dist/index.js\"]\n"
          "# not carried over: watch: not done: restarts belong to the orchestrator, which sees them\n");
}

TEST_CASE("the stop signal is PM2's: kill_signal, else PM2_KILL_SIGNAL, else SIGINT; a bad one is refused") {
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), context());
    CHECK(plan->stop_signal == SIGINT);
    CHECK(plan->stop_signal_reason == "PM2's default");
    auto with_variable = context();
    with_variable.kill_signal = "SIGTERM";
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), with_variable);
    CHECK(plan->stop_signal == SIGTERM);
    CHECK(plan->stop_signal_reason == "PM2_KILL_SIGNAL");
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_signal", "SIGUSR2"}}), with_variable);
    CHECK(plan->stop_signal == SIGUSR2);
    CHECK(plan->stop_signal_reason == "the file's kill_signal");
    const auto bad = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_signal", "SIGNOPE"}}), context());
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().rfind("kill_signal: ", 0) == 0);
    // PM2 signals the app's whole tree unless treekill is false.
    CHECK(plan->forward_to_group);
    CHECK_FALSE(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "treekill", "false"}}), context())->forward_to_group);
    with_variable.kill_signal = "whenever";
    CHECK_FALSE(vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), with_variable).ok());
}

TEST_CASE("a falsy kill_timeout is PM2's default, never no limit; PM2_KILL_TIMEOUT is that default") {
    for (const auto& [kind, value] : std::vector<std::pair<std::string, std::string>>{{"scalar", "0"}, {"scalar", "false"}, {"scalar", ""}, {"other", "null"}}) {
        INFO(kind << " " << value);
        const auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {kind, "kill_timeout", value}}), context());
        CHECK_FALSE(plan->drain_timeout.has_value());
        CHECK(std::find(plan->notes.begin(), plan->notes.end(), "kill_timeout " + value + ": PM2 takes it for its default, not for no limit") != plan->notes.end());
        CHECK(plan->warnings.empty());
    }
    auto with_variable = context();
    with_variable.kill_timeout = "7000";
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_timeout", "0"}}), with_variable);
    CHECK(plan->drain_timeout == vigil::Milliseconds{7000});
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), with_variable);
    CHECK(plan->drain_timeout == vigil::Milliseconds{7000});
    // The file's own value wins over the variable.
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "kill_timeout", "3000"}}), with_variable);
    CHECK(plan->drain_timeout == vigil::Milliseconds{3000});
    with_variable.kill_timeout = "soon";
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}}), with_variable);
    CHECK_FALSE(plan->drain_timeout.has_value());
    CHECK(warns(*plan, "PM2_KILL_TIMEOUT: 'soon' is not a number of milliseconds"));
}

TEST_CASE("an env value that is undefined or null leaves the variable unset, and says so") {
    const auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"member", "env", "A=1"}, {"unset", "env", "B=undefined"},
                                                {"member", "env", "C=3"}, {"unset", "env_production", "C=null"}, {"member", "env", "D=true"}}),
                                           context("production"));
    CHECK(plan->environment == std::vector<std::string>{"A=1", "D=true", "NODE_APP_INSTANCE=0"});
    CHECK(std::find(plan->notes.begin(), plan->notes.end(), "env.B is undefined: left unset, as Node leaves it") != plan->notes.end());
    CHECK(std::find(plan->notes.begin(), plan->notes.end(), "env_production.C is null: left unset (PM2 would set it to the text 'null')") !=
          plan->notes.end());
}

TEST_CASE("what PM2 runs: npm through PATH, a command line with bash -c, a text file with node, binaries directly") {
    auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "npm"}, {"scalar", "args", "start"}}), context());
    REQUIRE(plan.ok());
    CHECK(plan->command == std::vector<std::string>{"node", "/usr/bin/npm", "start"});
    CHECK(plan->node_channel);
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "npm run start"}, {"scalar", "name", "web"}}), context());
    CHECK(plan->command == std::vector<std::string>{"/bin/bash", "-c", "npm run start"});
    CHECK_FALSE(plan->node_channel);
    auto without_bash = context();
    without_bash.files = fake_files(false);
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "npm run start"}, {"scalar", "args", "--port 80"}}), without_bash);
    CHECK(plan->command == std::vector<std::string>{"/bin/sh", "-c", "npm run start"});
    CHECK(warns(*plan, "args: left out: PM2 runs the command line 'npm run start' with bash -c, without args"));
    // Express's ./bin/www: no extension, not a binary, so node runs it.
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "./bin/www"}}), context());
    CHECK(plan->command == std::vector<std::string>{"node", "./bin/www"});
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "bin/server"}, {"scalar", "interpreter", "none"}}), context());
    CHECK(plan->command == std::vector<std::string>{"bin/server"});
    CHECK_FALSE(plan->node_channel);
    // By extension, as PM2's table; python3 where there is no python, unbuffered as PM2 sets it.
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "job.py"}}), context());
    CHECK(plan->command == std::vector<std::string>{"python3", "job.py"});
    CHECK(std::find(plan->environment.begin(), plan->environment.end(), "PYTHONUNBUFFERED=1") != plan->environment.end());
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "task.sh"}}), context());
    CHECK(plan->command == std::vector<std::string>{"bash", "task.sh"});
    plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"scalar", "interpreter", "bun"}}), context());
    CHECK(plan->command == std::vector<std::string>{"bun", "a.js"});
    // Refused, as PM2 refuses them.
    const auto missing = vigil::plan_from_pm2(app({{"scalar", "script", "missing.js"}}), context());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error() == "the app's script 'missing.js' is not in /work nor on PATH");
    const auto no_interpreter = vigil::plan_from_pm2(app({{"scalar", "script", "a.rb"}}), context());
    REQUIRE_FALSE(no_interpreter.ok());
    CHECK(no_interpreter.error() == "the interpreter 'ruby' is not on PATH");
    CHECK_FALSE(vigil::plan_from_pm2(app({{"scalar", "script", "a.coffee"}}), context()).ok());
}

TEST_CASE("--print carries vigil's own options over the file's, and leaves out what ENV cannot carry") {
    const auto plan = vigil::plan_from_pm2(app({{"scalar", "script", "a.js"}, {"member", "env", "KEY=-----BEGIN KEY-----\nabc\n-----END KEY-----"},
                                                {"member", "env", "PORT=80"}, {"scalar", "kill_timeout", "8000"}, {"scalar", "max_memory_restart", "1G"}}),
                                           context());
    REQUIRE(plan.ok());
    vigil::Pm2Print print;
    print.options = {"--user", "app", "--drain-timeout", "20s", "--rewrite", "SIGTERM:SIGINT", "--node-channel"};
    print.drain_timeout_given = true;
    const auto out = vigil::pm2_dockerfile(*plan, "/srv/app/ecosystem.config.js", std::nullopt, print);
    CHECK(out.find("ENV PORT=\"80\" \\\n    NODE_APP_INSTANCE=\"0\" \\\n    VIGIL_MEMORY_RESTART=\"1G\"\n") != std::string::npos);
    CHECK(out.find("VIGIL_DRAIN_TIMEOUT") == std::string::npos);
    CHECK(out.find("BEGIN KEY") == std::string::npos);
    CHECK(out.find("# not carried over: env.KEY: its value has a line break, which ENV cannot carry: pass it when the container runs") != std::string::npos);
    CHECK(out.find("ENTRYPOINT [\"/init\", \"--user\", \"app\", \"--drain-timeout\", \"20s\", \"--rewrite\", \"SIGTERM:SIGINT\", \"--node-channel\", "
                   "\"node\", \"a.js\"]\n") != std::string::npos);
}
