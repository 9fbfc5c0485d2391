// The first thing vigil's process does. A PID 1 loses every default-action
// signal that arrives before it has blocked or handled it (a pod deleted the
// instant it started), so vigil blocks the signals it handles before any
// other code of its own runs:
// - in the static build on x86-64 and aarch64, at its ELF entry point,
//   before even the C library's start-up (one system call, then glibc's _start);
// - otherwise from .preinit_array, which the C library runs before every
//   constructor (libcap's probe, the C++ library's and vigil's own static
//   objects) and before main.
// Only the vigil executable links this file (tests never block their signals).
#pragma once

#include <csignal>
#include <optional>

namespace vigil {

// The signal mask vigil was started with, if its signals were blocked before
// main; nullopt when they were not (then main blocks them first of all).
std::optional<sigset_t> mask_at_exec();

}  // namespace vigil
