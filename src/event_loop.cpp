#include "event_loop.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include <fmt/format.h>

#include "accounts.hpp"
#include "capabilities.hpp"
#include "exit_status.hpp"
#include "node_heap.hpp"
#include "processes.hpp"

namespace vigil {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string join_command(const std::vector<std::string>& command) {
    std::string out;
    for (const auto& word : command) {
        if (!out.empty()) out += ' ';
        out += word;
    }
    return out;
}

// Signals a process group or a process; ESRCH only means it is already gone.
bool send_signal(pid_t target, int signal) { return ::kill(target, signal) == 0 || errno == ESRCH; }

}  // namespace

EventLoop::EventLoop(const Config& config, Log& log)
    : config_(config),
      log_(log),
      supervisor_(SupervisorSettings{config.drain_timeout, config.pre_stop_delay, config.rewrite, config.success_exits}) {}

Milliseconds EventLoop::now() const {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return Milliseconds{static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000};
}

bool EventLoop::prepare_process() {
    self_ = ::getpid();
    pid_one_ = self_ == 1;

    if (config_.parent_death_signal != 0) {
        const pid_t parent = ::getppid();
        if (::prctl(PR_SET_PDEATHSIG, config_.parent_death_signal) != 0) {
            log_.error("setup", fmt::format("cannot set the parent-death signal: {}", errno_text()));
            return false;
        }
        // The parent may have died before prctl took effect.
        if (::getppid() != parent) ::kill(self_, config_.parent_death_signal);
    }
    if (!pid_one_ && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        log_.warn("setup", fmt::format("cannot become a child subreaper, orphans will escape to the host's init: {}", errno_text()));

    // Record what vigil inherited, so the program gets exactly that back.
    sigemptyset(&inherited_.ignored);
    if (::sigprocmask(SIG_SETMASK, nullptr, &inherited_.blocked) != 0) {
        log_.error("setup", fmt::format("cannot read the signal mask: {}", errno_text()));
        return false;
    }
    sigemptyset(&handled_);
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (!is_forwardable(signal) && signal != SIGCHLD) continue;
        struct sigaction current {};
        if (::sigaction(signal, nullptr, &current) != 0) continue;
        if (current.sa_handler == SIG_IGN) {
            sigaddset(&inherited_.ignored, signal);
            // An ignored signal is discarded before it can be waited for.
            struct sigaction restore_default {};
            restore_default.sa_handler = SIG_DFL;
            ::sigaction(signal, &restore_default, nullptr);
        }
        sigaddset(&handled_, signal);
    }
    if (::sigprocmask(SIG_BLOCK, &handled_, nullptr) != 0) {
        log_.error("setup", fmt::format("cannot block signals: {}", errno_text()));
        return false;
    }
    return true;
}

int EventLoop::run(char** environment) {
    // Who the program will be is settled before anything changes or starts.
    SpawnRequest request;
    if (!config_.user.empty()) {
        auto identity = lookup_identity(config_.user);
        if (!identity) {
            log_.error("config", identity.error(), {{"user", config_.user}});
            return exit_usage;
        }
        request.identity = *identity;
        request.user_spec = config_.user;
    }
    if (config_.capabilities) {
        if (auto held = check_capabilities_held(*config_.capabilities); !held) {
            log_.error("config", held.error());
            return exit_usage;
        }
        request.capabilities = config_.capabilities;
    }
    request.no_new_privs = config_.no_new_privs;

    if (!prepare_process()) return exit_cannot_run;

    for (const auto& name : config_.unknown_variables)
        log_.warn("config", fmt::format("ignoring unknown environment variable {}", name), {{"variable", name}});
    if (config_.drain_timeout.count() > 0 && config_.pre_stop_delay >= config_.drain_timeout)
        log_.warn("config", fmt::format("the pre-stop delay ({}) uses up the whole drain timeout ({}): the program will be killed before it is asked to stop",
                                        format_duration(config_.pre_stop_delay), format_duration(config_.drain_timeout)));

    request.command = config_.command;
    for (char** entry = environment; entry != nullptr && *entry != nullptr; ++entry) request.environment.emplace_back(*entry);
    const char* path = ::getenv("PATH");
    request.path_variable = path != nullptr ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    request.signals = inherited_;
    // --node-heap needs the limit before the program starts; otherwise the
    // cgroup is read while the program starts, off its start-up path.
    if (config_.node_heap_percent != 0) {
        inspect_memory();
        size_node_heap(request);
    }

    SpawnFailure failure{};
    auto spawned = spawn_program(request, failure);
    if (!spawned) {
        log_.error("spawn_error", failure.message, {{"program", config_.command.front()}, {"code", failure.exit_code}});
        ending_.exit_code = failure.exit_code;
        ending_.program_status = "no start: " + failure.message;
        write_termination_log();
        return failure.exit_code;
    }
    main_pid_ = *spawned;
    const std::string command_line = join_command(config_.command);
    log_.info("start", fmt::format("started '{}' as pid {}", command_line, main_pid_), {{"pid", main_pid_}, {"argv", command_line}});
    if (!memory_inspected_) inspect_memory();
    if (request.identity)
        log_.debug("start", fmt::format("as uid {} gid {} with {} supplementary group(s)", request.identity->uid, request.identity->gid, request.identity->groups.size()));

    // vigil itself must never pin a mount; the program kept the caller's directory.
    if (::chdir("/") != 0) log_.debug("setup", fmt::format("cannot change to /: {}", errno_text()));

    while (!exit_code_) {
        const auto wakeup = supervisor_.next_wakeup();
        timespec timeout{};
        if (wakeup) {
            const auto remaining = std::max(Milliseconds{0}, *wakeup - now());
            timeout.tv_sec = static_cast<time_t>(remaining.count() / 1000);
            timeout.tv_nsec = static_cast<long>(remaining.count() % 1000) * 1'000'000;
        }
        siginfo_t info{};
        const int signal = ::sigtimedwait(&handled_, &info, wakeup ? &timeout : nullptr);
        if (signal < 0) {
            if (errno == EAGAIN) carry_out(supervisor_.on_clock(now()));
            else if (errno != EINTR) log_.error("wait", fmt::format("waiting for signals failed: {}", errno_text()));
            continue;
        }
        if (signal == SIGCHLD) reap_children();
        else handle_signal(info);
        // A deadline may have passed while signals kept arriving.
        if (!exit_code_) carry_out(supervisor_.on_clock(now()));
    }
    return *exit_code_;
}

void EventLoop::handle_signal(const siginfo_t& info) {
    const int signal = info.si_signo;
    // Signals vigil caused itself: a write to a closed pipe, or touching the
    // terminal from the background. They are about vigil, not the program.
    const bool self_inflicted = (signal == SIGPIPE && info.si_code == SI_USER && info.si_pid == self_) ||
                                ((signal == SIGTTOU || signal == SIGTTIN) && info.si_code == SI_KERNEL);
    if (self_inflicted) {
        log_.debug("ignored", fmt::format("ignoring {} caused by vigil itself", signal_name(signal)));
        return;
    }
    carry_out(supervisor_.on_signal(signal, now()));
}

void EventLoop::reap_children() {
    std::optional<int> main_status;
    bool others_remain = false;
    int reaped_others = 0;
    while (true) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid > 0) {
            if (pid == main_pid_) main_status = status;
            else ++reaped_others;
            continue;
        }
        if (pid == 0) others_remain = true;
        else if (errno == EINTR) continue;
        else if (errno != ECHILD) log_.error("reap", fmt::format("waitpid failed: {}", errno_text()));
        break;
    }
    if (reaped_others > 0) log_.debug("reap", fmt::format("reaped {} other process(es)", reaped_others), {{"count", reaped_others}});

    if (main_status) {
        main_exited_ = true;
        const auto stop_at = supervisor_.stop_received_at();
        const std::string how = describe_status(*main_status);
        const int code = exit_code_from_status(*main_status);
        if (stop_at) {
            const auto took = now() - *stop_at;
            log_.info("program_exit", fmt::format("program (pid {}) exited with {}, {} after the stop signal", main_pid_, how, format_duration(took)),
                      {{"pid", main_pid_}, {"code", code}, {"status", how}, {"duration_ms", took.count()}});
        } else {
            log_.info("program_exit", fmt::format("program (pid {}) exited with {}", main_pid_, how),
                      {{"pid", main_pid_}, {"code", code}, {"status", how}});
        }
        ending_.program_status = how;
        if (stop_at && supervisor_.phase() != Phase::killing) ending_.drained = now() - *stop_at;  // killed is not drained
        note_oom_kill(*main_status);
        carry_out(supervisor_.on_main_exited(*main_status, others_remain, now()));
        return;
    }
    if (main_exited_ && !others_remain) {
        if (left_behind_ > 0 && supervisor_.phase() == Phase::cleaning_up) {
            const auto took = now() - left_behind_since_;
            log_.info("left_behind_done", fmt::format("the {} process(es) left behind exited on their own within {}", left_behind_, format_duration(took)),
                      {{"count", left_behind_}, {"duration_ms", took.count()}});
        }
        carry_out(supervisor_.on_all_reaped());
        return;
    }
    // Processes forked while the first SIGKILL went out: kill them too.
    if (supervisor_.phase() == Phase::killing && !pid_one_) signal_reachable(SIGKILL);
}

std::optional<int> EventLoop::signal_reachable(int signal) {
    const auto count = signal_everything(signal, pid_one_, main_pid_);
    if (!count && !pid_one_ && !warned_without_proc_) {
        warned_without_proc_ = true;
        log_.warn("proc", "cannot read /proc: only the program's process group can be reached, a setsid'ed process may escape");
    }
    return count;
}

void EventLoop::terminate_left_behind() {
    const auto count = signal_reachable(SIGTERM);
    signal_reachable(SIGCONT);
    left_behind_ = count.value_or(0);
    ending_.left_behind = left_behind_;
    left_behind_since_ = now();
    const auto deadline = supervisor_.deadline();
    const std::string budget = deadline ? format_duration(*deadline - now()) : "as long as it takes";
    const std::string counted = count ? std::to_string(*count) : "an unknown number of";
    log_.info("left_behind", fmt::format("{} process(es) left behind: sent SIGTERM and SIGCONT, waiting up to {}", counted, budget),
              {{"count", count.value_or(-1)}, {"budget_ms", deadline ? (*deadline - now()).count() : 0}});
}

void EventLoop::kill_everything() {
    const auto count = signal_reachable(SIGKILL);
    ending_.deadline_reached = true;
    ending_.killed = count;
    const std::string counted = count ? std::to_string(*count) : "an unknown number of";
    log_.warn("deadline", fmt::format("drain deadline of {} reached: killed {} process(es)", format_duration(config_.drain_timeout), counted),
              {{"killed", count.value_or(-1)}, {"timeout_ms", config_.drain_timeout.count()}});
}

void EventLoop::carry_out(const Actions& actions) {
    for (const auto& next : actions) {
        if (const auto* stop = std::get_if<action::StopReceived>(&next)) {
            const std::string budget = config_.drain_timeout.count() > 0 ? format_duration(config_.drain_timeout) : "no deadline";
            if (stop->pre_stop_delay.count() > 0)
                log_.info("stop_signal", fmt::format("received {}: keeping the program serving for {} before forwarding it (drain budget {})",
                                                     signal_name(stop->signal), format_duration(stop->pre_stop_delay), budget),
                          {{"signal", signal_name(stop->signal)}, {"pre_stop_ms", stop->pre_stop_delay.count()}, {"timeout_ms", config_.drain_timeout.count()}});
            else
                log_.info("stop_signal", fmt::format("received {}: draining (budget {})", signal_name(stop->signal), budget),
                          {{"signal", signal_name(stop->signal)}, {"timeout_ms", config_.drain_timeout.count()}});
        } else if (const auto* forward = std::get_if<action::Forward>(&next)) {
            const std::string received = signal_name(forward->received);
            if (forward->sent == 0) {
                log_.info("drop", fmt::format("dropped {} (rewritten to NONE)", received), {{"signal", received}});
                continue;
            }
            const std::string sent = signal_name(forward->sent);
            const pid_t target = config_.forward_to_group ? -main_pid_ : main_pid_;
            if (!send_signal(target, forward->sent)) {
                log_.error("forward", fmt::format("cannot forward {} to {} {}: {}", sent, config_.forward_to_group ? "process group" : "pid", main_pid_, errno_text()));
                continue;
            }
            const std::string as = forward->sent != forward->received ? fmt::format("{} as {}", received, sent) : sent;
            log_.info("forward", fmt::format("forwarded {} to {} {}", as, config_.forward_to_group ? "process group" : "pid", main_pid_),
                      {{"signal", received}, {"sent", sent}, {"pid", main_pid_}, {"group", config_.forward_to_group ? 1 : 0}});
        } else if (std::holds_alternative<action::TerminateLeftBehind>(next)) {
            terminate_left_behind();
        } else if (std::holds_alternative<action::KillAll>(next)) {
            kill_everything();
        } else if (const auto* exit = std::get_if<action::Exit>(&next)) {
            exit_code_ = exit->code;
            log_.info("exit", fmt::format("exiting with code {}", exit->code), {{"code", exit->code}});
            ending_.exit_code = exit->code;
            ending_.stop_signal = supervisor_.stop_signal();
            write_termination_log();
        }
    }
}

}  // namespace vigil

namespace vigil {

void EventLoop::inspect_memory() {
    memory_inspected_ = true;
    memory_cgroup_ = detect_memory_cgroup();
    if (memory_cgroup_) {
        ending_.memory_limit = read_memory_limit(*memory_cgroup_);
        oom_kills_at_start_ = read_oom_kill_count(*memory_cgroup_);
        log_.debug("cgroup", fmt::format("memory cgroup v{} at {}, limit {}", memory_cgroup_->version == CgroupVersion::v2 ? 2 : 1,
                                         memory_cgroup_->directory, ending_.memory_limit ? format_bytes(*ending_.memory_limit) : "none"));
    }
}

void EventLoop::size_node_heap(SpawnRequest& request) {

    if (!is_node_program(config_.command.front())) {
        log_.info("node_heap", fmt::format("--node-heap: '{}' is not node, NODE_OPTIONS left alone", config_.command.front()));
        return;
    }
    std::optional<std::string_view> node_options;
    auto existing = request.environment.end();
    for (auto entry = request.environment.begin(); entry != request.environment.end(); ++entry) {
        if (entry->rfind("NODE_OPTIONS=", 0) == 0) {
            existing = entry;
            node_options = std::string_view(*entry).substr(13);
        }
    }
    if (node_options && sets_heap_size(*node_options)) {
        log_.info("node_heap", "--node-heap: NODE_OPTIONS already sets the heap size, left alone");
        return;
    }
    if (!ending_.memory_limit) {
        log_.info("node_heap", memory_cgroup_ ? "--node-heap: the container has no memory limit, Node's heap left alone"
                                              : "--node-heap: no memory cgroup found, Node's heap left alone");
        return;
    }
    const auto megabytes = heap_megabytes(*ending_.memory_limit, config_.node_heap_percent);
    const auto value = "NODE_OPTIONS=" + node_options_with_heap(node_options, megabytes);
    if (existing != request.environment.end()) *existing = value;
    else request.environment.push_back(value);
    log_.info("node_heap", fmt::format("--node-heap: {}% of the {} memory limit: --max-old-space-size={}", config_.node_heap_percent,
                                       format_bytes(*ending_.memory_limit), megabytes),
              {{"max_old_space_size_mb", static_cast<std::int64_t>(megabytes)}, {"limit_bytes", static_cast<std::int64_t>(*ending_.memory_limit)}});
}

void EventLoop::note_oom_kill(int wait_status) {
    if (!WIFSIGNALED(wait_status) || WTERMSIG(wait_status) != SIGKILL || !memory_cgroup_ || !oom_kills_at_start_) return;
    const auto now_count = read_oom_kill_count(*memory_cgroup_);
    if (!now_count || *now_count <= *oom_kills_at_start_) return;
    ending_.oom_killed = true;
    const std::string limit = ending_.memory_limit ? format_bytes(*ending_.memory_limit) : "unknown";
    log_.error("oom_kill", fmt::format("the kernel's OOM killer killed the program (pid {}): memory limit {}", main_pid_, limit),
               {{"pid", main_pid_}, {"limit_bytes", static_cast<std::int64_t>(ending_.memory_limit.value_or(0))},
                {"oom_kills", static_cast<std::int64_t>(*now_count - *oom_kills_at_start_)}});
}

void EventLoop::write_termination_log() {
    constexpr const char* kubernetes_default = "/dev/termination-log";
    const bool explicit_path = config_.termination_log.has_value();
    const std::string path = explicit_path ? *config_.termination_log : kubernetes_default;
    // Kubernetes creates its file; anywhere else the default would be litter.
    if (!explicit_path && ::access(path.c_str(), F_OK) != 0) return;
    if (auto written = write_termination_message(path, termination_summary(ending_), explicit_path); !written)
        log_.warn("termination_log", fmt::format("cannot write the termination message: {}", written.error()), {{"path", path}});
}

}  // namespace vigil
