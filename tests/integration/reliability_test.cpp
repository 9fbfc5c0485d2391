// PID 1 never hangs and never misfires: a stalled log collector, a hostile
// termination-log path, a foreign /proc, a process that survives SIGKILL,
// odd bytes, and the signal and exit-code corner cases around them. Each
// case failed on vigil before its fix; run as a subreaper and as PID 1.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../cannot_run.hpp"
#include "harness.hpp"

using namespace harness;

namespace {

const std::string helper = helper_binary();


pid_t pid_in(const std::string& path) { return static_cast<pid_t>(std::stol(read_file(path))); }

char state_of(pid_t pid) {
    const auto stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

LaunchOptions full_stderr() {
    LaunchOptions options;
    options.stderr_mode = LaunchOptions::Stderr::full_pipe;
    return options;
}

void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

// A memory cgroup of the test's own, with a limit and no swap, removed once
// its processes are gone. Without root or a memory hierarchy at the usual
// mount, make() cannot run its case (see cannot_run.hpp) and gives nullopt.
struct TestMemoryCgroup {
    std::string directory;
    std::string version;  // "v1" or "v2", as vigil's debug line says it

    static std::optional<TestMemoryCgroup> make(std::uint64_t limit) {
        TestMemoryCgroup made;
        std::string hierarchy;
        std::string limit_file;
        std::string swap_file;
        if (read_file("/proc/self/mountinfo").find(" /sys/fs/cgroup/memory ") != std::string::npos &&
            file_exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
            hierarchy = "/sys/fs/cgroup/memory";
            limit_file = "memory.limit_in_bytes";
            swap_file = "memory.memsw.limit_in_bytes";  // memory and swap together: the same limit leaves no swap
            made.version = "v1";
        } else if (contains(read_file("/sys/fs/cgroup/cgroup.subtree_control"), "memory")) {
            hierarchy = "/sys/fs/cgroup";
            limit_file = "memory.max";
            swap_file = "memory.swap.max";
            made.version = "v2";
        }
        if (::geteuid() != 0 || hierarchy.empty()) {
            CANNOT_RUN_CASE("needs root and a memory cgroup hierarchy at /sys/fs/cgroup/memory (v1) or /sys/fs/cgroup (v2)", std::nullopt);
        }
        made.directory = hierarchy + "/vigil-test-" + std::to_string(::getpid());
        REQUIRE(::mkdir(made.directory.c_str(), 0755) == 0);
        const auto text = std::to_string(limit) + "\n";
        write_text(made.directory + "/" + limit_file, text);
        REQUIRE(read_file(made.directory + "/" + limit_file) == text);
        // Absent without swap accounting, where there is no swap to limit either.
        if (file_exists(made.directory + "/" + swap_file)) {
            write_text(made.directory + "/" + swap_file, made.version == "v1" ? text : "0\n");
            REQUIRE(read_file(made.directory + "/" + swap_file) == (made.version == "v1" ? text : "0\n"));
        }
        return made;
    }

    TestMemoryCgroup() = default;
    TestMemoryCgroup(TestMemoryCgroup&& other) noexcept : directory(std::exchange(other.directory, {})), version(other.version) {}
    TestMemoryCgroup& operator=(TestMemoryCgroup&&) = delete;
    ~TestMemoryCgroup() {
        if (directory.empty()) return;
        wait_for([&] { return read_file(directory + "/cgroup.procs").empty(); });
        ::rmdir(directory.c_str());
    }

    // A new limit while vigil runs (a pod resized in place, `docker update -m`).
    // On v1 the memory+swap limit may never be below the memory limit: it
    // goes first when the limit rises, last when it falls.
    void set_limit(std::uint64_t limit) const {
        const auto text = std::to_string(limit) + "\n";
        const std::string limit_file = directory + (version == "v1" ? "/memory.limit_in_bytes" : "/memory.max");
        const std::string swap_file = directory + "/memory.memsw.limit_in_bytes";
        const bool with_swap = version == "v1" && file_exists(swap_file);
        const bool rising = std::stoull(read_file(limit_file)) < limit;
        if (with_swap && rising) write_text(swap_file, text);
        write_text(limit_file, text);
        if (with_swap && !rising) write_text(swap_file, text);
        REQUIRE(read_file(limit_file) == text);
    }

    // A launch prefix that moves itself, and so vigil, into the cgroup.
    std::vector<std::string> enter() const { return {"sh", "-c", "echo $$ >\"$0/cgroup.procs\" && exec \"$@\"", directory}; }
};

}  // namespace

TEST_CASE("a full stderr never stops vigil: SIGTERM still forwarded, exit 143 at once") {
    TempDir dir;
    Vigil vigil(dir, {"-t", "2s", helper, "ready", dir.path("ready"), "wait"}, full_stderr());
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGTERM);
    const auto code = vigil.wait_exit();
    REQUIRE(code.has_value());
    CHECK(*code == 143);
    CHECK(vigil.runtime_seconds() < 30);
}

TEST_CASE("a full stderr never stops the deadline: 137 at about the drain timeout") {
    TempDir dir;
    Vigil vigil(dir, {"-t", "2s", helper, "ignore", "TERM", "ready", dir.path("ready"), "wait"}, full_stderr());
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    const auto sent = std::chrono::steady_clock::now();
    vigil.signal(SIGTERM);
    const auto code = vigil.wait_exit();
    const auto took = std::chrono::steady_clock::now() - sent;
    REQUIRE(code.has_value());
    CHECK(*code == 137);
    CHECK(took >= 2s);
    CHECK(took < 30s);
}

TEST_CASE("dropped log lines are counted, announced by the next line that gets through, and in the termination message") {
    TempDir dir;
    const auto record = dir.path("record");
    auto options = full_stderr();
    Vigil vigil(dir, {"--termination-log", dir.path("termination"), helper, "record", record, "trap", "USR1", "trap", "USR2",
                      "exit-on", "TERM", "0", "ready", dir.path("ready"), "wait"},
                options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    for (int round = 1; round <= 3; ++round) {
        vigil.signal(SIGUSR1);  // forwarded at once; its log line has nowhere to go
        // vigil logs the forward after making it: the program has it, and
        // vigil sleeps again (waiting for events), so the line was tried.
        REQUIRE(wait_for([&] { return lines(read_file(record)).size() == static_cast<std::size_t>(round) && state_of(vigil.pid()) == 'S'; }));
    }
    CHECK(vigil.drain_stderr().empty());  // nothing of vigil's got in while the pipe was full
    vigil.signal(SIGUSR2);
    REQUIRE(wait_for([&] { return contains(vigil.drain_stderr(), "forwarded SIGUSR2"); }));
    const auto err = vigil.drain_stderr();
    INFO(err);
    // The start line and three forwards were lost; the notice comes before the next line.
    CHECK(contains(err, "vigil: dropped 4 log line(s): stderr was not being read\nvigil: forwarded SIGUSR2 to pid "));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 0);
    CHECK(contains(read_file(dir.path("termination")), "; 4 log line(s) dropped: stderr was not being read\n"));
}

TEST_CASE("the termination log: a FIFO or a symlink is refused with a warning, never waited on or followed") {
    TempDir dir;
    const auto fifo = dir.path("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    Vigil on_fifo(dir, {"--termination-log", fifo, helper, "exit", "3"});
    CHECK(on_fifo.wait_exit() == 3);
    CHECK(contains(on_fifo.err(), "vigil: cannot write the termination message: refusing " + fifo + ": it is not a regular file"));
    // The spawn-failure path too.
    Vigil missing(dir, {"--termination-log", fifo, dir.path("no-such-program")});
    CHECK(missing.wait_exit() == 127);

    const auto target = dir.path("precious");
    write_text(target, "keep me\n");
    const auto link = dir.path("link");
    REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
    Vigil on_link(dir, {"--termination-log", link, helper, "exit", "4"});
    CHECK(on_link.wait_exit() == 4);
    CHECK(contains(on_link.err(), "vigil: cannot write the termination message: refusing " + link + ": it is a symbolic link"));
    CHECK(read_file(target) == "keep me\n");
}

TEST_CASE("the termination message goes to the file that was there at start, even if the program replaces it") {
    TempDir dir;
    const auto message = dir.path("termination");
    const auto target = dir.path("precious");
    write_text(target, "keep me\n");
    // The program swaps the file for a symlink to another file; vigil writes through what it opened at start.
    const std::string swap = "rm -f " + message + " && ln -s " + target + " " + message + " && exit 5";
    Vigil vigil(dir, {"--termination-log", message, "/bin/sh", "-c", swap});
    CHECK(vigil.wait_exit() == 5);
    CHECK(read_file(target) == "keep me\n");
}

TEST_CASE("without /proc of its own PID namespace vigil signals no stranger, and still kills the program at the deadline") {
    if (::geteuid() != 0) {
        CANNOT_RUN_CASE("a PID namespace without its own /proc needs root (unshare --pid)");
    }
    // vigil is not PID 1 of a new PID namespace whose /proc is the outer one: the
    // numbers there are other processes. A sibling in the namespace must see no signal.
    for (const bool vigil_first : {true, false}) {
        TempDir dir;
        const auto sibling_record = dir.path("sibling");
        const std::string sibling = helper + " record " + sibling_record + " trap TERM trap INT trap HUP ready " + dir.path("sibling-ready") + " wait";
        // "$@" is vigil: started first it is pid 2, else pid 3; the script stops it once its program is ready.
        const std::string script = std::string(vigil_first ? "\"$@\" & vigil=$!; " + sibling + " & sibling=$!; "
                                                           : sibling + " & sibling=$!; \"$@\" & vigil=$!; ") +
                                   "while [ ! -e " + dir.path("ready") + " ]; do sleep 0.05; done; kill -TERM $vigil; wait $vigil; code=$?; "
                                   "kill -KILL $sibling; exit $code";
        LaunchOptions options;
        options.prefix = {"unshare", "--pid", "--fork", "--kill-child", "sh", "-c", script, "sh"};
        Vigil vigil(dir, {"-t", "1s", helper, "child", "{", "ignore", "TERM", "ready", dir.path("child"), "wait", "}", "ignore", "TERM",
                          "await", dir.path("child"), "ready", dir.path("ready"), "wait"},
                    options);
        INFO("vigil started " << (vigil_first ? "before" : "after") << " its sibling");
        const auto code = vigil.wait_exit();
        REQUIRE(code.has_value());
        CHECK(*code == 137);
        CHECK(read_file(sibling_record).empty());
        CHECK(contains(vigil.err(), "vigil: /proc belongs to another PID namespace: only the program's process group can be reached"));
    }
}

// A freezer for one test: cgroup v1's freezer where the host has it (a
// process frozen there survives SIGKILL), else cgroup v2's cgroup.freeze
// (where SIGKILL goes through). Thawed and removed at the end.
struct TestFreezer {
    std::string cgroup;
    bool v1 = false;

    static std::string hierarchy(bool& v1) {
        v1 = file_exists("/sys/fs/cgroup/freezer/cgroup.procs");
        if (v1) return "/sys/fs/cgroup/freezer";
        for (const char* v2 : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
            if (file_exists(std::string(v2) + "/cgroup.controllers")) return v2;
        }
        return {};
    }
    TestFreezer() {
        const std::string root = hierarchy(v1);
        REQUIRE(!root.empty());
        cgroup = root + "/vigil-test-" + std::to_string(::getpid());
        REQUIRE(::mkdir(cgroup.c_str(), 0755) == 0);
    }
    ~TestFreezer() {
        thaw();
        wait_for([&] { return read_file(cgroup + "/cgroup.procs").empty(); });
        ::rmdir(cgroup.c_str());
    }
    TestFreezer(const TestFreezer&) = delete;
    TestFreezer& operator=(const TestFreezer&) = delete;

    void freeze(pid_t pid) {
        write_text(cgroup + "/cgroup.procs", std::to_string(pid) + "\n");
        write_text(cgroup + (v1 ? "/freezer.state" : "/cgroup.freeze"), v1 ? "FROZEN\n" : "1\n");
        REQUIRE(wait_for([&] { return frozen(); }));
    }
    bool frozen() const {
        return v1 ? read_file(cgroup + "/freezer.state") == "FROZEN\n" : contains(read_file(cgroup + "/cgroup.events"), "frozen 1\n");
    }
    void thaw() { write_text(cgroup + (v1 ? "/freezer.state" : "/cgroup.freeze"), v1 ? "THAWED\n" : "0\n"); }
};

TEST_CASE("after the deadline's SIGKILL vigil waits a bounded time for a process that cannot die, then exits") {
    bool v1 = false;
    if (::geteuid() != 0 || TestFreezer::hierarchy(v1).empty()) {
        CANNOT_RUN_CASE("needs root and a cgroup freezer (v1's freezer hierarchy, or cgroup v2)");
    }
    TempDir dir;
    TestFreezer freezer;
    Vigil vigil(dir, {"-t", "1s", helper, "ignore", "TERM", "ready", dir.path("ready"), "wait"});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    const pid_t program = vigil.host_pid(pid_in(dir.path("ready")));
    REQUIRE(program > 0);
    freezer.freeze(program);
    vigil.signal(SIGTERM);
    // The exit line is vigil's last: wait for it, not for a line before it
    // (reading between two writes lost the second).
    REQUIRE(wait_for([&] { return contains(vigil.err(), "exiting with code"); }));
    const auto err = vigil.err();
    INFO(err);
    CHECK(contains(err, "drain deadline of 1s reached: killed 1 process(es)"));
    CHECK(contains(err, "exiting with code 137"));
    if (!freezer.v1) {
        // cgroup v2's freezer lets SIGKILL through: nothing survives it.
        CHECK_FALSE(contains(err, "survived SIGKILL"));
        CHECK(vigil.wait_exit() == 137);
        return;
    }
    // A process frozen in v1 survives SIGKILL: vigil gives up on it and says
    // so, while it is still frozen.
    CHECK(contains(err, "1 process(es) survived SIGKILL for 2s, exiting without them: "));
    if (mode() == Mode::subreaper) {
        CHECK(vigil.wait_exit() == 137);  // gone, with its program still frozen
        CHECK(freezer.frozen());
    } else {
        // As PID 1 the kernel holds vigil's exit until the namespace is empty.
        freezer.thaw();
        CHECK(vigil.wait_exit() == 137);
    }
}

TEST_CASE("JSON log lines are valid JSON and UTF-8 whatever bytes they carry") {
    if (std::system("python3 -c 'import json' >/dev/null 2>&1") != 0) {
        CANNOT_RUN_CASE("python3 is not installed");
    }
    TempDir dir;
    const std::string odd = "bad\xff\xfe overlong\xc0\xaf surrogate\xed\xa0\x80 cut\xe2\x82";
    // The bytes reach the log through argv, a program name, an unknown variable's name and a path.
    Vigil started(dir, {"--log-format", "json", "--termination-log", dir.path("no-such-dir/" + odd), helper, "exit", "0", odd},
                  with_environment({"VIGIL_" + odd + "=1"}));
    CHECK(started.wait_exit() == 0);
    const auto started_err = started.err();  // read before the next vigil reuses the file
    CHECK(lines(started_err).size() >= 4);
    Vigil missing(dir, {"--log-format", "json", dir.path(odd)});
    CHECK(missing.wait_exit() == 127);
    const auto log = dir.path("log.jsonl");
    write_text(log, started_err + missing.err());
    const std::string check = "python3 -c 'import json, sys\n"
                              "for line in open(sys.argv[1], encoding=\"utf-8\", errors=\"strict\"):\n"
                              "    assert isinstance(json.loads(line), dict)\n' " +
                              log;
    CHECK(std::system(check.c_str()) == 0);
    CHECK(contains(started_err, "bad\xef\xbf\xbd\xef\xbf\xbd overlong"));
}

TEST_CASE("a script without #! runs with /bin/sh, as execvp does") {
    TempDir dir;
    const auto script = dir.path("no-shebang");
    write_text(script, "exit 7\n");
    ::chmod(script.c_str(), 0755);
    Vigil by_path(dir, {script});
    CHECK(by_path.wait_exit() == 7);
    Vigil by_name(dir, {"no-shebang", "a"}, with_environment({"PATH=" + dir.path("")}));
    CHECK(by_name.wait_exit() == 7);
    CHECK(by_name.err().find("cannot run") == std::string::npos);
}

TEST_CASE("a stop signal rewritten to NONE is dropped: no drain, no deadline") {
    TempDir dir;
    const auto record = dir.path("record");
    Vigil vigil(dir, {"-r", "TERM:NONE", "-t", "1s", helper, "record", record, "trap", "TERM", "exit-on", "INT", "0", "ready", dir.path("ready"), "wait"});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGTERM);
    REQUIRE(wait_for([&] { return contains(vigil.err(), "dropped SIGTERM (rewritten to NONE)"); }));
    CHECK_FALSE(contains(vigil.err(), "received SIGTERM"));
    vigil.signal(SIGINT);  // still a stop signal: drains, the program exits 0
    CHECK(vigil.wait_exit() == 0);
    CHECK(read_file(record) == "2\n");
    CHECK_FALSE(contains(vigil.err(), "deadline"));
}

namespace {
// vigil started (after the prefix) with SIGINT ignored, as `vigil app &` from
// a script: a SIGINT is not vigil's cue to drain, but it reaches the program,
// which took it back (as Node's process.on('SIGINT') does); SIGTERM still stops it.
void check_started_with_sigint_ignored(const std::vector<std::string>& prefix) {
    TempDir dir;
    LaunchOptions options;
    options.prefix = {helper, "ignore", "INT", "exec"};
    options.prefix.insert(options.prefix.end(), prefix.begin(), prefix.end());
    const auto record = dir.path("record");
    Vigil vigil(dir, {"--log-level", "debug", "-t", "1s", helper, "record", record, "trap", "INT", "ready", dir.path("ready"), "wait"}, options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGINT);
    REQUIRE(wait_for([&] { return read_file(record) == "2\n"; }));
    CHECK(contains(vigil.err(), "received SIGINT, which vigil was started with ignored: passed on to the program, which may have taken it back; no drain"));
    CHECK_FALSE(contains(vigil.err(), "received SIGINT: draining"));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 143);
}
}  // namespace

TEST_CASE("a signal vigil was started with ignored starts no drain but reaches a program that took it back") { check_started_with_sigint_ignored({}); }

TEST_CASE("a signal vigil was started with ignored does not end a program that still ignores it") {
    TempDir dir;
    LaunchOptions options;
    options.prefix = {helper, "ignore", "HUP", "exec"};  // as under nohup
    Vigil vigil(dir, {"--log-level", "debug", "-t", "1s", helper, "ready", dir.path("ready"), "wait"}, options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGHUP);
    REQUIRE(wait_for([&] { return contains(vigil.err(), "received SIGHUP, which vigil was started with ignored: passed on"); }));
    REQUIRE(wait_for([&] { return contains(vigil.err(), "forwarded SIGHUP to pid "); }));
    // The program inherited the ignore and kept it: the kernel dropped the signal.
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 143);
    CHECK_FALSE(contains(vigil.err(), "exited with signal SIGHUP"));
}

TEST_CASE("without /proc to read, vigil finds the signals it was started with ignored all the same") {
    if (::geteuid() != 0) {
        CANNOT_RUN_CASE("hiding /proc needs root (unshare --mount)");
    }
    // vigil reads them from /proc/self/status, and asks sigaction signal by
    // signal where it cannot: here /proc is an empty tmpfs.
    check_started_with_sigint_ignored({"unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs none /proc && exec \"$@\"", "sh"});
}

TEST_CASE("--success-exit 137 never hides vigil's own deadline kill") {
    TempDir dir;
    Vigil vigil(dir, {"-e", "137", "-t", "1s", helper, "ignore", "TERM", "ready", dir.path("ready"), "wait"});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 137);
}

TEST_CASE("a stopped program is continued after a stop signal, so it can drain") {
    TempDir dir;
    Vigil vigil(dir, {"-t", "30s", helper, "drain-on", "TERM", "100", dir.path("drained"), "ready", dir.path("ready"), "wait"});
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    const pid_t program = vigil.host_pid(pid_in(dir.path("ready")));
    REQUIRE(program > 0);
    ::kill(program, SIGSTOP);
    REQUIRE(wait_for([&] { return state_of(program) == 'T'; }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 0);
    CHECK(file_exists(dir.path("drained")));
    CHECK(contains(vigil.err(), "forwarded SIGTERM to pid "));
    CHECK(contains(vigil.err(), ", then SIGCONT"));
}

TEST_CASE("vigil is in / before the program starts, and the program in the caller's directory") {
    const std::string caller = std::filesystem::current_path().string();
    // A full stderr: vigil could not even log that the program started; its directory must be / already.
    {
        TempDir dir;
        Vigil vigil(dir, {helper, "cwd", dir.path("cwd"), "exit", "0"}, full_stderr());
        CHECK(vigil.wait_exit() == 0);
        CHECK(read_file(dir.path("cwd")) == caller + "\n/\n");
    }
    for (int round = 0; round < 20; ++round) {
        TempDir dir;
        Vigil vigil(dir, {"--log-level", "off", helper, "cwd", dir.path("cwd"), "exit", "0"});
        INFO("round " << round);
        REQUIRE(vigil.wait_exit() == 0);
        CHECK(read_file(dir.path("cwd")) == caller + "\n/\n");
    }
}

TEST_CASE("--memory-restart with a size the working set already exceeds: the drain of a SIGTERM at once, then exit 75") {
    TempDir dir;
    const auto record = dir.path("record");
    // The first sample is taken at once: SIGTERM reaches the program while it
    // starts. Started with SIGTERM blocked, it takes it once its handler is in place.
    LaunchOptions options;
    options.prefix = {helper, "block", "TERM", "exec"};
    Vigil vigil(dir, {"-t", "30s", "--memory-restart", "1M", "--termination-log", dir.path("termination"), helper, "record", record,
                      "exit-on", "TERM", "0", "unblock", "TERM", "wait"},
                options);
    const auto code = vigil.wait_exit();
    const auto err = vigil.err();
    INFO(err);
    if (contains(err, "--memory-restart is off")) {
        CANNOT_RUN_CASE("no memory cgroup can be read here");
    }
    CHECK(code == 75);
    CHECK(contains(err, "vigil: memory restart: the working set of "));
    CHECK(contains(err, "vigil: memory restart: draining (budget 30s)"));
    CHECK(contains(err, "vigil: exiting with code 75"));
    CHECK(read_file(record) == "15\n");  // the program got SIGTERM, as from an orchestrator
    CHECK(contains(read_file(dir.path("termination")), "vigil: exit code 75: program ended with exit code 0; memory restart at a working set of "));
}

TEST_CASE("--memory-restart takes a decimal number as a percentage of the limit, not as a few bytes") {
    const auto cgroup = TestMemoryCgroup::make(256 << 20);
    if (!cgroup) return;
    TempDir dir;
    LaunchOptions options;
    options.prefix = cgroup->enter();
    Vigil vigil(dir, {"--memory-restart", "50.5", helper, "exit-on", "TERM", "0", "ready", dir.path("ready"), "wait"}, options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")) && contains(vigil.err(), "vigil: --memory-restart: "); }));
    // Far below the threshold: the program runs until it is stopped.
    CHECK(wait_for([&] { return contains(vigil.err(), "; read every 1s"); }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 0);
    const auto err = vigil.err();
    INFO(err);
    CHECK(contains(err, "vigil: --memory-restart: restarting when the working set reaches 129 MiB (50.5% of the 256 MiB limit)"));
    CHECK_FALSE(contains(err, "memory restart:"));
    CHECK(contains(err, "vigil: received SIGTERM: draining"));
    // Out of range or malformed: refused before anything starts.
    for (const char* bad : {"100", "0.0", "85.5.5", "900"}) {
        INFO(bad);
        TempDir refused_dir;
        Vigil refused(refused_dir, {"--memory-restart", bad, helper, "ready", refused_dir.path("started"), "exit", "0"});
        CHECK(refused.wait_exit() == 2);
        CHECK(contains(refused.err(), std::string("vigil: invalid memory restart '") + bad + "'"));
        CHECK_FALSE(file_exists(refused_dir.path("started")));
    }
}

TEST_CASE("--memory-restart follows a memory limit that changes while the program runs") {
    const auto cgroup = TestMemoryCgroup::make(128 << 20);
    if (!cgroup) return;
    TempDir dir;
    LaunchOptions options;
    options.prefix = cgroup->enter();
    Vigil vigil(dir, {"-t", "30s", "--memory-restart", "50", helper, "exit-on", "TERM", "0", "ready", dir.path("ready"), "await", dir.path("grow"),
                      "hold", "80", "ready", dir.path("grown"), "wait"},
                options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")) && contains(vigil.err(), "(50% of the 128 MiB limit)"); }));
    // Raised: the program may now grow past the old threshold (64 MiB) without a restart.
    cgroup->set_limit(256 << 20);
    REQUIRE(wait_for([&] { return contains(vigil.err(), "vigil: the memory limit changed from 128 MiB to 256 MiB: restarting at 128 MiB (50% of it)"); }));
    write_text(dir.path("grow"), "");
    REQUIRE(wait_for([&] { return file_exists(dir.path("grown")); }));
    // Time for several reads at the slowest pace (1 s): none may restart.
    ::usleep(3'500'000);
    CHECK_FALSE(contains(vigil.err(), "memory restart:"));
    // Lowered below what the program holds: the restart, at the new limit's threshold.
    cgroup->set_limit(150 << 20);
    CHECK(vigil.wait_exit() == 75);
    const auto err = vigil.err();
    INFO(err);
    CHECK(contains(err, "vigil: the memory limit changed from 256 MiB to 150 MiB: restarting at 75 MiB (50% of it)"));
    CHECK(contains(err, "reached 75 MiB (limit 150 MiB): stopping as for SIGTERM"));
    CHECK(err.find("changed from 256 MiB to 150 MiB") < err.find("memory restart:"));
}

TEST_CASE("an OOM kill after the memory limit was lowered is reported with the limit that held") {
    const auto cgroup = TestMemoryCgroup::make(128 << 20);
    if (!cgroup) return;
    TempDir dir;
    LaunchOptions options;
    options.prefix = cgroup->enter();
    // The program is the OOM killer's first choice, as above.
    Vigil vigil(dir, {"--log-level", "debug", "sh", "-c", "echo 1000 >/proc/self/oom_score_adj && exec \"$0\" \"$@\"", helper, "ready", dir.path("ready"),
                      "await", dir.path("lowered"), "hold", "200", "wait"},
                options);
    // vigil has read the cgroup and its first limit.
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")) && contains(vigil.err(), ", limit 128 MiB\n"); }));
    cgroup->set_limit(96 << 20);
    write_text(dir.path("lowered"), "");
    CHECK(vigil.wait_exit() == 137);
    const auto err = vigil.err();
    INFO(err);
    CHECK(contains(err, "vigil: the kernel's OOM killer killed the program (pid "));
    CHECK(contains(err, "memory limit 96 MiB"));
}

TEST_CASE("the memory cgroup is found where /proc/self/cgroup names it, and below a cgroup namespace whose root the mount does not show") {
    // vigil looks at the usual mount first, without mountinfo. In a cgroup
    // namespace without cgroupfs mounted again, /proc/self/cgroup says "/"
    // and the usual mount's root is the host's: that guess must be refused,
    // and the cgroup found through mountinfo.
    const auto cgroup = TestMemoryCgroup::make(268435456);
    if (!cgroup) return;
    for (const bool namespaced : {false, true}) {
        INFO(std::string(namespaced ? "in a cgroup namespace" : "in the host's cgroup namespace"));
        TempDir dir;
        LaunchOptions options;
        options.prefix = cgroup->enter();
        if (namespaced) options.prefix.insert(options.prefix.end(), {"unshare", "--cgroup"});
        // The cgroup is read once the program runs, so the program stays until it has been.
        Vigil vigil(dir, {"--log-level", "debug", helper, "wait"}, options);
        CHECK(wait_for([&] { return contains(vigil.err(), "vigil: memory "); }));
        vigil.signal(SIGTERM);
        CHECK(vigil.wait_exit() == 128 + SIGTERM);
        const auto err = vigil.err();
        INFO(err);
        CHECK(contains(err, "vigil: memory cgroup " + cgroup->version + " at " + cgroup->directory + ", limit 256 MiB\n"));
    }
}

TEST_CASE("a SIGCHLD pending when vigil starts does not cost an OOM kill its report") {
    // A SIGCHLD vigil was started with says nothing about the program: vigil
    // must still take the OOM-kill baseline while the program runs, or the
    // kill below goes unexplained.
    const auto cgroup = TestMemoryCgroup::make(64 << 20);
    if (!cgroup) return;
    TempDir dir;
    LaunchOptions options;
    options.prefix = cgroup->enter();
    // The helper's daemon step waits for its middle process: SIGCHLD, blocked, is pending at the exec.
    options.prefix.insert(options.prefix.end(), {helper, "block", "CHLD", "daemon", "{", "exit", "0", "}", "exec"});
    // The program is the OOM killer's first choice (oom_score_adj 1000): a
    // sanitized vigil holds tens of MiB of its own and could be picked instead.
    // It grows only once vigil has read the cgroup (its debug line), and as
    // the helper, whose few pages of code leave the rest of the limit to what
    // it holds: node, in what a sanitized vigil leaves of 64 MiB, could page
    // its own code in and out for longer than the test waits (seen once
    // under the sanitizers: neither an OOM kill nor vigil's exit in 60 s).
    Vigil vigil(dir, {"--log-level", "debug", "sh", "-c", "echo 1000 >/proc/self/oom_score_adj && exec \"$0\" \"$@\"", helper, "await",
                      dir.path("grow"), "hold", "200", "wait"},
                options);
    REQUIRE(wait_for([&] { return contains(vigil.err(), ", limit 64 MiB\n"); }));
    write_text(dir.path("grow"), "");
    CHECK(vigil.wait_exit() == 137);
    const auto err = vigil.err();
    INFO(err);
    CHECK(contains(err, "vigil: the kernel's OOM killer killed the program (pid "));
    CHECK(contains(err, "memory limit 64 MiB"));
}
