#include <catch2/catch.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "text.hpp"

namespace {
struct ScratchFile {
    std::string path;
    explicit ScratchFile(const std::string& content) {
        char pattern[] = "/tmp/vigil-text-XXXXXX";
        const int fd = ::mkstemp(pattern);
        REQUIRE(fd >= 0);
        ::close(fd);
        path = pattern;
        std::ofstream(path, std::ios::binary) << content;
    }
    ~ScratchFile() { ::unlink(path.c_str()); }
};
}  // namespace

TEST_CASE("read_whole_file returns the file's bytes exactly, whatever its size") {
    for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{511}, std::size_t{1024}, std::size_t{1025},
                                   std::size_t{8192}, std::size_t{100000}}) {
        INFO(size);
        std::string content(size, '\0');
        for (std::size_t i = 0; i < size; ++i) content[i] = static_cast<char>('a' + i % 26);
        const ScratchFile file(content);
        const auto read = vigil::read_whole_file(file.path, 1 << 20);
        REQUIRE(read.has_value());
        CHECK(*read == content);
    }
    // /proc files report size 0 and are read until end of file all the same.
    const auto status = vigil::read_whole_file("/proc/self/status", 1 << 20);
    REQUIRE(status.has_value());
    CHECK(status->find("SigBlk:") != std::string::npos);
}

TEST_CASE("read_whole_file refuses a file over its limit and a file it cannot open") {
    const ScratchFile file(std::string(5000, 'x'));
    errno = 0;
    CHECK_FALSE(vigil::read_whole_file(file.path, 4096).has_value());
    CHECK(errno == EFBIG);
    CHECK(vigil::read_whole_file(file.path, 5000).has_value());
    CHECK_FALSE(vigil::read_whole_file("/nonexistent/vigil-text", 4096).has_value());
}
