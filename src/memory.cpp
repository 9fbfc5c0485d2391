#include "memory.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <fmt/format.h>

#include "node_heap.hpp"
#include "text.hpp"

namespace vigil {
namespace {

std::optional<std::uint64_t> read_working_set(const MemoryCgroup& cgroup) {
    const char* usage_file = cgroup.version == CgroupVersion::v2 ? "memory.current" : "memory.usage_in_bytes";
    const auto usage = read_whole_file(cgroup.directory, usage_file, 1 << 16);
    const auto stat = read_whole_file(cgroup.directory, "memory.stat", 1 << 20);
    if (!usage || !stat) return std::nullopt;
    return working_set(cgroup.version, *usage, *stat);
}

}  // namespace

void Memory::inspect() {
    if (inspected_) return;
    inspected_ = true;
    auto detected = detect_memory_cgroup();
    if (!detected) {
        unknown_because_ = detected.error();
        report_.memory_cgroup_unknown(*unknown_because_);
        return;
    }
    cgroup_ = std::move(*detected);
    oom_kills_at_start_ = read_oom_kill_count(*cgroup_);
    limit_ = read_memory_limit(*cgroup_);
    report_.memory_cgroup(*cgroup_, limit_);
}

void Memory::size_node_heap(ProgramEnvironment& environment) {
    inspect();
    if (!is_node_program(config_.command.front())) {
        report_.node_heap_not_node(config_.command.front());
        return;
    }
    if (const auto given = heap_size_in_arguments(config_.command)) {
        report_.node_heap_already_set(fmt::format("node's command line ({})", *given));
        return;
    }
    const auto node_options = environment.get("NODE_OPTIONS");
    if (node_options && sets_heap_size(*node_options)) {
        report_.node_heap_already_set("NODE_OPTIONS");
        return;
    }
    if (!limit_) {
        report_.node_heap_without_limit(unknown_because_);
        return;
    }
    const auto megabytes = heap_megabytes(*limit_, config_.node_heap_percent);
    environment.set("NODE_OPTIONS", node_options_with_heap(node_options, megabytes));
    report_.node_heap_sized(config_.node_heap_percent, *limit_, megabytes);
}

void Memory::note_exit(pid_t pid, const ProgramEnd& end) {
    if (end.signal != SIGKILL || !cgroup_ || !oom_kills_at_start_) return;
    const auto now_count = read_oom_kill_count(*cgroup_);
    if (!now_count || *now_count <= *oom_kills_at_start_) return;
    // The limit that held when the killer came, which may not be the first.
    limit_ = read_memory_limit(*cgroup_);
    report_.oom_killed(pid, limit_, *now_count - *oom_kills_at_start_);
}

bool Memory::start_watching(Milliseconds now) {
    inspect();
    if (!cgroup_) {
        report_.memory_restart_off(*unknown_because_);
        return false;
    }
    const auto threshold = restart_threshold(config_.memory_restart, limit_);
    if (!threshold) {
        report_.memory_restart_off(fmt::format("the container has no memory limit to take {}% of", percent_text(config_.memory_restart.percent_thousandths)));
        return false;
    }
    const auto current = read_working_set(*cgroup_);
    if (!current) {
        report_.memory_restart_off(fmt::format("cannot read the memory use in {}", cgroup_->directory));
        return false;
    }
    restart_.emplace(*threshold);
    next_sample_ = now;  // the first sample at once
    last_working_set_ = *current;
    last_sample_ = now;
    if (cgroup_->version == CgroupVersion::v2) {
        // Read-only cgroupfs allows this much: poll() wakes when memory.events changes.
        notices_ = Fd(::open((cgroup_->directory + "/memory.events").c_str(), O_RDONLY | O_CLOEXEC));
        char discard[512];
        if (notices_.valid() && ::pread(notices_.get(), discard, sizeof discard, 0) < 0) notices_.reset();
    }
    report_.memory_restart_watching(*threshold, config_.memory_restart.percent_thousandths, limit_, *current, notices_.valid());
    return true;
}

std::optional<Milliseconds> Memory::next_sample() const {
    if (!restart_ || restart_->triggered()) return std::nullopt;
    return next_sample_;
}

bool Memory::sample(Milliseconds now) {
    if (!restart_ || restart_->triggered()) return false;
    if (notices_.valid()) {
        // Reading the file takes the notice, so the next change wakes vigil again.
        char discard[512];
        (void)::pread(notices_.get(), discard, sizeof discard, 0);
    }
    next_sample_ = now + memory_sample_interval;
    const auto current = read_working_set(*cgroup_);
    if (!current) return false;
    follow_limit();
    if (restart_->observe(*current)) {
        notices_.reset();
        report_.memory_restart(*current, restart_->threshold(), limit_);
        return true;
    }
    next_sample_ = now + next_sample_delay(last_working_set_, *current, now - last_sample_, restart_->threshold());
    last_working_set_ = *current;
    last_sample_ = now;
    return false;
}

void Memory::follow_limit() {
    const auto limit = read_memory_limit(*cgroup_);
    if (limit == limit_) return;
    const auto was = limit_;
    limit_ = limit;
    // A percentage follows the limit; a size, or a limit now gone, keeps the threshold it had.
    if (const auto threshold = restart_threshold(config_.memory_restart, limit_)) restart_->move_threshold(*threshold);
    report_.memory_limit_changed(was, limit_, restart_->threshold(), config_.memory_restart.percent_thousandths);
}

}  // namespace vigil
