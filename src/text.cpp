#include "text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "fd.hpp"

namespace vigil {

std::optional<std::string> read_whole_file(const std::string& path, std::size_t limit) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return std::nullopt;
    std::string text;
    char buffer[8192];
    while (true) {
        const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::nullopt;
        if (got == 0) return text;
        text.append(buffer, static_cast<std::size_t>(got));
        if (text.size() > limit) {
            errno = EFBIG;
            return std::nullopt;
        }
    }
}

}  // namespace vigil
