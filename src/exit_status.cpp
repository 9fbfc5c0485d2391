#include "exit_status.hpp"

#include <sys/wait.h>

#include <fmt/format.h>

#include "signals.hpp"

namespace vigil {

int exit_code_from_status(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return (128 + WTERMSIG(wait_status)) & 0xff;
    return 255;  // stopped or continued: never a final status; defensive only
}

std::string describe_status(int wait_status) {
    if (WIFEXITED(wait_status)) return fmt::format("exit code {}", WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status))
        return fmt::format("signal {}{}", signal_name(WTERMSIG(wait_status)), WCOREDUMP(wait_status) ? " (core dumped)" : "");
    return fmt::format("wait status {:#x}", wait_status);
}

int remap_exit_code(int code, const std::bitset<256>& success_exits) {
    if (code >= 0 && code < 256 && success_exits.test(static_cast<std::size_t>(code))) return 0;
    return code;
}

}  // namespace vigil
