// vigil as PID 1 of a real container (podman), running real Node.js,
// stopped the way orchestrators stop it. The root filesystem holds no C
// library: busybox-static and the static vigil, with node bind-mounted.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <future>

#include "container.hpp"

using namespace harness;
using namespace e2e;

extern const Runtime* e2e_runtime;
extern std::string e2e_rootfs;
extern std::vector<std::pair<std::string, std::string>> e2e_node_releases;

namespace {

ContainerSpec spec(std::vector<std::string> command, std::vector<std::string> environment = {}) {
    ContainerSpec result;
    result.command = std::move(command);
    result.environment = std::move(environment);
    return result;
}


// Every zombie below a container's PID 1, as the host sees them.
std::size_t zombies_in(Container& container) { return descendants(container.host_pid(), true).size(); }

// The request in flight completes when the container is stopped, well before the timeout; exit 0.
void drains_request_in_flight(const std::string& node) {
    TempDir dir;
    Container server(*e2e_runtime, e2e_rootfs, dir, spec({"/init", node, "/app/server.js"}, {"SOCKET=/work/http.sock"}));
    REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
    auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=3000"); });
    REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=3000 started"); }));
    server.stop(10);
    const auto response = request.get();
    CHECK(response.status == 200);
    CHECK(response.body == "slow response after 3000 ms\n");
    CHECK(server.wait_exit() == 0);
    CHECK(server.seconds_since_stop() < 8.0);
    INFO(server.err());
    CHECK(contains(server.err(), "vigil: received SIGTERM: draining (budget 25s)"));
    CHECK(contains(server.err(), "vigil: exiting with code 0"));
    CHECK(contains(server.out(), "all connections closed, exiting 0"));
}

}  // namespace

TEST_CASE("graceful stop: the request in flight completes and the container exits 0 well before the timeout") { drains_request_in_flight("node"); }

TEST_CASE("no handler: under vigil Node stops promptly with 143; as PID 1 itself it ignores SIGTERM until SIGKILL") {
    TempDir dir;
    Container with_vigil(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "/app/no-handler.js"}));
    REQUIRE(wait_for([&] { return contains(with_vigil.out(), "ready"); }));
    with_vigil.stop(10);
    CHECK(with_vigil.wait_exit() == 143);
    CHECK(with_vigil.seconds_since_stop() < 8.0);

    Container without_vigil(*e2e_runtime, e2e_rootfs, dir, spec({"node", "/app/no-handler.js"}));
    REQUIRE(wait_for([&] { return contains(without_vigil.out(), "ready"); }));
    without_vigil.stop(3);
    CHECK(without_vigil.wait_exit() == 137);      // SIGTERM did nothing; the runtime's SIGKILL did
    CHECK(without_vigil.seconds_since_stop() >= 3.0);
}

TEST_CASE("stubborn program: the drain deadline ends it at about 2 s with 137, and the log says why") {
    TempDir dir;
    Container stubborn(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "/app/stubborn.js"}, {"VIGIL_DRAIN_TIMEOUT=2s"}));
    REQUIRE(wait_for([&] { return contains(stubborn.out(), "ready"); }));
    stubborn.stop(10);
    CHECK(stubborn.wait_exit() == 137);
    CHECK(stubborn.seconds_since_stop() >= 2.0);
    CHECK(stubborn.seconds_since_stop() < 9.0);   // vigil's deadline, not the runtime's 10 s
    CHECK(contains(stubborn.out(), "ignoring SIGTERM"));
    CHECK(contains(stubborn.err(), "vigil: drain deadline of 2s reached: killed 1 process(es)"));
}

TEST_CASE("wrappers: behind sh -c or npm start, the Node server still drains its request in flight") {
    const std::vector<std::vector<std::string>> wrappers = {
        {"/init", "/bin/sh", "-c", "cd /app && node server.js; echo after"},
        {"/init", "npm", "--prefix", "/app", "start"},
    };
    for (const auto& command : wrappers) {
        INFO(command[1]);
        TempDir dir;
        Container wrapped(*e2e_runtime, e2e_rootfs, dir,
                          spec(command, {"SOCKET=/work/http.sock", "HOME=/tmp", "npm_config_update_notifier=false", "npm_config_cache=/tmp/npm"}));
        REQUIRE(wait_for([&] { return contains(wrapped.out(), "listening on"); }));
        auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=3000"); });
        REQUIRE(wait_for([&] { return contains(wrapped.out(), "GET /slow?ms=3000 started"); }));
        wrapped.stop(10);
        const auto response = request.get();
        CHECK(response.status == 200);
        REQUIRE(wrapped.wait_exit().has_value());
        CHECK(wrapped.seconds_since_stop() < 9.0);
        INFO(wrapped.out());
        INFO(wrapped.err());
        CHECK(contains(wrapped.out(), "all connections closed, exiting 0"));
    }
}

TEST_CASE("zombies: orphans of a Node app are reaped under vigil, and pile up without it") {
    TempDir dir;
    Container with_vigil(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "/app/zombies.js", "100"}));
    REQUIRE(wait_for([&] { return file_exists(dir.path("work/spawned")); }));
    // Once every orphan has exited and been reaped, node is the only process below vigil.
    CHECK(wait_for([&] { return descendants(with_vigil.host_pid(), false).size() == 1 && zombies_in(with_vigil) == 0; }));
    with_vigil.stop(10);
    CHECK(with_vigil.wait_exit() == 143);

    TempDir bare_dir;
    Container without_vigil(*e2e_runtime, e2e_rootfs, bare_dir, spec({"node", "/app/zombies.js", "100"}));
    REQUIRE(wait_for([&] { return file_exists(bare_dir.path("work/spawned")); }));
    REQUIRE(wait_for([&] { return descendants(without_vigil.host_pid(), false).empty(); }));
    CHECK(zombies_in(without_vigil) == 100);
    without_vigil.kill("KILL");
    CHECK(without_vigil.wait_exit() == 137);
}

TEST_CASE("exit codes pass through the runtime") {
    TempDir dir;
    Container exits(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "-e", "process.exit(3)"}));
    CHECK(exits.wait_exit() == 3);
    Container segfaults(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "-e", "process.kill(process.pid, 'SIGSEGV'); setTimeout(() => {}, 10000)"}));
    CHECK(segfaults.wait_exit() == 139);
    Container missing(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "nodee", "server.js"}));
    CHECK(missing.wait_exit() == 127);
    CHECK(contains(missing.err(), "vigil: cannot run 'nodee': No such file or directory"));
}

TEST_CASE("the static vigil runs in a container with no C library at all") {
    TempDir dir;
    const auto& options = e2e_runtime->global_options;
    std::vector<std::string> command(options.begin(), options.end());
    for (const char* word : {"run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--rootfs"}) command.emplace_back(word);
    command.push_back(e2e_rootfs);
    for (const char* word : {"/init", "/bin/busybox", "sh", "-c", "test ! -e /lib/x86_64-linux-gnu/libc.so.6 && exit 5"}) command.emplace_back(word);
    CHECK(run_command(command) == 5);
}

TEST_CASE("interactive: Ctrl-C on podman run -t ends Node and the container with 130") {
    TempDir dir;
    auto interactive = spec({"/init", "node", "-e", "console.log('ready'); setInterval(() => {}, 1000)"});
    interactive.terminal = true;
    Container container(*e2e_runtime, e2e_rootfs, dir, interactive);
    REQUIRE(wait_for([&] { return contains(container.out(), "ready"); }));
    container.type("\x03");
    CHECK(container.wait_exit() == 130);
}

TEST_CASE("JSON logs: every line vigil writes parses, and stdout carries only the app's output") {
    TempDir dir;
    Container server(*e2e_runtime, e2e_rootfs, dir, spec({"/init", "node", "/app/server.js"}, {"SOCKET=/work/http.sock", "VIGIL_LOG_FORMAT=json"}));
    REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
    CHECK(http_get(dir.path("work/http.sock"), "/").status == 200);
    server.stop(10);
    CHECK(server.wait_exit() == 0);
    const auto err_lines = lines(server.err());
    CHECK(err_lines.size() >= 5);
    for (const auto& line : err_lines) {
        INFO(line);
        CHECK(is_json_object_with(line, {"ts", "level", "msg", "event"}));
    }
    for (const auto& line : lines(server.out())) {
        INFO(line);
        CHECK(line.rfind("server: ", 0) == 0);
    }
}

namespace {
const char* heap_report = "console.log(`NODE_OPTIONS=${process.env.NODE_OPTIONS} heap_size_limit=${require('v8').getHeapStatistics().heap_size_limit}`)";

ContainerSpec limited(std::vector<std::string> command, std::vector<std::string> environment, const std::string& memory) {
    auto result = spec(std::move(command), std::move(environment));
    result.run_options = {"--memory", memory, "--memory-swap", memory};
    return result;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// --node-heap 100: a JS heap leak ends in V8's heap error (134), not the kernel's OOM kill.
void heap_leak_ends_in_heap_error(const std::string& node, const char* memory) {
    INFO(memory);
    TempDir dir;
    Container leak(*e2e_runtime, e2e_rootfs, dir, limited({"/init", node, "/app/heap-leak.js"}, {"VIGIL_NODE_HEAP=100"}, memory));
    CHECK(leak.wait_exit(Seconds{300}) == 134);
    CHECK(contains(leak.err(), "JavaScript heap out of memory"));
    CHECK_FALSE(contains(leak.err(), "the kernel's OOM killer killed"));
}

// --memory-restart 60 at 128 MiB: a server leaking Buffers drains its request in flight and exits 75, with no OOM kill.
void memory_restart_drains(const std::string& node) {
    TempDir dir;
    const auto message = dir.path("termination-log");
    { std::ofstream create(message); }
    auto leaking = limited({"/init", node, "/app/leaky-server.js"}, {"SOCKET=/work/http.sock", "LEAK_MB_PER_S=6", "VIGIL_MEMORY_RESTART=60"}, "128m");
    leaking.run_options.insert(leaking.run_options.end(), {"-v", message + ":/dev/termination-log"});
    Container server(*e2e_runtime, e2e_rootfs, dir, leaking);
    REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
    auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=15000"); });
    REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=15000 started"); }));
    REQUIRE(wait_for([&] { return contains(server.err(), "vigil: memory restart: the working set of "); }));
    CHECK(request.wait_for(0s) != std::future_status::ready);  // still in flight when the restart began
    CHECK(request.get().status == 200);                       // and answered during the drain
    CHECK(server.wait_exit() == 75);
    INFO(server.err());
    CHECK(contains(server.err(), "vigil: --memory-restart: restarting when the working set reaches 76 MiB (60% of the 128 MiB limit)"));
    CHECK(contains(server.err(), "vigil: memory restart: draining (budget 25s)"));
    CHECK(contains(server.out(), "all connections closed, exiting 0"));
    CHECK_FALSE(contains(server.err(), "the kernel's OOM killer killed"));
    CHECK(contains(read_file(message), "vigil: exit code 75: program ended with exit code 0; memory restart at a working set of "));
}
}  // namespace

TEST_CASE("--node-heap sizes Node's heap from the container's memory limit") {
    TempDir dir;
    Container sized(*e2e_runtime, e2e_rootfs, dir, limited({"/init", "node", "-e", heap_report}, {"VIGIL_NODE_HEAP=100"}, "128m"));
    REQUIRE(sized.wait_exit() == 0);
    CHECK(contains(sized.err(), "vigil: --node-heap: Node may use 128 MiB (100% of the 128 MiB memory limit)"));
    CHECK(contains(sized.err(), "--max-old-space-size=49"));

    // The same Node told the same value by hand: the heap limit must match.
    Container by_hand(*e2e_runtime, e2e_rootfs, dir, limited({"node", "-e", heap_report}, {"NODE_OPTIONS=--max-old-space-size=49"}, "128m"));
    REQUIRE(by_hand.wait_exit() == 0);
    CHECK(first_line(sized.out()) == first_line(by_hand.out()));
    CHECK(contains(sized.out(), "NODE_OPTIONS=--max-old-space-size=49 heap_size_limit="));

    // Left alone, Node's heap limit exceeds the whole container: the reason for --node-heap.
    Container unsized(*e2e_runtime, e2e_rootfs, dir, limited({"/init", "node", "-e", heap_report}, {}, "128m"));
    REQUIRE(unsized.wait_exit() == 0);
    const auto out = unsized.out();
    const auto limit = std::stoull(out.substr(out.find("heap_size_limit=") + 16));
    CHECK(limit > (128u << 20));
}

TEST_CASE("--node-heap keeps its promise: a JS heap leak ends in V8's heap error, not the OOM killer, at every size") {
    for (const char* memory : {"96m", "128m", "256m", "512m", "1g"}) heap_leak_ends_in_heap_error("node", memory);
    // Without it, the same leak at 128 MiB is the kernel's OOM kill.
    TempDir dir;
    Container alone(*e2e_runtime, e2e_rootfs, dir, limited({"/init", "node", "/app/heap-leak.js"}, {}, "128m"));
    CHECK(alone.wait_exit(Seconds{300}) == 137);
    CHECK(contains(alone.err(), "vigil: the kernel's OOM killer killed the program"));
}

TEST_CASE("--memory-restart: a leaking server drains its request in flight and exits 75 before the OOM killer comes") {
    memory_restart_drains("node");

    // Without it, the same leak (faster, to keep the test short) ends in the OOM killer.
    TempDir bare_dir;
    Container unwatched(*e2e_runtime, e2e_rootfs, bare_dir, limited({"/init", "node", "/app/leaky-server.js"}, {"SOCKET=/work/http.sock", "LEAK_MB_PER_S=32"}, "128m"));
    CHECK(unwatched.wait_exit(Seconds{120}) == 137);
    CHECK(contains(unwatched.err(), "vigil: the kernel's OOM killer killed the program"));
}

TEST_CASE("the Node versions of 2026: a drain with a request in flight, --node-heap's promise and --memory-restart's drain on each") {
    REQUIRE(e2e_node_releases.size() == 3);
    for (const auto& [version, node] : e2e_node_releases) {
        INFO("Node " << version << " (" << node << ")");
        TempDir dir;
        Container report(*e2e_runtime, e2e_rootfs, dir, spec({"/init", node, "--version"}));
        REQUIRE(report.wait_exit() == 0);
        REQUIRE(first_line(report.out()) == version);
        drains_request_in_flight(node);
        for (const char* memory : {"128m", "1g"}) heap_leak_ends_in_heap_error(node, memory);
        memory_restart_drains(node);
    }
}

TEST_CASE("--node-heap leaves an explicit --max-old-space-size alone") {
    TempDir dir;
    Container explicit_heap(*e2e_runtime, e2e_rootfs, dir,
                            limited({"/init", "node", "-e", heap_report}, {"VIGIL_NODE_HEAP=80", "NODE_OPTIONS=--max-old-space-size=50"}, "128m"));
    REQUIRE(explicit_heap.wait_exit() == 0);
    CHECK(contains(explicit_heap.out(), "NODE_OPTIONS=--max-old-space-size=50 heap_size_limit="));
    CHECK(contains(explicit_heap.err(), "vigil: --node-heap: NODE_OPTIONS already sets the heap size, left alone"));

    // On node's own command line, before the script (here -e's code), the same.
    Container on_command_line(*e2e_runtime, e2e_rootfs, dir,
                              limited({"/init", "node", "--max-old-space-size=60", "-e", heap_report}, {"VIGIL_NODE_HEAP=80"}, "128m"));
    REQUIRE(on_command_line.wait_exit() == 0);
    INFO(on_command_line.err());
    CHECK(contains(on_command_line.out(), "NODE_OPTIONS=undefined heap_size_limit="));  // nothing exported to node's children
    CHECK(contains(on_command_line.err(), "vigil: --node-heap: node's command line (--max-old-space-size=60) already sets the heap size, left alone"));
    CHECK_FALSE(contains(on_command_line.err(), "--node-heap: Node may use"));
    // The heap is the one asked for: as large as node alone makes it with the same option.
    Container alone(*e2e_runtime, e2e_rootfs, dir, limited({"node", "--max-old-space-size=60", "-e", heap_report}, {}, "128m"));
    REQUIRE(alone.wait_exit() == 0);
    CHECK(first_line(on_command_line.out()) == first_line(alone.out()));
}

TEST_CASE("an OOM kill is diagnosed in the log and the termination message") {
    TempDir dir;
    const auto message = dir.path("termination-log");
    { std::ofstream create(message); }
    auto hungry = limited({"/init", "node", "-e", "const kept = []; for (;;) kept.push(Buffer.alloc(1 << 20, 1))"}, {}, "64m");
    hungry.run_options.insert(hungry.run_options.end(), {"-v", message + ":/dev/termination-log"});
    Container container(*e2e_runtime, e2e_rootfs, dir, hungry);
    CHECK(container.wait_exit() == 137);
    INFO(container.err());
    CHECK(contains(container.err(), "vigil: the kernel's OOM killer killed the program (pid "));
    CHECK(contains(container.err(), "memory limit 64 MiB"));
    CHECK(read_file(message) ==
          "vigil: exit code 137: program ended with signal SIGKILL; no stop signal; deadline not reached; "
          "killed by the kernel's OOM killer (memory limit 64 MiB)\n");
}

TEST_CASE("podman run --init --init-path=vigil: vigil as podman's own init") {
    const char* vigil = std::getenv("VIGIL_BINARY");
    REQUIRE(vigil != nullptr);
    const std::vector<std::string> as_init = {"--init", "--init-path", vigil};
    auto with_init = [&](std::vector<std::string> command, std::vector<std::string> environment = {}) {
        auto result = spec(std::move(command), std::move(environment));
        result.run_options = as_init;
        return result;
    };
    TempDir dir;
    {
        Container server(*e2e_runtime, e2e_rootfs, dir, with_init({"node", "/app/server.js"}, {"SOCKET=/work/http.sock"}));
        REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
        auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=1000"); });
        REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=1000 started"); }));
        server.stop(10);
        CHECK(request.get().status == 200);
        CHECK(server.wait_exit() == 0);
        CHECK(contains(server.err(), "vigil: received SIGTERM: draining"));
    }
    CHECK(Container(*e2e_runtime, e2e_rootfs, dir, with_init({"node", "-e", "process.exit(3)"})).wait_exit() == 3);
    {
        Container orphans(*e2e_runtime, e2e_rootfs, dir, with_init({"node", "/app/zombies.js", "50"}));
        REQUIRE(wait_for([&] { return file_exists(dir.path("work/spawned")); }));
        CHECK(wait_for([&] { return descendants(orphans.host_pid(), false).size() == 1 && zombies_in(orphans) == 0; }));
    }
    {
        Container hup(*e2e_runtime, e2e_rootfs, dir, with_init({"node", "/app/hup.js"}));
        REQUIRE(wait_for([&] { return contains(hup.out(), "ready"); }));
        hup.kill("HUP");
        CHECK(wait_for([&] { return contains(hup.out(), "got SIGHUP"); }));
        CHECK(hup.inspect("{{.State.Running}}") == "true");
        hup.stop(10);
        CHECK(hup.wait_exit() == 143);
    }
    auto interactive = with_init({"node", "-e", "console.log('ready'); setInterval(() => {}, 1000)"});
    interactive.terminal = true;
    Container program(*e2e_runtime, e2e_rootfs, dir, interactive);
    REQUIRE(wait_for([&] { return contains(program.out(), "ready"); }));
    program.type("\x03");
    CHECK(program.wait_exit() == 130);
}
