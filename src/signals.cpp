#include "signals.hpp"

#include <cctype>

#include <fmt/format.h>

#include "text.hpp"

namespace vigil {
namespace {

struct NamedSignal {
    std::string_view name;
    int number;
};

constexpr NamedSignal named_signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},     {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},   {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},   {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH},   {"IO", SIGIO},       {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

// Parses all of text as a small non-negative number; -1 otherwise.
int parse_number(std::string_view text) {
    if (text.size() > 3) return -1;
    return whole_number<int>(text).value_or(-1);
}

}  // namespace

Result<int> parse_signal(std::string_view text) {
    const auto bad = [&] { return Error{fmt::format("unknown signal '{}'", text)}; };
    if (text.empty()) return Error{"empty signal name"};

    if (text.front() >= '0' && text.front() <= '9') {
        const int number = parse_number(text);
        if (number < 1 || number > max_signal) return bad();
        return number;
    }

    std::string name = upper(text);
    if (name.rfind("SIG", 0) == 0) name.erase(0, 3);

    for (const auto& entry : named_signals)
        if (entry.name == name) return entry.number;

    const int rtmin = SIGRTMIN;
    const int rtmax = SIGRTMAX;
    if (name == "RTMIN") return rtmin;
    if (name == "RTMAX") return rtmax;
    if (name.rfind("RTMIN+", 0) == 0) {
        const int offset = parse_number(std::string_view(name).substr(6));
        if (offset < 0 || rtmin + offset > rtmax) return bad();
        return rtmin + offset;
    }
    if (name.rfind("RTMAX-", 0) == 0) {
        const int offset = parse_number(std::string_view(name).substr(6));
        if (offset < 0 || rtmax - offset < rtmin) return bad();
        return rtmax - offset;
    }
    return bad();
}

std::string signal_name(int signal) {
    for (const auto& entry : named_signals)
        if (entry.number == signal) return std::string("SIG").append(entry.name);
    const int rtmin = SIGRTMIN;
    const int rtmax = SIGRTMAX;
    if (signal == rtmin) return "SIGRTMIN";
    if (signal > rtmin && signal <= rtmax) return fmt::format("SIGRTMIN+{}", signal - rtmin);
    return fmt::format("signal {}", signal);
}

bool is_forwardable(int signal) {
    switch (signal) {
        case SIGKILL: case SIGSTOP: case SIGCHLD:
            return false;
        default:
            break;
    }
    return signal >= 1 && signal <= max_signal && !is_reserved_by_libc(signal);
}

bool is_reserved_by_libc(int signal) { return signal >= 32 && signal < SIGRTMIN; }

bool is_stop_signal(int signal) { return signal == SIGTERM || signal == SIGINT; }

RewriteMap::RewriteMap() {
    for (int signal = 0; signal <= max_signal; ++signal) targets_[static_cast<std::size_t>(signal)] = signal;
}

int RewriteMap::translate(int signal) const {
    if (signal < 1 || signal > max_signal) return signal;
    return targets_[static_cast<std::size_t>(signal)];
}

Status RewriteMap::add(std::string_view rule) {
    const auto colon = rule.find(':');
    if (colon == std::string_view::npos)
        return Error{fmt::format("invalid rewrite '{}': expected FROM:TO, e.g. TERM:INT", rule)};
    const auto from_text = rule.substr(0, colon);
    const auto to_text = rule.substr(colon + 1);

    auto from = parse_signal(from_text);
    if (!from) return Error{fmt::format("invalid rewrite '{}': {}", rule, from.error())};
    if (is_reserved_by_libc(*from))
        return Error{fmt::format("invalid rewrite '{}': signal {} is reserved by the C library", rule, *from)};
    if (!is_forwardable(*from))
        return Error{fmt::format("invalid rewrite '{}': vigil never forwards {}", rule, signal_name(*from))};

    int to = 0;
    if (upper(to_text) != "NONE" && to_text != "0") {
        auto parsed = parse_signal(to_text);
        if (!parsed) return Error{fmt::format("invalid rewrite '{}': {}", rule, parsed.error())};
        if (is_reserved_by_libc(*parsed))
            return Error{fmt::format("invalid rewrite '{}': signal {} is reserved by the C library", rule, *parsed)};
        to = *parsed;
    }
    targets_[static_cast<std::size_t>(*from)] = to;
    ruled_.set(static_cast<std::size_t>(*from));
    return success();
}

std::vector<std::string> RewriteMap::rules() const {
    std::vector<std::string> out;
    for (int signal = 1; signal <= max_signal; ++signal) {
        if (!has_rule(signal)) continue;
        const int to = translate(signal);
        out.push_back(signal_name(signal) + ":" + (to == 0 ? std::string("NONE") : signal_name(to)));
    }
    return out;
}

std::string describe(const ProgramEnd& end) {
    if (end.signal == 0) return fmt::format("exit code {}", end.code);
    return fmt::format("signal {}{}", signal_name(end.signal), end.core_dumped ? " (core dumped)" : "");
}

}  // namespace vigil
