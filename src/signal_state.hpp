// vigil's own process, before anything else. The signals vigil handles are
// blocked first of all: a PID 1 loses every default-disposition signal that
// arrives before it has blocked or handled it (a pod deleted the instant it
// started), so nothing else (option parsing, the log, user lookups) may
// come before. The inherited mask is recorded to be handed back to the
// program; ignored signals stay ignored (SIGCHLD is handed back too), and
// which they are is looked up only when vigil needs to know.
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil {

// The signal state vigil found at start, to be handed on unchanged.
struct InheritedSignals {
    sigset_t blocked{};
    // Members were SIG_IGN when vigil started: SIGCHLD from the start, every
    // other handled signal once ignored_complete (complete_ignored_signals).
    sigset_t ignored{};
    bool ignored_complete = false;
};

// Every signal vigil waits for: each forwardable signal and SIGCHLD.
sigset_t handled_signals();

// Blocks handled_signals() and records the inherited mask. mask_at_exec is
// the mask vigil was started with when the signals were blocked before main
// already (src/entry.hpp); the mask becomes exactly that plus handled_signals().
// An ignored SIGCHLD is set back to its default action (ignored, the kernel
// would reap vigil's children itself) and recorded, for the program to get
// it back. Every other disposition is left as vigil found it, so the
// program inherits it as it is; vigil still receives those signals, since
// the kernel never discards a blocked signal, ignored or not.
InheritedSignals take_over_signals(const std::optional<sigset_t>& mask_at_exec = std::nullopt);

// Completes inherited.ignored (once): which handled signals vigil was
// started with ignored, from /proc/self/status, or one sigaction query each
// without /proc. Asked only when a signal arrives: not a start-up cost.
void complete_ignored_signals(InheritedSignals& inherited);

// Signal N for each set bit N-1 (signals 1-64): the form of the masks in
// /proc/PID/status.
sigset_t signals_from_bits(std::uint64_t bits);

// The ignored signals that the SigIgn line of a /proc/PID/status text names;
// nullopt when there is no such line or it is not hexadecimal.
std::optional<sigset_t> parse_ignored_signals(std::string_view status);

// The signals vigil's process ignores now, from /proc/self/status; nullopt
// when that cannot be read or parsed.
std::optional<sigset_t> ignored_signals_from_proc();

// The signals of among that vigil's process ignores now, by one sigaction
// query each (where there is no /proc).
sigset_t ignored_signals_by_query(const sigset_t& among);

}  // namespace vigil
