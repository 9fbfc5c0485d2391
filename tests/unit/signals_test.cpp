#include <catch2/catch.hpp>

#include <csignal>

#include "signal_state.hpp"
#include "signals.hpp"
#include "text.hpp"

using vigil::parse_signal;

TEST_CASE("signals by name, with or without SIG, any case, or by number") {
    CHECK(*parse_signal("TERM") == SIGTERM);
    CHECK(*parse_signal("SIGTERM") == SIGTERM);
    CHECK(*parse_signal("sigterm") == SIGTERM);
    CHECK(*parse_signal("15") == SIGTERM);
    CHECK(*parse_signal("USR1") == SIGUSR1);
    CHECK(*parse_signal("CLD") == SIGCHLD);
    CHECK(*parse_signal("64") == 64);
}

TEST_CASE("real-time signals relative to RTMIN and RTMAX") {
    CHECK(*parse_signal("RTMIN") == SIGRTMIN);
    CHECK(*parse_signal("SIGRTMIN+3") == SIGRTMIN + 3);
    CHECK(*parse_signal("RTMAX-1") == SIGRTMAX - 1);
    CHECK(*parse_signal("RTMAX") == SIGRTMAX);
    CHECK(vigil::signal_name(SIGRTMIN + 3) == "SIGRTMIN+3");
    CHECK_FALSE(parse_signal("RTMIN+40").ok());
    CHECK_FALSE(parse_signal("RTMAX-40").ok());
}

TEST_CASE("unknown signals are refused with the text named") {
    for (const char* bad : {"", "0", "65", "-1", "NOPE", "SIG", "RTMIN+", "RTMIN+x", "1e3", "TERM "}) {
        INFO(bad);
        const auto parsed = parse_signal(bad);
        REQUIRE_FALSE(parsed.ok());
    }
    CHECK(parse_signal("NOPE").error() == "unknown signal 'NOPE'");
}

TEST_CASE("names round-trip through signal_name") {
    for (int signal = 1; signal <= vigil::max_signal; ++signal) {
        if (signal == 32 || signal == 33) continue;
        INFO(signal);
        CHECK(*parse_signal(vigil::signal_name(signal)) == signal);
    }
}

TEST_CASE("forwardable signals exclude SIGCHLD, KILL, STOP and glibc's own; fault signals sent by a process are forwarded") {
    for (int signal : {SIGKILL, SIGSTOP, SIGCHLD, 32, 33, 0, 65}) {
        INFO(signal);
        CHECK_FALSE(vigil::is_forwardable(signal));
    }
    for (int signal : {SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGPIPE, SIGWINCH, SIGTSTP, SIGCONT, SIGABRT, SIGRTMIN, SIGRTMAX, SIGSEGV, SIGBUS, SIGFPE,
                       SIGILL, SIGTRAP, SIGSYS}) {
        INFO(signal);
        CHECK(vigil::is_forwardable(signal));
    }
    CHECK(vigil::is_stop_signal(SIGTERM));
    CHECK(vigil::is_stop_signal(SIGINT));
    CHECK_FALSE(vigil::is_stop_signal(SIGQUIT));
}

TEST_CASE("rewrite map: identity, translation, dropping, last rule wins") {
    vigil::RewriteMap map;
    CHECK(map.translate(SIGTERM) == SIGTERM);
    REQUIRE(map.add("TERM:INT").ok());
    REQUIRE(map.add("SIGUSR1:12").ok());
    REQUIRE(map.add("HUP:NONE").ok());
    REQUIRE(map.add("WINCH:0").ok());
    REQUIRE(map.add("RTMIN+1:RTMIN+2").ok());
    CHECK(map.translate(SIGTERM) == SIGINT);
    CHECK(map.translate(SIGUSR1) == SIGUSR2);
    CHECK(map.translate(SIGHUP) == 0);
    CHECK(map.translate(SIGWINCH) == 0);
    CHECK(map.translate(SIGRTMIN + 1) == SIGRTMIN + 2);
    CHECK(map.translate(SIGQUIT) == SIGQUIT);
    REQUIRE(map.add("TERM:QUIT").ok());
    CHECK(map.translate(SIGTERM) == SIGQUIT);
    REQUIRE(map.add("TERM:KILL").ok());
    CHECK(map.translate(SIGTERM) == SIGKILL);
}

TEST_CASE("rewrite map: which signals have a rule, and the rules spelled out") {
    vigil::RewriteMap map;
    CHECK_FALSE(map.has_rule(SIGTERM));
    CHECK(map.rules().empty());
    REQUIRE(map.add("TERM:TERM").ok());  // a rule, even to itself
    REQUIRE(map.add("hup:none").ok());
    CHECK(map.has_rule(SIGTERM));
    CHECK(map.has_rule(SIGHUP));
    CHECK_FALSE(map.has_rule(SIGINT));
    CHECK(map.rules() == std::vector<std::string>{"SIGHUP:NONE", "SIGTERM:SIGTERM"});
}

TEST_CASE("bad rewrite rules name the rule") {
    vigil::RewriteMap map;
    for (const char* bad : {"TERM", "TERM:", ":INT", "FOO:INT", "TERM:FOO", "KILL:TERM", "CHLD:TERM", "STOP:TERM", "TERM:INT:HUP"}) {
        INFO(bad);
        const auto added = map.add(bad);
        REQUIRE_FALSE(added.ok());
        CHECK(added.error().find(std::string("'") + bad + "'") != std::string::npos);
    }
    CHECK(map == vigil::RewriteMap{});
}

TEST_CASE("signals 32 and 33 are refused on either side of a rewrite, naming the value") {
    vigil::RewriteMap map;
    for (const char* bad : {"1:32", "HUP:33", "32:1", "33:HUP"}) {
        INFO(bad);
        const auto added = map.add(bad);
        REQUIRE_FALSE(added.ok());
        CHECK(added.error().find(std::string("'") + bad + "'") != std::string::npos);
        CHECK(added.error().find("reserved by the C library") != std::string::npos);
    }
    CHECK(map.add("1:32").error() == "invalid rewrite '1:32': signal 32 is reserved by the C library");
    CHECK(map == vigil::RewriteMap{});
    CHECK(vigil::is_reserved_by_libc(32));
    CHECK(vigil::is_reserved_by_libc(33));
    CHECK_FALSE(vigil::is_reserved_by_libc(31));
    CHECK_FALSE(vigil::is_reserved_by_libc(SIGRTMIN));
}

TEST_CASE("the ignored signals are read from a status text's SigIgn line") {
    // SIGINT (2), SIGQUIT (3), SIGPIPE (13) and SIGRTMAX (64).
    const auto ignored = vigil::parse_ignored_signals("Name:\tvigil\nSigBlk:\t0000000000000000\nSigIgn:\t8000000000001006\nSigCgt:\t0\n");
    REQUIRE(ignored.has_value());
    for (int signal = 1; signal <= 64; ++signal) {
        INFO(signal);
        CHECK((sigismember(&*ignored, signal) == 1) == (signal == 2 || signal == 3 || signal == 13 || signal == 64));
    }
    const auto none = vigil::parse_ignored_signals("Name:\tx\nSigIgn:\t0000000000000000\n");
    REQUIRE(none.has_value());
    CHECK(sigismember(&*none, SIGPIPE) == 0);
    for (const char* bad : {"", "Name:\tx\n", "Name:\tx\nSigIgn:\t\n", "Name:\tx\nSigIgn:\t00000000000000zz\n", "Name:\tx\nSigIgn:\t-1\n",
                            "Name:\tx\nSigIgn:\t10000000000000000\n"}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_ignored_signals(bad).has_value());
    }
}

TEST_CASE("the SigIgn line of this process agrees with sigaction, signal by signal") {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction saved_pipe {};
    struct sigaction saved_usr2 {};
    ::sigaction(SIGPIPE, &ignore, &saved_pipe);
    ::sigaction(SIGUSR2, &ignore, &saved_usr2);
    const auto status = vigil::read_whole_file("/proc/self/status", 64 * 1024);
    REQUIRE(status.has_value());
    const auto ignored = vigil::parse_ignored_signals(*status);
    REQUIRE(ignored.has_value());
    for (int signal = 1; signal <= 64; ++signal) {
        INFO(signal);
        struct sigaction current {};
        if (::sigaction(signal, nullptr, &current) != 0) continue;  // glibc's own 32 and 33
        CHECK((sigismember(&*ignored, signal) == 1) == (current.sa_handler == SIG_IGN));
    }
    CHECK(sigismember(&*ignored, SIGPIPE) == 1);
    // The two ways vigil finds them agree over the signals it handles.
    const sigset_t handled = vigil::handled_signals();
    const auto from_proc = vigil::ignored_signals_from_proc();
    REQUIRE(from_proc.has_value());
    const sigset_t by_query = vigil::ignored_signals_by_query(handled);
    for (int signal = 1; signal <= 64; ++signal) {
        if (sigismember(&handled, signal) != 1) continue;
        INFO(signal);
        CHECK(sigismember(&by_query, signal) == sigismember(&*from_proc, signal));
    }
    CHECK(sigismember(&by_query, SIGUSR2) == 1);
    ::sigaction(SIGPIPE, &saved_pipe, nullptr);
    ::sigaction(SIGUSR2, &saved_usr2, nullptr);
}
