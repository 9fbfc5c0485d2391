#include "exit_status.hpp"

#include <sys/wait.h>

namespace vigil {

ProgramEnd program_end(int wait_status) {
    if (WIFEXITED(wait_status)) return {WEXITSTATUS(wait_status)};
    if (WIFSIGNALED(wait_status)) return {(128 + WTERMSIG(wait_status)) & 0xff, WTERMSIG(wait_status), WCOREDUMP(wait_status) != 0};
    return {255};
}

int remap_exit_code(int code, const std::bitset<256>& success_exits) {
    if (code >= 0 && code < 256 && success_exits.test(static_cast<std::size_t>(code))) return 0;
    return code;
}

}  // namespace vigil
