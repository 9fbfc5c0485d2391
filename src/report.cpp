#include "report.hpp"

#include <sys/wait.h>

#include <cstring>

#include <fmt/format.h>

#include "exit_status.hpp"
#include "memory_restart.hpp"
#include "node_heap.hpp"
#include "signals.hpp"
#include "text.hpp"

namespace vigil {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

// A log line stays readable (and within what stderr takes at once) however
// long the command line is.
constexpr std::size_t command_shown = 2048;

// Appends "pid 7" or "process group 7": a forward's log line names its
// target for every signal forwarded, so it is appended, not formatted.
void append_target(std::string& out, pid_t pid, bool group) {
    out.append(group ? "process group " : "pid ").append(fmt::format_int(pid).c_str());
}

std::string target_name(pid_t pid, bool group) {
    std::string name;
    append_target(name, pid, group);
    return name;
}

}  // namespace

std::string loggable_command(const std::vector<std::string>& command) {
    std::string out;
    for (const auto& word : command) {
        if (!out.empty()) out += ' ';
        out += word;
        if (out.size() > command_shown) {
            out.resize(command_shown);
            out += "...";
            break;
        }
    }
    return out;
}

Report::Report(Log& log, const Config& config) : log_(log), config_(config) {}

void Report::bad_configuration(const std::string& message, std::initializer_list<LogField> fields) { log_.error("config", message, fields); }

namespace {
constexpr const char* node_inspector_note = "Node opens its inspector (a debugger on 127.0.0.1:9229) on SIGUSR1";
}  // namespace

void Report::configuration_warnings() {
    if (!config_.command.empty() && is_node_program(config_.command.front())) {
        for (int signal = 1; signal <= max_signal; ++signal) {
            if (signal != SIGUSR1 && config_.rewrite.has_rule(signal) && config_.rewrite.translate(signal) == SIGUSR1)
                log_.warn("config", fmt::format("--rewrite {}:SIGUSR1 with node: {}", signal_name(signal), node_inspector_note));
        }
    }
    for (const auto& name : config_.unknown_variables)
        log_.warn("config", fmt::format("ignoring unknown environment variable {}", name), {{"variable", name}});
    if (config_.drain_timeout.count() > 0 && config_.pre_stop_delay >= config_.drain_timeout)
        log_.warn("config", fmt::format("the pre-stop delay ({}) uses up the whole drain timeout ({}): the program will be killed before it is asked to stop",
                                        format_duration(config_.pre_stop_delay), format_duration(config_.drain_timeout)));
}

void Report::setup_failed(const std::string& what, int error) { log_.error("setup", fmt::format("{}: {}", what, errno_text(error))); }

void Report::not_a_subreaper(int error) {
    log_.warn("setup", fmt::format("cannot become a child subreaper, orphans will escape to the host's init: {}", errno_text(error)));
}

void Report::termination_log_refused(const std::string& path, const std::string& why) {
    log_.warn("termination_log", fmt::format("cannot write the termination message: {}", why), {{"path", path}});
}

void Report::memory_cgroup(const MemoryCgroup& cgroup, std::optional<std::uint64_t> limit) {
    ending_.memory_limit = limit;
    if (!log_.enabled(LogLevel::debug)) return;
    log_.debug("cgroup", fmt::format("memory cgroup v{} at {}, limit {}", cgroup.version == CgroupVersion::v2 ? 2 : 1, cgroup.directory,
                                     limit ? format_bytes(*limit) : "none"),
               {{"directory", cgroup.directory}, {"limit_bytes", static_cast<std::int64_t>(limit.value_or(0))}});
}

void Report::memory_cgroup_unknown(const std::string& why) {
    log_.debug("cgroup", fmt::format("memory limit unknown: {}", why), {{"reason", why}});
}

void Report::node_heap_not_node(const std::string& program) {
    log_.info("node_heap", fmt::format("--node-heap: '{}' is not node, NODE_OPTIONS left alone", program));
}

void Report::node_heap_already_set(const std::string& where) {
    log_.info("node_heap", fmt::format("--node-heap: {} already sets the heap size, left alone", where));
}

void Report::node_heap_without_limit(const std::optional<std::string>& why) {
    if (why) log_.warn("node_heap", fmt::format("--node-heap: the memory limit cannot be known ({}), Node's heap left alone", *why));
    else log_.info("node_heap", "--node-heap: the container has no memory limit, Node's heap left alone");
}

void Report::node_heap_sized(int percent, std::uint64_t limit, std::uint64_t megabytes) {
    const std::uint64_t budget = limit / (1 << 20) * static_cast<std::uint64_t>(percent) / 100;
    log_.info("node_heap",
              fmt::format("--node-heap: Node may use {} MiB ({}% of the {} memory limit); less {} MiB for what is not old space, "
                          "over 1.3 for V8's own use: --max-old-space-size={}",
                          budget, percent, format_bytes(limit), node_reserve_megabytes, megabytes),
              {{"max_old_space_size_mb", static_cast<std::int64_t>(megabytes)}, {"limit_bytes", static_cast<std::int64_t>(limit)},
               {"percent", percent}});
}

void Report::memory_restart_off(const std::string& why) {
    log_.warn("memory_restart", fmt::format("--memory-restart is off: {}", why), {{"reason", why}});
}

void Report::node_channel_off(const std::string& why) {
    log_.warn("config", fmt::format("--node-channel: the program gets no IPC channel ({}): process.send is undefined in it", why));
}

void Report::program_message(std::string_view json) {
    if (json == "\"ready\"") {
        log_.info("program", "the program is ready (process.send('ready'))");
        return;
    }
    const auto shown = json.size() > 200 ? std::string(json.substr(0, 200)) + "..." : std::string(json);
    log_.debug("program", fmt::format("the program sent a message: {}", printable(shown)));
}

void Report::program_messages_dropped(std::size_t bytes) {
    log_.warn("program", fmt::format("the program sent a message longer than {} on its IPC channel: dropped", format_bytes(bytes)));
}

void Report::memory_notices_off(const std::string& why) {
    log_.warn("memory_watch", fmt::format("--memory-restart: memory.events cannot be watched ({}): reading the working set on its schedule only", why));
}

void Report::warn_if_not_below(std::uint64_t threshold, std::optional<std::uint64_t> limit) {
    if (limit && threshold >= *limit)
        log_.warn("memory_watch", fmt::format("--memory-restart: {} is not below the {} memory limit: the OOM killer may come first",
                                              format_bytes(threshold), format_bytes(*limit)));
}

void Report::memory_restart_watching(std::uint64_t threshold, std::uint32_t percent_thousandths, std::optional<std::uint64_t> limit, std::uint64_t working_set,
                                     bool notices) {
    const std::string of_limit = percent_thousandths != 0 && limit ? fmt::format(" ({}% of the {} limit)", percent_text(percent_thousandths), format_bytes(*limit))
                                 : limit          ? fmt::format(" (the limit is {})", format_bytes(*limit))
                                                  : std::string(" (no memory limit)");
    log_.info("memory_watch", fmt::format("--memory-restart: restarting when the working set reaches {}{}; it is {}; read every {}, "
                                          "more often as it nears the threshold (down to every {}){}",
                                          format_bytes(threshold), of_limit, format_bytes(working_set), format_duration(memory_sample_interval),
                                          format_duration(memory_sample_floor),
                                          notices ? ", and at once when memory.events changes" : ""),
              {{"threshold_bytes", static_cast<std::int64_t>(threshold)}, {"limit_bytes", static_cast<std::int64_t>(limit.value_or(0))},
               {"usage_bytes", static_cast<std::int64_t>(working_set)}});
    warn_if_not_below(threshold, limit);
}

void Report::memory_limit_changed(std::optional<std::uint64_t> was, std::optional<std::uint64_t> limit, std::uint64_t threshold, std::uint32_t percent_thousandths) {
    const auto limit_text = [](std::optional<std::uint64_t> bytes) { return bytes ? format_bytes(*bytes) : std::string("none"); };
    const std::string restarting = percent_thousandths != 0 && limit ? fmt::format("restarting at {} ({}% of it)", format_bytes(threshold), percent_text(percent_thousandths))
                                                         : fmt::format("still restarting at {}", format_bytes(threshold));
    log_.info("memory_limit", fmt::format("the memory limit changed from {} to {}: {}", limit_text(was), limit_text(limit), restarting),
              {{"limit_bytes", static_cast<std::int64_t>(limit.value_or(0))}, {"previous_limit_bytes", static_cast<std::int64_t>(was.value_or(0))},
               {"threshold_bytes", static_cast<std::int64_t>(threshold)}});
    warn_if_not_below(threshold, limit);
}

void Report::memory_restart(std::uint64_t working_set, std::uint64_t threshold, std::optional<std::uint64_t> limit) {
    ending_.memory_restart_usage = working_set;
    ending_.memory_restart_threshold = threshold;
    log_.warn("memory_restart",
              fmt::format("memory restart: the working set of {} reached {}{}: stopping as for SIGTERM, so the container is restarted before the OOM killer comes",
                          format_bytes(working_set), format_bytes(threshold), limit ? fmt::format(" (limit {})", format_bytes(*limit)) : ""),
              {{"usage_bytes", static_cast<std::int64_t>(working_set)}, {"threshold_bytes", static_cast<std::int64_t>(threshold)},
               {"limit_bytes", static_cast<std::int64_t>(limit.value_or(0))}});
}

void Report::spawn_failed(const std::string& program, int code, const std::string& message) {
    ending_.program_status = "no start: " + message;
    log_.error("spawn_error", message, {{"program", program}, {"code", code}});
}

void Report::started(pid_t pid, const std::vector<std::string>& command, const std::optional<Identity>& identity) {
    if (!log_.enabled(LogLevel::info)) return;
    const std::string command_line = loggable_command(command);
    log_.info("start", fmt::format("started '{}' as pid {}", command_line, pid), {{"pid", pid}, {"argv", command_line}});
    if (identity && log_.enabled(LogLevel::debug))
        log_.debug("start", fmt::format("as uid {} gid {} with {} supplementary group(s)", identity->uid, identity->gid, identity->groups.size()));
}

void Report::program_exited(pid_t pid, const ProgramEnd& end, std::optional<Milliseconds> since_stop, bool killed_at_deadline) {
    const std::string how = describe(end);
    const int code = end.code;
    ending_.program_status = how;
    if (since_stop) {
        if (!killed_at_deadline) ending_.drained = *since_stop;  // killed is not drained
        log_.info("program_exit", fmt::format("program (pid {}) exited with {}, {} after the stop signal", pid, how, format_duration(*since_stop)),
                  {{"pid", pid}, {"code", code}, {"status", how}, {"duration_ms", since_stop->count()}});
    } else {
        log_.info("program_exit", fmt::format("program (pid {}) exited with {}", pid, how), {{"pid", pid}, {"code", code}, {"status", how}});
    }
}

void Report::oom_killed(pid_t pid, std::optional<std::uint64_t> limit, std::uint64_t kills) {
    ending_.oom_killed = true;
    const std::string shown = limit ? format_bytes(*limit) : "unknown";
    log_.error("oom_kill", fmt::format("the kernel's OOM killer killed the program (pid {}): memory limit {}", pid, shown),
               {{"pid", pid}, {"limit_bytes", static_cast<std::int64_t>(limit.value_or(0))}, {"oom_kills", static_cast<std::int64_t>(kills)}});
}

void Report::reaped_others(int count) {
    if (count > 0) log_.debug("reap", fmt::format("reaped {} other process(es)", count), {{"count", count}});
}

void Report::wait_failed(const char* call, int error) { log_.error("wait", fmt::format("{} failed: {}", call, errno_text(error))); }

void Report::program_stopped(pid_t pid, int stop_signal, StopResponse response, bool terminal_ok) {
    const std::string name = signal_name(stop_signal);
    const std::string stopped = fmt::format("program (pid {}) stopped by {}", pid, name);
    std::string what;
    switch (response) {
        case StopResponse::stop_with_program:
            what = terminal_ok ? "stopping vigil too, so the shell gets the terminal back"
                               : "stopping vigil too (the terminal could not be taken back)";
            break;
        case StopResponse::continue_program: what = "continued it, as PID 1 there is no shell to resume it"; break;
        case StopResponse::give_terminal_and_continue:
            what = terminal_ok ? "outside the terminal's foreground: gave it the foreground and continued it"
                               : "outside the terminal's foreground: it could not be given the foreground, continued it anyway";
            break;
        case StopResponse::leave_stopped: what = "left stopped until something continues it"; break;
    }
    const char* separator = response == StopResponse::give_terminal_and_continue ? " " : ": ";
    log_.write(response == StopResponse::leave_stopped ? LogLevel::warn : LogLevel::info, "program_stopped", stopped + separator + what,
               {{"pid", pid}, {"signal", name}});
}

void Report::continued_with_program(bool in_foreground) {
    log_.info("program_continued", in_foreground ? "continued: gave the terminal back to the program and continued it"
                                                 : "continued in the background: continued the program without the terminal");
}

void Report::stop_received(int signal, Milliseconds pre_stop_delay, bool memory_restart) {
    const std::string budget = config_.drain_timeout.count() > 0 ? format_duration(config_.drain_timeout) : "no deadline";
    if (memory_restart)
        log_.info("stop_signal", fmt::format("memory restart: draining (budget {})", budget),
                  {{"signal", signal_name(signal)}, {"reason", "memory_restart"}, {"timeout_ms", config_.drain_timeout.count()}});
    else if (pre_stop_delay.count() > 0)
        log_.info("stop_signal", fmt::format("received {}: keeping the program serving for {} before forwarding it (drain budget {})",
                                             signal_name(signal), format_duration(pre_stop_delay), budget),
                  {{"signal", signal_name(signal)}, {"pre_stop_ms", pre_stop_delay.count()}, {"timeout_ms", config_.drain_timeout.count()}});
    else
        log_.info("stop_signal", fmt::format("received {}: draining (budget {})", signal_name(signal), budget),
                  {{"signal", signal_name(signal)}, {"timeout_ms", config_.drain_timeout.count()}});
}

void Report::forwarded(const action::Forward& forward, pid_t pid, bool group) {
    if (forward.sent == SIGUSR1 && !warned_about_inspector_ && is_node_program(config_.command.front())) {
        warned_about_inspector_ = true;
        log_.warn("signal", fmt::format("forwarded {} to node{}: {}", signal_name(forward.received), forward.received == SIGUSR1 ? "" : " as SIGUSR1",
                                        node_inspector_note),
                  {{"signal", signal_name(forward.received)}});
    }
    if (!log_.enabled(LogLevel::info)) return;
    const std::string received = signal_name(forward.received);
    if (forward.sent == 0) {
        log_.info("drop", fmt::format("dropped {} (rewritten to NONE)", received), {{"signal", received}});
        return;
    }
    const std::string sent = signal_name(forward.sent);
    // Joined in one string rather than through three fmt::format calls: this
    // line is written for every signal forwarded, after the forward.
    std::string message = "forwarded ";
    message.append(received);
    if (forward.sent != forward.received) message.append(" as ").append(sent);
    message.append(" to ");
    append_target(message, pid, group);
    if (forward.then_continue) message.append(", then SIGCONT");
    log_.info("forward", message,
              {{"signal", received}, {"sent", sent}, {"pid", pid}, {"group", group ? 1 : 0}, {"continued", forward.then_continue ? 1 : 0}});
}

void Report::forward_failed(const action::Forward& forward, pid_t pid, bool group, int error) {
    log_.error("forward", fmt::format("cannot forward {} to {}: {}", signal_name(forward.sent), target_name(pid, group), errno_text(error)));
}

void Report::ignored_self_inflicted(int signal) { log_.debug("ignored", fmt::format("ignoring {} caused by vigil itself", signal_name(signal))); }

void Report::groups_kept(const std::string& user, const std::vector<gid_t>& groups) {
    log_.debug("user", fmt::format("--user {}: vigil is that user and group already, without the right to set groups: the program keeps vigil's "
                                   "supplementary groups ({}), which grant no more than the user's",
                                   user, groups.empty() ? std::string("none") : fmt::format("{}", fmt::join(groups, " "))));
}

void Report::passed_on_as_inherited(int signal) {
    log_.debug("signal", fmt::format("received {}, which vigil was started with ignored: passed on to the program, which may have taken it back; no drain",
                                     signal_name(signal)),
               {{"signal", signal_name(signal)}});
}

void Report::proc_view(ProcView view) {
    if (view == ProcView::own || warned_about_proc_) return;
    warned_about_proc_ = true;
    log_.warn("proc", view == ProcView::unreadable
                          ? "cannot read /proc: only the program's process group can be reached, a setsid'ed process may escape"
                          : "/proc belongs to another PID namespace: only the program's process group can be reached, a setsid'ed process may escape");
}

void Report::left_behind(const SignalReach& reach, std::optional<Milliseconds> budget) {
    proc_view(reach.view);
    ending_.left_behind = reach.count.value_or(0);
    const std::string counted = reach.count ? std::to_string(*reach.count) : "an unknown number of";
    log_.info("left_behind", fmt::format("{} process(es) left behind: sent SIGTERM and SIGCONT, waiting up to {}", counted,
                                         budget ? format_duration(*budget) : "as long as it takes"),
              {{"count", reach.count.value_or(-1)}, {"budget_ms", budget ? budget->count() : 0}});
}

void Report::left_behind_done(Milliseconds took) {
    if (ending_.left_behind <= 0) return;
    log_.info("left_behind_done", fmt::format("the {} process(es) left behind exited on their own within {}", ending_.left_behind, format_duration(took)),
              {{"count", ending_.left_behind}, {"duration_ms", took.count()}});
}

void Report::deadline_reached(const SignalReach& reach) {
    proc_view(reach.view);
    ending_.deadline_reached = true;
    ending_.killed = reach.count;
    const std::string counted = reach.count ? std::to_string(*reach.count) : "an unknown number of";
    log_.warn("deadline", fmt::format("drain deadline of {} reached: killed {} process(es)", format_duration(config_.drain_timeout), counted),
              {{"killed", reach.count.value_or(-1)}, {"timeout_ms", config_.drain_timeout.count()}});
}

void Report::unreaped(const std::optional<std::vector<ProcessEntry>>& survivors, std::optional<pid_t> program) {
    const auto grace = format_duration(default_kill_grace);
    if (!survivors) {
        ending_.unreaped = program ? 1 : 0;
        log_.error("unreaped", program ? fmt::format("the program (pid {}) survived SIGKILL for {}: exiting without it (no /proc of this PID namespace to say more)", *program, grace)
                                       : fmt::format("processes survived SIGKILL for {}: exiting without them (no /proc of this PID namespace to say which)", grace),
                   {{"count", program ? 1 : -1}});
        return;
    }
    std::string listed;
    int count = 0;
    for (const auto& entry : *survivors) {
        if (entry.state == 'Z' || entry.state == 'X') continue;
        listed += fmt::format("{}{} (state {})", count == 0 ? "" : ", ", entry.pid, entry.state);
        ++count;
    }
    ending_.unreaped = count;
    log_.error("unreaped", fmt::format("{} process(es) survived SIGKILL for {}, exiting without them: {}", count, grace, count == 0 ? "none left" : listed),
               {{"count", count}, {"processes", listed}});
}

void Report::exiting(int code, std::optional<int> stop_signal) {
    ending_.stop_signal = stop_signal;
    log_.info("exit", fmt::format("exiting with code {}", code), {{"code", code}});
}

void Report::write_termination_message(const TerminationLog& file, int exit_code) {
    if (!file.is_open()) return;
    ending_.exit_code = exit_code;
    ending_.dropped_log_lines = log_.dropped_lines();
    if (auto written = file.write(termination_summary(ending_)); !written)
        log_.warn("termination_log", fmt::format("cannot write the termination message: {}", written.error()), {{"path", file.path()}});
}

}  // namespace vigil
