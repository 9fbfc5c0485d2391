#include "spawn.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "exit_status.hpp"
#include "fd.hpp"
#include "signals.hpp"

namespace vigil {
namespace {

// What the child was doing when it failed.
enum class ChildStep : int { process_group, terminal, signals, exec };

struct ChildReport {
    ChildStep step;
    int error;
};

const char* describe_step(ChildStep step) {
    switch (step) {
        case ChildStep::process_group: return "cannot give '{}' its own process group: {}";
        case ChildStep::terminal: return "cannot hand the terminal to '{}': {}";
        case ChildStep::signals: return "cannot restore the signal state for '{}': {}";
        case ChildStep::exec: return "cannot run '{}': {}";
    }
    return "cannot start '{}': {}";
}

[[noreturn]] void child_fail(int report_fd, ChildStep step, int error) {
    const ChildReport report{step, error};
    // Nothing useful can be done if this write fails: the exit code still says 126/127.
    [[maybe_unused]] const auto written = ::write(report_fd, &report, sizeof report);
    _exit(step == ChildStep::exec && error == ENOENT ? exit_not_found : exit_cannot_run);
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void run_child(int report_fd, bool take_terminal, const InheritedSignals& signals,
                            const std::vector<const char*>& candidates, char* const* argv, char* const* envp) {
    if (::setpgid(0, 0) != 0) child_fail(report_fd, ChildStep::process_group, errno);
    // SIGTTOU is still blocked here, so a background process may take the terminal.
    if (take_terminal && ::tcsetpgrp(STDIN_FILENO, ::getpid()) != 0) child_fail(report_fd, ChildStep::terminal, errno);

    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (sigismember(&signals.ignored, signal) == 1 && ::sigaction(signal, &ignore, nullptr) != 0)
            child_fail(report_fd, ChildStep::signals, errno);
    }
    if (::sigprocmask(SIG_SETMASK, &signals.blocked, nullptr) != 0) child_fail(report_fd, ChildStep::signals, errno);

    // As execvp: a missing candidate sends us on to the next; permission
    // denied anywhere is remembered; any other error is final.
    int error = ENOENT;
    bool denied = false;
    for (const char* candidate : candidates) {
        ::execve(candidate, argv, envp);
        error = errno;
        if (error == EACCES) denied = true;
        else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV && error != ETIMEDOUT) break;
    }
    if (denied && (error == ENOENT || error == ENOTDIR)) error = EACCES;
    child_fail(report_fd, ChildStep::exec, error);
}

}  // namespace

std::vector<std::string> program_candidates(const std::string& program, const std::string& path_variable) {
    if (program.find('/') != std::string::npos) return {program};
    std::vector<std::string> candidates;
    std::string_view rest = path_variable;
    while (true) {
        const auto colon = rest.find(':');
        const auto directory = rest.substr(0, colon);
        // An empty entry means the current directory, as in execvp.
        candidates.push_back(directory.empty() ? program : fmt::format("{}/{}", directory, program));
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return candidates;
}

Result<pid_t> spawn_program(const SpawnRequest& request, SpawnFailure& failure) {
    const auto& program = request.command.front();
    const auto candidate_strings = program_candidates(program, request.path_variable);
    std::vector<const char*> candidates;
    for (const auto& candidate : candidate_strings) candidates.push_back(candidate.c_str());

    std::vector<char*> argv;
    for (const auto& arg : request.command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& entry : request.environment) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);

    // Hand over the foreground only when vigil itself has it.
    const bool take_terminal = ::isatty(STDIN_FILENO) == 1 && ::tcgetpgrp(STDIN_FILENO) == ::getpgrp();

    auto pipe = make_pipe();
    if (!pipe) {
        failure = {exit_cannot_run, fmt::format("cannot start '{}': {}", program, pipe.error())};
        return Error{failure.message};
    }
    auto& [report_read, report_write] = *pipe;

    const pid_t pid = ::fork();
    if (pid < 0) {
        failure = {exit_cannot_run, fmt::format("cannot start '{}': fork: {}", program, std::strerror(errno))};
        return Error{failure.message};
    }
    if (pid == 0) run_child(report_write.get(), take_terminal, request.signals, candidates, argv.data(), envp.data());

    report_write.reset();
    ChildReport report{};
    ssize_t got = 0;
    do {
        got = ::read(report_read.get(), &report, sizeof report);
    } while (got < 0 && errno == EINTR);
    if (got == 0) return pid;  // closed by exec: the program runs

    // The child failed before exec (or the pipe did): collect it and say why.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (got != static_cast<ssize_t>(sizeof report)) {
        failure = {exit_cannot_run, fmt::format("cannot start '{}': lost the child's report", program)};
    } else {
        const int code = report.step == ChildStep::exec && report.error == ENOENT ? exit_not_found : exit_cannot_run;
        failure = {code, fmt::format(fmt::runtime(describe_step(report.step)), program, std::strerror(report.error))};
    }
    return Error{failure.message};
}

}  // namespace vigil
