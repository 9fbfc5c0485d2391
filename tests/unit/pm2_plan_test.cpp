// --from-pm2's pure part: the evaluator's records, each PM2 key's mapping
// and warning, and the plain configuration --print shows.
#include <catch2/catch.hpp>

#include <string>

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

vigil::Pm2Context context(std::optional<std::string> env = std::nullopt) {
    return vigil::Pm2Context{"/srv/app", "/work", std::move(env), ""};
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
    for (const char* key : {"wait_ready", "listen_timeout", "shutdown_with_message", "hook", "instances_max"}) {
        INFO(key);
        CHECK(warns(*plan, std::string(key) + ": not something vigil does; ignored"));
    }
    CHECK(plan->warnings.size() == 18);
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
    CHECK(vigil::pm2_dockerfile(*plan, "/srv/app/ecosystem.config.js", std::nullopt) ==
          "# The plain configuration of app 'dist/index.js' from /srv/app/ecosystem.config.js: these lines replace\n"
          "# `--from-pm2`, and the ecosystem file can go.\n"
          "WORKDIR /srv/app/api\n"
          "ENV GREETING=\"say \\\"hi\\\" \\$USER\" \\\n"
          "    NODE_APP_INSTANCE=\"0\" \\\n"
          "    VIGIL_DRAIN_TIMEOUT=\"8s\" \\\n"
          "    VIGIL_MEMORY_RESTART=\"512M\"\n"
          "ENTRYPOINT [\"/init\", \"node\", \"dist/index.js\"]\n"
          "# not carried over: watch: not done: restarts belong to the orchestrator, which sees them\n");
}
