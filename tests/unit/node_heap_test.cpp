#include <catch2/catch.hpp>

#include <csignal>

#include "node_heap.hpp"
#include "termination.hpp"

TEST_CASE("node is recognised by its basename") {
    CHECK(vigil::is_node_program("node"));
    CHECK(vigil::is_node_program("/usr/local/bin/node"));
    CHECK(vigil::is_node_program("nodejs"));
    CHECK_FALSE(vigil::is_node_program("npm"));
    CHECK_FALSE(vigil::is_node_program("/usr/bin/node-gyp"));
    CHECK_FALSE(vigil::is_node_program("/node/bin/sh"));
}

TEST_CASE("NODE_OPTIONS that already choose a heap size") {
    CHECK(vigil::sets_heap_size("--max-old-space-size=512"));
    CHECK(vigil::sets_heap_size("--enable-source-maps --max_old_space_size=512"));
    CHECK(vigil::sets_heap_size("--max-old-space-size-percentage=75"));
    CHECK_FALSE(vigil::sets_heap_size("--enable-source-maps"));
    CHECK_FALSE(vigil::sets_heap_size(""));
}

TEST_CASE("a heap size on node's own command line") {
    using vigil::heap_size_in_arguments;
    using Args = std::vector<std::string>;
    CHECK(heap_size_in_arguments(Args{"node", "--max-old-space-size=1024", "app.js"}) == "--max-old-space-size=1024");
    CHECK(heap_size_in_arguments(Args{"/usr/bin/node", "--enable-source-maps", "--max_old_space_size=512", "app.js"}) == "--max_old_space_size=512");
    CHECK(heap_size_in_arguments(Args{"node", "--max-old-space-size-percentage=75", "app.js"}) == "--max-old-space-size-percentage=75");
    CHECK(heap_size_in_arguments(Args{"node", "-r", "dotenv/config", "--max-old-space-size=300", "app.js"}) == "--max-old-space-size=300");
    CHECK(heap_size_in_arguments(Args{"node", "-e", "code", "--max-old-space-size=100"}) == "--max-old-space-size=100");
    // After the script, "-" or "--", it is the script's argument, not node's.
    CHECK_FALSE(heap_size_in_arguments(Args{"node", "app.js", "--max-old-space-size=1024"}));
    CHECK_FALSE(heap_size_in_arguments(Args{"node", "--", "app.js", "--max-old-space-size=1024"}));
    CHECK_FALSE(heap_size_in_arguments(Args{"node", "-", "--max-old-space-size=1024"}));
    CHECK_FALSE(heap_size_in_arguments(Args{"node", "--enable-source-maps", "app.js"}));
    CHECK_FALSE(heap_size_in_arguments(Args{"node"}));
    CHECK_FALSE(heap_size_in_arguments(Args{"node", "--max-semi-space-size=64", "app.js"}));
}

TEST_CASE("heap size: Node's share of the limit, less the reserve, over the factor; appended to NODE_OPTIONS") {
    CHECK(vigil::heap_megabytes(128u << 20, 100) == 49);    // (128 - 64) / 1.3
    CHECK(vigil::heap_megabytes(96u << 20, 100) == 24);
    CHECK(vigil::heap_megabytes(256u << 20, 100) == 147);
    CHECK(vigil::heap_megabytes(512u << 20, 100) == 344);
    CHECK(vigil::heap_megabytes(1u << 30, 100) == 738);
    CHECK(vigil::heap_megabytes(std::uint64_t{2} << 30, 80) == 1210);  // (1638 - 64) / 1.3
    CHECK(vigil::heap_megabytes(128u << 20, 50) == 16);     // no room beyond the reserve: the floor
    CHECK(vigil::heap_megabytes(100, 50) == 16);
    // Never more than the share itself, at any size.
    for (std::uint64_t limit_mib = 64; limit_mib <= 65536; limit_mib *= 2) {
        INFO(limit_mib);
        const auto heap = vigil::heap_megabytes(limit_mib << 20, 100);
        CHECK((heap < limit_mib || heap == 16));
        CHECK((heap * 13 / 10 + 64 <= limit_mib || heap == 16));
    }
    CHECK(vigil::node_options_with_heap(std::nullopt, 102) == "--max-old-space-size=102");
    CHECK(vigil::node_options_with_heap(std::string_view(""), 102) == "--max-old-space-size=102");
    CHECK(vigil::node_options_with_heap(std::string_view("--enable-source-maps"), 102) == "--enable-source-maps --max-old-space-size=102");
}

TEST_CASE("the termination summary says how it ended, in one line") {
    vigil::Ending drained;
    drained.exit_code = 0;
    drained.program_status = "exit code 0";
    drained.stop_signal = SIGTERM;
    drained.drained = vigil::Milliseconds{1500};
    CHECK(vigil::termination_summary(drained) ==
          "vigil: exit code 0: program ended with exit code 0; stopped by SIGTERM, drained in 1s500ms; deadline not reached\n");

    vigil::Ending killed;
    killed.exit_code = 137;
    killed.program_status = "signal SIGKILL";
    killed.stop_signal = SIGTERM;
    killed.deadline_reached = true;
    killed.killed = 3;
    killed.left_behind = 2;
    CHECK(vigil::termination_summary(killed) ==
          "vigil: exit code 137: program ended with signal SIGKILL; stopped by SIGTERM; 2 process(es) left behind; "
          "drain deadline reached, 3 process(es) killed\n");

    vigil::Ending oom;
    oom.exit_code = 137;
    oom.program_status = "signal SIGKILL";
    oom.oom_killed = true;
    oom.memory_limit = 64u << 20;
    CHECK(vigil::termination_summary(oom) ==
          "vigil: exit code 137: program ended with signal SIGKILL; no stop signal; deadline not reached; "
          "killed by the kernel's OOM killer (memory limit 64 MiB)\n");

    vigil::Ending huge;
    huge.program_status = std::string(10000, 'x');
    const auto text = vigil::termination_summary(huge);
    CHECK(text.size() == vigil::termination_message_limit);
    CHECK(text.back() == '\n');
    CHECK(text.find('\n') == text.size() - 1);
}
