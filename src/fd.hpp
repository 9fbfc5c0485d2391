// An owned file descriptor, closed when it goes out of scope. vigil opens
// every descriptor close-on-exec, so the program never sees one of them.
#pragma once

#include <unistd.h>

#include <utility>

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

}  // namespace vigil
