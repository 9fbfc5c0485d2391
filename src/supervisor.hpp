// The shutdown state machine, with no system calls in it: the event loop
// turns kernel events (a signal, the main program's exit, the last process
// reaped, the clock passing a deadline) into calls here and carries out the
// actions that come back. Times are monotonic milliseconds supplied by the
// caller, so every path through a shutdown is a unit test of a few lines.
#pragma once

#include <bitset>
#include <optional>
#include <variant>
#include <vector>

#include "duration.hpp"
#include "signals.hpp"

namespace vigil {

enum class Phase { running, pre_stop, draining, cleaning_up, killing, done };

namespace action {
// A stop signal (or --memory-restart) began the shutdown; the drain clock runs from now.
struct StopReceived { int signal; Milliseconds pre_stop_delay; bool memory_restart = false; };
// Send `sent` to the main program; `sent` is 0 when the rewrite map drops it.
// then_continue: follow it with SIGCONT, so a stopped program can drain.
struct Forward { int received; int sent; bool then_continue = false; };
// The main program is gone and others remain: SIGTERM and SIGCONT to them.
struct TerminateLeftBehind {};
// The budget ran out: SIGKILL everything reachable.
struct KillAll {};
// Processes survived SIGKILL for the whole kill grace (frozen, or stuck in
// uninterruptible sleep): say which, then exit without them.
struct AbandonUnreaped {};
// Nothing is left: exit with this code.
struct Exit { int code; };
}  // namespace action

using Action = std::variant<action::StopReceived, action::Forward, action::TerminateLeftBehind, action::KillAll,
                            action::AbandonUnreaped, action::Exit>;
using Actions = std::vector<Action>;

// How long vigil waits for SIGKILLed processes to be reaped before it exits
// without them: a killed process normally dies at once, so this only ends
// the wait for one that cannot (frozen by the cgroup freezer, or stuck in
// uninterruptible sleep) before the orchestrator's own SIGKILL comes.
inline constexpr Milliseconds default_kill_grace{2'000};

struct SupervisorSettings {
    Milliseconds drain_timeout{25'000};  // 0 = no deadline
    Milliseconds pre_stop_delay{0};
    Milliseconds kill_grace = default_kill_grace;
    RewriteMap rewrite;
    std::bitset<256> success_exits;
    // --success-exit stop: 0 when the program ended by the stop signal vigil forwarded, before the deadline.
    bool success_on_stop = false;
};

class Supervisor {
public:
    explicit Supervisor(const SupervisorSettings& settings);

    // Any signal vigil handles other than SIGCHLD. A stop signal (SIGTERM,
    // SIGINT) starts the drain unless the rewrite map drops it: what starts
    // the drain is the signal received, what is forwarded is its translation.
    Actions on_signal(int signal, Milliseconds now);
    // A signal vigil was started with ignored: never vigil's own cue (no
    // drain), but passed on, translated, while the program runs, since the
    // program may have taken it back (Node's process.on('SIGHUP') does
    // whatever it inherited); if it still ignores it, the kernel drops it.
    Actions pass_on(int signal) const;
    // --memory-restart fired: the shutdown a SIGTERM would start, and after a
    // clean drain the exit code says "restart me" (75) instead of 0.
    Actions on_memory_restart(Milliseconds now);
    // The main program was reaped; others_remain says whether vigil still has children.
    Actions on_main_exited(const ProgramEnd& end, bool others_remain, Milliseconds now);
    // After the main program exited: vigil has no child left.
    Actions on_all_reaped();
    // The clock reached next_wakeup() (calling it early is harmless).
    Actions on_clock(Milliseconds now);

    // When on_clock must next be called; nullopt while nothing is armed.
    std::optional<Milliseconds> next_wakeup() const;

    Phase phase() const { return phase_; }
    // When the first stop signal arrived, if one did.
    std::optional<Milliseconds> stop_received_at() const { return stop_received_at_; }
    // The signal that started the drain, if one did.
    std::optional<int> stop_signal() const { return stop_signal_; }
    std::optional<Milliseconds> deadline() const { return deadline_; }

private:
    void arm_deadline(Milliseconds now);
    Actions start_shutdown(int signal, Milliseconds now, bool memory_restart);
    Action forward(int signal) const;
    // A stop signal forwarded: what was sent is remembered, for --success-exit stop.
    Action forward_stop(int signal);
    Action finish();

    SupervisorSettings settings_;
    Phase phase_ = Phase::running;
    std::optional<Milliseconds> stop_received_at_;
    std::optional<int> stop_signal_;
    std::optional<Milliseconds> deadline_;
    std::optional<Milliseconds> pre_stop_until_;
    std::optional<Milliseconds> kill_wait_until_;
    std::optional<int> exit_code_;
    bool memory_restart_ = false;
    std::bitset<65> stops_forwarded_;
};

}  // namespace vigil
