// What vigil says about what happened: the words and fields of every log
// line, and the termination message. The event loop acts first (forwards,
// kills, reaps) and then tells the report what happened; it formats nothing
// itself. The report also keeps the Ending that the termination message is
// made of.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "accounts.hpp"
#include "cgroup.hpp"
#include "job_control.hpp"
#include "log.hpp"
#include "options.hpp"
#include "reachable_processes.hpp"
#include "supervisor.hpp"
#include "termination.hpp"

namespace vigil {

class Report {
public:
    Report(Log& log, const Config& config);

    // Before the program starts.
    void bad_configuration(const std::string& message, std::initializer_list<LogField> fields = {});
    void configuration_warnings();
    void setup_failed(const std::string& what, int error);
    void not_a_subreaper(int error);
    void termination_log_refused(const std::string& path, const std::string& why);
    void memory_cgroup(const MemoryCgroup& cgroup, std::optional<std::uint64_t> limit);
    void memory_cgroup_unknown(const std::string& why);
    void node_heap_not_node(const std::string& program);
    // where: "NODE_OPTIONS", or node's command line and the option.
    void node_heap_already_set(const std::string& where);
    // why: no memory cgroup was found, and why; nullopt: there is one, without a limit.
    void node_heap_without_limit(const std::optional<std::string>& why);
    void node_heap_sized(int percent, std::uint64_t limit, std::uint64_t megabytes);
    void memory_restart_off(const std::string& why);
    void memory_notices_off(const std::string& why);
    void memory_limit_changed(std::optional<std::uint64_t> was, std::optional<std::uint64_t> limit, std::uint64_t threshold, std::uint32_t percent_thousandths);
    void memory_restart_watching(std::uint64_t threshold, std::uint32_t percent_thousandths, std::optional<std::uint64_t> limit, std::uint64_t working_set, bool notices);
    void memory_restart(std::uint64_t working_set, std::uint64_t threshold, std::optional<std::uint64_t> limit);

    // The program.
    void spawn_failed(const std::string& program, int code, const std::string& message);
    void started(pid_t pid, const std::vector<std::string>& command, const std::optional<Identity>& identity);
    void program_exited(pid_t pid, const ProgramEnd& end, std::optional<Milliseconds> since_stop, bool killed_at_deadline);
    void oom_killed(pid_t pid, std::optional<std::uint64_t> limit, std::uint64_t kills);
    void reaped_others(int count);
    // The program's Node IPC channel (--node-channel).
    void node_channel_off(const std::string& why);
    void program_message(std::string_view json);
    void program_messages_dropped(std::size_t bytes);
    void wait_failed(const char* call, int error);
    void program_stopped(pid_t pid, int stop_signal, StopResponse response, bool terminal_ok);
    void continued_with_program(bool in_foreground);

    // Signals.
    void stop_received(int signal, Milliseconds pre_stop_delay, bool memory_restart);
    void forwarded(const action::Forward& forward, pid_t pid, bool group);
    void forward_failed(const action::Forward& forward, pid_t pid, bool group, int error);
    void ignored_self_inflicted(int signal);
    void passed_on_as_inherited(int signal);
    void groups_kept(const std::string& user, const std::vector<gid_t>& groups);

    // The end.
    void proc_view(ProcView view);
    void left_behind(const SignalReach& reach, std::optional<Milliseconds> budget);
    void left_behind_done(Milliseconds took);
    void deadline_reached(const SignalReach& reach);
    void unreaped(const std::optional<std::vector<ProcessEntry>>& survivors, std::optional<pid_t> program);
    void exiting(int code, std::optional<int> stop_signal);
    // The termination message, from everything reported so far and vigil's exit code.
    void write_termination_message(const TerminationLog& file, int exit_code);


private:
    void warn_if_not_below(std::uint64_t threshold, std::optional<std::uint64_t> limit);

    Log& log_;
    const Config& config_;
    Ending ending_;
    bool warned_about_proc_ = false;
    bool warned_about_inspector_ = false;
};

// The command line as it appears in the log, cut to a readable length.
std::string loggable_command(const std::vector<std::string>& command);

}  // namespace vigil
