// The termination message: one line on how the container ended, written
// where Kubernetes reads it (terminationMessagePath), at most 4 KiB. The
// file is opened before the program starts and kept open, never through a
// symbolic link and only when it is a regular file, so that nothing the
// program does later (a symlink planted in its place, a FIFO) can make
// vigil, often still root, write anywhere else or wait at exit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "duration.hpp"
#include "fd.hpp"
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
    int unreaped = 0;                    // survived SIGKILL for the whole kill grace
    std::optional<std::uint64_t> memory_restart_usage;      // --memory-restart fired at this working set
    std::optional<std::uint64_t> memory_restart_threshold;
    std::uint64_t dropped_log_lines = 0; // stderr could not take them
};

inline constexpr std::size_t termination_message_limit = 4096;

// One line, no longer than termination_message_limit including its newline.
std::string termination_summary(const Ending& ending);

class TerminationLog {
public:
    TerminationLog() = default;
    // Opens path for the message at exit: created when missing if `create`,
    // refused (with the reason) when it is a symbolic link or not a regular
    // file. Never waits: a FIFO without a reader is refused, not waited on.
    static Result<TerminationLog> open(const std::string& path, bool create);

    bool is_open() const { return fd_.valid(); }
    const std::string& path() const { return path_; }
    // Replaces the file's contents with text, through the descriptor opened at start.
    Status write(const std::string& text) const;

private:
    Fd fd_;
    std::string path_;
};

}  // namespace vigil
