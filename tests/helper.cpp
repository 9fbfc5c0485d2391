// The program vigil runs in the integration tests. Its arguments are steps,
// run in order; a block in braces runs in a forked child (or a setsid'ed,
// double-forked daemon) while the rest continues:
//
//   record FILE            append "<signal number>\n" to FILE for every trapped signal
//   trap SIG               record SIG and carry on
//   exit-on SIG CODE       record SIG, then exit with CODE
//   drain-on SIG MS FILE   record SIG, work MS milliseconds more, write FILE, exit 0
//   ignore SIG | block SIG | unblock SIG
//                          set SIG_IGN / add to or take from the signal mask
//   ready FILE             write "<pid>\n" to FILE (atomically, via rename)
//   status FILE | fds FILE | pgrp FILE | tty FILE
//                          /proc/self/status, open descriptors, "pid pgid sid",
//                          whether the terminal's foreground is ours
//   env NAME FILE          the variable's value, or "(unset)"
//   bind PORT FILE         "bound" if a TCP socket could bind 0.0.0.0:PORT, else the errno text
//   cwd FILE               "<own working directory>\n<its parent's, from /proc/PPID/cwd>\n"
//   take-foreground        become a process group of its own and the terminal's foreground
//   readline FILE          read one line from the terminal (stdin) into FILE
//   orphans N              create N short-lived orphans (double fork)
//   child { … } | daemon { … }
//   sleep MS | wait        pause, or wait for signals forever
//   await FILE             wait until FILE exists
//   hold N                 allocate N MiB more and touch every page
//   exit CODE | kill-self SIG | fault | exec PROGRAM ARGS…
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "signals.hpp"

namespace {

int record_fd = -1;
volatile sig_atomic_t exit_code_for[vigil::max_signal + 1];
volatile sig_atomic_t drain_requested = 0;
int drain_signal = 0;
long drain_ms = 0;
std::string drain_marker;

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "helper: %s\n", message.c_str());
    std::exit(99);
}

void sleep_ms(long ms) {
    timespec remaining{ms / 1000, (ms % 1000) * 1'000'000};
    while (nanosleep(&remaining, &remaining) != 0 && errno == EINTR) {
    }
}

void write_file(const std::string& path, const std::string& text) {
    // Written aside and renamed, so a test polling for the file never sees half of it.
    const std::string temporary = path + ".tmp." + std::to_string(getpid());
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("cannot write " + temporary + ": " + std::strerror(errno));
    if (write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) die("short write to " + temporary);
    close(fd);
    if (rename(temporary.c_str(), path.c_str()) != 0) die("cannot rename to " + path);
}

std::string read_all(const char* path) {
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) die(std::string("cannot read ") + path);
    std::string text;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(got));
    close(fd);
    return text;
}

void on_signal(int signal) {
    const int saved = errno;
    if (record_fd >= 0) {
        char line[8];
        int length = 0;
        if (signal >= 10) line[length++] = static_cast<char>('0' + signal / 10);
        line[length++] = static_cast<char>('0' + signal % 10);
        line[length++] = '\n';
        [[maybe_unused]] const auto written = write(record_fd, line, static_cast<std::size_t>(length));
    }
    if (signal == drain_signal) drain_requested = 1;
    else if (exit_code_for[signal] >= 0) _exit(exit_code_for[signal]);
    errno = saved;
}

void install(int signal) {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    if (sigaction(signal, &action, nullptr) != 0) die("sigaction failed");
}

int signal_arg(const std::string& text) {
    auto parsed = vigil::parse_signal(text);
    if (!parsed) die(parsed.error());
    return *parsed;
}

void finish_drain() {
    sleep_ms(drain_ms);
    write_file(drain_marker, "drained\n");
    _exit(0);
}

void wait_forever() {
    // The drain signal stays blocked except inside sigsuspend, so its
    // arrival cannot slip between the check and the wait.
    sigset_t drain_blocked;
    sigset_t waiting;
    sigemptyset(&drain_blocked);
    if (drain_signal != 0) sigaddset(&drain_blocked, drain_signal);
    sigprocmask(SIG_BLOCK, &drain_blocked, &waiting);
    if (drain_signal != 0) sigdelset(&waiting, drain_signal);
    while (true) {
        if (drain_requested) finish_drain();
        sigsuspend(&waiting);
    }
}

// Index just past the block that starts at `open` (which holds "{").
std::size_t block_end(const std::vector<std::string>& steps, std::size_t open) {
    int depth = 0;
    for (std::size_t i = open; i < steps.size(); ++i) {
        if (steps[i] == "{") ++depth;
        if (steps[i] == "}" && --depth == 0) return i + 1;
    }
    die("unbalanced braces");
}

void run(const std::vector<std::string>& steps, std::size_t begin, std::size_t end) {
    std::size_t i = begin;
    auto next = [&]() -> const std::string& {
        if (i >= end) die("missing argument after " + steps[i - 1]);
        return steps[i++];
    };
    while (i < end) {
        const std::string step = steps[i++];
        if (step == "record") {
            record_fd = open(next().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (record_fd < 0) die("cannot open record file");
        } else if (step == "trap") {
            install(signal_arg(next()));
        } else if (step == "exit-on") {
            const int signal = signal_arg(next());
            exit_code_for[signal] = std::atoi(next().c_str());
            install(signal);
        } else if (step == "drain-on") {
            drain_signal = signal_arg(next());
            drain_ms = std::atol(next().c_str());
            drain_marker = next();
            install(drain_signal);
        } else if (step == "ignore") {
            signal(signal_arg(next()), SIG_IGN);
        } else if (step == "block") {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, signal_arg(next()));
            sigprocmask(SIG_BLOCK, &set, nullptr);
        } else if (step == "unblock") {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, signal_arg(next()));
            sigprocmask(SIG_UNBLOCK, &set, nullptr);
        } else if (step == "ready") {
            write_file(next(), std::to_string(getpid()) + "\n");
        } else if (step == "status") {
            const std::string path = next();
            write_file(path, read_all("/proc/self/status"));
        } else if (step == "fds") {
            const std::string path = next();
            DIR* dir = opendir("/proc/self/fd");
            if (dir == nullptr) die("cannot list /proc/self/fd");
            std::string list;
            while (const dirent* entry = readdir(dir)) {
                if (entry->d_name[0] == '.' || std::atoi(entry->d_name) == dirfd(dir)) continue;
                list += std::string(entry->d_name) + "\n";
            }
            closedir(dir);
            write_file(path, list);
        } else if (step == "pgrp") {
            write_file(next(), std::to_string(getpid()) + " " + std::to_string(getpgrp()) + " " + std::to_string(getsid(0)) + "\n");
        } else if (step == "tty") {
            const std::string path = next();
            const char* answer = !isatty(0) ? "not a tty\n" : tcgetpgrp(0) == getpgrp() ? "foreground\n" : "background\n";
            write_file(path, answer);
        } else if (step == "env") {
            const char* value = std::getenv(next().c_str());
            write_file(next(), value != nullptr ? std::string(value) + "\n" : "(unset)\n");
        } else if (step == "bind") {
            const int port = std::atoi(next().c_str());
            const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_port = htons(static_cast<uint16_t>(port));
            const bool bound = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
            const std::string result = bound ? "bound\n" : std::string(std::strerror(errno)) + "\n";
            if (fd >= 0) close(fd);
            write_file(next(), result);
        } else if (step == "cwd") {
            // First of all, before anything gives the parent time to move.
            char parent_cwd[4096] = {};
            const std::string link = "/proc/" + std::to_string(getppid()) + "/cwd";
            const ssize_t length = readlink(link.c_str(), parent_cwd, sizeof parent_cwd - 1);
            char own_cwd[4096] = {};
            if (getcwd(own_cwd, sizeof own_cwd) == nullptr) die("getcwd failed");
            write_file(next(), std::string(own_cwd) + "\n" + (length > 0 ? std::string(parent_cwd, static_cast<std::size_t>(length)) : "?") + "\n");
        } else if (step == "take-foreground") {
            setpgid(0, 0);
            signal(SIGTTOU, SIG_IGN);  // a background process may then take the terminal
            if (tcsetpgrp(STDIN_FILENO, getpgrp()) != 0) die(std::string("tcsetpgrp failed: ") + std::strerror(errno));
            signal(SIGTTOU, SIG_DFL);
        } else if (step == "readline") {
            const std::string path = next();
            std::string line;
            char c = 0;
            while (true) {
                const ssize_t got = read(STDIN_FILENO, &c, 1);
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0 || c == '\n') break;
                if (c != '\r') line += c;
            }
            write_file(path, line + "\n");
        } else if (step == "orphans") {
            const long count = std::atol(next().c_str());
            for (long n = 0; n < count; ++n) {
                const pid_t middle = fork();
                if (middle < 0) die("fork failed");
                if (middle == 0) {
                    if (fork() == 0) {
                        sleep_ms(20);  // long enough to be re-parented before exiting
                        _exit(0);
                    }
                    _exit(0);
                }
                waitpid(middle, nullptr, 0);
            }
        } else if (step == "child" || step == "daemon") {
            if (i >= end || steps[i] != "{") die(step + " needs a { block }");
            const std::size_t after = block_end(steps, i);
            const pid_t pid = fork();
            if (pid < 0) die("fork failed");
            if (pid == 0) {
                if (step == "daemon") {
                    setsid();
                    if (fork() != 0) _exit(0);
                }
                run(steps, i + 1, after - 1);
                _exit(0);
            }
            if (step == "daemon") waitpid(pid, nullptr, 0);
            i = after;
        } else if (step == "sleep") {
            sleep_ms(std::atol(next().c_str()));
            if (drain_requested) finish_drain();
        } else if (step == "hold") {
            // N MiB more of touched memory, kept for the rest of the process's life.
            const std::size_t bytes = std::size_t(std::atol(next().c_str())) << 20;
            auto* kept = static_cast<char*>(std::malloc(bytes));
            if (kept == nullptr) die("cannot allocate");
            for (std::size_t at = 0; at < bytes; at += 4096) kept[at] = 1;
        } else if (step == "await") {
            const std::string path = next();
            while (access(path.c_str(), F_OK) != 0) sleep_ms(10);
        } else if (step == "wait") {
            wait_forever();
        } else if (step == "exit") {
            std::exit(std::atoi(next().c_str()));
        } else if (step == "kill-self") {
            const int signal = signal_arg(next());
            std::signal(signal, SIG_DFL);
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, signal);
            sigprocmask(SIG_UNBLOCK, &set, nullptr);
            kill(getpid(), signal);
            sleep_ms(10'000);
            die("survived kill-self");
        } else if (step == "fault") {
            // A real fault: a write through a null pointer.
            *static_cast<volatile int*>(nullptr) = 1;
            die("survived a fault");
        } else if (step == "exec") {
            std::vector<char*> argv;
            for (std::size_t j = i; j < end; ++j) argv.push_back(const_cast<char*>(steps[j].c_str()));
            argv.push_back(nullptr);
            if (argv.size() < 2) die("exec needs a program");
            execvp(argv[0], argv.data());
            die(std::string("exec failed: ") + std::strerror(errno));
        } else {
            die("unknown step '" + step + "'");
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    for (auto& code : exit_code_for) code = -1;
    const std::vector<std::string> steps(argv + 1, argv + argc);
    run(steps, 0, steps.size());
    return 0;
}
