#include "waiter.hpp"

#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vigil {
namespace {

timespec to_timespec(Milliseconds duration) {
    const auto milliseconds = std::max<std::int64_t>(0, duration.count());
    return timespec{static_cast<time_t>(milliseconds / 1000), static_cast<long>(milliseconds % 1000) * 1'000'000};
}

Wakeup signal_wakeup(int signal, int code, pid_t sender) {
    Wakeup wakeup;
    wakeup.kind = Wakeup::Kind::signal;
    wakeup.signal = signal;
    wakeup.code = code;
    wakeup.sender = sender;
    return wakeup;
}

}  // namespace

Status Waiter::watch(int fd) {
    if (!signals_.valid()) {
        // The handled signals stay blocked: signalfd reads them instead of sigtimedwait.
        signals_ = Fd(::signalfd(-1, &handled_, SFD_CLOEXEC | SFD_NONBLOCK));
        if (!signals_.valid()) return Error{std::string("signalfd: ") + std::strerror(errno)};
    }
    for (auto& slot : watched_) {
        if (slot < 0 || slot == fd) {
            slot = fd;
            return success();
        }
    }
    return Error{"no room to watch another descriptor"};
}

void Waiter::unwatch(int fd) {
    for (auto& slot : watched_) {
        if (slot == fd) slot = -1;
    }
}

Wakeup Waiter::wait(std::optional<Milliseconds> timeout) {
    timespec limit{};
    if (timeout) limit = to_timespec(*timeout);
    Wakeup wakeup;
    if (watched_[0] < 0 && watched_[1] < 0) {
        siginfo_t info{};
        const int signal = ::sigtimedwait(&handled_, &info, timeout ? &limit : nullptr);
        if (signal > 0) return signal_wakeup(signal, info.si_code, info.si_pid);
        wakeup.kind = errno == EAGAIN ? Wakeup::Kind::timeout : Wakeup::Kind::interrupted;
        wakeup.error = errno == EAGAIN || errno == EINTR ? 0 : errno;
        return wakeup;
    }
    // A slot of -1 is skipped by ppoll.
    pollfd watched[3] = {{signals_.get(), POLLIN, 0}, {watched_[0], POLLPRI | POLLIN, 0}, {watched_[1], POLLPRI | POLLIN, 0}};
    const int ready = ::ppoll(watched, 3, timeout ? &limit : nullptr, nullptr);
    if (ready < 0) {
        wakeup.kind = Wakeup::Kind::interrupted;
        wakeup.error = errno == EINTR ? 0 : errno;
        return wakeup;
    }
    if (ready == 0) return wakeup;
    // Signals first: a child's exit must not wait behind a memory notice.
    if ((watched[0].revents & POLLIN) != 0) {
        signalfd_siginfo info{};
        if (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
            return signal_wakeup(static_cast<int>(info.ssi_signo), info.ssi_code, static_cast<pid_t>(info.ssi_pid));
    }
    for (int index = 1; index <= 2; ++index) {
        if (watched[index].fd >= 0 && watched[index].revents != 0) {
            wakeup.kind = Wakeup::Kind::descriptor;
            wakeup.fd = watched[index].fd;
            return wakeup;
        }
    }
    wakeup.kind = Wakeup::Kind::interrupted;
    return wakeup;
}

}  // namespace vigil
