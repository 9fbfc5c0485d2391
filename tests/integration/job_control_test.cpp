// Job control on a terminal: Ctrl-Z under an interactive shell stops vigil
// with its program and fg brings both back; as PID 1 (docker run -it) there
// is no shell, so vigil undoes a Ctrl-Z and hands the foreground to a
// program that stopped reading the terminal from the background.
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>

#include "../cannot_run.hpp"
#include "harness.hpp"
#include "reachable_processes.hpp"

using namespace harness;

namespace {

const std::string helper = helper_binary();


#ifndef VIGIL_TEST_PID_ONE  // what the shell case below needs
pid_t pid_in(const std::string& path) { return static_cast<pid_t>(std::stol(read_file(path))); }

// Fields of /proc/PID/stat after the command name: state, ppid, pgrp, session, tty, tpgid.
struct Stat {
    char state = '?';
    pid_t parent = 0;
    pid_t group = 0;
    pid_t terminal_foreground = 0;
};

Stat stat_of(pid_t pid) {
    Stat result;
    const auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = text.rfind(')');
    if (close == std::string::npos) return result;
    std::istringstream fields(text.substr(close + 2));
    int session = 0;
    int tty = 0;
    fields >> result.state >> result.parent >> result.group >> session >> tty >> result.terminal_foreground;
    return result;
}

// An interactive bash on a new terminal, as a developer's shell.
class Shell {
public:
    Shell() {
        int child_side = -1;
        if (::openpty(&terminal_, &child_side, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
        ::fcntl(terminal_, F_SETFD, FD_CLOEXEC);
        ::fcntl(terminal_, F_SETFL, O_NONBLOCK);
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::setsid();
            ::ioctl(child_side, TIOCSCTTY, 0);
            for (int fd = 0; fd <= 2; ++fd) ::dup2(child_side, fd);
            for (int fd = 3; fd < 1024; ++fd) ::close(fd);
            reset_signal_state();
            ::setenv("PS1", "shell$ ", 1);
            ::setenv("TERM", "dumb", 1);
            ::execl("/bin/bash", "bash", "--norc", "--noprofile", "-i", static_cast<char*>(nullptr));
            _exit(121);
        }
        ::close(child_side);
    }
    ~Shell() {
        for (pid_t pid : descendants(pid_, false)) ::kill(pid, SIGKILL);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        ::close(terminal_);
    }
    Shell(const Shell&) = delete;
    Shell& operator=(const Shell&) = delete;

    void type(const std::string& keys) {
        if (::write(terminal_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) throw std::runtime_error("cannot type");
    }
    std::string output() {
        read_available(terminal_, output_);
        return output_;
    }

private:
    int terminal_ = -1;
    pid_t pid_ = -1;
    std::string output_;
};

#endif

}  // namespace

#ifndef VIGIL_TEST_PID_ONE  // under a shell vigil is the shell's job, not PID 1
TEST_CASE("Ctrl-Z under a shell stops vigil with its program, and fg continues both with the terminal") {
    if (!file_exists("/bin/bash")) {
        CANNOT_RUN_CASE("bash is not installed");
    }
    TempDir dir;
    const auto record = dir.path("record");
    Shell shell;
    REQUIRE(wait_for([&] { return contains(shell.output(), "shell$ "); }));
    shell.type(vigil_binary() + " " + helper + " record " + record + " trap USR1 ready " + dir.path("ready") + " wait\n");
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    const pid_t program = pid_in(dir.path("ready"));
    const pid_t vigil = stat_of(program).parent;
    REQUIRE(vigil > 0);

    shell.type("\x1a");  // Ctrl-Z
    REQUIRE(wait_for([&] { return contains(shell.output(), "Stopped"); }));
    INFO(shell.output());
    CHECK(stat_of(vigil).state == 'T');
    CHECK(stat_of(program).state == 'T');
    CHECK(contains(shell.output(), "stopped by SIGTSTP: stopping vigil too, so the shell gets the terminal back"));

    shell.type("fg\n");
    REQUIRE(wait_for([&] { return stat_of(program).state == 'S' && stat_of(vigil).state == 'S'; }));
    CHECK(stat_of(program).terminal_foreground == program);  // the program has the terminal again
    ::kill(vigil, SIGUSR1);
    CHECK(wait_for([&] { return read_file(record) == "10\n"; }));

    shell.type("\x03");  // Ctrl-C reaches the program, which dies of it
    shell.type("echo code=$?\n");
    CHECK(wait_for([&] { return contains(shell.output(), "code=130"); }));
    shell.type("exit\n");
}
#endif

#ifdef VIGIL_TEST_PID_ONE  // PID 1 has no shell above it: the shell case is the subreaper's
TEST_CASE("as PID 1 on a terminal, a Ctrl-Z is undone: the program keeps running") {
    TempDir dir;
    const auto record = dir.path("record");
    LaunchOptions options;
    options.use_terminal = true;
    Vigil vigil(dir, {helper, "record", record, "trap", "USR1", "exit-on", "TERM", "0", "ready", dir.path("ready"), "wait"}, options);
    REQUIRE(wait_for([&] { return file_exists(dir.path("ready")); }));
    vigil.type("\x1a");
    REQUIRE(wait_for([&] { return contains(vigil.terminal_output(), "stopped by SIGTSTP: continued it, as PID 1 there is no shell to resume it"); }));
    vigil.signal(SIGUSR1);
    CHECK(wait_for([&] { return read_file(record) == "10\n"; }));
    vigil.signal(SIGTERM);
    CHECK(vigil.wait_exit() == 0);
}

TEST_CASE("as PID 1, a program stopped for reading the terminal from the background gets the foreground and goes on") {
    TempDir dir;
    LaunchOptions options;
    options.use_terminal = true;
    // A child of the program takes the foreground; the program then reads the terminal: SIGTTIN.
    Vigil vigil(dir, {helper, "child", "{", "take-foreground", "ready", dir.path("child"), "wait", "}", "await", dir.path("child"),
                      "readline", dir.path("line"), "exit", "0"},
                options);
    REQUIRE(wait_for([&] { return contains(vigil.terminal_output(), "stopped by SIGTTIN outside the terminal's foreground: gave it the foreground and continued it"); }));
    vigil.type("hello\n");
    REQUIRE(wait_for([&] { return file_exists(dir.path("line")); }));
    CHECK(read_file(dir.path("line")) == "hello\n");
    CHECK(vigil.wait_exit() == 0);
}
#endif
