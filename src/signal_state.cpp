#include "signal_state.hpp"

#include <signal.h>

#include <cstdint>

#include "signals.hpp"
#include "text.hpp"

namespace vigil {

sigset_t handled_signals() {
    sigset_t handled;
    sigemptyset(&handled);
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (is_forwardable(signal) || signal == SIGCHLD) sigaddset(&handled, signal);
    }
    return handled;
}

sigset_t signals_from_bits(std::uint64_t bits) {
    sigset_t set;
    sigemptyset(&set);
    for (int signal = 1; signal <= max_signal; ++signal) {  // max_signal is 64, one bit each
        if ((bits >> (signal - 1)) & 1U) sigaddset(&set, signal);
    }
    return set;
}

std::optional<sigset_t> parse_ignored_signals(std::string_view status) {
    constexpr std::string_view key = "\nSigIgn:";
    const auto at = status.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    auto value = status.substr(at + key.size());
    while (!value.empty() && (value.front() == '\t' || value.front() == ' ')) value.remove_prefix(1);
    value = value.substr(0, value.find('\n'));
    const auto bits = whole_number<std::uint64_t>(value, 16);
    if (!bits) return std::nullopt;
    return signals_from_bits(*bits);
}

std::optional<sigset_t> ignored_signals_from_proc() {
    const auto status = read_whole_file("/proc/self/status", std::size_t{64} * 1024);
    if (!status) return std::nullopt;
    return parse_ignored_signals(*status);
}

sigset_t ignored_signals_by_query(const sigset_t& among) {
    sigset_t ignored;
    sigemptyset(&ignored);
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (sigismember(&among, signal) != 1) continue;
        struct sigaction current {};
        if (::sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) sigaddset(&ignored, signal);
    }
    return ignored;
}

InheritedSignals take_over_signals(const std::optional<sigset_t>& mask_at_exec) {
    InheritedSignals inherited;
    const sigset_t handled = handled_signals();
    // Blocking cannot fail with a valid set; what was blocked before is kept for the program.
    if (mask_at_exec) {
        // Blocked already at entry: now exactly the inherited mask plus the handled signals.
        inherited.blocked = *mask_at_exec;
        sigset_t exact;
        sigorset(&exact, &inherited.blocked, &handled);
        ::sigprocmask(SIG_SETMASK, &exact, nullptr);
    } else {
        ::sigprocmask(SIG_BLOCK, &handled, &inherited.blocked);
    }
    sigemptyset(&inherited.ignored);
    struct sigaction child_action {};
    if (::sigaction(SIGCHLD, nullptr, &child_action) == 0 && child_action.sa_handler == SIG_IGN) {
        sigaddset(&inherited.ignored, SIGCHLD);
        struct sigaction restore_default {};
        restore_default.sa_handler = SIG_DFL;
        ::sigaction(SIGCHLD, &restore_default, nullptr);
    }
    return inherited;
}

void complete_ignored_signals(InheritedSignals& inherited) {
    if (inherited.ignored_complete) return;
    inherited.ignored_complete = true;
    // One read of /proc/self/status instead of a sigaction query per handled
    // signal (bench/startup_items.cpp times both); without /proc, the queries.
    const sigset_t handled = handled_signals();
    const auto from_proc = ignored_signals_from_proc();
    const sigset_t ignored_now = from_proc ? *from_proc : ignored_signals_by_query(handled);
    sigset_t handled_and_ignored;
    sigandset(&handled_and_ignored, &handled, &ignored_now);
    sigorset(&inherited.ignored, &inherited.ignored, &handled_and_ignored);
}

}  // namespace vigil
