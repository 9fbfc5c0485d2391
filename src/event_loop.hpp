// The one event loop: waits in the kernel for a signal or the next armed
// deadline (no timer while nothing is armed, so vigil never wakes when
// idle), turns what happened into Supervisor events and carries out the
// actions that come back: forwarding, reaping, terminating and killing.
// It acts first and then tells the report, which says what happened.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <optional>

#include "cgroup.hpp"
#include "log.hpp"
#include "options.hpp"
#include "process_setup.hpp"
#include "report.hpp"
#include "spawn.hpp"
#include "supervisor.hpp"
#include "termination.hpp"

namespace vigil {

class EventLoop {
public:
    EventLoop(const Config& config, Log& log, const InheritedSignals& inherited);

    // Prepares vigil's own process, starts the program, runs until the end;
    // returns vigil's exit code.
    int run(char** environment);

private:
    bool prepare_process();
    void open_termination_log();
    // The memory cgroup, its limit and the OOM-kill baseline.
    void inspect_memory();
    // NODE_OPTIONS for --node-heap, from the limit inspect_memory found.
    void size_node_heap(SpawnRequest& request);
    void note_oom_kill(int wait_status);
    void reap_children();
    void on_program_exit(int wait_status, bool others_remain);
    void on_program_stopped(int stop_signal);
    void handle_signal(const siginfo_t& info);
    void carry_out(const Actions& actions);
    Milliseconds now() const;

    const Config& config_;
    Log& log_;
    Report report_;
    Supervisor supervisor_;
    InheritedSignals inherited_;
    sigset_t handled_{};
    bool pid_one_ = false;
    pid_t self_ = 0;
    pid_t main_pid_ = 0;
    bool main_exited_ = false;
    // The terminal whose foreground vigil handed to the program, or -1.
    int terminal_ = -1;
    Milliseconds left_behind_since_{0};
    std::optional<int> exit_code_;
    TerminationLog termination_log_;
    bool memory_inspected_ = false;
    std::optional<MemoryCgroup> memory_cgroup_;
    std::optional<std::string> memory_unknown_because_;  // why there is no memory cgroup to read
    std::optional<std::uint64_t> memory_limit_;
    std::optional<std::uint64_t> oom_kills_at_start_;
};

}  // namespace vigil
