// What vigil's start-up spends, item by item, measured in-process with
// vigil's own code where it has it: the median of many repetitions of each
// item, in microseconds. Not a test: it measures, it asserts nothing.
//   vigil-startup-items [REPETITIONS]     (default 2001)
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "cgroup.hpp"
#include "signal_state.hpp"
#include "program_environment.hpp"
#include "spawn.hpp"
#include "text.hpp"

namespace {

long now_ns() {
    timespec clock{};
    ::clock_gettime(CLOCK_MONOTONIC, &clock);
    return clock.tv_sec * 1000000000L + clock.tv_nsec;
}

double median_us(int repetitions, const std::function<void()>& item) {
    std::vector<long> took;
    took.reserve(static_cast<std::size_t>(repetitions));
    for (int i = 0; i < repetitions; ++i) {
        const long began = now_ns();
        item();
        took.push_back(now_ns() - began);
    }
    std::sort(took.begin(), took.end());
    return static_cast<double>(took[took.size() / 2]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 2001;
    const sigset_t handled = vigil::handled_signals();
    int handled_count = 0;
    for (int signal = 1; signal <= 64; ++signal) handled_count += sigismember(&handled, signal) == 1;
    int sink = 0;  // keeps every result used

    std::printf("| start-up item | median |\n|---|---|\n");
    std::printf("| one system call (getppid) | %.1f µs |\n", median_us(repetitions, [&] { sink += ::getppid(); }));
    std::printf("| the ignored signals by %d sigaction queries (where there is no /proc) | %.1f µs |\n", handled_count,
                median_us(repetitions, [&] {
                    const sigset_t ignored = vigil::ignored_signals_by_query(handled);
                    sink += sigismember(&ignored, SIGPIPE);
                }));
    std::printf("| the ignored signals by one read of /proc/self/status (at start before; now when a signal arrives) | %.1f µs |\n",
                median_us(repetitions, [&] { sink += vigil::ignored_signals_from_proc().has_value(); }));
    // libcap's constructor probes the bounding set with PR_CAPBSET_READ
    // (6 calls in strace of vigil's start); vigil links libcap for --caps.
    std::printf("| libcap's constructor: 6 PR_CAPBSET_READ probes | %.1f µs |\n", median_us(repetitions, [&] {
                    for (int capability = 40; capability < 46; ++capability) sink += ::prctl(PR_CAPBSET_READ, capability);
                }));
    // What vigil reads of its memory cgroup once the program runs
    // (Memory::inspect, from the event loop; never for a program that exited
    // before vigil got to it): where the cgroup is, and its OOM-kill count.
    // The limit (each level up to the mount) is read only when something
    // needs it. tini, dumb-init and catatonit read none of it.
    std::printf("| the memory cgroup found at the usual mount: /proc/self/cgroup, the mount checked, its root by statmount (vigil now; cgroup.procs before Linux 6.8) | %.1f µs |\n",
                median_us(repetitions, [&] { sink += vigil::detect_memory_cgroup() ? 1 : 0; }));
    std::printf("| the memory cgroup found through /proc/self/cgroup and /proc/self/mountinfo (vigil before; now where the usual mount is not it) | %.1f µs |\n",
                median_us(repetitions, [&] {
                    const auto own = vigil::read_whole_file("/proc/self/cgroup", 1 << 20);
                    const auto mounts = vigil::read_whole_file("/proc/self/mountinfo", 4 << 20);
                    sink += own && mounts && vigil::locate_memory_cgroup(*own, *mounts) ? 1 : 0;
                }));
    if (const auto cgroup = vigil::detect_memory_cgroup()) {
        std::printf("| its OOM-kill count read (once the program runs) | %.1f µs |\n",
                    median_us(repetitions, [&] { sink += vigil::read_oom_kill_count(*cgroup).has_value(); }));
        std::printf("| its memory limit read, every level up to the mount (only when needed) | %.1f µs |\n",
                    median_us(repetitions, [&] { sink += vigil::read_memory_limit(*cgroup).has_value(); }));
    }
    // spawn_program returns once the child has exec'd (CLONE_VFORK): the
    // part of a start that vigil waits for, against the whole run.
    const std::vector<std::string> command{"/bin/true"};
    vigil::SpawnRequest request;
    request.command = command;
    vigil::ProgramEnvironment environment;
    request.environment = environment.for_exec();
    sigemptyset(&request.signals.blocked);
    sigemptyset(&request.signals.ignored);
    const int spawns = std::max(1, repetitions / 10);
    std::vector<long> until_exec;
    std::vector<long> until_exit;
    for (int i = 0; i < spawns; ++i) {
        vigil::SpawnFailure failure{};
        const long began = now_ns();
        const auto pid = vigil::spawn_program(request, failure);
        until_exec.push_back(now_ns() - began);
        if (!pid) return 1;
        int status = 0;
        ::waitpid(*pid, &status, 0);
        until_exit.push_back(now_ns() - began);
    }
    std::sort(until_exec.begin(), until_exec.end());
    std::sort(until_exit.begin(), until_exit.end());
    std::printf("| spawn of /bin/true until its exec succeeded (vigil waits) | %.1f µs |\n",
                static_cast<double>(until_exec[until_exec.size() / 2]) / 1000.0);
    std::printf("| spawn of /bin/true until it exited | %.1f µs |\n", static_cast<double>(until_exit[until_exit.size() / 2]) / 1000.0);
    return sink == -1 ? 1 : 0;
}
