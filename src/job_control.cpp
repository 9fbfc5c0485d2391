#include "job_control.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace vigil {

StopResponse respond_to_stop(int stop_signal, bool pid_one, bool holds_terminal, bool program_in_foreground) {
    const bool terminal_stop = stop_signal == SIGTSTP || stop_signal == SIGTTIN || stop_signal == SIGTTOU;
    if (!terminal_stop) return StopResponse::leave_stopped;  // SIGSTOP: on purpose
    if (!pid_one) return holds_terminal ? StopResponse::stop_with_program : StopResponse::leave_stopped;
    if (stop_signal == SIGTSTP) return StopResponse::continue_program;
    // SIGTTIN or SIGTTOU: continued without the foreground it would only stop again.
    if (holds_terminal && !program_in_foreground) return StopResponse::give_terminal_and_continue;
    return StopResponse::leave_stopped;
}

bool give_terminal(int terminal, pid_t group) {
    while (::tcsetpgrp(terminal, group) != 0) {
        if (errno != EINTR) return false;
    }
    return true;
}

bool has_terminal(int terminal, pid_t group) { return ::tcgetpgrp(terminal) == group; }

void stop_until_continued() {
    ::kill(::getpid(), SIGSTOP);
    // SIGCONT is blocked, so the one that woke vigil is pending: take it.
    sigset_t cont;
    sigemptyset(&cont);
    sigaddset(&cont, SIGCONT);
    const timespec now{0, 0};
    while (::sigtimedwait(&cont, nullptr, &now) < 0 && errno == EINTR) {
    }
}

}  // namespace vigil
