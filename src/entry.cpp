#include "entry.hpp"

#include <signal.h>

#include "signal_state.hpp"

#if defined(VIGIL_EARLY_ENTRY) && (defined(__x86_64__) || defined(__aarch64__))
#define VIGIL_HAS_ENTRY 1

// vigil_start is the executable's entry point (-Wl,-e,vigil_start): it blocks
// every signal vigil handles with rt_sigprocmask(SIG_BLOCK, mask, saved, 8),
// records the result, and jumps to glibc's _start with the stack and the one
// register _start reads (rdx, x0: the loader's exit function) as the kernel
// left them. The mask is handled_signals() as bits: all
// of 1-64 but SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGKILL, SIGSEGV, SIGSTOP,
// SIGSYS and glibc's 32 and 33 (a unit test holds it to handled_signals()).
#define VIGIL_STRING(x) VIGIL_STRING_(x)
#define VIGIL_STRING_(x) #x
asm(R"(
    .section .rodata
    .balign 8
vigil_entry_mask:
    .quad )" VIGIL_STRING(VIGIL_HANDLED_SIGNAL_BITS) R"(

    .section .data
    .balign 8
    .globl vigil_entry_saved
vigil_entry_saved:
    .quad 0
    .globl vigil_entry_result
vigil_entry_result:
    .long -1

    .text
    .globl vigil_start
    .type vigil_start, %function
vigil_start:
)"
#if defined(__x86_64__)
R"(
    mov %rdx, %r12
    mov $14, %eax
    xor %edi, %edi
    lea vigil_entry_mask(%rip), %rsi
    lea vigil_entry_saved(%rip), %rdx
    mov $8, %r10d
    syscall
    mov %eax, vigil_entry_result(%rip)
    mov %r12, %rdx
    jmp _start
)"
#else
R"(
    mov x9, x0
    mov x8, #135
    mov x0, #0
    adrp x1, vigil_entry_mask
    add x1, x1, :lo12:vigil_entry_mask
    adrp x2, vigil_entry_saved
    add x2, x2, :lo12:vigil_entry_saved
    mov x3, #8
    svc #0
    adrp x10, vigil_entry_result
    add x10, x10, :lo12:vigil_entry_result
    str w0, [x10]
    mov x0, x9
    b _start
)"
#endif
R"(
    .size vigil_start, . - vigil_start
)");

extern "C" {
extern unsigned long vigil_entry_saved;
extern int vigil_entry_result;
}
#endif

namespace vigil {
namespace {

sigset_t preinit_saved;
bool preinit_blocked = false;

bool blocked_at_entry() {
#ifdef VIGIL_HAS_ENTRY
    return vigil_entry_result == 0;
#else
    return false;
#endif
}

// Touches no static object, only the signal mask.
void block_in_preinit(int, char**, char**) {
    if (blocked_at_entry()) return;
    const sigset_t handled = handled_signals();
    preinit_blocked = ::sigprocmask(SIG_BLOCK, &handled, &preinit_saved) == 0;
}

[[gnu::section(".preinit_array"), gnu::used]] void (*const preinit_block)(int, char**, char**) = block_in_preinit;

}  // namespace

std::optional<sigset_t> mask_at_exec() {
#ifdef VIGIL_HAS_ENTRY
    if (blocked_at_entry()) return signals_from_bits(vigil_entry_saved);
#endif
    if (preinit_blocked) return preinit_saved;
    return std::nullopt;
}

}  // namespace vigil
