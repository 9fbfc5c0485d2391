#include "reachable_processes.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <string>

#include "fd.hpp"
#include "text.hpp"

namespace vigil {

std::optional<ProcessEntry> parse_proc_stat(std::string_view text) {
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so
    // the state follows the last ')'.
    const auto open = text.find(" (");
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    ProcessEntry entry{};
    const auto pid = whole_number<pid_t>(text.substr(0, open));
    if (!pid || *pid <= 0) return std::nullopt;
    entry.pid = *pid;
    std::string_view rest = text.substr(close + 1);
    if (rest.size() < 5 || rest[0] != ' ' || rest[2] != ' ') return std::nullopt;
    entry.state = rest[1];
    rest.remove_prefix(3);
    auto [parent_end, parent_error] = std::from_chars(rest.data(), rest.data() + rest.size(), entry.parent);
    if (parent_error != std::errc{} || parent_end == rest.data() || entry.parent < 0) return std::nullopt;
    return entry;
}

std::vector<ProcessEntry> descendants_of(pid_t root, const std::vector<ProcessEntry>& table) {
    std::vector<ProcessEntry> found;
    std::vector<pid_t> frontier{root};
    // Breadth-first over parent links; the table is small and this runs only at shutdown.
    while (!frontier.empty()) {
        std::vector<pid_t> next;
        for (const auto& entry : table) {
            if (entry.pid == root || std::find(frontier.begin(), frontier.end(), entry.parent) == frontier.end()) continue;
            found.push_back(entry);
            next.push_back(entry.pid);
        }
        frontier = std::move(next);
    }
    return found;
}

std::vector<pid_t> live_descendants(pid_t root, const std::vector<ProcessEntry>& table) {
    std::vector<pid_t> found;
    for (const auto& entry : descendants_of(root, table)) {
        if (entry.state != 'Z' && entry.state != 'X') found.push_back(entry.pid);
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

ProcView inspect_proc() {
    struct statfs about {};
    if (::statfs("/proc", &about) != 0 || about.f_type != PROC_SUPER_MAGIC) return ProcView::unreadable;
    char target[32];
    const ssize_t length = ::readlink("/proc/self", target, sizeof target - 1);
    // A procfs where vigil cannot see itself, or sees another number, is another namespace's.
    if (length <= 0) return ProcView::foreign;
    const auto shown = whole_number<pid_t>(std::string_view(target, static_cast<std::size_t>(length)));
    return shown == ::getpid() ? ProcView::own : ProcView::foreign;
}

std::optional<std::vector<ProcessEntry>> reachable_processes(bool pid_one) {
    if (inspect_proc() != ProcView::own) return std::nullopt;
    auto table = read_process_table();
    if (!table) return std::nullopt;
    const pid_t self = ::getpid();
    if (pid_one) {
        std::vector<ProcessEntry> reachable;
        for (const auto& entry : *table) {
            if (entry.pid != self) reachable.push_back(entry);
        }
        return reachable;
    }
    return descendants_of(self, *table);
}

SignalReach signal_everything(std::initializer_list<int> signals, bool pid_one, pid_t program, bool program_alive) {
    const ProcView seen = inspect_proc();
    const auto processes = seen == ProcView::own ? reachable_processes(pid_one) : std::nullopt;
    const ProcView view = processes ? ProcView::own : seen == ProcView::own ? ProcView::unreadable : seen;
    std::optional<int> count;
    if (processes) {
        count = 0;
        for (const auto& entry : *processes) *count += entry.state != 'Z' && entry.state != 'X';
    }
    for (const int signal : signals) {
        if (pid_one) {
            ::kill(-1, signal);
        } else if (!processes) {
            ::kill(-program, signal);
            // The program may have left its own process group (setsid): still reach it.
            if (program_alive) ::kill(program, signal);
        } else {
            for (const auto& entry : *processes) {
                if (entry.state != 'Z' && entry.state != 'X') ::kill(entry.pid, signal);
            }
        }
    }
    return {count, view};
}

}  // namespace vigil
