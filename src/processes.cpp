#include "processes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <string>

#include "fd.hpp"

namespace vigil {

std::optional<ProcessEntry> parse_proc_stat(std::string_view text) {
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so
    // the state follows the last ')'.
    const auto open = text.find(" (");
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    ProcessEntry entry{};
    auto [pid_end, pid_error] = std::from_chars(text.data(), text.data() + open, entry.pid);
    if (pid_error != std::errc{} || pid_end != text.data() + open || entry.pid <= 0) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (rest.size() < 5 || rest[0] != ' ' || rest[2] != ' ') return std::nullopt;
    entry.state = rest[1];
    rest.remove_prefix(3);
    auto [parent_end, parent_error] = std::from_chars(rest.data(), rest.data() + rest.size(), entry.parent);
    if (parent_error != std::errc{} || parent_end == rest.data() || entry.parent < 0) return std::nullopt;
    return entry;
}

std::vector<pid_t> live_descendants(pid_t root, const std::vector<ProcessEntry>& table) {
    std::vector<pid_t> found;
    std::vector<pid_t> frontier{root};
    // Breadth-first over parent links; the table is small and this runs only at shutdown.
    while (!frontier.empty()) {
        std::vector<pid_t> next;
        for (const auto& entry : table) {
            for (pid_t parent : frontier) {
                if (entry.parent == parent && entry.pid != root) {
                    next.push_back(entry.pid);
                    if (entry.state != 'Z' && entry.state != 'X') found.push_back(entry.pid);
                }
            }
        }
        frontier = std::move(next);
    }
    return found;
}

std::optional<std::vector<ProcessEntry>> read_process_table() {
    const int dir_fd = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return std::nullopt;
    DIR* dir = ::fdopendir(dir_fd);
    if (dir == nullptr) {
        ::close(dir_fd);
        return std::nullopt;
    }
    std::vector<ProcessEntry> table;
    bool saw_self = false;
    while (const dirent* item = ::readdir(dir)) {
        const std::string_view name = item->d_name;
        if (name == "self") saw_self = true;
        if (name.empty() || name[0] < '0' || name[0] > '9') continue;
        const std::string path = "/proc/" + std::string(name) + "/stat";
        Fd stat_fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!stat_fd.valid()) continue;  // gone since readdir
        char buffer[512];
        ssize_t got = 0;
        do {
            got = ::read(stat_fd.get(), buffer, sizeof buffer);
        } while (got < 0 && errno == EINTR);
        if (got <= 0) continue;
        if (auto entry = parse_proc_stat(std::string_view(buffer, static_cast<std::size_t>(got)))) table.push_back(*entry);
    }
    ::closedir(dir);
    if (!saw_self && table.empty()) return std::nullopt;  // not a procfs
    return table;
}

bool proc_matches_namespace() {
    char target[32];
    const ssize_t length = ::readlink("/proc/self", target, sizeof target - 1);
    if (length <= 0) return false;
    pid_t shown = 0;
    auto [end, error] = std::from_chars(target, target + length, shown);
    return error == std::errc{} && end == target + length && shown == ::getpid();
}

std::optional<int> signal_everything(int signal, bool pid_one, pid_t fallback_group) {
    const pid_t self = ::getpid();
    std::optional<std::vector<ProcessEntry>> table;
    if (!pid_one || proc_matches_namespace()) table = read_process_table();

    if (pid_one) {
        // kill(-1) reaches every process in the namespace but vigil; /proc only counts them.
        std::optional<int> count;
        if (table) {
            count = 0;
            for (const auto& entry : *table) *count += entry.pid != self && entry.state != 'Z' && entry.state != 'X';
        }
        ::kill(-1, signal);
        return count;
    }
    if (!table) {
        ::kill(-fallback_group, signal);
        return std::nullopt;
    }
    const auto targets = live_descendants(self, *table);
    for (pid_t pid : targets) ::kill(pid, signal);
    return static_cast<int>(targets.size());
}

}  // namespace vigil
