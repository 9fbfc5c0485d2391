#include "stderr_writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <functional>
#include <string>

namespace vigil {

StderrWriter::StderrWriter() {
    struct stat about {};
    if (::fstat(STDERR_FILENO, &about) != 0) {
        method_ = Method::closed;
        return;
    }
    if (S_ISFIFO(about.st_mode)) {
        // Moving a line from a pipe of vigil's own into stderr with
        // SPLICE_F_NONBLOCK cannot wait, whatever stderr's own flags are.
        int relay[2];
        if (::pipe2(relay, O_CLOEXEC | O_NONBLOCK) == 0) {
            relay_read_ = Fd(relay[0]);
            relay_write_ = Fd(relay[1]);
            method_ = Method::relay;
        } else {
            method_ = Method::poll_first;  // no descriptor to spare
        }
    } else if (S_ISSOCK(about.st_mode)) {
        method_ = Method::socket;
    } else if (S_ISCHR(about.st_mode) && ::isatty(STDERR_FILENO) == 1) {
        // A new open file description of the same terminal: O_NONBLOCK on it
        // leaves the program's descriptors as they are.
        const std::string self = "/proc/self/fd/" + std::to_string(STDERR_FILENO);
        reopened_ = Fd(::open(self.c_str(), O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
        method_ = reopened_.valid() ? Method::reopened : Method::poll_first;
    }
}

bool StderrWriter::write_line(std::string_view line) {
    std::string after_torn;
    std::string_view text = line;
    if (torn_) {
        after_torn.reserve(line.size() + 1);
        after_torn = "\n";
        after_torn += line;
        text = after_torn;
    }
    bool written = false;
    switch (method_) {
        case Method::plain: written = write_plain(text); break;
        case Method::relay: written = write_relayed(text); break;
        case Method::socket: written = write_socket(text); break;
        case Method::reopened: written = write_plain(text); break;
        case Method::poll_first: written = write_polled(text); break;
        case Method::closed: return false;
    }
    if (written) torn_ = false;
    return written;
}

bool StderrWriter::write_all(std::string_view text, const std::function<ssize_t(const char*, std::size_t)>& attempt) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t wrote = attempt(text.data() + done, text.size() - done);
        if (wrote > 0) {
            done += static_cast<std::size_t>(wrote);
            continue;
        }
        if (wrote < 0 && errno == EINTR) continue;
        // Nobody will ever read it again.
        if (wrote < 0 && (errno == EPIPE || errno == ECONNRESET)) method_ = Method::closed;
        torn_ = torn_ || done > 0;
        return false;
    }
    return true;
}

bool StderrWriter::write_plain(std::string_view text) {
    const int fd = method_ == Method::reopened ? reopened_.get() : STDERR_FILENO;
    return write_all(text, [fd](const char* data, std::size_t size) { return ::write(fd, data, size); });
}

void StderrWriter::empty_relay() {
    char discard[4096];
    while (::read(relay_read_.get(), discard, sizeof discard) > 0) {
    }
}

bool StderrWriter::write_relayed(std::string_view text) {
    const ssize_t queued = ::write(relay_write_.get(), text.data(), text.size());
    if (queued != static_cast<ssize_t>(text.size())) {
        empty_relay();
        return false;  // longer than the relay holds
    }
    std::size_t moved = 0;
    while (moved < text.size()) {
        const ssize_t spliced = ::splice(relay_read_.get(), nullptr, STDERR_FILENO, nullptr, text.size() - moved, SPLICE_F_NONBLOCK);
        if (spliced > 0) {
            moved += static_cast<std::size_t>(spliced);
            continue;
        }
        if (spliced < 0 && errno == EINTR) continue;
        const int error = spliced < 0 ? errno : EAGAIN;
        empty_relay();
        if (moved == 0 && (error == EINVAL || error == ENOSYS || error == EPERM)) {
            // splice is refused here (a seccomp profile, an unusual pipe): poll first instead.
            method_ = Method::poll_first;
            return write_polled(text);
        }
        if (error == EPIPE) method_ = Method::closed;
        torn_ = torn_ || moved > 0;
        return false;
    }
    return true;
}

bool StderrWriter::write_socket(std::string_view text) {
    return write_all(text, [this](const char* data, std::size_t size) { return ::send(STDERR_FILENO, data, size, MSG_DONTWAIT | MSG_NOSIGNAL); });
}

bool StderrWriter::write_polled(std::string_view text) {
    // Writable means room for at least PIPE_BUF bytes in a pipe, so each
    // chunk of that size goes out at once. Only the program writing to the
    // same pipe between the poll and the write could still make it wait.
    return write_all(text, [this](const char* data, std::size_t size) -> ssize_t {
        pollfd ready{STDERR_FILENO, POLLOUT, 0};
        if (::poll(&ready, 1, 0) != 1 || (ready.revents & POLLOUT) == 0) {
            errno = (ready.revents & POLLERR) != 0 ? EPIPE : EAGAIN;
            return -1;
        }
        return ::write(STDERR_FILENO, data, std::min<std::size_t>(size, PIPE_BUF));
    });
}

}  // namespace vigil
