#include "supervisor.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <csignal>

#include "exit_status.hpp"

namespace vigil {

Supervisor::Supervisor(const SupervisorSettings& settings) : settings_(settings) {}

void Supervisor::arm_deadline(Milliseconds now) {
    if (!deadline_ && settings_.drain_timeout.count() > 0) deadline_ = now + settings_.drain_timeout;
}

Action Supervisor::forward_stop(int signal) {
    const int sent = settings_.rewrite.translate(signal);
    if (sent > 0) stops_forwarded_.set(static_cast<std::size_t>(sent));
    return forward(signal);
}

Action Supervisor::forward(int signal) const {
    const int sent = settings_.rewrite.translate(signal);
    // A stopped program cannot act on a stop signal until it is continued.
    const bool stops = sent == SIGSTOP || sent == SIGTSTP || sent == SIGTTIN || sent == SIGTTOU;
    return action::Forward{signal, sent, is_stop_signal(signal) && sent != 0 && !stops};
}

Action Supervisor::finish() {
    phase_ = Phase::done;
    return action::Exit{*exit_code_};
}

Actions Supervisor::on_signal(int signal, Milliseconds now) {
    // A stop signal rewritten to NONE is dropped like any other: no drain.
    const bool stop = is_stop_signal(signal) && settings_.rewrite.translate(signal) != 0;
    switch (phase_) {
        case Phase::running:
            if (!stop) return {forward(signal)};
            return start_shutdown(signal, now, false);
        case Phase::pre_stop:
            if (!stop) return {forward(signal)};
            // The operator is impatient: skip the rest of the delay.
            pre_stop_until_.reset();
            phase_ = Phase::draining;
            return {forward_stop(signal)};
        case Phase::draining:
            return {stop ? forward_stop(signal) : forward(signal)};
        case Phase::cleaning_up:
            // The main program is gone; a stop signal is passed on to what it left.
            if (stop) return {action::TerminateLeftBehind{}};
            return {};
        case Phase::killing:
        case Phase::done:
            return {};
    }
    return {};
}

Actions Supervisor::pass_on(int signal) const {
    if (phase_ == Phase::running || phase_ == Phase::pre_stop || phase_ == Phase::draining) return {forward(signal)};
    return {};
}

Actions Supervisor::start_shutdown(int signal, Milliseconds now, bool memory_restart) {
    stop_received_at_ = now;
    stop_signal_ = signal;
    arm_deadline(now);
    if (settings_.pre_stop_delay.count() > 0) {
        phase_ = Phase::pre_stop;
        pre_stop_until_ = now + settings_.pre_stop_delay;
        return {action::StopReceived{signal, settings_.pre_stop_delay, memory_restart}};
    }
    phase_ = Phase::draining;
    return {action::StopReceived{signal, Milliseconds{0}, memory_restart}, forward_stop(signal)};
}

Actions Supervisor::on_memory_restart(Milliseconds now) {
    // Already stopping: the shutdown under way goes on as it is.
    if (phase_ != Phase::running) return {};
    memory_restart_ = true;
    return start_shutdown(SIGTERM, now, true);
}

Actions Supervisor::on_main_exited(const ProgramEnd& end, bool others_remain, Milliseconds now) {
    if (phase_ == Phase::done || exit_code_) return {};
    // --success-exit describes how the program may end on its own, never
    // vigil's own kill at the deadline: that is always 137.
    const bool killed_by_vigil = phase_ == Phase::killing && end.signal == SIGKILL;
    exit_code_ = killed_by_vigil ? end.code : remap_exit_code(end.code, settings_.success_exits);
    // --success-exit stop: ended by a stop signal vigil forwarded, while
    // draining, before the deadline. Never SIGKILL: that is vigil's deadline
    // or the OOM killer, not a stop the program carried out.
    const int by = end.signal != 0 ? end.signal : end.code > 128 && end.code < 128 + 65 ? end.code - 128 : 0;
    if (settings_.success_on_stop && phase_ == Phase::draining && by != 0 && by != SIGKILL && stops_forwarded_.test(static_cast<std::size_t>(by)))
        exit_code_ = 0;
    // A clean drain after --memory-restart must still make the orchestrator restart the container.
    if (memory_restart_ && *exit_code_ == 0) exit_code_ = exit_memory_restart;
    pre_stop_until_.reset();
    if (phase_ == Phase::killing) {
        if (others_remain) return {};
        return {finish()};
    }
    if (!others_remain) return {finish()};
    arm_deadline(now);
    phase_ = Phase::cleaning_up;
    return {action::TerminateLeftBehind{}};
}

Actions Supervisor::on_all_reaped() {
    if (!exit_code_ || phase_ == Phase::done) return {};
    return {finish()};
}

Actions Supervisor::on_clock(Milliseconds now) {
    if (deadline_ && now >= *deadline_ &&
        (phase_ == Phase::pre_stop || phase_ == Phase::draining || phase_ == Phase::cleaning_up)) {
        deadline_.reset();
        pre_stop_until_.reset();
        phase_ = Phase::killing;
        kill_wait_until_ = now + settings_.kill_grace;
        return {action::KillAll{}};
    }
    if (phase_ == Phase::killing && kill_wait_until_ && now >= *kill_wait_until_) {
        kill_wait_until_.reset();
        // The program itself may be among the survivors: then it was vigil's kill.
        if (!exit_code_) exit_code_ = exit_killed;
        return {action::AbandonUnreaped{}, finish()};
    }
    if (phase_ == Phase::pre_stop && pre_stop_until_ && now >= *pre_stop_until_) {
        pre_stop_until_.reset();
        phase_ = Phase::draining;
        return {forward_stop(*stop_signal_)};
    }
    return {};
}

std::optional<Milliseconds> Supervisor::next_wakeup() const {
    std::optional<Milliseconds> next;
    for (const auto& candidate : {deadline_, pre_stop_until_, kill_wait_until_}) {
        if (candidate && (!next || *candidate < *next)) next = candidate;
    }
    return next;
}

}  // namespace vigil
