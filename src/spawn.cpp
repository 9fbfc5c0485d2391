#include "spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "capabilities.hpp"
#include "exit_status.hpp"
#include "fd.hpp"
#include "signals.hpp"

namespace vigil {
namespace {

// What the child was doing when it failed.
enum class ChildStep : int { process_group, terminal, signals, groups, gid, uid, bounding, capabilities, ambient, no_new_privs, exec };

struct ChildReport {
    ChildStep step;
    int error;
};

std::string describe_failure(ChildStep step, const SpawnRequest& request, int error) {
    const auto& program = request.command.front();
    const char* reason = std::strerror(error);
    switch (step) {
        case ChildStep::process_group: return fmt::format("cannot give '{}' its own process group: {}", program, reason);
        case ChildStep::terminal: return fmt::format("cannot hand the terminal to '{}': {}", program, reason);
        case ChildStep::signals: return fmt::format("cannot restore the signal state for '{}': {}", program, reason);
        case ChildStep::groups:
        case ChildStep::gid:
        case ChildStep::uid: return fmt::format("cannot switch to user '{}': {}", request.user_spec, reason);
        case ChildStep::bounding:
        case ChildStep::capabilities:
        case ChildStep::ambient: return fmt::format("cannot set the capabilities of '{}': {}", program, reason);
        case ChildStep::no_new_privs: return fmt::format("cannot set no_new_privs for '{}': {}", program, reason);
        case ChildStep::exec: return fmt::format("cannot run '{}': {}", program, reason);
    }
    return fmt::format("cannot start '{}': {}", program, reason);
}

// Everything the child needs to change who it is, prepared before fork.
struct PrivilegePlan {
    const Identity* identity = nullptr;
    cap_t kept = nullptr;             // permitted, effective and inheritable: the kept set
    std::vector<int> kept_list;       // raised as ambient
    std::vector<int> bounding_drops;  // everything else
    bool no_new_privs = false;
};

[[noreturn]] void child_fail(int report_fd, ChildStep step, int error) {
    const ChildReport report{step, error};
    // Nothing useful can be done if this write fails: the exit code still says 126/127.
    [[maybe_unused]] const auto written = ::write(report_fd, &report, sizeof report);
    _exit(step == ChildStep::exec && error == ENOENT ? exit_not_found : exit_cannot_run);
}

// Runs in the child between fork and exec: async-signal-safe calls only.
void change_identity(int report_fd, const PrivilegePlan& plan) {
    const Identity* identity = plan.identity;
    if (identity != nullptr) {
        if (::setgroups(identity->groups.size(), identity->groups.data()) != 0) child_fail(report_fd, ChildStep::groups, errno);
        if (::setresgid(identity->gid, identity->gid, identity->gid) != 0) child_fail(report_fd, ChildStep::gid, errno);
    }
    if (plan.kept != nullptr) {
        // Bounding set first: dropping needs CAP_SETPCAP, which the uid switch takes away.
        for (int capability : plan.bounding_drops) {
            if (::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) child_fail(report_fd, ChildStep::bounding, errno);
        }
        if (identity != nullptr && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) child_fail(report_fd, ChildStep::capabilities, errno);
    }
    if (identity != nullptr && ::setresuid(identity->uid, identity->uid, identity->uid) != 0) child_fail(report_fd, ChildStep::uid, errno);
    if (plan.kept != nullptr) {
        if (cap_set_proc(plan.kept) != 0) child_fail(report_fd, ChildStep::capabilities, errno);
        // Ambient capabilities survive exec of a program without file capabilities, even as non-root.
        for (int capability : plan.kept_list) {
            if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0) != 0) child_fail(report_fd, ChildStep::ambient, errno);
        }
    }
    if (plan.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(report_fd, ChildStep::no_new_privs, errno);
}

[[noreturn]] void run_child(int report_fd, bool take_terminal, const InheritedSignals& signals, const PrivilegePlan& privileges,
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

    change_identity(report_fd, privileges);

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
    std::vector<std::string> environment = request.environment;
    if (request.identity && request.identity->home) {
        const bool has_home = std::any_of(environment.begin(), environment.end(), [](const std::string& entry) { return entry.rfind("HOME=", 0) == 0; });
        if (!has_home) environment.push_back("HOME=" + *request.identity->home);
    }
    std::vector<char*> envp;
    for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
    envp.push_back(nullptr);

    PrivilegePlan privileges;
    privileges.identity = request.identity ? &*request.identity : nullptr;
    privileges.no_new_privs = request.no_new_privs;
    if (request.capabilities) {
        privileges.kept = cap_init();
        if (privileges.kept == nullptr) {
            failure = {exit_cannot_run, fmt::format("cannot prepare the capabilities of '{}': {}", program, std::strerror(errno))};
            return Error{failure.message};
        }
        privileges.kept_list = *request.capabilities;
        std::vector<cap_value_t> values(privileges.kept_list.begin(), privileges.kept_list.end());
        for (cap_flag_t set : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE}) {
            if (!values.empty()) cap_set_flag(privileges.kept, set, static_cast<int>(values.size()), values.data(), CAP_SET);
        }
        for (int capability = 0; capability < known_capability_count(); ++capability) {
            if (std::find(values.begin(), values.end(), capability) == values.end()) privileges.bounding_drops.push_back(capability);
        }
    }
    // libcap's object is freed on every path out of here, in the parent.
    struct CapFree {
        cap_t caps;
        ~CapFree() { if (caps != nullptr) cap_free(caps); }
    } free_kept{privileges.kept};

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
    if (pid == 0) run_child(report_write.get(), take_terminal, request.signals, privileges, candidates, argv.data(), envp.data());

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
        failure = {code, describe_failure(report.step, request, report.error)};
    }
    return Error{failure.message};
}

}  // namespace vigil
