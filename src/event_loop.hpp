// The one event loop: waits in the kernel for a signal or the next armed
// deadline (no timer while nothing is armed, so vigil never wakes when
// idle), turns what happened into Supervisor events and carries out the
// actions that come back: forwarding, reaping, terminating and killing.
#pragma once

#include <sys/types.h>

#include <csignal>

#include "cgroup.hpp"
#include "log.hpp"
#include "options.hpp"
#include "spawn.hpp"
#include "supervisor.hpp"
#include "termination.hpp"

namespace vigil {

class EventLoop {
public:
    EventLoop(const Config& config, Log& log);

    // Prepares vigil's own process, starts the program, runs until the end;
    // returns vigil's exit code.
    int run(char** environment);

private:
    bool prepare_process();
    // The memory cgroup, its limit and the OOM-kill baseline.
    void inspect_memory();
    // NODE_OPTIONS for --node-heap, from the limit inspect_memory found.
    void size_node_heap(SpawnRequest& request);
    void note_oom_kill(int wait_status);
    void write_termination_log();
    void reap_children();
    void handle_signal(const siginfo_t& info);
    void carry_out(const Actions& actions);
    void terminate_left_behind();
    void kill_everything();
    // signal_everything, with a warning (once) when /proc cannot be read.
    std::optional<int> signal_reachable(int signal);
    Milliseconds now() const;

    const Config& config_;
    Log& log_;
    Supervisor supervisor_;
    InheritedSignals inherited_{};
    sigset_t handled_{};
    bool pid_one_ = false;
    pid_t self_ = 0;
    pid_t main_pid_ = 0;
    bool main_exited_ = false;
    int left_behind_ = 0;
    Milliseconds left_behind_since_{0};
    std::optional<int> exit_code_;
    bool warned_without_proc_ = false;
    bool memory_inspected_ = false;
    std::optional<MemoryCgroup> memory_cgroup_;
    std::optional<std::uint64_t> oom_kills_at_start_;
    Ending ending_;
};

}  // namespace vigil
