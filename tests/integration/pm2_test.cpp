// --from-pm2 with real Node: ecosystem files as people write them (JS with
// module.exports, .cjs, JSON, several apps, env_production, a relative cwd,
// node_args) and every bad input, which must exit 2 with one line and start
// nothing.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "harness.hpp"

using namespace harness;

namespace {


// --from-pm2 evaluates ecosystem files with node: without it these cases fail (tests/run.sh installs it).
void require_node() {
    INFO("node is not installed: --from-pm2 needs it (tests/run.sh installs it)");
    REQUIRE(std::system("command -v node >/dev/null 2>&1") == 0);
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

// An app that writes what it was started with to $REPORT (and "started" to $STARTED).
void write_app(const TempDir& dir, const std::string& path) {
    write_text(path, "const fs = require('fs');\n"
                     "fs.writeFileSync(process.env.REPORT, JSON.stringify({argv: process.argv.slice(2), cwd: process.cwd(),\n"
                     "  execArgv: process.execArgv, greeting: process.env.GREETING, instance: process.env.NODE_APP_INSTANCE}));\n"
                     "if (process.env.STAY) setInterval(() => {}, 1000);\n");
    (void)dir;
}

}  // namespace

TEST_CASE("--from-pm2 runs the app of a JS ecosystem file: script, args, node_args, env, relative cwd") {
    require_node();
    TempDir dir;
    ::mkdir(dir.path("api").c_str(), 0755);
    write_app(dir, dir.path("api/server.js"));
    write_text(dir.path("ecosystem.config.js"),
               "console.log('the file may print: it does not matter');\n"
               "module.exports = { apps: [{ name: 'api', script: 'server.js', cwd: './api', args: '--port 3000 \"two words\"',\n"
               "  node_args: ['--max-semi-space-size=4'], env: { GREETING: 'hello', REPORT: '" + dir.path("report") + "' },\n"
               "  env_production: { GREETING: 'production hello' } }] };\n");
    Vigil vigil(dir, {"--from-pm2", dir.path("ecosystem.config.js")});
    CHECK(vigil.wait_exit() == 0);
    const auto report = read_file(dir.path("report"));
    INFO(vigil.err());
    CHECK(contains(report, R"("argv":["--port","3000","two words"])"));
    CHECK(contains(report, R"("cwd":")" + dir.path("api") + "\""));
    CHECK(contains(report, R"("execArgv":["--max-semi-space-size=4"])"));
    CHECK(contains(report, R"("greeting":"hello")"));
    CHECK(contains(report, R"("instance":"0")"));
    CHECK(contains(vigil.err(), "vigil: --from-pm2: app 'api' of " + dir.path("ecosystem.config.js")));
    CHECK(contains(vigil.err(), "PM2's default of 1.6 s would have cut drains short"));

    // env_production over env: from --pm2-env, or from NODE_ENV as pm2-runtime does.
    Vigil production(dir, {"--from-pm2", dir.path("ecosystem.config.js"), "--pm2-env", "production"});
    CHECK(production.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"production hello")"));
    Vigil from_node_env(dir, {"--from-pm2", dir.path("ecosystem.config.js")}, with_environment({"NODE_ENV=production"}));
    CHECK(from_node_env.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"production hello")"));
}

TEST_CASE("--from-pm2 reads .cjs and .json ecosystem files, and arrays of apps") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    const std::string env = "\"env\": {\"GREETING\": \"from json\", \"REPORT\": \"" + dir.path("report") + "\"}";
    write_text(dir.path("ecosystem.config.json"), "{\"apps\": [{\"name\": \"api\", \"script\": \"server.js\", \"cwd\": \".\", " + env + "}]}\n");
    Vigil json(dir, {"--from-pm2", dir.path("ecosystem.config.json")});
    CHECK(json.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"from json")"));

    write_text(dir.path("ecosystem.config.cjs"), "module.exports = [{ name: 'api', script: 'server.js', cwd: '.', env: { GREETING: 'from cjs', REPORT: '" +
                                                     dir.path("report") + "' } }];\n");
    Vigil cjs(dir, {"--from-pm2", dir.path("ecosystem.config.cjs")});
    CHECK(cjs.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"from cjs")"));
}

TEST_CASE("--from-pm2 with several apps: --pm2-app chooses; without it, or with an unknown name, exit 2 naming them") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    write_text(dir.path("ecosystem.config.js"),
               "module.exports = { apps: [{ name: 'api', script: 'server.js', cwd: '.', env: { GREETING: 'api', REPORT: '" + dir.path("report") +
                   "' } }, { name: 'worker', script: 'server.js', cwd: '.', env: { GREETING: 'worker', REPORT: '" + dir.path("report") + "' } }] };\n");
    Vigil chosen(dir, {"--from-pm2", dir.path("ecosystem.config.js"), "--pm2-app", "worker"});
    CHECK(chosen.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"worker")"));
    Vigil by_variable(dir, {"--from-pm2", dir.path("ecosystem.config.js")}, with_environment({"VIGIL_PM2_APP=api"}));
    CHECK(by_variable.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"api")"));

    Vigil unnamed(dir, {"--from-pm2", dir.path("ecosystem.config.js")});
    CHECK(unnamed.wait_exit() == 2);
    CHECK(unnamed.err() == "vigil: cannot use the ecosystem file '" + dir.path("ecosystem.config.js") +
                               "': it has several apps ('api', 'worker'): choose one with --pm2-app\n");
    Vigil unknown(dir, {"--from-pm2", dir.path("ecosystem.config.js"), "--pm2-app", "web"});
    CHECK(unknown.wait_exit() == 2);
    CHECK(contains(unknown.err(), "it has no app named 'web' (its apps: 'api', 'worker')"));
}

TEST_CASE("--from-pm2: kill_timeout is the drain timeout") {
    require_node();
    TempDir dir;
    write_text(dir.path("stubborn.js"), "process.on('SIGINT', () => {}); require('fs').writeFileSync(process.env.READY, ''); setInterval(() => {}, 1000);\n");
    write_text(dir.path("ecosystem.config.js"), "module.exports = { apps: [{ script: 'stubborn.js', cwd: '.', kill_timeout: 1000, env: { READY: '" +
                                                    dir.path("ready") + "' } }] };\n");
    Vigil vigil(dir, {"--from-pm2", dir.path("ecosystem.config.js")});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 137);
    CHECK(contains(vigil.err(), "vigil: --from-pm2: kill_timeout 1000 ms: the drain timeout is 1s"));
    CHECK(contains(vigil.err(), "vigil: drain deadline of 1s reached"));
}

TEST_CASE("--from-pm2 --print: the plain configuration, and nothing started") {
    require_node();
    TempDir dir;
    write_text(dir.path("ecosystem.config.js"), "module.exports = { apps: [{ name: 'api', script: 'dist/index.js', cwd: '.', env: { PORT: 80 }, instances: 4,\n"
                                                "  max_memory_restart: '1G', kill_timeout: 8000 }] };\n");
    ::mkdir(dir.path("dist").c_str(), 0755);
    write_text(dir.path("dist/index.js"), "");
    Vigil vigil(dir, {"--from-pm2", dir.path("ecosystem.config.js"), "--print"});
    CHECK(vigil.wait_exit() == 0);
    const auto out = vigil.out();
    CHECK(contains(out, "ENV PORT=\"80\" \\\n    NODE_APP_INSTANCE=\"0\" \\\n    VIGIL_DRAIN_TIMEOUT=\"8s\" \\\n    VIGIL_MEMORY_RESTART=\"1G\"\n"));
    CHECK(contains(out, "ENTRYPOINT [\"/init\", \"--rewrite\", \"SIGTERM:SIGINT\", \"--node-channel\", \"--group\", \"--success-exit\", \"130\", \"node\", \"dist/index.js\"]\n"));
    CHECK(contains(out, "# not carried over: instances: 4: vigil runs one instance"));
    CHECK(vigil.err().empty());
}

TEST_CASE("--from-pm2 with a bad file, a bad app or no node: one line, exit 2, nothing started") {
    require_node();
    TempDir dir;
    write_text(dir.path("started.js"), "require('fs').writeFileSync('" + dir.path("started") + "', '');\n");
    write_text(dir.path("throws.config.js"), "throw new Error('cannot load the settings');\n");
    write_text(dir.path("syntax.config.js"), "module.exports = { apps: [ { script: 'started.js', } ;\n");
    write_text(dir.path("noscript.config.js"), "module.exports = { apps: [{ name: 'api', cwd: '.' }] };\n");
    write_text(dir.path("empty.config.js"), "module.exports = { apps: [] };\n");
    write_text(dir.path("good.config.js"), "module.exports = { apps: [{ script: 'started.js', cwd: '.' }] };\n");
    const std::string big(2 << 20, 'x');
    write_text(dir.path("huge.config.js"), "module.exports = { apps: [{ script: 'started.js', args: ['" + big + "'] }] };\n");
    struct Case {
        std::vector<std::string> arguments;
        std::vector<std::string> environment;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"--from-pm2", dir.path("missing.config.js")}, {}, "': cannot read it: No such file or directory"},
        {{"--from-pm2", dir.path("throws.config.js")}, {}, "': cannot load the settings"},
        {{"--from-pm2", dir.path("syntax.config.js")}, {}, "': Unexpected token"},
        {{"--from-pm2", dir.path("noscript.config.js")}, {}, "': the app 'api' in " + dir.path("noscript.config.js") + " has no script"},
        {{"--from-pm2", dir.path("empty.config.js")}, {}, "': it defines no apps"},
        {{"--from-pm2", dir.path("good.config.js")}, {"PATH=" + dir.path("nowhere")}, "': no node to evaluate it with (none in PATH="},
        {{"--from-pm2", dir.path("huge.config.js")}, {}, "': evaluating it printed more than 1048576 bytes"},
        {{"--from-pm2", dir.path("good.config.js"), "node", "x.js"}, {}, "--from-pm2 takes the program from the ecosystem file; remove 'node'"},
        {{"--pm2-app", "api", "node", "x.js"}, {}, "--pm2-app goes with --from-pm2"},
        {{"--print", "node", "x.js"}, {}, "--print goes with --from-pm2"},
    };
    for (const auto& bad : cases) {
        INFO(bad.says);
        Vigil vigil(dir, bad.arguments, with_environment(bad.environment));
        CHECK(vigil.wait_exit() == 2);
        const auto err = vigil.err();
        INFO(err);
        CHECK(lines(err).size() == 1);
        CHECK(contains(err, bad.says));
        CHECK_FALSE(file_exists(dir.path("started")));
    }
}

TEST_CASE("--from-pm2: a file that never finishes is stopped after 10 s, not waited for") {
    require_node();
    TempDir dir;
    write_text(dir.path("forever.config.js"), "for (;;) {}\n");
    Vigil vigil(dir, {"--from-pm2", dir.path("forever.config.js")});
    CHECK(vigil.wait_exit() == 2);
    CHECK(contains(vigil.err(), "': evaluating it took longer than 10s"));
}

namespace {

// The ecosystem file FILE of one app in dir, as PM2's docs write them.
std::string ecosystem(const TempDir& dir, const std::string& name, const std::string& app) {
    write_text(dir.path(name), "module.exports = { apps: [{ cwd: '.', " + app + " }] };\n");
    return dir.path(name);
}

}  // namespace

TEST_CASE("--from-pm2 stops the app with PM2's signal: a SIGINT-only app drains on the container's SIGTERM") {
    require_node();
    TempDir dir;
    // As PM2's "graceful stop" guide writes it: SIGINT only.
    write_text(dir.path("graceful.js"), "const fs = require('fs');\n"
                                        "process.on('SIGINT', () => { fs.writeFileSync(process.env.CLEANED, process.argv[2] || 'SIGINT'); process.exit(0); });\n"
                                        "process.on('SIGUSR2', () => { fs.writeFileSync(process.env.CLEANED, 'SIGUSR2'); process.exit(0); });\n"
                                        "fs.writeFileSync(process.env.READY, ''); setInterval(() => {}, 1000);\n");
    const std::string env = "env: { READY: '" + dir.path("ready") + "', CLEANED: '" + dir.path("cleaned") + "' }";
    const auto file = ecosystem(dir, "ecosystem.config.js", "script: 'graceful.js', " + env);
    {
        Vigil vigil(dir, {"--from-pm2", file});
        REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
        vigil.signal(SIGTERM);
        CHECK(vigil.wait_exit() == 0);
        INFO(vigil.err());
        CHECK(read_file(dir.path("cleaned")) == "SIGINT");
        CHECK(count_occurrences(vigil.err(), "vigil: --from-pm2: SIGTERM reaches the app as SIGINT, the signal PM2 stops it with (PM2's default)\n") == 1);
        CHECK(contains(vigil.err(), "vigil: forwarded SIGTERM as SIGINT to process group"));
        CHECK(contains(vigil.err(), "vigil: --from-pm2: signals go to the app's process group (--group), as PM2 signals the app's whole tree (treekill)\n"));
    }
    ::unlink(dir.path("ready").c_str());
    ::unlink(dir.path("cleaned").c_str());
    {
        // The file's kill_signal.
        const auto own = ecosystem(dir, "usr2.config.js", "script: 'graceful.js', kill_signal: 'SIGUSR2', " + env);
        Vigil vigil(dir, {"--from-pm2", own});
        REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
        vigil.signal(SIGTERM);
        CHECK(vigil.wait_exit() == 0);
        CHECK(read_file(dir.path("cleaned")) == "SIGUSR2");
        CHECK(contains(vigil.err(), "the signal PM2 stops it with (the file's kill_signal)"));
    }
    ::unlink(dir.path("ready").c_str());
    {
        // vigil's own --rewrite wins: SIGTERM stays SIGTERM, which this app does not handle.
        Vigil vigil(dir, {"--rewrite", "TERM:TERM", "--from-pm2", file});
        REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
        vigil.signal(SIGTERM);
        CHECK(vigil.wait_exit() == 143);
        CHECK(contains(vigil.err(), "vigil: --from-pm2: the --rewrite given to vigil turns SIGTERM into SIGTERM; PM2 would stop the app with SIGINT"));
    }
}

TEST_CASE("--from-pm2: kill_timeout 0 is PM2's default, not no limit; vigil's -t wins over the file") {
    require_node();
    TempDir dir;
    write_text(dir.path("stubborn.js"), "process.on('SIGINT', () => {}); require('fs').writeFileSync(process.env.READY, ''); setInterval(() => {}, 1000);\n");
    const auto zero = ecosystem(dir, "zero.config.js", "script: 'stubborn.js', kill_timeout: 0, env: { READY: '" + dir.path("ready") + "' }");
    {
        Vigil vigil(dir, {"--from-pm2", zero}, with_environment({"PM2_KILL_TIMEOUT=1500"}));
        REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
        vigil.signal(SIGTERM);
        CHECK(vigil.wait_exit() == 137);
        INFO(vigil.err());
        CHECK(contains(vigil.err(), "vigil: --from-pm2: kill_timeout 0: PM2 takes it for its default, not for no limit\n"));
        CHECK(contains(vigil.err(), "vigil: --from-pm2: PM2_KILL_TIMEOUT 1500 ms: the drain timeout is 1s500ms\n"));
        CHECK(contains(vigil.err(), "vigil: drain deadline of 1s500ms reached"));
    }
    ::unlink(dir.path("ready").c_str());
    const auto long_one = ecosystem(dir, "long.config.js", "script: 'stubborn.js', kill_timeout: 60000, env: { READY: '" + dir.path("ready") + "' }");
    Vigil vigil(dir, {"-t", "1s", "--from-pm2", long_one});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 137);
    CHECK(contains(vigil.err(), "vigil: --from-pm2: the drain timeout given to vigil (1s) applies, not kill_timeout"));
}

TEST_CASE("--from-pm2: an env value that is undefined or null leaves the variable unset; others become text as in PM2") {
    require_node();
    TempDir dir;
    write_text(dir.path("env.js"), "const e = process.env; require('fs').writeFileSync(e.REPORT, JSON.stringify({unset: 'UNSET_X' in e, nulled: 'NULLED' in e,\n"
                                   "  number: e.NUMBER, flag: e.FLAG, object: e.OBJECT}));\n");
    const auto file = ecosystem(dir, "ecosystem.config.js", "script: 'env.js', env: { UNSET_X: process.env.UNSET_X, NULLED: null, NUMBER: 5, FLAG: false,\n"
                                                            "  OBJECT: { a: [1, 'b'] }, REPORT: '" + dir.path("report") + "' }");
    LaunchOptions without_x;
    without_x.removed_variables = {"UNSET_X"};
    Vigil vigil(dir, {"--from-pm2", file}, without_x);
    CHECK(vigil.wait_exit() == 0);
    INFO(vigil.err());
    CHECK(read_file(dir.path("report")) == R"({"unset":false,"nulled":false,"number":"5","flag":"false","object":"{\"a\":[1,\"b\"]}"})");
    CHECK(contains(vigil.err(), "vigil: --from-pm2: env.UNSET_X is undefined: left unset, as Node leaves it\n"));
    CHECK(contains(vigil.err(), "vigil: --from-pm2: env.NULLED is null: left unset (PM2 would set it to the text 'null')\n"));
}

TEST_CASE("--from-pm2 runs what PM2 runs: npm start, a command line, ./bin/www, a binary, an interpreter by name") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    ::mkdir(dir.path("bin").c_str(), 0755);
    write_text(dir.path("bin/www"), "require('../server.js');\n");  // Express's: no .js, not executable
    write_text(dir.path("package.json"), "{\"name\": \"app\", \"version\": \"1.0.0\", \"scripts\": {\"start\": \"node server.js from-npm\"}}\n");
    const std::string env = "env: { REPORT: '" + dir.path("report") + "', npm_config_cache: '" + dir.path("npm-cache") + "' }";
    struct Case {
        std::string app;
        std::string argv;  // what the app saw
    };
    const std::vector<Case> cases = {
        {"script: 'npm', args: 'start'", R"("argv":["from-npm"])"},
        {"script: 'npm run start -- again'", R"("argv":["from-npm","again"])"},
        {"script: './bin/www', args: ['www']", R"("argv":["www"])"},
        {"script: 'server.js', interpreter: 'node', args: 'named'", R"("argv":["named"])"},
        {"script: '" + helper_binary() + "', interpreter: 'none', args: ['ready', '" + dir.path("report") + "', 'exit', '0']", "\n"},  // its pid
    };
    for (const auto& one : cases) {
        INFO(one.app);
        ::unlink(dir.path("report").c_str());
        const auto file = ecosystem(dir, "ecosystem.config.js", one.app + ", " + env);
        Vigil vigil(dir, {"--from-pm2", file});
        CHECK(vigil.wait_exit() == 0);
        INFO(vigil.err());
        CHECK(contains(read_file(dir.path("report")), one.argv));
    }
    // What PM2 refuses, vigil refuses: one line, exit 2.
    const auto missing = ecosystem(dir, "missing.config.js", "script: 'nowhere.js'");
    Vigil refused(dir, {"--from-pm2", missing});
    CHECK(refused.wait_exit() == 2);
    const auto root = dir.path("x").substr(0, dir.path("x").size() - 2);
    CHECK(contains(refused.err(), "': the app's script 'nowhere.js' is not in " + root + " nor on PATH\n"));
    const auto no_interpreter = ecosystem(dir, "ruby.config.js", "script: 'server.js', interpreter: 'no-such-interpreter'");
    Vigil unknown(dir, {"--from-pm2", no_interpreter});
    CHECK(unknown.wait_exit() == 2);
    CHECK(contains(unknown.err(), "': the interpreter 'no-such-interpreter' is not on PATH\n"));
}

TEST_CASE("--from-pm2: a wait_ready app's process.send('ready') reaches vigil, which logs it") {
    require_node();
    TempDir dir;
    // As PM2's "graceful start" guide writes it.
    write_text(dir.path("ready.js"), "const http = require('http');\n"
                                     "const server = http.createServer((request, response) => response.end('hey'));\n"
                                     "server.listen(0, '127.0.0.1', () => { process.send('ready'); process.send({ metric: 1 });\n"
                                     "  require('fs').writeFileSync(process.env.REPORT, 'listening'); setTimeout(() => server.close(), 200); });\n");
    const auto file = ecosystem(dir, "ecosystem.config.js", "script: 'ready.js', wait_ready: true, listen_timeout: 10000, env: { REPORT: '" + dir.path("report") + "' }");
    Vigil vigil(dir, {"--log-level", "debug", "--from-pm2", file});
    CHECK(vigil.wait_exit() == 0);
    INFO(vigil.err());
    CHECK(read_file(dir.path("report")) == "listening");
    CHECK(count_occurrences(vigil.err(), "vigil: the program is ready (process.send('ready'))\n") == 1);
    CHECK(contains(vigil.err(), "vigil: the program sent a message: {\"metric\":1}\n"));
    CHECK(contains(vigil.err(), "vigil: --from-pm2: wait_ready: the app's process.send('ready') reaches vigil, which logs it"));
    CHECK(contains(vigil.err(), "vigil: --from-pm2: listen_timeout: not done: vigil does not wait for 'ready'"));
    // --node-channel gives any node program the same, without an ecosystem file.
    Vigil plain(dir, {"--node-channel", "node", dir.path("ready.js")}, with_environment({"REPORT=" + dir.path("report")}));
    CHECK(plain.wait_exit() == 0);
    CHECK(contains(plain.err(), "vigil: the program is ready (process.send('ready'))\n"));
}

TEST_CASE("--from-pm2 reads the file forms PM2 reads: .json with comments and trailing commas, YAML with PM2's reader") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    write_text(dir.path("process.json"), "// the apps\n{\n  \"apps\": [\n    {\"script\": \"server.js\", \"cwd\": \".\", /* one app */\n"
                                         "     \"env\": {\"GREETING\": \"json5-ish\", \"REPORT\": \"" + dir.path("report") + "\",},},\n  ],\n}\n");
    Vigil json(dir, {"--from-pm2", dir.path("process.json")});
    CHECK(json.wait_exit() == 0);
    INFO(json.err());
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"json5-ish")"));

    // YAML: without js-yaml (or yaml) the line says so and how to go on.
    write_text(dir.path("process.yml"), "apps:\n  - script: server.js\n    cwd: .\n");
    Vigil without(dir, {"--from-pm2", dir.path("process.yml")});
    CHECK(without.wait_exit() == 2);
    CHECK(contains(without.err(), "': a YAML file needs a YAML reader and none was found (js-yaml, as PM2 uses, or yaml"));
    // With one in the app's node_modules, it is used (here a reader that knows this one file).
    ::mkdir(dir.path("node_modules").c_str(), 0755);
    ::mkdir(dir.path("node_modules/js-yaml").c_str(), 0755);
    write_text(dir.path("node_modules/js-yaml/index.js"),
               "exports.load = (text) => { if (!text.includes('script: server.js')) throw new Error('bad YAML, line 2'); return { apps: [{ script: 'server.js', "
               "cwd: '.', env: { GREETING: 'from yaml', REPORT: '" + dir.path("report") + "' } }] }; };\n");
    Vigil yaml(dir, {"--from-pm2", dir.path("process.yml")});
    CHECK(yaml.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("report")), R"("greeting":"from yaml")"));
    write_text(dir.path("bad.yaml"), "apps: [\n");
    Vigil bad(dir, {"--from-pm2", dir.path("bad.yaml")});
    CHECK(bad.wait_exit() == 2);
    CHECK(contains(bad.err(), "': bad YAML, line 2\n"));
}

TEST_CASE("--from-pm2: the file's own output reaches the log; its errors are the real ones; what it leaves running is killed") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    const std::string env = "env: { REPORT: '" + dir.path("report") + "' }";
    // Output while loading, a timer left armed and a helper holding stdout: done as soon as the records are.
    // The helper's duration names this test process, so no other "sleep 300" on the machine is taken for it.
    const std::string helper_seconds = "300." + std::to_string(::getpid());
    write_text(dir.path("busy.config.js"), "console.warn('warning: DATABASE_URL is not set');\n"
                                           "setInterval(() => {}, 1000);\n"
                                           "require('child_process').spawn('sleep', ['" + helper_seconds + "'], { stdio: 'inherit', detached: true }).unref();\n"
                                           "module.exports = { apps: [{ script: 'server.js', cwd: '.', " + env + " }] };\n");
    Vigil busy(dir, {"--from-pm2", dir.path("busy.config.js")});
    CHECK(busy.wait_exit() == 0);
    INFO(busy.err());
    CHECK(busy.runtime_seconds() < 8);
    CHECK(contains(busy.err(), "warning: DATABASE_URL is not set\n"));
    CHECK(contains(busy.err(), "vigil: --from-pm2: evaluating the ecosystem file left 1 process running: killed before the app starts\n"));
    CHECK(file_exists(dir.path("report")));
    CHECK(std::system(("pgrep -f '^sleep " + helper_seconds + "$' >/dev/null").c_str()) != 0);

    struct Case {
        std::string file;
        std::string says;
    };
    const std::vector<Case> cases = {
        {"module.exports = { apps: [{ get script() { throw new Error('no script today'); } }] };", "': reading the app's script threw: no script today\n"},
        {"const env = {}; env.self = env; module.exports = { apps: [{ script: 'server.js', env: { LOOP: env } }] };",
         "': env.LOOP cannot be turned into text: Converting circular structure to JSON\n"},
        {"throw 'a string, not an Error';", "': it threw \"a string, not an Error\"\n"},
        {"module.exports = { apps: [ { script: 'server.js', } ;", "': Unexpected token ';' (" + dir.path("case.config.js") + ":1)\n"},
    };
    for (const auto& one : cases) {
        INFO(one.file);
        write_text(dir.path("case.config.js"), one.file + "\n");
        Vigil vigil(dir, {"--from-pm2", dir.path("case.config.js")});
        CHECK(vigil.wait_exit() == 2);
        CHECK(contains(vigil.err(), one.says));
        CHECK(lines(vigil.err()).size() == 1);
    }
}

TEST_CASE("--from-pm2 --print carries vigil's own options and the stop signal, and says what ENV cannot carry") {
    require_node();
    TempDir dir;
    write_app(dir, dir.path("server.js"));
    const auto file = ecosystem(dir, "ecosystem.config.js", "script: 'server.js', kill_timeout: 8000, max_memory_restart: '1G', instances: 0,\n"
                                                            "  env: { KEY: '-----BEGIN KEY-----\\nabc\\n-----END KEY-----', PORT: 80 }");
    Vigil vigil(dir, {"-t", "20s", "--no-new-privs", "-r", "HUP:USR2", "--from-pm2", file, "--print"});
    CHECK(vigil.wait_exit() == 0);
    const auto out = vigil.out();
    INFO(out << vigil.err());
    CHECK(contains(out, "ENV PORT=\"80\" \\\n    NODE_APP_INSTANCE=\"0\" \\\n    VIGIL_MEMORY_RESTART=\"1G\"\n"));
    CHECK(contains(out, "ENTRYPOINT [\"/init\", \"--drain-timeout\", \"20s\", \"--no-new-privs\", \"--rewrite\", \"SIGHUP:SIGUSR2\", \"--rewrite\", "
                        "\"SIGTERM:SIGINT\", \"--node-channel\", \"--group\", \"--success-exit\", \"130\", \"node\", \"server.js\"]\n"));
    CHECK(contains(out, "# not carried over: env.KEY: its value has a line break, which ENV cannot carry"));
    CHECK(contains(out, "# not carried over: instances: 0: vigil runs one instance"));
    CHECK_FALSE(contains(out, "BEGIN KEY"));
    CHECK_FALSE(contains(out, "VIGIL_DRAIN_TIMEOUT"));
}
