// Finding the processes vigil is responsible for, to stop them at the end.
// As PID 1 that is the whole PID namespace; otherwise vigil's descendants
// (as a child subreaper, every orphan below it comes back to it). The
// parsing and the tree walk are pure; reading /proc is the only system part.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>
#include <vector>

namespace vigil {

struct ProcessEntry {
    pid_t pid;
    pid_t parent;
    char state;  // as in /proc/PID/stat: R, S, D, Z, …
};

// Parses the contents of /proc/PID/stat; nullopt when malformed.
std::optional<ProcessEntry> parse_proc_stat(std::string_view text);

// Every live (not zombie) process below root in the table, root excluded.
std::vector<pid_t> live_descendants(pid_t root, const std::vector<ProcessEntry>& table);

// All processes listed in /proc; nullopt when /proc cannot be read.
std::optional<std::vector<ProcessEntry>> read_process_table();

// Whether the mounted /proc belongs to vigil's own PID namespace.
bool proc_matches_namespace();

// Sends `signal` to every process vigil is responsible for, except itself.
// Returns how many live processes it found to signal; nullopt when it could
// not tell because /proc is unreadable. Then, when not PID 1, only
// fallback_group (the program's process group) can be reached.
std::optional<int> signal_everything(int signal, bool pid_one, pid_t fallback_group);

}  // namespace vigil
