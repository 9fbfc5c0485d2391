// What vigil reads from /proc and cgroup files: input is
// "CGROUP \x01 MOUNTINFO \x01 LIMIT \x01 EVENTS \x01 STAT".
#include "cgroup.hpp"
#include "fuzz.hpp"
#include "reachable_processes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = fuzz::split(fuzz::as_text(data, size), '\x01');
    auto part = [&](std::size_t index) { return index < parts.size() ? parts[index] : std::string_view{}; };
    const auto cgroup = vigil::locate_memory_cgroup(part(0), part(1));
    if (cgroup) fuzz::require(cgroup->directory.rfind(cgroup->mount_point, 0) == 0);
    const auto limit = vigil::parse_memory_limit(part(2));
    if (limit) fuzz::require(*limit < (std::uint64_t{1} << 62));
    (void)vigil::parse_oom_kill_count(part(3));
    const auto entry = vigil::parse_proc_stat(part(4));
    if (entry) fuzz::require(entry->pid > 0 && entry->parent >= 0);
    std::vector<vigil::ProcessEntry> table;
    if (entry) table.push_back(*entry);
    (void)vigil::live_descendants(1, table);
    return 0;
}
