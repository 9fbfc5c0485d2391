// An owned file descriptor, closed when it goes out of scope. vigil opens
// every descriptor close-on-exec, so the program never sees one of them.
// And waiting, until a deadline, for one to be ready.
#pragma once

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "clock.hpp"

namespace vigil {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    int get() const { return fd_; }
    // Gives up ownership (to fdopendir, say): the caller closes it.
    int release() { return std::exchange(fd_, -1); }
    bool valid() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);  // close errors are unrecoverable and harmless here
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// Waits until fd is ready for events (POLLIN, POLLOUT) or deadline passes on
// the monotonic clock: false on the deadline or an error of poll itself.
inline bool wait_ready(int fd, short events, Milliseconds deadline) {
    while (true) {
        const auto left = deadline - monotonic_now();
        if (left.count() <= 0) return false;
        pollfd ready{fd, events, 0};
        const int polled = ::poll(&ready, 1, static_cast<int>(left.count()));
        if (polled > 0) return true;
        if (polled == 0 || errno != EINTR) return false;
    }
}

}  // namespace vigil
