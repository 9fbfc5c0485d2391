#include <catch2/catch.hpp>

#include <sys/wait.h>

#include "exit_status.hpp"

namespace {
// Wait statuses as the kernel encodes them.
int exited(int code) { return code << 8; }
int signaled(int signal) { return signal; }
}  // namespace

TEST_CASE("wait status to exit code") {
    CHECK(vigil::exit_code_from_status(exited(0)) == 0);
    CHECK(vigil::exit_code_from_status(exited(3)) == 3);
    CHECK(vigil::exit_code_from_status(exited(255)) == 255);
    CHECK(vigil::exit_code_from_status(signaled(SIGTERM)) == 143);
    CHECK(vigil::exit_code_from_status(signaled(SIGKILL)) == 137);
    CHECK(vigil::exit_code_from_status(signaled(SIGSEGV) | 0x80) == 139);
    CHECK(vigil::describe_status(exited(3)) == "exit code 3");
    CHECK(vigil::describe_status(signaled(SIGTERM)) == "signal SIGTERM");
    CHECK(vigil::describe_status(signaled(SIGSEGV) | 0x80) == "signal SIGSEGV (core dumped)");
}

TEST_CASE("success exits are remapped to 0, others kept") {
    std::bitset<256> success;
    success.set(143);
    CHECK(vigil::remap_exit_code(143, success) == 0);
    CHECK(vigil::remap_exit_code(137, success) == 137);
    CHECK(vigil::remap_exit_code(0, success) == 0);
}
