// The termination message: one line on how the container ended, written
// where Kubernetes reads it (terminationMessagePath), at most 4 KiB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "duration.hpp"
#include "result.hpp"

namespace vigil {

struct Ending {
    int exit_code = 0;                   // vigil's own
    std::string program_status;          // "exit code 0", "signal SIGKILL"
    std::optional<int> stop_signal;      // what started the drain, if anything did
    std::optional<Milliseconds> drained; // from the stop signal to the program's exit
    bool deadline_reached = false;
    std::optional<int> killed;           // processes SIGKILLed at the deadline (nullopt: unknown)
    int left_behind = 0;
    bool oom_killed = false;
    std::optional<std::uint64_t> memory_limit;
};

inline constexpr std::size_t termination_message_limit = 4096;

// One line, no longer than termination_message_limit including its newline.
std::string termination_summary(const Ending& ending);

// Writes text to path; creates the file only when asked to.
Status write_termination_message(const std::string& path, const std::string& text, bool create);

}  // namespace vigil
