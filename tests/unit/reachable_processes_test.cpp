#include <catch2/catch.hpp>

#include "reachable_processes.hpp"
#include "spawn.hpp"

TEST_CASE("parse_proc_stat reads pid, state and parent, whatever the command name holds") {
    const auto plain = vigil::parse_proc_stat("42 (node) S 7 42 42 0 -1 4194560 1 0 0 0");
    REQUIRE(plain.has_value());
    CHECK(plain->pid == 42);
    CHECK(plain->state == 'S');
    CHECK(plain->parent == 7);
    const auto tricky = vigil::parse_proc_stat("9 (a) Z 3 (b)) Z 1 9 9 0");
    REQUIRE(tricky.has_value());
    CHECK(tricky->pid == 9);
    CHECK(tricky->state == 'Z');
    CHECK(tricky->parent == 1);
    for (const char* bad : {"", "x (a) S 1", "42 node S 7", "42 (node)", "42 (node) S", "42 (node) S x", "-1 (a) S 1"}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_proc_stat(bad).has_value());
    }
}

TEST_CASE("live_descendants walks the tree below root and skips zombies") {
    const std::vector<vigil::ProcessEntry> table = {
        {1, 0, 'S'}, {10, 1, 'S'}, {11, 10, 'S'}, {12, 11, 'Z'}, {13, 12, 'S'}, {20, 1, 'Z'}, {30, 5, 'S'}, {31, 30, 'S'},
    };
    auto below_one = vigil::live_descendants(1, table);
    std::sort(below_one.begin(), below_one.end());
    CHECK(below_one == std::vector<pid_t>{10, 11, 13});
    CHECK(vigil::live_descendants(30, table) == std::vector<pid_t>{31});
    CHECK(vigil::live_descendants(99, table).empty());
}

TEST_CASE("program_candidates follows PATH like execvp") {
    CHECK(vigil::program_candidates("./app", "/bin") == std::vector<std::string>{"./app"});
    CHECK(vigil::program_candidates("/usr/bin/node", "/bin") == std::vector<std::string>{"/usr/bin/node"});
    CHECK(vigil::program_candidates("node", "/usr/local/bin:/usr/bin") == std::vector<std::string>{"/usr/local/bin/node", "/usr/bin/node"});
    CHECK(vigil::program_candidates("node", ":/bin") == std::vector<std::string>{"node", "/bin/node"});
    CHECK(vigil::program_candidates("node", "/bin:") == std::vector<std::string>{"/bin/node", "node"});
    CHECK(vigil::program_candidates("node", "") == std::vector<std::string>{"node"});
    CHECK(vigil::program_candidates("node", "/a::/b") == std::vector<std::string>{"/a/node", "node", "/b/node"});
}

TEST_CASE("PathCandidates writes each candidate into the caller's buffer and says when one does not fit") {
    using Next = vigil::PathCandidates::Next;
    char buffer[12];
    vigil::PathCandidates walk("node", "/usr/local/bin:/bin:");
    CHECK(walk.next(buffer, sizeof buffer) == Next::too_long);  // "/usr/local/bin/node" needs 20 bytes
    REQUIRE(walk.next(buffer, sizeof buffer) == Next::candidate);
    CHECK(std::string(buffer) == "/bin/node");
    REQUIRE(walk.next(buffer, sizeof buffer) == Next::candidate);
    CHECK(std::string(buffer) == "node");
    CHECK(walk.next(buffer, sizeof buffer) == Next::done);
    CHECK(walk.next(buffer, sizeof buffer) == Next::done);

    // Exactly full, with its NUL; one byte short is too long.
    vigil::PathCandidates exact("/bin/node", "/ignored");
    char fits[10];
    REQUIRE(exact.next(fits, sizeof fits) == Next::candidate);
    CHECK(std::string(fits) == "/bin/node");
    CHECK(exact.next(fits, sizeof fits) == Next::done);
    vigil::PathCandidates short_one("/bin/node", "/ignored");
    CHECK(short_one.next(fits, sizeof fits - 1) == Next::too_long);
    CHECK(short_one.next(fits, sizeof fits - 1) == Next::done);
}
