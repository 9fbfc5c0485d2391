#include "entry.hpp"

#include <signal.h>

#include "signal_state.hpp"

namespace vigil {
namespace {

sigset_t preinit_saved;
bool preinit_blocked = false;

// Touches no static object, only the signal mask.
void block_in_preinit(int, char**, char**) {
    const sigset_t handled = handled_signals();
    preinit_blocked = ::sigprocmask(SIG_BLOCK, &handled, &preinit_saved) == 0;
}

[[gnu::section(".preinit_array"), gnu::used]] void (*const preinit_block)(int, char**, char**) = block_in_preinit;

}  // namespace

std::optional<sigset_t> mask_at_exec() {
    if (preinit_blocked) return preinit_saved;
    return std::nullopt;
}

const char* where_signals_were_blocked() {
    return preinit_blocked ? "from .preinit_array" : "in main";
}

}  // namespace vigil
