// The one event loop: waits in the kernel (Waiter) for a signal, the next
// armed deadline or a memory sample due (no timer while nothing is armed,
// so vigil never wakes when idle), turns what happened into Supervisor
// events and carries out the actions that come back: forwarding, reaping,
// terminating and killing. It acts first and then tells the report, which
// says what happened; memory questions go to Memory.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <optional>
#include <string>

#include "log.hpp"
#include "memory.hpp"
#include "options.hpp"
#include "signal_state.hpp"
#include "program_environment.hpp"
#include "report.hpp"
#include "spawn.hpp"
#include "supervisor.hpp"
#include "termination.hpp"
#include "waiter.hpp"

namespace vigil {

class EventLoop {
public:
    EventLoop(const Config& config, Log& log, const InheritedSignals& inherited);

    // Prepares vigil's own process, starts the program, runs until the end;
    // returns vigil's exit code.
    int run(char** environment);

private:
    // Everything up to the program running; vigil's exit code when it
    // cannot start. What start-up allocates is freed when it returns.
    std::optional<int> start_program(char** inherited_environment);
    // The user, the capabilities and no_new_privs the program gets; false
    // (said why) when they cannot be had.
    bool settle_identity(SpawnRequest& request);
    // The container's environment, the PM2 file's entries over it, HOME for
    // a user switched to; NODE_OPTIONS is Memory's.
    ProgramEnvironment program_environment(char** inherited, const std::optional<Identity>& identity) const;
    bool prepare_process();
    void open_termination_log();
    // Once the program runs: the memory cgroup and its OOM-kill baseline,
    // --memory-restart's watch, start-up's heap handed back. Not done for a
    // program that exited before vigil got to it (its SIGCHLD waiting): vigil
    // is about to end, and the baseline, read after the exit, could not show
    // the exit as an OOM kill anyway.
    void on_program_running();
    void watch_memory();
    // Samples when one is due, or at once when memory.events changed (noticed).
    void sample_memory(bool noticed);
    void reap_children();
    void on_program_exit(int wait_status, bool others_remain);
    void on_program_stopped(int stop_signal);
    void handle_signal(const Wakeup& received);
    void carry_out(const Actions& actions);
    Milliseconds now() const;
    // --node-channel: a socket pair; the program's end is its descriptor 3,
    // named by NODE_CHANNEL_FD, so that Node gives it process.send.
    std::optional<Fd> open_node_channel(SpawnRequest& request, ProgramEnvironment& environment);
    // What the program sent: one JSON message per line, each reported.
    void read_node_channel();

    const Config& config_;
    Log& log_;
    Report report_;
    Supervisor supervisor_;
    InheritedSignals inherited_;
    Waiter waiter_;
    Memory memory_;
    bool pid_one_ = false;
    pid_t self_ = 0;
    pid_t main_pid_ = 0;
    bool main_exited_ = false;
    // The terminal whose foreground vigil handed to the program, or -1.
    int terminal_ = -1;
    Milliseconds left_behind_since_{0};
    std::optional<int> exit_code_;
    TerminationLog termination_log_;
    Fd node_channel_;
    std::string node_channel_text_;  // a message not yet ended by its newline
};

}  // namespace vigil
