// The container's memory as vigil sees it, one piece the event loop asks:
// the memory cgroup, its limit and OOM-kill counter, Node's heap sized from
// the limit (--node-heap), and the watch behind --memory-restart (the
// working set and the limit sampled while it is on, more often as the
// threshold nears, and on cgroup v2 the kernel's notice that memory.events
// changed: the limit was hit and reclaim began). With --memory-restart off
// it never wakes vigil. The words are the report's.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "cgroup.hpp"
#include "duration.hpp"
#include "fd.hpp"
#include "memory_restart.hpp"
#include "options.hpp"
#include "program_environment.hpp"
#include "report.hpp"

namespace vigil {

class Memory {
public:
    Memory(const Config& config, Report& report) : config_(config), report_(report) {}

    // The cgroup and the OOM-kill baseline (once; later calls do nothing).
    // The program may be OOM-killed from its start, so the event loop does
    // this as soon as the program runs; --node-heap, before it starts.
    void inspect();
    // NODE_OPTIONS for --node-heap, from the limit (inspects first).
    void size_node_heap(ProgramEnvironment& environment);
    // The program died: by the OOM killer?
    void note_exit(pid_t pid, const ProgramEnd& end);

    // --memory-restart: from now on, sample; false when it cannot (said why).
    bool start_watching(Milliseconds now);
    // When the next sample is due; nullopt while not watching.
    std::optional<Milliseconds> next_sample() const;
    // The descriptor whose POLLPRI says memory.events changed (cgroup v2), or -1.
    int notice_descriptor() const { return notices_.get(); }
    // Reads the working set (and the limit, which may have changed: a pod
    // resized in place, `docker update -m`); true once, when it reached the
    // threshold. A notice on the descriptor is taken (read) here as well.
    bool sample(Milliseconds now);

private:
    const Config& config_;
    Report& report_;
    bool inspected_ = false;
    std::optional<MemoryCgroup> cgroup_;
    std::optional<std::string> unknown_because_;
    // The smallest memory limit up to the mount.
    std::optional<std::uint64_t> limit_;
    std::optional<std::uint64_t> oom_kills_at_start_;
    // A new limit moves a percentage's threshold; it is said once.
    void follow_limit();

    std::optional<MemoryRestartDecision> restart_;
    Milliseconds next_sample_{0};
    // The last read, for the growth rate that schedules the next.
    std::uint64_t last_working_set_ = 0;
    Milliseconds last_sample_{0};
    Fd notices_;
};

}  // namespace vigil
