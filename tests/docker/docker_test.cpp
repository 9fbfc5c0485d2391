// vigil in a real Docker engine: the images docker/Dockerfile builds (with
// the classic builder and BuildKit, and for arm64), the example image run
// as users run it, and vigil as Docker's own --init side by side with
// Debian's tini in the same run.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <future>

#include "../e2e/pm2_comparison.hpp"
#include "docker.hpp"

using namespace harness;
using namespace e2e;
using docker_suite::setup;

namespace fs = std::filesystem;

namespace {


std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// A docker command's stdout; its exit code in *code when asked.
std::string docker(std::vector<std::string> words, int* code = nullptr) {
    std::vector<std::string> command = setup().runtime.global_options;
    command.insert(command.end(), words.begin(), words.end());
    std::string output;
    const int status = run_command(command, &output);
    if (code != nullptr) *code = status;
    return output;
}

// A file out of an image, into dir.
std::string copy_out(const std::string& image, const std::string& path, const TempDir& dir) {
    const std::string name = "vigil-copy-" + std::to_string(::getpid());
    docker({"create", "--name", name, image, "x"});
    const auto target = dir.path(fs::path(path).filename().string() + "-" + fs::path(image).filename().string());
    docker({"cp", name + ":" + path, target});
    docker({"rm", "-f", name});
    return target;
}

// The test programs, readable by the example image's uid 1000.
std::string apps(const TempDir& dir) {
    const auto copy = dir.path("apps");
    if (!fs::exists(copy)) fs::copy(setup().source + "/tests/e2e/apps", copy, fs::copy_options::recursive);
    return copy;
}

ContainerSpec spec(std::vector<std::string> command, std::vector<std::string> environment = {}, std::vector<std::string> options = {}) {
    ContainerSpec result;
    result.command = std::move(command);
    result.environment = std::move(environment);
    result.run_options = std::move(options);
    return result;
}

// What `--entrypoint /init` plus the test programs look like for the example image.
std::vector<std::string> with_apps(const TempDir& dir, std::vector<std::string> options = {}) {
    options.insert(options.end(), {"-v", apps(dir) + ":/apps:ro"});
    return options;
}

// The daemon runs this file for `docker run --init`: replaced by renaming, so
// a container starting meanwhile sees one whole binary or the other.
void use_init(const std::string& binary) {
    const auto staging = setup().init_path + ".new";
    fs::copy_file(binary, staging, fs::copy_options::overwrite_existing);
    fs::permissions(staging, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    fs::rename(staging, setup().init_path);
}

std::string version_of(const std::string& binary) {
    std::string output;
    run_command({binary, "--version"}, &output);
    return output;
}

bool json_lines(const std::string& text) {
    for (const auto& line : lines(text)) {
        if (!is_json_object_with(line, {"ts", "level", "msg", "event"})) return false;
    }
    return !text.empty();
}

const char* heap_report = "console.log(`heap_size_limit=${require('v8').getHeapStatistics().heap_size_limit}`)";

}  // namespace

TEST_CASE("both builders make a one-layer image holding the static vigil, as the build describes") {
    TempDir dir;
    std::uintmax_t reference = fs::file_size(setup().vigil);
    for (const char* image : {"vigil:classic", "vigil:buildkit"}) {
        INFO(image);
        CHECK(trimmed(docker({"image", "inspect", "--format", "{{len .RootFS.Layers}}", image})) == "1");
        const auto init = copy_out(image, "/init", dir);
        CHECK(run_command({setup().source + "/tests/check-static.sh", init, "1048576"}) == 0);
        // The same compiler and flags as this build's static vigil: the same bytes count.
        CHECK(fs::file_size(init) == reference);
        CHECK(version_of(init) == "vigil version 0.1.0 - git." + setup().commit + "\n");
    }
    for (const char* image : {"vigil-example:classic", "vigil-example:buildkit"}) {
        INFO(image);
        CHECK(trimmed(docker({"image", "inspect", "--format", "{{json .Config.Entrypoint}} {{.Config.User}}", image})) ==
              R"(["/init","node","dist/index.js"] node)");
    }
}

TEST_CASE("for linux/arm64 BuildKit cross-compiles a static aarch64 /init on the build machine") {
    TempDir dir;
    CHECK(trimmed(docker({"image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", "vigil:arm64"})) == "linux/arm64");
    const auto init = copy_out("vigil:arm64", "/init", dir);
    std::string header;
    run_command({"readelf", "-h", init}, &header);
    CHECK(contains(header, "AArch64"));
    CHECK(run_command({setup().source + "/tests/check-static.sh", init, "1048576"}) == 0);
}

TEST_CASE("the example image: docker stop drains the request in flight, exits 0, and the logs keep the server's and vigil's lines apart") {
    for (const char* image : {"vigil-example:classic", "vigil-example:buildkit"}) {
        for (const bool json : {false, true}) {
            INFO(image << (json ? " with JSON logs" : ""));
            TempDir dir;
            auto server_spec = spec({}, {"SOCKET=/work/http.sock"});
            if (json) server_spec.environment.push_back("VIGIL_LOG_FORMAT=json");
            server_spec.keep = true;
            Container server(setup().runtime, image, dir, server_spec);
            REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
            auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=2000"); });
            REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=2000 started"); }));
            server.stop(10);
            const auto response = request.get();
            CHECK(response.status == 200);
            CHECK(server.wait_exit() == 0);
            CHECK(server.seconds_since_stop() < 8.0);
            std::string out;
            std::string err;
            server.logs(out, err);
            INFO(out << err);
            for (const auto& line : lines(out)) CHECK(line.rfind("server: ", 0) == 0);
            CHECK(contains(out, "server: all connections closed, exiting 0"));
            if (json) {
                CHECK(json_lines(err));
                CHECK(contains(err, R"("event":"stop_signal")"));
            } else {
                for (const auto& line : lines(err)) CHECK(line.rfind("vigil: ", 0) == 0);
                CHECK(contains(err, "vigil: received SIGTERM: draining (budget 8s)"));
            }
        }
    }
}

TEST_CASE("a Node program without signal handlers: 143 at once under vigil, 137 after Docker's 10 s without it") {
    TempDir dir;
    Container with_vigil(setup().runtime, "vigil-example:classic", dir,
                         spec({"node", "/apps/no-handler.js"}, {}, with_apps(dir, {"--entrypoint", "/init"})));
    REQUIRE(wait_for([&] { return contains(with_vigil.out(), "ready"); }));
    with_vigil.stop(10);
    CHECK(with_vigil.wait_exit() == 143);
    CHECK(with_vigil.seconds_since_stop() < 8.0);

    Container alone(setup().runtime, "vigil-example:classic", dir, spec({"/apps/no-handler.js"}, {}, with_apps(dir, {"--entrypoint", "node"})));
    REQUIRE(wait_for([&] { return contains(alone.out(), "ready"); }));
    alone.stop(10);
    CHECK(alone.wait_exit() == 137);  // Node as PID 1 ignored SIGTERM; Docker's SIGKILL ended it
    CHECK(alone.seconds_since_stop() >= 10.0);
}

TEST_CASE("a server that ignores SIGTERM: vigil's deadline (8 s in the image) comes before Docker's 10 s") {
    TempDir dir;
    auto stubborn_spec = spec({"node", "/apps/stubborn.js"}, {}, with_apps(dir, {"--entrypoint", "/init"}));
    stubborn_spec.keep = true;
    Container stubborn(setup().runtime, "vigil-example:classic", dir, stubborn_spec);
    REQUIRE(wait_for([&] { return contains(stubborn.out(), "ready"); }));
    stubborn.stop(10);
    CHECK(stubborn.wait_exit() == 137);
    CHECK(stubborn.seconds_since_stop() >= 8.0);
    CHECK(stubborn.seconds_since_stop() < 10.0);
    std::string out;
    std::string err;
    stubborn.logs(out, err);
    CHECK(contains(err, "vigil: drain deadline of 8s reached: killed 1 process(es)"));
}

TEST_CASE("docker run -it: Ctrl-C ends a program without a SIGINT handler with 130, and the example server drains and exits 0") {
    TempDir dir;
    auto plain = spec({"node", "-e", "console.log('ready'); setInterval(() => {}, 1000)"}, {}, {"--entrypoint", "/init"});
    plain.terminal = true;
    Container program(setup().runtime, "vigil-example:classic", dir, plain);
    REQUIRE(wait_for([&] { return contains(program.out(), "ready"); }));
    program.type("\x03");
    CHECK(program.wait_exit() == 130);

    auto example = spec({});
    example.terminal = true;
    Container server(setup().runtime, "vigil-example:classic", dir, example);
    REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
    server.type("\x03");
    CHECK(server.wait_exit() == 0);
    CHECK(contains(server.out(), "SIGINT received"));
}

TEST_CASE("exit codes and signals pass through docker run") {
    TempDir dir;
    const auto init = with_apps(dir, {"--entrypoint", "/init"});
    Container exits(setup().runtime, "vigil-example:classic", dir, spec({"node", "-e", "process.exit(3)"}, {}, init));
    CHECK(exits.wait_exit() == 3);
    Container segfaults(setup().runtime, "vigil-example:classic", dir,
                        spec({"node", "-e", "process.kill(process.pid, 'SIGSEGV'); setTimeout(() => {}, 10000)"}, {}, init));
    CHECK(segfaults.wait_exit() == 139);
    Container missing(setup().runtime, "vigil-example:classic", dir, spec({"nodee", "dist/index.js"}, {}, init));
    CHECK(missing.wait_exit() == 127);
    CHECK(contains(missing.err(), "vigil: cannot run 'nodee': No such file or directory"));

    Container hup(setup().runtime, "vigil-example:classic", dir, spec({"node", "/apps/hup.js"}, {}, init));
    REQUIRE(wait_for([&] { return contains(hup.out(), "ready"); }));
    hup.kill("HUP");
    REQUIRE(wait_for([&] { return contains(hup.out(), "got SIGHUP"); }));
    CHECK(hup.inspect("{{.State.Running}}") == "true");
    hup.stop(10);
    CHECK(hup.wait_exit() == 143);
}

TEST_CASE("memory: --node-heap sizes Node's heap from docker run -m, a heap leak ends in V8's error, and an OOM kill is diagnosed and seen by Docker") {
    TempDir dir;
    const std::vector<std::string> limited = with_apps(dir, {"--entrypoint", "/init", "-m", "128m", "--memory-swap", "128m"});
    Container sized(setup().runtime, "vigil-example:classic", dir, spec({"node", "-e", heap_report}, {"VIGIL_NODE_HEAP=100"}, limited));
    REQUIRE(sized.wait_exit() == 0);
    CHECK(contains(sized.err(), "vigil: --node-heap: Node may use 128 MiB (100% of the 128 MiB memory limit)"));
    CHECK(contains(sized.err(), "--max-old-space-size=49"));
    Container by_hand(setup().runtime, "vigil-example:classic", dir,
                      spec({"node", "-e", heap_report}, {"NODE_OPTIONS=--max-old-space-size=49"}, {"--entrypoint", "", "-m", "128m", "--memory-swap", "128m"}));
    REQUIRE(by_hand.wait_exit() == 0);
    CHECK(sized.out() == by_hand.out());

    // Node 22's JS heap leak: V8's own error under --node-heap, the OOM killer without it.
    Container leak(setup().runtime, "vigil-example:classic", dir, spec({"node", "/apps/heap-leak.js"}, {"VIGIL_NODE_HEAP=100"}, limited));
    CHECK(leak.wait_exit(Seconds{300}) == 134);
    CHECK(contains(leak.err(), "JavaScript heap out of memory"));
    Container alone(setup().runtime, "vigil-example:classic", dir, spec({"node", "/apps/heap-leak.js"}, {}, limited));
    CHECK(alone.wait_exit(Seconds{300}) == 137);

    auto hungry = spec({"node", "-e", "const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1))"}, {},
                       {"--entrypoint", "/init", "-m", "64m", "--memory-swap", "64m"});
    hungry.keep = true;
    Container oom(setup().runtime, "vigil-example:classic", dir, hungry);
    CHECK(oom.wait_exit() == 137);
    CHECK(contains(oom.err(), "vigil: the kernel's OOM killer killed the program (pid "));
    CHECK(contains(oom.err(), "memory limit 64 MiB"));
    CHECK(oom.inspect("{{.State.OOMKilled}}") == "true");
}

namespace {

// What `docker run --init` gives with one init: each case's exit code.
struct InitOutcome {
    int drained_stop = -1;
    int request_status = -1;
    int no_handler = -1;
    int ctrl_c = -1;
    int ctrl_c_server = -1;
    int exit_code = -1;
    int segfault = -1;
    int missing = -1;
    bool hup_forwarded = false;
    bool orphans_reaped = false;
    bool operator==(const InitOutcome&) const = default;
};

std::ostream& operator<<(std::ostream& out, const InitOutcome& o) {
    return out << "stop " << o.drained_stop << " (request " << o.request_status << "), no handler " << o.no_handler << ", Ctrl-C " << o.ctrl_c
               << ", Ctrl-C server " << o.ctrl_c_server << ", exit " << o.exit_code << ", SIGSEGV " << o.segfault << ", missing " << o.missing
               << ", HUP " << o.hup_forwarded << ", orphans reaped " << o.orphans_reaped;
}

InitOutcome run_with_init(const TempDir& dir) {
    InitOutcome outcome;
    const auto node = with_apps(dir, {"--init", "--entrypoint", "node"});
    {
        Container server(setup().runtime, "vigil-example:classic", dir, spec({"dist/index.js"}, {"SOCKET=/work/http.sock"}, node));
        REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
        auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=1000"); });
        REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=1000 started"); }));
        server.stop(10);
        outcome.request_status = request.get().status;
        outcome.drained_stop = server.wait_exit().value_or(-1);
    }
    {
        Container program(setup().runtime, "vigil-example:classic", dir, spec({"/apps/no-handler.js"}, {}, node));
        REQUIRE(wait_for([&] { return contains(program.out(), "ready"); }));
        program.stop(10);
        outcome.no_handler = program.wait_exit().value_or(-1);
    }
    for (const bool server : {false, true}) {
        auto interactive = spec(server ? std::vector<std::string>{"dist/index.js"}
                                       : std::vector<std::string>{"-e", "console.log('ready'); setInterval(() => {}, 1000)"},
                                {}, node);
        interactive.terminal = true;
        Container program(setup().runtime, "vigil-example:classic", dir, interactive);
        REQUIRE(wait_for([&] { return contains(program.out(), server ? "listening on" : "ready"); }));
        program.type("\x03");
        (server ? outcome.ctrl_c_server : outcome.ctrl_c) = program.wait_exit().value_or(-1);
    }
    outcome.exit_code = Container(setup().runtime, "vigil-example:classic", dir, spec({"-e", "process.exit(3)"}, {}, node)).wait_exit().value_or(-1);
    outcome.segfault = Container(setup().runtime, "vigil-example:classic", dir,
                                 spec({"-e", "process.kill(process.pid, 'SIGSEGV'); setTimeout(() => {}, 10000)"}, {}, node))
                           .wait_exit()
                           .value_or(-1);
    outcome.missing = Container(setup().runtime, "vigil-example:classic", dir, spec({}, {}, with_apps(dir, {"--init", "--entrypoint", "nodee"})))
                          .wait_exit()
                          .value_or(-1);
    {
        Container hup(setup().runtime, "vigil-example:classic", dir, spec({"/apps/hup.js"}, {}, node));
        REQUIRE(wait_for([&] { return contains(hup.out(), "ready"); }));
        hup.kill("HUP");
        outcome.hup_forwarded = wait_for([&] { return contains(hup.out(), "got SIGHUP"); }) && hup.inspect("{{.State.Running}}") == "true";
    }
    {
        Container orphans(setup().runtime, "vigil-example:classic", dir, spec({"/apps/zombies.js", "50"}, {"SLEEP=sleep"}, node));
        REQUIRE(wait_for([&] { return file_exists(dir.path("work/spawned")); }));
        // Once every orphan has exited, node is the only process below the init, and no zombie is left.
        outcome.orphans_reaped = wait_for([&] {
            const pid_t init = orphans.host_pid();
            return descendants(init, false).size() == 1 && descendants(init, true).empty();
        });
        fs::remove(dir.path("work/spawned"));
    }
    return outcome;
}

}  // namespace

TEST_CASE("vigil as Docker's own init (docker run --init): the same results as Debian's tini, and VIGIL_* configure it") {
    TempDir dir;
    use_init(setup().tini);
    const auto with_tini = run_with_init(dir);
    use_init(setup().vigil);
    const auto with_vigil = run_with_init(dir);
    INFO("tini:  " << with_tini);
    INFO("vigil: " << with_vigil);
    CHECK(with_vigil == with_tini);
    const InitOutcome expected{0, 200, 143, 130, 0, 3, 139, 127, true, true};
    CHECK(with_vigil == expected);

    // Only vigil has a deadline of its own, set through the environment.
    Container stubborn(setup().runtime, "vigil-example:classic", dir,
                       spec({"/apps/stubborn.js"}, {"VIGIL_DRAIN_TIMEOUT=2s"}, with_apps(dir, {"--init", "--entrypoint", "node"})));
    REQUIRE(wait_for([&] { return contains(stubborn.out(), "ready"); }));
    stubborn.stop(10);
    CHECK(stubborn.wait_exit() == 137);
    CHECK(stubborn.seconds_since_stop() < 8.0);
    CHECK(contains(stubborn.err(), "vigil: drain deadline of 2s reached: killed 1 process(es)"));
    use_init(setup().tini);
}

TEST_CASE("docker info shows vigil's version when vigil is the daemon's init") {
    use_init(setup().vigil);
    const auto version = version_of(setup().vigil);
    const auto commit = trimmed(version.substr(version.find(" - git.") + 7));
    CHECK(trimmed(docker({"info", "--format", "{{.InitCommit.ID}}"})) == commit);
    CHECK_FALSE(contains(read_file(setup().dockerd_log), "failed to parse docker-init version"));
    use_init(setup().tini);
}

TEST_CASE("coming from PM2: the example image under pm2-runtime and under vigil --from-pm2") {
    std::string why_not;
    const auto modules = pm2_modules(why_not);
    INFO(why_not);
    REQUIRE(!modules.empty());
    TempDir dir;
    compare_with_pm2(Pm2Comparison{setup().runtime, "vigil-example:classic",
                                   [&](std::vector<std::string> command) {
                                       ContainerSpec result;
                                       result.run_options = with_apps(dir, {"--entrypoint", command.front()});
                                       result.command.assign(command.begin() + 1, command.end());
                                       return result;
                                   },
                                   modules, "/apps/pm2/example-image.config.js", "/apps/pm2/crash.config.js", "/apps/pm2"});
}

TEST_CASE("--from-pm2 --print: the printed lines build an image that runs the app as --from-pm2 did") {
    TempDir dir;
    const std::string file = "/apps/pm2/print.config.js";
    const std::vector<std::string> options = {"--no-new-privs", "-t", "20s"};
    // The lines, printed in the example image itself.
    std::vector<std::string> print = {"run", "--rm", "--network", "none", "-v", apps(dir) + ":/apps:ro", "--entrypoint", "/init", "vigil-example:classic"};
    print.insert(print.end(), options.begin(), options.end());
    print.insert(print.end(), {"--from-pm2", file, "--print"});
    int code = -1;
    const auto printed = docker(print, &code);
    INFO(printed);
    REQUIRE(code == 0);
    CHECK(contains(printed, "# not carried over: env.KEY: its value has a line break"));
    fs::create_directories(dir.path("image"));
    std::ofstream(dir.path("image/Dockerfile")) << "FROM vigil-example:classic\n" << printed;
    const std::string image = "vigil-print:" + std::to_string(::getpid());
    docker({"build", "-q", "--network", "none", "-t", image, dir.path("image")}, &code);
    REQUIRE(code == 0);

    // Both containers, stopped as an orchestrator stops them: the app reports the same, and is stopped with SIGINT.
    std::vector<std::string> from_pm2 = options;
    from_pm2.insert(from_pm2.begin(), "/init");
    from_pm2.insert(from_pm2.end(), {"--from-pm2", file});
    struct Side {
        std::string image;
        ContainerSpec spec;
        std::string out;
        std::string err;
        std::optional<int> code;
    };
    Side running{"vigil-example:classic", spec({}, {}, with_apps(dir, {"--entrypoint", "/init"})), "", "", std::nullopt};
    running.spec.command.assign(from_pm2.begin() + 1, from_pm2.end());
    // The one value ENV cannot carry goes in at run time, as the printed line says.
    Side built{image, spec({}, {"KEY=line one\nline two"}, with_apps(dir)), "", "", std::nullopt};
    for (Side* side : {&running, &built}) {
        TempDir work;
        Container container(setup().runtime, side->image, work, side->spec);
        INFO(container.out() << container.err());
        REQUIRE(wait_for([&] { return contains(container.out(), "\"send\""); }));
        container.stop(10);
        side->code = container.wait_exit();
        side->out = container.out();
        side->err = container.err();
    }
    INFO(running.out << running.err << built.out << built.err);
    CHECK(running.out == built.out);
    CHECK(contains(built.out, R"("argv":["/apps/pm2/report.js","--port","80","two words"],"execArgv":["--max-semi-space-size=4"],"cwd":"/apps/pm2")"));
    CHECK(contains(built.out, R"("EMPTY":"","GREETING":"say \"hi\" to $USER","KEY":"line one\nline two","NODE_APP_INSTANCE":"0")"));
    CHECK(contains(built.out, R"("send":"function"})"));
    CHECK(contains(built.out, "stopped by SIGINT\n"));
    CHECK(running.code == 0);
    CHECK(built.code == 0);
    for (const auto* err : {&running.err, &built.err}) {
        CHECK(contains(*err, "vigil: received SIGTERM: draining (budget 20s)"));
        CHECK(contains(*err, "vigil: forwarded SIGTERM as SIGINT"));
        CHECK(contains(*err, "vigil: --memory-restart: "));
    }
    docker({"rmi", "-f", image});
}

TEST_CASE("HEALTHCHECK with vigil --health-check: the example image turns healthy, and unhealthy when /healthz fails") {
    // The image's own check (its command), run every second here instead of every 10 s.
    const std::vector<std::string> often = {"--health-interval", "1s", "--health-retries", "1", "--health-timeout", "5s"};
    CHECK(trimmed(docker({"image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", "vigil-example:classic"})) ==
          R"(["CMD","/init","--health-check","http://127.0.0.1:3000/healthz"])");
    CHECK(trimmed(docker({"image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", "vigil-example:buildkit"})) ==
          R"(["CMD","/init","--health-check","http://127.0.0.1:3000/healthz"])");
    const auto health = [](const Container& container) { return container.inspect("{{.State.Health.Status}}"); };
    {
        TempDir dir;
        auto example = spec({}, {}, often);
        example.keep = true;
        Container server(setup().runtime, "vigil-example:classic", dir, example);
        REQUIRE(wait_for([&] { return health(server) == "healthy"; }));
        CHECK(contains(server.inspect("{{json .State.Health.Log}}"), "vigil: health check passed: http://127.0.0.1:3000/healthz: answered 200 OK"));
        server.stop(10);
        CHECK(server.wait_exit() == 0);
    }
    // A server whose /healthz fails once /tmp/sick exists.
    const std::string sickly =
        "require('http').createServer((request, response) => {"
        "  const sick = require('fs').existsSync('/tmp/sick');"
        "  response.writeHead(sick ? 503 : 200).end(sick ? 'sick\\n' : 'ok\\n');"
        "}).listen(3000, () => console.log('listening'));"
        "process.on('SIGTERM', () => process.exit(0));";
    TempDir dir;
    auto options = often;
    options.insert(options.end(), {"--entrypoint", "/init"});
    auto toggling = spec({"node", "-e", sickly}, {}, options);
    toggling.keep = true;
    Container server(setup().runtime, "vigil-example:classic", dir, toggling);
    REQUIRE(wait_for([&] { return health(server) == "healthy"; }));
    int code = -1;
    docker({"exec", server.name(), "touch", "/tmp/sick"}, &code);
    REQUIRE(code == 0);
    REQUIRE(wait_for([&] { return health(server) == "unhealthy"; }));
    const auto log = server.inspect("{{json .State.Health.Log}}");
    INFO(log);
    CHECK(contains(log, R"("ExitCode":1,"Output":"vigil: health check failed: http://127.0.0.1:3000/healthz: answered 503 Service Unavailable\n")"));
    // Each check was a process of its own that ended: only vigil and node are left in the container.
    // (A check may be running at the moment of one look; a process left behind would stay in every look.)
    std::string processes;
    CHECK(wait_for([&] {
        processes = docker({"top", server.name(), "-o", "pid,args"});
        return lines(processes).size() == 3 && !contains(processes, "--health-check");  // the header, vigil, node
    }));
    INFO(processes);
    server.stop(10);
    CHECK(server.wait_exit() == 0);
}
