// The first thing vigil's process does. A PID 1 loses every default-action
// signal that arrives before it has blocked or handled it (a pod deleted the
// instant it started), so vigil blocks the signals it handles before any
// other code of its own runs: from .preinit_array, which the C library runs
// before every constructor (libcap's probe, the C++ library's and vigil's
// own static objects) and before main, in the static build as in others.
// Only the vigil executable links this file (tests never block their signals).
#pragma once

#include <csignal>
#include <optional>

namespace vigil {

// The signal mask vigil was started with, if its signals were blocked before
// main; nullopt when they were not (then main blocks them first of all).
std::optional<sigset_t> mask_at_exec();

// Where that was, for the debug line: "from .preinit_array", or "in main"
// (when it did not work).
const char* where_signals_were_blocked();

}  // namespace vigil
