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
    write_text(dir.path("stubborn.js"), "process.on('SIGTERM', () => {}); require('fs').writeFileSync(process.env.READY, ''); setInterval(() => {}, 1000);\n");
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
    write_text(dir.path("ecosystem.config.js"), "module.exports = { apps: [{ name: 'api', script: 'dist/index.js', env: { PORT: 80 }, instances: 4,\n"
                                                "  max_memory_restart: '1G', kill_timeout: 8000 }] };\n");
    Vigil vigil(dir, {"--from-pm2", dir.path("ecosystem.config.js"), "--print"});
    CHECK(vigil.wait_exit() == 0);
    const auto out = vigil.out();
    CHECK(contains(out, "ENV PORT=\"80\" \\\n    NODE_APP_INSTANCE=\"0\" \\\n    VIGIL_DRAIN_TIMEOUT=\"8s\" \\\n    VIGIL_MEMORY_RESTART=\"1G\"\n"));
    CHECK(contains(out, "ENTRYPOINT [\"/init\", \"node\", \"dist/index.js\"]\n"));
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
