#include "spawn.hpp"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "capabilities.hpp"
#include "exit_status.hpp"
#include "signals.hpp"

namespace vigil {
namespace {

// The child runs on a stack of its own inside vigil's memory; AddressSanitizer
// (in the sanitizer test build) cannot follow that and must stay out of it,
// as it stays out of glibc's posix_spawn.
#define VIGIL_CHILD_CODE __attribute__((no_sanitize("address")))

// What the child was doing when it failed.
enum class ChildStep : int { directory, descriptors, process_group, terminal, signals, groups, gid, uid, bounding, capabilities, ambient, no_new_privs, exec };

// Written by the child into the parent's memory (they share it until exec).
struct ChildReport {
    bool failed = false;
    ChildStep step = ChildStep::exec;
    int error = 0;
};

std::string describe_failure(ChildStep step, const SpawnRequest& request, int error) {
    const auto& program = request.command.front();
    const char* reason = std::strerror(error);
    switch (step) {
        case ChildStep::descriptors: return fmt::format("cannot hand descriptors to '{}': {}", program, reason);
        case ChildStep::directory: return fmt::format("cannot start '{}' in the working directory: {}", program, reason);
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
    // Steps already true are skipped: without privileges, a switch to the
    // identity vigil already has must not fail on setgroups.
    bool set_groups = false;
    bool set_gid = false;
    bool set_uid = false;
    cap_t kept = nullptr;             // permitted, effective and inheritable: the kept set
    std::vector<int> kept_list;       // raised as ambient
    std::vector<int> bounding_drops;  // everything else
    bool no_new_privs = false;
};

[[noreturn]] VIGIL_CHILD_CODE void child_fail(ChildReport* report, ChildStep step, int error) {
    report->step = step;
    report->error = error;
    report->failed = true;
    _exit(step == ChildStep::exec && error == ENOENT ? exit_not_found : exit_cannot_run);
}

VIGIL_CHILD_CODE void change_identity(ChildReport* report, const PrivilegePlan& plan) {
    const Identity* identity = plan.identity;
    if (identity != nullptr) {
        if (plan.set_groups && ::setgroups(identity->groups.size(), identity->groups.data()) != 0) child_fail(report, ChildStep::groups, errno);
        if (plan.set_gid && ::setresgid(identity->gid, identity->gid, identity->gid) != 0) child_fail(report, ChildStep::gid, errno);
    }
    if (plan.kept != nullptr) {
        // Bounding set first: dropping needs CAP_SETPCAP, which the uid switch takes away.
        for (int capability : plan.bounding_drops) {
            if (::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL) child_fail(report, ChildStep::bounding, errno);
        }
        if (identity != nullptr && ::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) child_fail(report, ChildStep::capabilities, errno);
    }
    if (identity != nullptr && plan.set_uid && ::setresuid(identity->uid, identity->uid, identity->uid) != 0) child_fail(report, ChildStep::uid, errno);
    if (plan.kept != nullptr) {
        if (cap_set_proc(plan.kept) != 0) child_fail(report, ChildStep::capabilities, errno);
        // Ambient capabilities survive exec of a program without file capabilities, even as non-root.
        for (int capability : plan.kept_list) {
            if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, capability, 0, 0) != 0) child_fail(report, ChildStep::ambient, errno);
        }
    }
    if (plan.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(report, ChildStep::no_new_privs, errno);
}

struct ChildContext {
    ChildReport* report;
    int working_directory;
    bool take_terminal;
    const InheritedSignals* signals;
    const PrivilegePlan* privileges;
    const char* program;
    const char* path_variable;
    const std::pair<int, int>* descriptors;
    std::size_t descriptor_count;
    char* const* argv;
    char* const* envp;
    char** shell_argv;  // /bin/sh, [the script, filled in by the child], the arguments
};

// Runs in the child between clone and exec, on its own stack but in vigil's
// memory: async-signal-safe calls only, and nothing written but the report.
VIGIL_CHILD_CODE int run_child(void* argument) {
    const auto& context = *static_cast<const ChildContext*>(argument);
    ChildReport* report = context.report;
    const bool take_terminal = context.take_terminal;
    const InheritedSignals& signals = *context.signals;
    const PrivilegePlan& privileges = *context.privileges;
    char* const* argv = context.argv;
    char* const* envp = context.envp;

    if (context.working_directory >= 0 && ::fchdir(context.working_directory) != 0) child_fail(report, ChildStep::directory, errno);
    // After the fchdir: the directory's descriptor may be one of the targets.
    for (std::size_t index = 0; index < context.descriptor_count; ++index) {
        const auto [from, to] = context.descriptors[index];
        // dup2 onto itself would leave close-on-exec set.
        const int done = from == to ? ::fcntl(to, F_SETFD, 0) : ::dup2(from, to);
        if (done < 0) child_fail(report, ChildStep::descriptors, errno);
    }
    if (::setpgid(0, 0) != 0) child_fail(report, ChildStep::process_group, errno);
    // SIGTTOU is still blocked here, so a background process may take the terminal.
    if (take_terminal && ::tcsetpgrp(STDIN_FILENO, ::getpid()) != 0) child_fail(report, ChildStep::terminal, errno);

    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (sigismember(&signals.ignored, signal) == 1 && ::sigaction(signal, &ignore, nullptr) != 0)
            child_fail(report, ChildStep::signals, errno);
    }
    if (::sigprocmask(SIG_SETMASK, &signals.blocked, nullptr) != 0) child_fail(report, ChildStep::signals, errno);

    change_identity(report, privileges);

    // As execvp: a missing candidate sends us on to the next; permission
    // denied anywhere is remembered; any other error is final.
    int error = ENOENT;
    bool denied = false;
    PathCandidates candidates(context.program, context.path_variable);
    char candidate[PATH_MAX];  // on the child's own stack, gone with it
    while (true) {
        const auto next = candidates.next(candidate, sizeof candidate);
        if (next == PathCandidates::Next::done) break;
        if (next == PathCandidates::Next::too_long) {
            error = ENAMETOOLONG;  // what execve says of a path this long
            break;
        }
        ::execve(candidate, argv, envp);
        error = errno;
        if (error == ENOEXEC) {
            // Not a binary the kernel knows and no "#!": a shell script, as execvp assumes.
            context.shell_argv[1] = candidate;
            ::execve(context.shell_argv[0], context.shell_argv, envp);
            break;  // no /bin/sh: report the script's own ENOEXEC
        }
        if (error == EACCES) denied = true;
        else if (error != ENOENT && error != ENOTDIR && error != ESTALE && error != ENODEV && error != ETIMEDOUT) break;
    }
    if (denied && (error == ENOENT || error == ENOTDIR)) error = EACCES;
    child_fail(report, ChildStep::exec, error);
}

struct IdentitySteps {
    bool groups;
    bool gid;
    bool uid;
};

// Which parts of the switch to `identity` would change anything: the child
// has vigil's own credentials until it changes them.
IdentitySteps identity_steps(const Identity& identity) {
    uid_t real_uid = 0;
    uid_t effective_uid = 0;
    uid_t saved_uid = 0;
    gid_t real_gid = 0;
    gid_t effective_gid = 0;
    gid_t saved_gid = 0;
    IdentitySteps steps{true, true, true};
    if (::getresuid(&real_uid, &effective_uid, &saved_uid) == 0)
        steps.uid = !(real_uid == identity.uid && effective_uid == identity.uid && saved_uid == identity.uid);
    if (::getresgid(&real_gid, &effective_gid, &saved_gid) == 0)
        steps.gid = !(real_gid == identity.gid && effective_gid == identity.gid && saved_gid == identity.gid);
    const int count = ::getgroups(0, nullptr);
    if (count >= 0) {
        std::vector<gid_t> current(static_cast<std::size_t>(count));
        if (::getgroups(count, current.data()) == count) {
            std::vector<gid_t> wanted(identity.groups.begin(), identity.groups.end());
            std::sort(current.begin(), current.end());
            current.erase(std::unique(current.begin(), current.end()), current.end());
            std::sort(wanted.begin(), wanted.end());
            wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
            steps.groups = current != wanted;
        }
    }
    return steps;
}

}  // namespace

PathCandidates::PathCandidates(const char* program, const char* path_variable) noexcept
    : program_(program), program_length_(std::strlen(program)), rest_(std::strchr(program, '/') != nullptr ? nullptr : path_variable) {}

PathCandidates::Next PathCandidates::next(char* buffer, std::size_t size) noexcept {
    if (done_) return Next::done;
    std::size_t directory_length = 0;
    const char* directory = rest_;
    if (rest_ == nullptr) {
        done_ = true;  // a name with '/' is its own and only candidate
    } else if (const char* colon = std::strchr(rest_, ':'); colon != nullptr) {
        directory_length = static_cast<std::size_t>(colon - rest_);
        rest_ = colon + 1;
    } else {
        directory_length = std::strlen(rest_);
        done_ = true;
    }
    // An empty entry means the current directory, as in execvp.
    const std::size_t prefix = directory_length == 0 ? 0 : directory_length + 1;
    if (prefix + program_length_ + 1 > size) return Next::too_long;
    if (prefix != 0) {
        std::memcpy(buffer, directory, directory_length);
        buffer[directory_length] = '/';
    }
    std::memcpy(buffer + prefix, program_, program_length_ + 1);
    return Next::candidate;
}

std::vector<std::string> program_candidates(const std::string& program, const std::string& path_variable) {
    std::vector<std::string> candidates;
    PathCandidates walk(program.c_str(), path_variable.c_str());
    std::string buffer(PATH_MAX, '\0');
    while (true) {
        const auto next = walk.next(buffer.data(), buffer.size());
        if (next == PathCandidates::Next::done) break;
        if (next == PathCandidates::Next::candidate) candidates.emplace_back(buffer.c_str());
    }
    return candidates;
}

// A non-root vigil started as the very user and group --user names, whose
// runtime gave it fewer supplementary groups than /etc/group lists (often
// none), cannot set them (CAP_SETGID): the program goes on with the groups
// vigil has, which can only grant less. Any other switch is left to fail.
static bool keep_current_groups(Identity& identity) {
    const auto steps = identity_steps(identity);
    if (steps.uid || steps.gid || !steps.groups || holds_effective(CAP_SETGID)) return false;
    const int count = ::getgroups(0, nullptr);
    if (count < 0) return false;
    std::vector<gid_t> current(static_cast<std::size_t>(count));
    if (::getgroups(count, current.data()) != count) return false;
    const auto wanted = [&](gid_t group) {
        return group == identity.gid || std::find(identity.groups.begin(), identity.groups.end(), group) != identity.groups.end();
    };
    if (!std::all_of(current.begin(), current.end(), wanted)) return false;
    identity.groups = current;
    return true;
}

Status settle_privileges(SpawnRequest& request, const std::string& user, const std::optional<std::vector<int>>& capabilities, bool no_new_privs) {
    if (!user.empty()) {
        auto identity = lookup_identity(user);
        if (!identity) return Error{identity.error()};
        request.identity = *identity;
        request.user_spec = user;
        request.groups_kept = keep_current_groups(*request.identity);
    }
    if (capabilities) {
        if (auto held = check_capabilities_held(*capabilities); !held) return held;
        request.capabilities = capabilities;
    }
    request.no_new_privs = no_new_privs;
    return success();
}

Result<pid_t> spawn_program(const SpawnRequest& request, SpawnFailure& failure) {
    const auto& program = request.command.front();
    std::vector<char*> argv;
    argv.reserve(request.command.size() + 1);
    for (const auto& arg : request.command) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    static constexpr char shell[] = "/bin/sh";
    std::vector<char*> shell_argv{const_cast<char*>(shell), nullptr};
    shell_argv.insert(shell_argv.end(), argv.begin() + 1, argv.end());

    PrivilegePlan privileges;
    privileges.identity = request.identity ? &*request.identity : nullptr;
    if (request.identity) {
        const auto steps = identity_steps(*request.identity);
        privileges.set_groups = steps.groups;
        privileges.set_gid = steps.gid;
        privileges.set_uid = steps.uid;
    }
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


    // clone with CLONE_VM | CLONE_VFORK, as posix_spawn does: no page tables
    // to copy, and vigil resumes only once the child has exec'd or failed.
    ChildReport report;
    ChildContext context{&report,      request.working_directory, request.give_terminal, &request.signals, &privileges, program.c_str(),
                         request.path_variable, request.descriptors.data(), request.descriptors.size(), argv.data(), request.environment.data(),
                         shell_argv.data()};
    // Left uninitialised: only the pages the child touches are ever faulted in.
    constexpr std::size_t stack_size = std::size_t{256} * 1024;
    const std::unique_ptr<char[]> child_stack(new char[stack_size]);
    char* stack_top = child_stack.get() + stack_size;
    stack_top -= reinterpret_cast<std::uintptr_t>(stack_top) % 16;  // the ABI's alignment
    const pid_t pid = ::clone(run_child, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, &context);
    if (pid < 0) {
        failure = {exit_cannot_run, fmt::format("cannot start '{}': clone: {}", program, std::strerror(errno))};
        return Error{failure.message};
    }
    if (!report.failed) return pid;  // exec'd: the program runs

    // The child failed before exec: collect it and say why.
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const int code = report.step == ChildStep::exec && report.error == ENOENT ? exit_not_found : exit_cannot_run;
    failure = {code, describe_failure(report.step, request, report.error)};
    return Error{failure.message};
}

}  // namespace vigil
