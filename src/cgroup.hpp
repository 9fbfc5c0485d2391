// The container's memory cgroup, for cgroup v1, v2 and hybrid layouts: where
// it is (from /proc/self/cgroup and /proc/self/mountinfo), its memory limit
// and its OOM-kill counter. The parsers are pure; the rest only reads files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

#include "cgroup_version.hpp"
#include "result.hpp"

namespace vigil {

// One line of /proc/self/mountinfo, its fields still as written (escaped).
struct MountLine {
    std::string_view root;
    std::string_view mount_point;
    std::string_view fstype;
    std::string_view super_options;
};

// nullopt for a line without the "-" separator and the three fields after it.
std::optional<MountLine> parse_mount(std::string_view line);
// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(std::string_view text);
// Whether a comma-separated list (super options, a cgroup line's controllers) holds wanted.
bool has_option(std::string_view options, std::string_view wanted);

struct MemoryCgroup {
    CgroupVersion version;
    std::string directory;    // the process's own memory cgroup; empty while unresolved (below)
    std::string mount_point;  // where its hierarchy is mounted (the walk up stops here)
    // A cgroup namespace whose root lies below the mount's root (unshare
    // --cgroup without mounting cgroupfs again: mountinfo shows the mount's
    // root as "/.." or "/../.."): the directory is namespace_depth levels
    // below the mount point, at names nothing shows, then `relative` (the
    // path in /proc/self/cgroup). 0: directory is known.
    int namespace_depth = 0;
    std::string relative;
};

// A v1 hierarchy carrying the memory controller wins over the unified one
// (the controller can only be on one); nullopt when neither is mounted.
std::optional<MemoryCgroup> locate_memory_cgroup(std::string_view proc_self_cgroup, std::string_view mountinfo);

// memory.max (v2) or memory.limit_in_bytes (v1): bytes, nullopt for unlimited or unreadable.
std::optional<std::uint64_t> parse_memory_limit(std::string_view text);

// The "oom_kill N" line of memory.events (v2) or memory.oom_control (v1).
std::optional<std::uint64_t> parse_oom_kill_count(std::string_view text);

const char* memory_limit_file(CgroupVersion version);
const char* oom_events_file(CgroupVersion version);

// The directory namespace_depth levels below the mount point whose
// `relative` subdirectory lists pid in its cgroup.procs, looking at no more
// than max_directories directories; nullopt when none does.
std::optional<std::string> find_namespace_root(const MemoryCgroup& cgroup, pid_t pid, std::size_t max_directories);

// Reads /proc/self/cgroup and /proc/self/mountinfo, and finds the directory
// of a cgroup namespace's root when it must be looked for. The error says
// why there is no memory cgroup to read.
Result<MemoryCgroup> detect_memory_cgroup();
// The smallest limit from the cgroup up to its mount point: a parent's limit binds too.
std::optional<std::uint64_t> read_memory_limit(const MemoryCgroup& cgroup);
std::optional<std::uint64_t> read_oom_kill_count(const MemoryCgroup& cgroup);

}  // namespace vigil
