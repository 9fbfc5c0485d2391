// Finding the processes vigil is responsible for, to stop them at the end.
// As PID 1 that is the whole PID namespace; otherwise vigil's descendants
// (as a child subreaper, every orphan below it comes back to it). The
// parsing and the tree walk are pure; reading /proc is the only system part.
#pragma once

#include <sys/types.h>

#include <initializer_list>
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

// Every process below root in the table, root excluded, zombies included.
std::vector<ProcessEntry> descendants_of(pid_t root, const std::vector<ProcessEntry>& table);

// Every live (not zombie) process below root in the table, root excluded.
std::vector<pid_t> live_descendants(pid_t root, const std::vector<ProcessEntry>& table);

// All processes listed in /proc; nullopt when /proc cannot be read.
std::optional<std::vector<ProcessEntry>> read_process_table();

// What /proc is: vigil's own PID namespace's, another namespace's (unshare
// --pid without --mount-proc, the host's /proc bind-mounted in), whose pids
// number other processes and must never be signalled here, or no procfs.
enum class ProcView { own, foreign, unreadable };
ProcView inspect_proc();

// The processes vigil is responsible for, other than itself, as the /proc
// of its own namespace lists them (zombies included); nullopt when there is
// no such /proc to read.
std::optional<std::vector<ProcessEntry>> reachable_processes(bool pid_one);

struct SignalReach {
    std::optional<int> count;  // live processes signalled; nullopt when it could not tell
    ProcView view;
};

// Sends each of `signals`, in order, to every process vigil is responsible
// for, except itself.
// As PID 1, kill(-1) reaches the whole namespace (/proc only counts). Not
// PID 1, the tree below vigil is walked in its own namespace's /proc;
// without one only the program's process group and, while it has not been
// reaped, the program itself (program_alive) can be reached.
SignalReach signal_everything(std::initializer_list<int> signals, bool pid_one, pid_t program, bool program_alive);

}  // namespace vigil
