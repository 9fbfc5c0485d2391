// What vigil does when its program stops (Ctrl-Z, touching the terminal
// from the background, SIGSTOP). Under a shell, vigil stops with it: it
// takes the terminal back and stops itself, so the shell gets its prompt;
// when the shell continues vigil (fg), vigil hands the terminal back and
// continues the program. As PID 1 there is no shell to resume anything, so
// a Ctrl-Z is undone at once rather than wedging the container. The
// decision is pure; the terminal calls are the only system part.
#pragma once

#include <sys/types.h>

namespace vigil {

enum class StopResponse {
    stop_with_program,           // take the terminal back, stop vigil; continue both together
    continue_program,            // SIGCONT to the program's group
    give_terminal_and_continue,  // it stopped touching the terminal from the background: give it the foreground first
    leave_stopped,               // someone stopped it on purpose, or continuing would only stop it again
};

// stop_signal: what stopped the program; holds_terminal: vigil handed the
// program its controlling terminal's foreground at start; program_in_foreground:
// the terminal's foreground is the program's process group now.
StopResponse respond_to_stop(int stop_signal, bool pid_one, bool holds_terminal, bool program_in_foreground);

// Makes group the terminal's foreground process group (vigil keeps SIGTTOU
// blocked, so it may do this from the background). False if it could not.
bool give_terminal(int terminal, pid_t group);
// Whether group is the terminal's foreground process group.
bool has_terminal(int terminal, pid_t group);
// Stops vigil (SIGSTOP) until something continues it, then takes the
// SIGCONT that did so, which is not a signal for the program.
void stop_until_continued();

}  // namespace vigil
