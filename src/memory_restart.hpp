// --memory-restart: when the container's memory in use crosses a threshold,
// vigil starts the shutdown a SIGTERM would (drain, then exit), so the
// orchestrator restarts the container before the kernel's OOM killer kills
// anything. "In use" is the working set as the kubelet computes it: usage
// minus inactive file pages, so page cache alone never triggers it. Pure:
// parsing, the working set from cgroup files, the threshold and the
// one-shot decision.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cgroup_version.hpp"
#include "duration.hpp"
#include "result.hpp"

namespace vigil {

// A percentage of the memory limit (more than 0, less than 100, to three
// decimals, in thousandths: 85.5 % is 85500) or a size in bytes.
struct MemoryRestartSetting {
    std::uint32_t percent_thousandths = 0;
    std::uint64_t bytes = 0;
    bool enabled() const { return percent_thousandths != 0 || bytes != 0; }
};

// 85500 -> "85.5", 85000 -> "85".
std::string percent_text(std::uint32_t thousandths);

// A bare number is always a percentage of the limit: "85", "85.5", "1.5", "99.125",
// "85%"; a size always has its unit: "500M", "1G", "1.5G", "512MiB",
// "300000K", "268435456B" (K, M, G are powers of 1024, as in PM2's
// max_memory_restart).
Result<MemoryRestartSetting> parse_memory_restart(std::string_view text);

// Sizes as people write them, with their unit: "512M", "1G", "1.5G", "64MiB", "1000B".
Result<std::uint64_t> parse_memory_size(std::string_view text);

// usage minus inactive_file (v2: memory.current and memory.stat's inactive_file;
// v1: memory.usage_in_bytes and memory.stat's total_inactive_file); nullopt
// when either file is unreadable or malformed.
std::optional<std::uint64_t> working_set(CgroupVersion version, std::string_view usage, std::string_view stat);

// The working set at which to restart; nullopt when a percentage has no limit to apply to.
std::optional<std::uint64_t> restart_threshold(const MemoryRestartSetting& setting, std::optional<std::uint64_t> limit);

// How often the working set is read: once a second far below the threshold,
// which costs an idle vigil one wake-up a second; sooner as it nears. At the
// growth rate seen between the last two reads the threshold would be
// crossed in T: the next read comes after T/2. And whatever the rate, with a
// share S of the threshold still to go, no later than 2 s x S (memory grows
// in steps: two close reads may see no growth). Never sooner than the
// floor. So a leak is read ever more often as it closes in, and the drain
// starts within a few milliseconds of the crossing, while there is room left.
inline constexpr Milliseconds memory_sample_interval{1000};
inline constexpr Milliseconds memory_sample_floor{5};
Milliseconds next_sample_delay(std::uint64_t previous, std::uint64_t current, Milliseconds elapsed, std::uint64_t threshold);

// The decision: a restart once, the first time the working set reaches the
// threshold; never again after that (the shutdown is under way). The
// threshold moves when the memory limit it is a share of changes.
class MemoryRestartDecision {
public:
    explicit MemoryRestartDecision(std::uint64_t threshold) : threshold_(threshold) {}
    bool observe(std::uint64_t working_set);
    bool triggered() const { return triggered_; }
    std::uint64_t threshold() const { return threshold_; }
    void move_threshold(std::uint64_t threshold) { threshold_ = threshold; }

private:
    std::uint64_t threshold_;
    bool triggered_ = false;
};

}  // namespace vigil
