#include "termination.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "fd.hpp"
#include "signals.hpp"
#include "text.hpp"

namespace vigil {

std::string termination_summary(const Ending& ending) {
    std::string text = fmt::format("vigil: exit code {}: program ended with {}", ending.exit_code, ending.program_status);
    if (ending.memory_restart_usage) {
        text += fmt::format("; memory restart at a working set of {} (threshold {}{})", format_bytes(*ending.memory_restart_usage),
                            format_bytes(ending.memory_restart_threshold.value_or(0)),
                            ending.memory_limit ? fmt::format(", limit {}", format_bytes(*ending.memory_limit)) : "");
        if (ending.drained) text += fmt::format(", drained in {}", format_duration(*ending.drained));
    } else if (ending.stop_signal) {
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
    if (ending.unreaped > 0) text += fmt::format("; {} process(es) survived SIGKILL and were left unreaped", ending.unreaped);
    if (ending.oom_killed) {
        text += ending.memory_limit ? fmt::format("; killed by the kernel's OOM killer (memory limit {})", format_bytes(*ending.memory_limit))
                                    : std::string("; killed by the kernel's OOM killer");
    }
    if (ending.dropped_log_lines > 0)
        text += fmt::format("; {} log line(s) dropped: stderr was not being read", ending.dropped_log_lines);
    if (text.size() > termination_message_limit - 1) text.resize(termination_message_limit - 1);
    return text + "\n";
}

Result<TerminationLog> TerminationLog::open(const std::string& path, bool create) {
    // O_NONBLOCK: opening a FIFO that has no reader fails at once instead of waiting.
    const int flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0);
    Fd fd(::open(path.c_str(), flags, 0644));
    if (!fd.valid()) {
        if (errno == ELOOP) return Error{fmt::format("refusing {}: it is a symbolic link", path)};
        if (errno == ENXIO) return Error{fmt::format("refusing {}: it is not a regular file", path)};
        return Error{fmt::format("cannot open {}: {}", path, std::strerror(errno))};
    }
    struct stat about {};
    if (::fstat(fd.get(), &about) != 0) return Error{fmt::format("cannot inspect {}: {}", path, std::strerror(errno))};
    if (!S_ISREG(about.st_mode)) return Error{fmt::format("refusing {}: it is not a regular file", path)};
    TerminationLog log;
    log.fd_ = std::move(fd);
    log.path_ = path;
    return log;
}

Status TerminationLog::write(const std::string& text) const {
    if (!fd_.valid()) return success();
    if (::ftruncate(fd_.get(), 0) != 0) return Error{fmt::format("cannot write {}: {}", path_, std::strerror(errno))};
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t done = ::pwrite(fd_.get(), text.data() + written, text.size() - written, static_cast<off_t>(written));
        if (done < 0 && errno == EINTR) continue;
        if (done <= 0) return Error{fmt::format("cannot write {}: {}", path_, std::strerror(errno))};
        written += static_cast<std::size_t>(done);
    }
    return success();
}

}  // namespace vigil
