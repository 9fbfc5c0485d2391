// The one clock vigil reads: CLOCK_MONOTONIC in milliseconds, for deadlines
// (the drain, the memory watch, evaluating an ecosystem file, the health
// check), and waiting on one descriptor until such a deadline.
#pragma once

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <cstdint>

#include "duration.hpp"

namespace vigil {

inline Milliseconds monotonic_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return Milliseconds{static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000};
}

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
