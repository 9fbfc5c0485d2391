// What a wait status means to an orchestrator: the exit code itself, or
// 128+N for death by signal N, then remapped through --success-exit. Pure.
#pragma once

#include <bitset>
#include <string>

namespace vigil {

// Exit codes of vigil itself, before or instead of the program's.
inline constexpr int exit_usage = 2;          // bad option or value
inline constexpr int exit_cannot_run = 126;   // found, but could not be started
inline constexpr int exit_not_found = 127;    // no such program
inline constexpr int exit_killed = 128 + 9;     // the program SIGKILLed at the deadline
inline constexpr int exit_memory_restart = 75;  // EX_TEMPFAIL: drained for --memory-restart, restart me

// 0..255 from a waitpid status.
int exit_code_from_status(int wait_status);

// "exit code 3" or "signal SIGTERM".
std::string describe_status(int wait_status);

// Codes listed in success_exits become 0.
int remap_exit_code(int code, const std::bitset<256>& success_exits);

}  // namespace vigil
