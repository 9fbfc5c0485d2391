// Signal names and numbers as people write them ("TERM", "SIGTERM", "15",
// "RTMIN+3"), which signals vigil handles, and the rewrite map that
// translates a received signal before it is forwarded. Pure.
#pragma once

#include <array>
#include <bitset>
#include <csignal>
#include <string>
#include <string_view>
#include <vector>

#include "exit_status.hpp"
#include "result.hpp"

namespace vigil {

// Highest signal number the kernel knows on Linux (SIGRTMAX).
inline constexpr int max_signal = 64;

// Parses a signal by name (with or without "SIG", any case), number, or
// "RTMIN+N" / "RTMAX-N". Accepts 1..max_signal.
Result<int> parse_signal(std::string_view text);

// "SIGTERM", "SIGRTMIN+3", or "signal 32" for the ones glibc keeps to itself.
std::string signal_name(int signal);

// How a process ended, in words: "exit code 3", "signal SIGSEGV (core dumped)".
std::string describe(const ProgramEnd& end);

// Whether vigil receives this signal and forwards it: every catchable
// signal but SIGCHLD (which drives reaping) and the two real-time signals
// glibc reserves for its threads. The fault signals (SEGV, BUS, FPE, ILL,
// TRAP, SYS) are among them: one sent by a process (`docker kill -s SEGV`)
// waits blocked like any other and is forwarded, while a real fault in
// vigil's own code is forced on it by the kernel, blocked or not (the
// handler reset to the default), and still ends vigil.
bool is_forwardable(int signal);

// 32 and 33: glibc keeps them for its threads and refuses to block them, so
// vigil neither receives nor sends them.
bool is_reserved_by_libc(int signal);

// A stop signal starts the drain.
bool is_stop_signal(int signal);

// Translation applied before forwarding. Identity by default; a target of 0
// means "drop".
class RewriteMap {
public:
    RewriteMap();
    int translate(int signal) const;
    // Parses "FROM:TO" and records it; a later rule for the same FROM wins.
    Status add(std::string_view rule);
    // Whether a rule names this signal (even one that maps it to itself).
    bool has_rule(int signal) const { return signal >= 1 && signal <= max_signal && ruled_.test(static_cast<std::size_t>(signal)); }
    // The rules, as add() reads them ("SIGTERM:SIGINT", "SIGHUP:NONE"), in signal order.
    std::vector<std::string> rules() const;
    bool operator==(const RewriteMap&) const = default;

private:
    std::array<int, max_signal + 1> targets_{};
    std::bitset<max_signal + 1> ruled_;
};

}  // namespace vigil
