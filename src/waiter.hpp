// The one place vigil sleeps: until a signal it handles arrives, a watched
// descriptor has an event, or the timeout passes, in one system call, with
// no timeout unless one is asked for (so no wake-up while idle). With no
// descriptor to watch it is sigtimedwait, and vigil holds no descriptor for
// it at all; once one is watched (the cgroup v2 memory.events notice, the
// program's Node IPC channel) it is signalfd and ppoll.
#pragma once

#include <sys/types.h>

#include <array>
#include <csignal>
#include <optional>

#include "duration.hpp"
#include "fd.hpp"
#include "result.hpp"

namespace vigil {

struct Wakeup {
    enum class Kind { signal, descriptor, timeout, interrupted };
    Kind kind = Kind::timeout;
    int signal = 0;       // Kind::signal: what arrived, and from where
    int code = 0;         // si_code
    pid_t sender = 0;     // si_pid
    int error = 0;        // Kind::interrupted: errno, when it is not EINTR
    int fd = -1;          // Kind::descriptor: which one
};

class Waiter {
public:
    explicit Waiter(const sigset_t& handled) : handled_(handled) {}

    // Wakes for events on fd too (POLLPRI and POLLIN): vigil moves to
    // signalfd and ppoll. Two descriptors at most.
    Status watch(int fd);
    void unwatch(int fd);

    Wakeup wait(std::optional<Milliseconds> timeout);

private:
    sigset_t handled_;
    Fd signals_;
    std::array<int, 2> watched_{-1, -1};
};

}  // namespace vigil
