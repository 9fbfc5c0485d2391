#include "event_loop.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include <fmt/format.h>

#include "accounts.hpp"
#include "capabilities.hpp"
#include "clock.hpp"
#include "exit_status.hpp"
#include "job_control.hpp"
#include "reachable_processes.hpp"

namespace vigil {
namespace {

// Signals a process group or a process; ESRCH only means it is already gone.
int send_signal(pid_t target, int signal) { return ::kill(target, signal) == 0 || errno == ESRCH ? 0 : errno; }

// A SIGCHLD waits to be taken: a child exited or stopped since the last reap.
bool child_event_waiting() {
    sigset_t pending;
    return ::sigpending(&pending) == 0 && ::sigismember(&pending, SIGCHLD) == 1;
}

// What carrying out one action found, for the report that follows it.
struct Outcome {
    int error = 0;
    SignalReach reach{std::nullopt, ProcView::own};
    std::optional<std::vector<ProcessEntry>> survivors;
};

}  // namespace

EventLoop::EventLoop(const Config& config, Log& log, const InheritedSignals& inherited)
    : config_(config),
      log_(log),
      report_(log, config),
      supervisor_(SupervisorSettings{config.drain_timeout, config.pre_stop_delay, default_kill_grace, config.rewrite, config.success_exits,
                                     config.success_on_stop}),
      inherited_(inherited),
      waiter_(handled_signals()),
      memory_(config, report_) {}

Milliseconds EventLoop::now() const { return monotonic_now(); }

bool EventLoop::prepare_process() {
    self_ = ::getpid();
    pid_one_ = self_ == 1;

    if (config_.parent_death_signal != 0) {
        const pid_t parent = ::getppid();
        if (::prctl(PR_SET_PDEATHSIG, config_.parent_death_signal) != 0) {
            report_.setup_failed("cannot set the parent-death signal", errno);
            return false;
        }
        // The parent may have died before prctl took effect.
        if (::getppid() != parent) ::kill(self_, config_.parent_death_signal);
    }
    if (!pid_one_ && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) report_.not_a_subreaper(errno);
    return true;
}

void EventLoop::open_termination_log() {
    constexpr const char* kubernetes_default = "/dev/termination-log";
    const bool explicit_path = config_.termination_log.has_value();
    const std::string path = explicit_path ? *config_.termination_log : kubernetes_default;
    // Kubernetes creates its file; anywhere else the default would be litter.
    if (!explicit_path && ::access(path.c_str(), F_OK) != 0) return;
    auto opened = TerminationLog::open(path, explicit_path);
    if (!opened) {
        report_.termination_log_refused(path, opened.error());
        return;
    }
    termination_log_ = std::move(*opened);
}

int EventLoop::run(char** environment) {
    if (const auto failed = start_program(environment)) return *failed;
    bool running_noted = false;
    while (!exit_code_) {
        // What vigil needs only while the program runs (the memory cgroup,
        // the --memory-restart watch) is set up at the first turn with no
        // child event waiting. A program that has exited by then needs none
        // of it, and on a busy CPU that work would add to every short run.
        if (!running_noted && !main_exited_ && !child_event_waiting()) {
            running_noted = true;
            on_program_running();
        }
        // The one wake-up armed: the supervisor's, or a memory sample due.
        std::optional<Milliseconds> wakeup = supervisor_.next_wakeup();
        if (const auto sample = memory_.next_sample(); sample && (!wakeup || *sample < *wakeup)) wakeup = sample;
        const auto event = waiter_.wait(wakeup ? std::optional(*wakeup - now()) : std::nullopt);
        const bool from_program = event.kind == Wakeup::Kind::descriptor && node_channel_.valid() && event.fd == node_channel_.get();
        if (event.kind == Wakeup::Kind::signal) {
            if (event.signal == SIGCHLD) reap_children();
            else handle_signal(event);
        } else if (from_program) {
            read_node_channel();
        } else if (event.kind == Wakeup::Kind::interrupted && event.error != 0) {
            report_.wait_failed("waiting for events", event.error);
        }
        // A memory sample or a deadline may be due, whatever woke vigil.
        if (!exit_code_) sample_memory(event.kind == Wakeup::Kind::descriptor && !from_program);
        if (!exit_code_) carry_out(supervisor_.on_clock(now()));
    }
    return *exit_code_;
}

void EventLoop::on_program_running() {
    memory_.inspect();
    if (config_.memory_restart.enabled()) watch_memory();
    // Start-up is over: what it allocated and freed (the environment's copy,
    // the PATH candidates, /proc reads) goes back to the kernel rather than
    // staying resident in PID 1 for the container's life.
    ::malloc_trim(0);
}

std::optional<int> EventLoop::start_program(char** inherited_environment) {
    // Who the program will be is settled before anything changes or starts.
    SpawnRequest request;
    if (!settle_identity(request)) return exit_usage;
    if (!prepare_process()) return exit_cannot_run;
    report_.configuration_warnings();
    // Opened now, while the file is the one the operator named.
    open_termination_log();

    request.command = config_.command;
    ProgramEnvironment environment = program_environment(inherited_environment, request.identity);
    const char* path = ::getenv("PATH");
    if (path != nullptr) request.path_variable = path;
    request.signals = inherited_;
    // Hand over the foreground only when vigil itself has it.
    request.give_terminal = ::isatty(STDIN_FILENO) == 1 && has_terminal(STDIN_FILENO, ::getpgrp());
    // vigil never pins a mount, not even while the program starts: it is in
    // "/" already, and the program is sent to the caller's (or the app's)
    // directory, opened before vigil leaves it.
    const std::string directory = config_.program_directory.value_or(".");
    const Fd program_directory(::open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (config_.program_directory && !program_directory.valid()) {
        report_.bad_configuration(fmt::format("cannot start in the app's directory {}: {}", directory, std::strerror(errno)));
        return exit_usage;
    }
    const bool left_directory = program_directory.valid() && ::chdir("/") == 0;
    if (left_directory) request.working_directory = program_directory.get();
    // --node-heap needs the limit before the program starts.
    if (config_.node_heap_percent != 0) memory_.size_node_heap(environment);
    const auto channel_end = config_.node_channel ? open_node_channel(request, environment) : std::nullopt;
    request.environment = environment.for_exec();

    SpawnFailure failure{};
    auto spawned = spawn_program(request, failure);
    if (!spawned) {
        report_.spawn_failed(config_.command.front(), failure.exit_code, failure.message);
        report_.write_termination_message(termination_log_, failure.exit_code);
        return failure.exit_code;
    }
    main_pid_ = *spawned;
    if (node_channel_.valid()) {
        if (auto watched = waiter_.watch(node_channel_.get()); !watched) {
            report_.node_channel_off(watched.error());
            node_channel_.reset();
        }
    }
    if (request.give_terminal) terminal_ = STDIN_FILENO;
    if (!left_directory && ::chdir("/") != 0) report_.setup_failed("cannot change to /", errno);
    report_.started(main_pid_, config_.command, request.identity);
    return std::nullopt;
}

bool EventLoop::settle_identity(SpawnRequest& request) {
    auto settled = settle_privileges(request, config_.user, config_.capabilities, config_.no_new_privs);
    if (settled && request.groups_kept) report_.groups_kept(config_.user, request.identity->groups);
    if (settled) return true;
    // The user is named in the log when it is what failed.
    if (!config_.user.empty() && !request.identity) report_.bad_configuration(settled.error(), {{"user", config_.user}});
    else report_.bad_configuration(settled.error());
    return false;
}

ProgramEnvironment EventLoop::program_environment(char** inherited, const std::optional<Identity>& identity) const {
    ProgramEnvironment environment(inherited);
    for (const auto& entry : config_.program_environment) environment.set_entry(entry);
    // HOME of the user switched to, when the environment names none (as login does).
    if (identity && identity->home && !environment.get("HOME")) environment.set("HOME", *identity->home);
    return environment;
}

std::optional<Fd> EventLoop::open_node_channel(SpawnRequest& request, ProgramEnvironment& environment) {
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
        report_.node_channel_off(fmt::format("socketpair: {}", std::strerror(errno)));
        return std::nullopt;
    }
    node_channel_ = Fd(ends[0]);
    Fd child_end(ends[1]);
    (void)::fcntl(node_channel_.get(), F_SETFL, O_NONBLOCK);
    request.descriptors.emplace_back(child_end.get(), 3);
    environment.set("NODE_CHANNEL_FD", "3");
    environment.set("NODE_CHANNEL_SERIALIZATION_MODE", "json");
    return child_end;
}

void EventLoop::read_node_channel() {
    constexpr std::size_t longest = std::size_t{64} * 1024;
    char buffer[4096];
    while (node_channel_.valid()) {
        const ssize_t got = ::read(node_channel_.get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (got <= 0) {
            // The program closed it (process.disconnect(), or its end).
            waiter_.unwatch(node_channel_.get());
            node_channel_.reset();
            break;
        }
        node_channel_text_.append(buffer, static_cast<std::size_t>(got));
        for (auto end = node_channel_text_.find('\n'); end != std::string::npos; end = node_channel_text_.find('\n')) {
            report_.program_message(std::string_view(node_channel_text_).substr(0, end));
            node_channel_text_.erase(0, end + 1);
        }
        if (node_channel_text_.size() > longest) {
            report_.program_messages_dropped(longest);
            node_channel_text_.clear();
        }
    }
}

void EventLoop::watch_memory() {
    if (!memory_.start_watching(now())) return;
    if (memory_.notice_descriptor() < 0) return;
    if (auto watched = waiter_.watch(memory_.notice_descriptor()); !watched) report_.memory_notices_off(watched.error());
}

void EventLoop::sample_memory(bool noticed) {
    const auto due = memory_.next_sample();
    if (!due || (*due > now() && !noticed)) return;
    if (memory_.sample(now())) {
        waiter_.unwatch(memory_.notice_descriptor());
        carry_out(supervisor_.on_memory_restart(now()));
    }
}

void EventLoop::handle_signal(const Wakeup& received) {
    const int signal = received.signal;
    // Signals vigil caused itself: a write to a closed pipe, or touching the
    // terminal from the background. They are about vigil, not the program.
    const bool self_inflicted = (signal == SIGPIPE && received.code == SI_USER && received.sender == self_) ||
                                ((signal == SIGTTOU || signal == SIGTTIN) && received.code == SI_KERNEL);
    if (self_inflicted) {
        report_.ignored_self_inflicted(signal);
        return;
    }
    // Started with it ignored (`vigil app &` from a script ignores SIGINT and
    // SIGQUIT, nohup SIGHUP): not vigil's cue to stop, but the program's to
    // take or leave: it inherited the ignore and may have taken it back.
    complete_ignored_signals(inherited_);
    if (sigismember(&inherited_.ignored, signal) == 1) {
        report_.passed_on_as_inherited(signal);
        carry_out(supervisor_.pass_on(signal));
        return;
    }
    carry_out(supervisor_.on_signal(signal, now()));
}

void EventLoop::reap_children() {
    std::optional<int> main_status;
    std::optional<int> main_stopped_by;
    bool others_remain = false;
    int reaped_others = 0;
    while (true) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, WNOHANG | WUNTRACED);
        if (pid > 0) {
            if (WIFSTOPPED(status)) {
                if (pid == main_pid_ && !main_exited_) main_stopped_by = WSTOPSIG(status);
            } else if (pid == main_pid_) {
                main_status = status;
            } else {
                ++reaped_others;
            }
            continue;
        }
        if (pid == 0) others_remain = true;
        else if (errno == EINTR) continue;
        else if (errno != ECHILD) report_.wait_failed("waitpid", errno);
        break;
    }
    report_.reaped_others(reaped_others);

    if (main_status) {
        on_program_exit(*main_status, others_remain);
        return;
    }
    if (main_stopped_by) on_program_stopped(*main_stopped_by);
    if (main_exited_ && !others_remain) {
        if (supervisor_.phase() == Phase::cleaning_up) report_.left_behind_done(now() - left_behind_since_);
        carry_out(supervisor_.on_all_reaped());
        return;
    }
    // Processes forked while the first SIGKILL went out: kill them too.
    if (supervisor_.phase() == Phase::killing && !pid_one_) (void)signal_everything({SIGKILL}, pid_one_, main_pid_, !main_exited_);
}

void EventLoop::on_program_exit(int wait_status, bool others_remain) {
    main_exited_ = true;
    const ProgramEnd end = program_end(wait_status);
    const auto stop_at = supervisor_.stop_received_at();
    report_.program_exited(main_pid_, end, stop_at ? std::optional(now() - *stop_at) : std::nullopt, supervisor_.phase() == Phase::killing);
    memory_.note_exit(main_pid_, end);
    if (others_remain) left_behind_since_ = now();
    carry_out(supervisor_.on_main_exited(end, others_remain, now()));
}

void EventLoop::on_program_stopped(int stop_signal) {
    const bool holds_terminal = terminal_ >= 0;
    const auto response = respond_to_stop(stop_signal, pid_one_, holds_terminal, holds_terminal && has_terminal(terminal_, main_pid_));
    switch (response) {
        case StopResponse::stop_with_program: {
            const bool taken = give_terminal(terminal_, ::getpgrp());
            report_.program_stopped(main_pid_, stop_signal, response, taken);
            stop_until_continued();
            // fg gives vigil the foreground before continuing it; bg does not.
            const bool foreground = has_terminal(terminal_, ::getpgrp());
            if (foreground) give_terminal(terminal_, main_pid_);
            (void)send_signal(-main_pid_, SIGCONT);
            report_.continued_with_program(foreground);
            return;
        }
        case StopResponse::continue_program:
            (void)send_signal(-main_pid_, SIGCONT);
            report_.program_stopped(main_pid_, stop_signal, response, true);
            return;
        case StopResponse::give_terminal_and_continue: {
            const bool given = give_terminal(terminal_, main_pid_);
            (void)send_signal(-main_pid_, SIGCONT);
            report_.program_stopped(main_pid_, stop_signal, response, given);
            return;
        }
        case StopResponse::leave_stopped:
            report_.program_stopped(main_pid_, stop_signal, response, true);
            return;
    }
}

void EventLoop::carry_out(const Actions& actions) {
    // Act first: every signal goes out before a word is written about it.
    std::vector<Outcome> outcomes(actions.size());
    for (std::size_t index = 0; index < actions.size(); ++index) {
        const auto& next = actions[index];
        auto& outcome = outcomes[index];
        if (const auto* forward = std::get_if<action::Forward>(&next)) {
            if (forward->sent == 0) continue;
            const pid_t target = config_.forward_to_group ? -main_pid_ : main_pid_;
            outcome.error = send_signal(target, forward->sent);
            if (outcome.error == 0 && forward->then_continue) (void)send_signal(target, SIGCONT);
        } else if (std::holds_alternative<action::TerminateLeftBehind>(next)) {
            outcome.reach = signal_everything({SIGTERM, SIGCONT}, pid_one_, main_pid_, !main_exited_);
        } else if (std::holds_alternative<action::KillAll>(next)) {
            outcome.reach = signal_everything({SIGKILL}, pid_one_, main_pid_, !main_exited_);
        } else if (std::holds_alternative<action::AbandonUnreaped>(next)) {
            outcome.survivors = reachable_processes(pid_one_);
        } else if (const auto* exit = std::get_if<action::Exit>(&next)) {
            exit_code_ = exit->code;
        }
    }
    // Then say what happened.
    for (std::size_t index = 0; index < actions.size(); ++index) {
        const auto& next = actions[index];
        const auto& outcome = outcomes[index];
        if (const auto* stop = std::get_if<action::StopReceived>(&next)) {
            report_.stop_received(stop->signal, stop->pre_stop_delay, stop->memory_restart);
        } else if (const auto* forward = std::get_if<action::Forward>(&next)) {
            if (outcome.error != 0) report_.forward_failed(*forward, main_pid_, config_.forward_to_group, outcome.error);
            else report_.forwarded(*forward, main_pid_, config_.forward_to_group);
        } else if (std::holds_alternative<action::TerminateLeftBehind>(next)) {
            const auto deadline = supervisor_.deadline();
            report_.left_behind(outcome.reach, deadline ? std::optional(*deadline - now()) : std::nullopt);
        } else if (std::holds_alternative<action::KillAll>(next)) {
            report_.deadline_reached(outcome.reach);
        } else if (std::holds_alternative<action::AbandonUnreaped>(next)) {
            report_.unreaped(outcome.survivors, main_exited_ ? std::nullopt : std::optional(main_pid_));
        } else if (const auto* exit = std::get_if<action::Exit>(&next)) {
            report_.exiting(exit->code, supervisor_.stop_signal());
            report_.write_termination_message(termination_log_, exit->code);
        }
    }
}

}  // namespace vigil
