#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clock.hpp"
#include "fd.hpp"
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
        const auto read = vigil::read_whole_file(file.path.c_str(), 1 << 20);
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
    CHECK_FALSE(vigil::read_whole_file(file.path.c_str(), 4096).has_value());
    CHECK(errno == EFBIG);
    CHECK(vigil::read_whole_file(file.path.c_str(), 5000).has_value());
    CHECK_FALSE(vigil::read_whole_file("/nonexistent/vigil-text", 4096).has_value());
}

TEST_CASE("read_whole_file joins a directory and a name, whatever the directory's length") {
    char pattern[] = "/tmp/vigil-text-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    std::string directory = pattern;
    // Past the 256 bytes joined on the stack, the path goes to the heap.
    std::vector<std::string> made;
    while (directory.size() < 300) {
        directory += "/" + std::string(40, 'd');
        REQUIRE(::mkdir(directory.c_str(), 0700) == 0);
        made.push_back(directory);
    }
    for (const std::string& where : {std::string(pattern), made.front(), directory}) {
        INFO(where);
        const std::string path = where + "/memory.max";
        std::ofstream(path) << "max\n";
        const auto read = vigil::read_whole_file(where, "memory.max", 4096);
        REQUIRE(read.has_value());
        CHECK(*read == "max\n");
        CHECK_FALSE(vigil::read_whole_file(where, "memory.none", 4096).has_value());
        ::unlink(path.c_str());
    }
    for (auto level = made.rbegin(); level != made.rend(); ++level) ::rmdir(level->c_str());
    ::rmdir(pattern);
}

TEST_CASE("read_whole_file_at reads relative/name, or name alone, below an open directory") {
    char pattern[] = "/tmp/vigil-text-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    const std::string top = pattern;
    const std::string below = top + "/kubepods/pod";
    REQUIRE(::mkdir((top + "/kubepods").c_str(), 0700) == 0);
    REQUIRE(::mkdir(below.c_str(), 0700) == 0);
    std::ofstream(top + "/cgroup.procs") << "1\n";
    std::ofstream(below + "/cgroup.procs") << "7\n42\n";
    const int directory = ::open(pattern, O_PATH | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(directory >= 0);
    CHECK(vigil::read_whole_file_at(directory, "", "cgroup.procs", 4096) == std::string("1\n"));
    CHECK(vigil::read_whole_file_at(directory, "kubepods/pod", "cgroup.procs", 4096) == std::string("7\n42\n"));
    CHECK_FALSE(vigil::read_whole_file_at(directory, "kubepods/other", "cgroup.procs", 4096).has_value());
    errno = 0;
    CHECK_FALSE(vigil::read_whole_file_at(directory, "kubepods/pod", "cgroup.procs", 4).has_value());
    CHECK(errno == EFBIG);
    ::close(directory);
    ::unlink((below + "/cgroup.procs").c_str());
    ::unlink((top + "/cgroup.procs").c_str());
    ::rmdir(below.c_str());
    ::rmdir((top + "/kubepods").c_str());
    ::rmdir(pattern);
}

TEST_CASE("parts cuts at every separator, one part at a time, as split does") {
    using Views = std::vector<std::string_view>;
    const std::vector<std::pair<std::string_view, Views>> cases{
        {"", {""}},
        {"a", {"a"}},
        {",", {"", ""}},
        {"a,b", {"a", "b"}},
        {",a,,b,", {"", "a", "", "b", ""}},
    };
    for (const auto& [text, expected] : cases) {
        INFO(text);
        Views seen;
        for (auto part : vigil::parts(text, ',')) seen.push_back(part);
        CHECK(seen == expected);
        CHECK(vigil::split(text, ',') == expected);
        // Each part is a view into the text, not a copy.
        for (auto part : vigil::parts(text, ',')) CHECK((part.data() >= text.data() && part.data() <= text.data() + text.size()));
    }
    // An iterator copied mid-way carries on independently.
    const auto cut = vigil::parts("x y z", ' ');
    auto first = cut.begin();
    auto second = first++;
    CHECK(*second == "x");
    CHECK(*first == "y");
    CHECK(first != second);
    CHECK(++second == first);
    CHECK(std::distance(cut.begin(), vigil::Parts::end()) == 3);
}

TEST_CASE("join_path puts one slash between a directory and a name") {
    CHECK(vigil::join_path("/sys/fs/cgroup", "memory.max") == "/sys/fs/cgroup/memory.max");
    CHECK(vigil::join_path("/sys/fs/cgroup/memory", "kubepods/pod-1") == "/sys/fs/cgroup/memory/kubepods/pod-1");
    const std::string deep(300, 'd');
    CHECK(vigil::join_path(deep, "cgroup.procs") == deep + "/cgroup.procs");
}

TEST_CASE("looks_binary: PM2's test of what node should not run") {
    CHECK_FALSE(vigil::looks_binary("#!/usr/bin/env node\nrequire('../lib/cli.js')\n"));
    CHECK_FALSE(vigil::looks_binary("const café = 'naïve – ☕';\n"));  // UTF-8 is text
    CHECK_FALSE(vigil::looks_binary(""));
    CHECK(vigil::looks_binary(std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)));
    CHECK(vigil::looks_binary(std::string("text, then one NUL\0", 19)));
    CHECK(vigil::looks_binary("\x01\x02\x03\x04\x05\x06 mostly control bytes"));
    CHECK_FALSE(vigil::looks_binary("\x1b[31mone escape in a long enough line of text\x1b[0m"));
}

TEST_CASE("equal_no_case compares ASCII letters without case, and nothing else") {
    CHECK(vigil::equal_no_case("LocalHost", "localhost"));
    CHECK(vigil::equal_no_case("HTTP://", "http://"));
    CHECK(vigil::equal_no_case("", ""));
    CHECK_FALSE(vigil::equal_no_case("localhost", "localhost."));
    CHECK_FALSE(vigil::equal_no_case("localhos", "localhost"));
    CHECK_FALSE(vigil::equal_no_case("[", "{"));  // 0x5b and 0x7b differ by the case bit but are not letters
    CHECK_FALSE(vigil::equal_no_case("\xc3\x84", "\xc3\xa4"));  // only ASCII folds
}

TEST_CASE("wait_ready says when a descriptor is ready, and false once the deadline passes") {
    int ends[2];
    REQUIRE(::pipe2(ends, O_CLOEXEC) == 0);
    const vigil::Fd reader(ends[0]), writer(ends[1]);
    const auto before = vigil::monotonic_now();
    CHECK_FALSE(vigil::wait_ready(reader.get(), POLLIN, before + vigil::Milliseconds{50}));
    CHECK(vigil::monotonic_now() - before >= vigil::Milliseconds{50});
    CHECK_FALSE(vigil::wait_ready(reader.get(), POLLIN, before));  // a deadline already past: no wait at all
    CHECK(vigil::wait_ready(writer.get(), POLLOUT, vigil::monotonic_now() + vigil::Milliseconds{5'000}));
    REQUIRE(::write(writer.get(), "x", 1) == 1);
    CHECK(vigil::wait_ready(reader.get(), POLLIN, vigil::monotonic_now() + vigil::Milliseconds{5'000}));
}
