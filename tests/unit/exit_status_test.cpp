#include <catch2/catch.hpp>

#include <sys/wait.h>

#include "exit_status.hpp"
#include "signals.hpp"

namespace {
// Wait statuses as the kernel encodes them.
int exited(int code) { return code << 8; }
int signaled(int signal) { return signal; }
}  // namespace

TEST_CASE("wait status to exit code, read once") {
    CHECK(vigil::program_end(exited(0)).code == 0);
    CHECK(vigil::program_end(exited(3)).code == 3);
    CHECK(vigil::program_end(exited(3)).signal == 0);
    CHECK(vigil::program_end(exited(255)).code == 255);
    CHECK(vigil::program_end(signaled(SIGTERM)).code == 143);
    CHECK(vigil::program_end(signaled(SIGTERM)).signal == SIGTERM);
    CHECK(vigil::program_end(signaled(SIGKILL)).code == 137);
    CHECK(vigil::program_end(signaled(SIGSEGV) | 0x80).code == 139);
    CHECK(vigil::program_end(signaled(SIGSEGV) | 0x80).core_dumped);
    CHECK_FALSE(vigil::program_end(signaled(SIGSEGV)).core_dumped);
    CHECK(vigil::describe(vigil::program_end(exited(3))) == "exit code 3");
    CHECK(vigil::describe(vigil::program_end(signaled(SIGTERM))) == "signal SIGTERM");
    CHECK(vigil::describe(vigil::program_end(signaled(SIGSEGV) | 0x80)) == "signal SIGSEGV (core dumped)");
}

TEST_CASE("success exits are remapped to 0, others kept") {
    std::bitset<256> success;
    success.set(143);
    CHECK(vigil::remap_exit_code(143, success) == 0);
    CHECK(vigil::remap_exit_code(137, success) == 137);
    CHECK(vigil::remap_exit_code(0, success) == 0);
}
