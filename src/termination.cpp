#include "termination.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "cgroup.hpp"
#include "fd.hpp"
#include "signals.hpp"

namespace vigil {

std::string termination_summary(const Ending& ending) {
    std::string text = fmt::format("vigil: exit code {}: program ended with {}", ending.exit_code, ending.program_status);
    if (ending.stop_signal) {
        text += fmt::format("; stopped by {}", signal_name(*ending.stop_signal));
        if (ending.drained) text += fmt::format(", drained in {}", format_duration(*ending.drained));
    } else {
        text += "; no stop signal";
    }
    if (ending.left_behind > 0) text += fmt::format("; {} process(es) left behind", ending.left_behind);
    if (ending.deadline_reached) {
        text += ending.killed ? fmt::format("; drain deadline reached, {} process(es) killed", *ending.killed)
                              : std::string("; drain deadline reached, processes killed");
    } else {
        text += "; deadline not reached";
    }
    if (ending.oom_killed) {
        text += ending.memory_limit ? fmt::format("; killed by the kernel's OOM killer (memory limit {})", format_bytes(*ending.memory_limit))
                                    : std::string("; killed by the kernel's OOM killer");
    }
    if (text.size() > termination_message_limit - 1) text.resize(termination_message_limit - 1);
    return text + "\n";
}

Status write_termination_message(const std::string& path, const std::string& text, bool create) {
    const int flags = O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0);
    Fd fd(::open(path.c_str(), flags, 0644));
    if (!fd.valid()) return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t done = ::write(fd.get(), text.data() + written, text.size() - written);
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return Error{fmt::format("cannot write {}: {}", path, std::strerror(errno))};
        written += static_cast<std::size_t>(done);
    }
    return success();
}

}  // namespace vigil
