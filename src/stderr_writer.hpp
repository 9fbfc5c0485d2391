// vigil's stderr, written without ever waiting. A PID 1 that blocks on its
// own log line (a stalled log collector, a terminal stopped with Ctrl-S)
// stops forwarding, reaping and its deadline, so a line that cannot go out
// at once is dropped instead, and the caller counts it. The descriptors the
// program shares are never changed (no O_NONBLOCK on them): how a line goes
// out without blocking depends on what stderr is.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string_view>

#include "fd.hpp"

namespace vigil {

class StderrWriter {
public:
    // How lines go out, chosen once from what file descriptor 2 is.
    enum class Method {
        plain,       // a regular file, /dev/null, …: writes never wait on a reader
        relay,       // a pipe or FIFO: through a private pipe, spliced with SPLICE_F_NONBLOCK
        socket,      // send() with MSG_DONTWAIT
        reopened,    // a terminal: a new open file description of it, non-blocking
        poll_first,  // a pipe or terminal that cannot be handled above: poll, then write
        closed,      // there is no stderr
    };

    StderrWriter();

    // Writes one whole line (with its newline). False when it was dropped:
    // stderr could not take it at once (nothing, or only part of it, went out).
    bool write_line(std::string_view line);

    Method method() const { return method_; }

private:
    // Writes text with attempt (a write-like call) until all of it is out
    // or an attempt fails; a failure after part of it leaves the line torn.
    bool write_all(std::string_view text, const std::function<ssize_t(const char*, std::size_t)>& attempt);
    bool write_plain(std::string_view text);
    bool write_relayed(std::string_view text);
    bool write_socket(std::string_view text);
    bool write_polled(std::string_view text);
    void empty_relay();

    Method method_ = Method::plain;
    Fd reopened_;
    Fd relay_read_;
    Fd relay_write_;
    // A line went out in part: the next one starts on a fresh line.
    bool torn_ = false;
};

}  // namespace vigil
