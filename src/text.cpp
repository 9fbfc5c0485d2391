#include "text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "fd.hpp"

namespace vigil {

namespace {

std::optional<std::string> read_all(const Fd& fd, std::size_t limit) {
    if (!fd.valid()) return std::nullopt;
    // Read straight into the string: no buffer on the stack, whose pages
    // would stay resident in PID 1 for good after one read. It starts at
    // 4096 bytes, beyond the 1,032 that glibc's per-thread cache keeps once
    // freed (never merged or trimmed): freed, it goes back to the heap.
    std::string text;
    std::size_t used = 0;
    while (true) {
        if (text.size() - used < 512) text.resize(text.size() < 4096 ? 4096 : text.size() * 2);
        const ssize_t got = ::read(fd.get(), text.data() + used, text.size() - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::nullopt;
        if (got == 0) {
            text.resize(used);
            return text;
        }
        used += static_cast<std::size_t>(got);
        if (used > limit) {
            errno = EFBIG;
            return std::nullopt;
        }
    }
}

}  // namespace

std::optional<std::string> read_whole_file(const char* path, std::size_t limit) { return read_all(Fd(::open(path, O_RDONLY | O_CLOEXEC)), limit); }

std::string join_path(std::string_view directory, std::string_view name) {
    std::string path;
    path.reserve(directory.size() + 1 + name.size());
    path.append(directory).append(1, '/').append(name);
    return path;
}

std::optional<std::string> read_whole_file(std::string_view directory, std::string_view name, std::size_t limit) {
    fmt::basic_memory_buffer<char, 256> path;
    path.append(directory);
    path.push_back('/');
    path.append(name);
    path.push_back('\0');
    return read_whole_file(path.data(), limit);
}

std::optional<std::string> read_whole_file_at(int directory, std::string_view relative, std::string_view name, std::size_t limit) {
    fmt::basic_memory_buffer<char, 256> path;
    path.append(relative);
    if (!relative.empty()) path.push_back('/');
    path.append(name);
    path.push_back('\0');
    return read_all(Fd(::openat(directory, path.data(), O_RDONLY | O_CLOEXEC)), limit);
}

}  // namespace vigil
