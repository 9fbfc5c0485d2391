#include "process_setup.hpp"

#include <signal.h>

#include "signals.hpp"

namespace vigil {

sigset_t handled_signals() {
    sigset_t handled;
    sigemptyset(&handled);
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (is_forwardable(signal) || signal == SIGCHLD) sigaddset(&handled, signal);
    }
    return handled;
}

InheritedSignals take_over_signals(const std::optional<sigset_t>& mask_at_exec) {
    InheritedSignals inherited;
    const sigset_t handled = handled_signals();
    // Blocking cannot fail with a valid set; what was blocked before is kept for the program.
    if (mask_at_exec) {
        // Blocked already at entry: now exactly the inherited mask plus the handled signals.
        inherited.blocked = *mask_at_exec;
        sigset_t exact;
        sigorset(&exact, &inherited.blocked, &handled);
        ::sigprocmask(SIG_SETMASK, &exact, nullptr);
    } else {
        ::sigprocmask(SIG_BLOCK, &handled, &inherited.blocked);
    }
    sigemptyset(&inherited.ignored);
    struct sigaction restore_default {};
    restore_default.sa_handler = SIG_DFL;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (sigismember(&handled, signal) != 1) continue;
        struct sigaction current {};
        if (::sigaction(signal, nullptr, &current) != 0 || current.sa_handler != SIG_IGN) continue;
        sigaddset(&inherited.ignored, signal);
        // An ignored signal is discarded before it can be waited for.
        ::sigaction(signal, &restore_default, nullptr);
    }
    return inherited;
}

}  // namespace vigil
