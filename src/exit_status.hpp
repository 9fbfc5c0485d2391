// What a wait status means to an orchestrator: the exit code itself, or
// 128+N for death by signal N, then remapped through --success-exit. Read
// once, where the program is reaped; everything else asks the ProgramEnd.
// Pure.
#pragma once

#include <bitset>

namespace vigil {

// Exit codes of vigil itself, before or instead of the program's.
inline constexpr int exit_usage = 2;          // bad option or value
inline constexpr int exit_cannot_run = 126;   // found, but could not be started
inline constexpr int exit_not_found = 127;    // no such program
inline constexpr int exit_killed = 128 + 9;     // the program SIGKILLed at the deadline
inline constexpr int exit_memory_restart = 75;  // EX_TEMPFAIL: drained for --memory-restart, restart me

// How a process ended.
struct ProgramEnd {
    int code = 0;            // 0..255: its exit code, or 128+N when signal N killed it
    int signal = 0;          // N when signal N killed it; 0 when it exited
    bool core_dumped = false;
};

// From a waitpid status. A status that is not final (stopped, continued)
// never reaches here; it would read as code 255.
ProgramEnd program_end(int wait_status);

// Codes listed in success_exits become 0.
int remap_exit_code(int code, const std::bitset<256>& success_exits);

}  // namespace vigil
