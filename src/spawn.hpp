// Starting the program: everything that allocates is prepared before the
// child exists (the argv and environment arrays, the PATH candidates, the
// user and capabilities); the child only makes async-signal-safe calls,
// restores the signal state vigil inherited, changes identity and execs.
// The child shares vigil's memory until exec (CLONE_VM | CLONE_VFORK, as
// posix_spawn does), so a failure comes back as (step, errno) written into
// a report vigil reads once the child is gone: vigil says exactly what
// went wrong. As execvp, a file the kernel cannot execute (ENOEXEC: a
// script without "#!") is run by /bin/sh.
#pragma once

#include <sys/types.h>

#include <csignal>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "accounts.hpp"
#include "signal_state.hpp"
#include "result.hpp"

namespace vigil {

// PATH for finding the program (or node, for --from-pm2) when vigil's environment has none.
inline constexpr const char* default_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct SpawnRequest {
    std::span<const std::string> command;  // the configuration's, not copied
    // execve's array, null-ended: ProgramEnvironment::for_exec() of the
    // environment built for the program, which outlives the spawn.
    std::vector<char*> environment;
    const char* path_variable = default_path;  // PATH, for a program named without '/'
    InheritedSignals signals;
    std::optional<Identity> identity;             // switch to this user
    std::string user_spec;                        // as given, for messages
    // Already that user and group without the right to set groups: the
    // program keeps vigil's supplementary groups (identity->groups are they).
    bool groups_kept = false;
    std::optional<std::vector<int>> capabilities; // the only ones kept
    bool no_new_privs = false;
    // Make the program's process group the terminal's (stdin's) foreground.
    bool give_terminal = false;
    // The caller's working directory, opened (O_PATH) before vigil left it
    // for "/": the program starts there. -1: it inherits vigil's.
    int working_directory = -1;
    // (from, to): descriptor `to` of the child is a copy of vigil's `from`
    // (PM2's IPC channel on 3; the PM2 evaluator's records on 3, its stdout on stderr).
    std::vector<std::pair<int, int>> descriptors;
};

struct SpawnFailure {
    int exit_code;  // 127 not found, 126 otherwise
    std::string message;
};

// Where a program is looked for, in order, as execvp does: the program
// itself when its name has a '/', otherwise each PATH entry joined with it
// (an empty entry is the current directory). Each candidate is written into
// a buffer of the caller's, so the child walks PATH between clone and exec
// without allocating: async-signal-safe.
class PathCandidates {
public:
    PathCandidates(const char* program, const char* path_variable) noexcept;
    enum class Next { candidate, too_long, done };
    // The next candidate, NUL-terminated in buffer; too_long when it does not
    // fit in size bytes (the caller goes on to the one after, if it wants).
    Next next(char* buffer, std::size_t size) noexcept;

private:
    const char* program_;
    std::size_t program_length_;
    const char* rest_;  // what is left of PATH; nullptr for a name with '/'
    bool done_ = false;
};

// All of them, for looking a program up outside the child (--from-pm2's node).
std::vector<std::string> program_candidates(const std::string& program, const std::string& path_variable);

// The user (USER[:GROUP], empty: stay), the only capabilities kept and
// no_new_privs into the request; why not, when they cannot be had.
Status settle_privileges(SpawnRequest& request, const std::string& user, const std::optional<std::vector<int>>& capabilities, bool no_new_privs);

// The child's pid, or why it could not be started (the child is reaped then).
Result<pid_t> spawn_program(const SpawnRequest& request, SpawnFailure& failure);

}  // namespace vigil
