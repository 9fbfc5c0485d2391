#include <catch2/catch.hpp>

#include <csignal>

#include "options.hpp"

using vigil::Environment;
using vigil::parse_invocation;

namespace {
vigil::Result<vigil::Invocation, vigil::UsageError> parse(std::vector<std::string> words, const Environment& environment = {}) {
    words.insert(words.begin(), "vigil");
    return parse_invocation(words, environment);
}
}  // namespace

TEST_CASE("defaults") {
    const auto parsed = parse({"node", "app.js"});
    REQUIRE(parsed.ok());
    const auto& config = parsed->config;
    CHECK(parsed->request == vigil::Request::run);
    CHECK(config.drain_timeout == vigil::Milliseconds{25'000});
    CHECK(config.pre_stop_delay == vigil::Milliseconds{0});
    CHECK_FALSE(config.forward_to_group);
    CHECK(config.success_exits.none());
    CHECK(config.parent_death_signal == 0);
    CHECK(config.log_level == vigil::LogLevel::info);
    CHECK(config.log_format == vigil::LogFormat::text);
    CHECK(config.command == std::vector<std::string>{"node", "app.js"});
}

TEST_CASE("every option, short and long") {
    const auto parsed = parse({"-t", "10s", "--pre-stop-delay", "2s", "-r", "TERM:INT", "--rewrite=HUP:NONE", "-g", "-e", "143",
                               "--success-exit", "130", "-s", "-p", "KILL", "--log-level", "debug", "--log-format", "json",
                               "node", "app.js"});
    REQUIRE(parsed.ok());
    const auto& config = parsed->config;
    CHECK(config.drain_timeout == vigil::Milliseconds{10'000});
    CHECK(config.pre_stop_delay == vigil::Milliseconds{2'000});
    CHECK(config.rewrite.translate(SIGTERM) == SIGINT);
    CHECK(config.rewrite.translate(SIGHUP) == 0);
    CHECK(config.forward_to_group);
    CHECK(config.success_exits.test(143));
    CHECK(config.success_exits.test(130));
    CHECK(config.success_exits.count() == 2);
    CHECK(config.parent_death_signal == SIGKILL);
    CHECK(config.log_level == vigil::LogLevel::debug);
    CHECK(config.log_format == vigil::LogFormat::json);
}

TEST_CASE("options end at the first word that is not an option") {
    const auto parsed = parse({"-g", "node", "--inspect", "-t", "5", "app.js"});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.command == std::vector<std::string>{"node", "--inspect", "-t", "5", "app.js"});
    CHECK(parsed->config.drain_timeout == vigil::Milliseconds{25'000});
    const auto after_dashes = parse({"--", "--help"});
    REQUIRE(after_dashes.ok());
    CHECK(after_dashes->request == vigil::Request::run);
    CHECK(after_dashes->config.command == std::vector<std::string>{"--help"});
}

TEST_CASE("environment variables are defaults; the command line replaces them") {
    const Environment environment = {{"VIGIL_DRAIN_TIMEOUT", "1m"}, {"VIGIL_PRE_STOP_DELAY", "5s"}, {"VIGIL_REWRITE", "TERM:INT,USR1:0"},
                                     {"VIGIL_GROUP", "1"}, {"VIGIL_SUCCESS_EXIT", "143,3"}, {"VIGIL_PDEATHSIG", "TERM"},
                                     {"VIGIL_LOG_LEVEL", "warn"}, {"VIGIL_LOG_FORMAT", "json"}};
    const auto from_environment = parse({"node"}, environment);
    REQUIRE(from_environment.ok());
    const auto& config = from_environment->config;
    CHECK(config.drain_timeout == vigil::Milliseconds{60'000});
    CHECK(config.pre_stop_delay == vigil::Milliseconds{5'000});
    CHECK(config.rewrite.translate(SIGTERM) == SIGINT);
    CHECK(config.rewrite.translate(SIGUSR1) == 0);
    CHECK(config.forward_to_group);
    CHECK(config.success_exits.test(143));
    CHECK(config.success_exits.test(3));
    CHECK(config.parent_death_signal == SIGTERM);
    CHECK(config.log_level == vigil::LogLevel::warn);
    CHECK(config.log_format == vigil::LogFormat::json);

    const auto overridden = parse({"-t", "3s", "-r", "QUIT:HUP", "-e", "1", "--log-level", "off", "node"}, environment);
    REQUIRE(overridden.ok());
    CHECK(overridden->config.drain_timeout == vigil::Milliseconds{3'000});
    CHECK(overridden->config.rewrite.translate(SIGTERM) == SIGTERM);  // replaced, not merged
    CHECK(overridden->config.rewrite.translate(SIGQUIT) == SIGHUP);
    CHECK(overridden->config.success_exits.count() == 1);
    CHECK(overridden->config.log_level == vigil::LogLevel::off);
    CHECK(overridden->config.pre_stop_delay == vigil::Milliseconds{5'000});
}

TEST_CASE("container options: user, capabilities, no_new_privs, node heap, termination log") {
    const auto parsed = parse({"-u", "app:staff", "--caps", "NET_BIND_SERVICE,CHOWN", "--no-new-privs", "--node-heap", "80",
                               "--termination-log", "/tmp/t", "node"});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.user == "app:staff");
    CHECK(parsed->config.capabilities == std::vector<int>{10, 0});
    CHECK(parsed->config.no_new_privs);
    CHECK(parsed->config.node_heap_percent == 80);
    CHECK(parsed->config.termination_log == "/tmp/t");
    const auto from_environment = parse({"node"}, {{"VIGIL_USER", "1000"}, {"VIGIL_CAPS", "KILL"}, {"VIGIL_NO_NEW_PRIVS", "1"},
                                                   {"VIGIL_NODE_HEAP", "75"}, {"VIGIL_TERMINATION_LOG", "/dev/termination-log"}});
    REQUIRE(from_environment.ok());
    CHECK(from_environment->config.user == "1000");
    CHECK(from_environment->config.capabilities == std::vector<int>{5});
    CHECK(from_environment->config.no_new_privs);
    CHECK(from_environment->config.node_heap_percent == 75);
    CHECK(from_environment->config.termination_log == "/dev/termination-log");
    const auto defaults = parse({"node"});
    CHECK(defaults->config.user.empty());
    CHECK_FALSE(defaults->config.capabilities.has_value());
    CHECK(defaults->config.node_heap_percent == 0);
    CHECK_FALSE(defaults->config.termination_log.has_value());
    for (const char* bad : {"0", "101", "-5", "80%", ""}) {
        INFO(bad);
        const auto refused = parse({"--node-heap", bad, "node"});
        REQUIRE_FALSE(refused.ok());
        CHECK(refused.error() == std::string("invalid heap percentage '") + bad + "': expected a number from 1 to 100");
    }
    CHECK(parse({"--caps", "NOPE", "node"}).error() == "unknown capability 'NOPE'");
    // -e stop: 0 after a clean stop; with codes, on the command line or in the environment.
    CHECK(parse({"-e", "stop", "node"})->config.success_on_stop);
    const auto listed = parse({"node"}, {{"VIGIL_SUCCESS_EXIT", "130,stop"}});
    CHECK(listed->config.success_on_stop);
    CHECK(listed->config.success_exits.test(130));
    CHECK_FALSE(parse({"node"})->config.success_on_stop);
    // --memory-restart: a bare number, decimals too, is a percentage of the limit; a size has its unit.
    CHECK(parse({"--memory-restart", "85.5", "node"})->config.memory_restart.percent_thousandths == 85500);
    CHECK(parse({"node"}, {{"VIGIL_MEMORY_RESTART", "99.5"}})->config.memory_restart.percent_thousandths == 99500);
    CHECK(parse({"--memory-restart", "1.5G", "node"})->config.memory_restart.bytes == (std::uint64_t{3} << 30) / 2);
    CHECK(parse({"-u", "", "node"}).error() == "invalid user '': expected USER or USER:GROUP");
}

TEST_CASE("--node-channel, and --print's record of vigil's own options") {
    CHECK(parse({"--node-channel", "node"})->config.node_channel);
    CHECK(parse({"node"}, {{"VIGIL_NODE_CHANNEL", "1"}})->config.node_channel);
    CHECK_FALSE(parse({"node"})->config.node_channel);
    CHECK_FALSE(parse({"node"}, {{"VIGIL_NODE_CHANNEL", "maybe"}}).ok());
    const auto printing = parse({"-t", "20s", "-u", "app", "--no-new-privs", "-r", "HUP:USR2", "--from-pm2", "e.js", "--pm2-app", "api", "--print"},
                                {{"VIGIL_LOG_LEVEL", "debug"}});
    REQUIRE(printing.ok());
    CHECK(printing->config.command_line_options == std::vector<std::string>{"--drain-timeout", "20s", "--user", "app", "--no-new-privs"});
    // Only --print needs them.
    CHECK(parse({"-t", "20s", "--from-pm2", "e.js"})->config.command_line_options.empty());
}

TEST_CASE("VIGIL_GROUP accepts 1/0 spellings and refuses others") {
    CHECK_FALSE(parse({"x"}, {{"VIGIL_GROUP", "0"}})->config.forward_to_group);
    CHECK(parse({"x"}, {{"VIGIL_GROUP", "true"}})->config.forward_to_group);
    const auto bad = parse({"x"}, {{"VIGIL_GROUP", "perhaps"}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().find("VIGIL_GROUP") == 0);
    CHECK(bad.error().find("'perhaps'") != std::string::npos);
}

TEST_CASE("an empty environment variable counts as unset") {
    const auto parsed = parse({"x"}, {{"VIGIL_DRAIN_TIMEOUT", ""}, {"VIGIL_NODE_HEAP", ""}, {"VIGIL_USER", ""}});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.drain_timeout == vigil::Milliseconds{25'000});
    CHECK(parsed->config.node_heap_percent == 0);
    CHECK(parsed->config.user.empty());
}

TEST_CASE("unknown VIGIL_ variables are collected for a warning") {
    const auto parsed = parse({"x"}, {{"VIGIL_DRAIN_TIMOUT", "5s"}});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.unknown_variables == std::vector<std::string>{"VIGIL_DRAIN_TIMOUT"});
}

TEST_CASE("bad input names the bad value") {
    struct Case {
        std::vector<std::string> words;
        Environment environment;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{"--bogus", "x"}, {}, "unknown option '--bogus'"},
        {{"-z", "x"}, {}, "unknown option '-z'"},
        {{"-t"}, {}, "option '-t' needs a value"},
        {{"--drain-timeout"}, {}, "option '--drain-timeout' needs a value"},
        {{"-t", "-3s", "x"}, {}, "invalid duration '-3s': must not be negative"},
        {{"-e", "256", "x"}, {}, "invalid exit code '256': expected a number from 0 to 255, or stop"},
        {{"-e", "-1", "x"}, {}, "invalid exit code '-1': expected a number from 0 to 255, or stop"},
        {{"-e", "abc", "x"}, {}, "invalid exit code 'abc': expected a number from 0 to 255, or stop"},
        {{"-p", "NOPE", "x"}, {}, "unknown signal 'NOPE'"},
        {{"-p", "32", "x"}, {}, "invalid parent-death signal '32': signal 32 is reserved by the C library"},
        {{"--memory-restart", "100", "x"}, {}, "invalid memory restart '100': expected a percentage of the memory limit, more than 0 and less than 100 (85, 85.5), or a size with its unit (900M, 1.5G)"},
        {{"--memory-restart", "0.0", "x"}, {}, "invalid memory restart '0.0': expected a percentage of the memory limit, more than 0 and less than 100 (85, 85.5), or a size with its unit (900M, 1.5G)"},
        {{"x"}, {{"VIGIL_MEMORY_RESTART", "lots"}}, "VIGIL_MEMORY_RESTART: invalid memory restart 'lots': expected a percentage of the memory limit, more than 0 and less than 100 (85, 85.5), or a size with its unit (900M, 1.5G)"},
        {{"-r", "1:32", "x"}, {}, "invalid rewrite '1:32': signal 32 is reserved by the C library"},
        {{"--log-level", "loud", "x"}, {}, "invalid log level 'loud': expected off, error, warn, info or debug"},
        {{"--log-format", "xml", "x"}, {}, "invalid log format 'xml': expected text or json"},
        {{}, {}, "missing program to run"},
        {{"-g"}, {}, "missing program to run"},
        {{""}, {}, "the program name is empty"},
        {{"x"}, {{"VIGIL_DRAIN_TIMEOUT", "soon"}}, "VIGIL_DRAIN_TIMEOUT: invalid duration 'soon': expected a number (use e.g. 250ms, 25s, 1m30s, 2h)"},
        {{"x"}, {{"VIGIL_SUCCESS_EXIT", "143,,3"}}, "VIGIL_SUCCESS_EXIT: invalid exit code '': expected a number from 0 to 255, or stop"},
        {{"x"}, {{"VIGIL_REWRITE", "TERM:INT,BAD"}}, "VIGIL_REWRITE: invalid rewrite 'BAD': expected FROM:TO, e.g. TERM:INT"},
    };
    for (const auto& bad : cases) {
        INFO(bad.expected);
        const auto parsed = parse(bad.words, bad.environment);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error() == bad.expected);
    }
}

TEST_CASE("help and version are requests, and help lists every option") {
    CHECK(parse({"-h"})->request == vigil::Request::help);
    CHECK(parse({"--help", "x"})->request == vigil::Request::help);
    CHECK(parse({"-V"})->request == vigil::Request::version);
    CHECK(parse({"--version"})->request == vigil::Request::version);
    // From the option table itself: an option without help text fails here.
    const auto help = vigil::help_text();
    const auto options = vigil::option_names();
    CHECK(options.size() >= 21);
    for (const auto& option : options) {
        const std::string long_name = "--" + std::string(option.long_name);
        INFO(long_name);
        CHECK(help.find(" " + long_name + " ") != std::string::npos);  // "  --print  …" or "  -t, --drain-timeout …"
        if (option.short_name != '\0') CHECK(help.find(std::string("  -") + option.short_name + ", " + long_name) != std::string::npos);
        if (!option.variable.empty()) CHECK(help.find(std::string(option.variable)) != std::string::npos);
    }
    // The form dockerd parses for an init's version: "NAME version X - git.COMMIT".
    const auto version = vigil::version_text();
    CHECK(version.rfind("vigil version 0.", 0) == 0);
    const auto commit = version.find(" - git.");
    REQUIRE(commit != std::string::npos);
    CHECK(version.size() > commit + 7 + 1);
    CHECK(version.substr(commit + 7).find('.') == std::string::npos);  // one dot only: git.COMMIT
    CHECK(version.back() == '\n');
}

TEST_CASE("vigil_environment keeps only VIGIL_ entries") {
    char a[] = "PATH=/bin";
    char b[] = "VIGIL_GROUP=1";
    char c[] = "VIGIL_LOG_LEVEL=a=b";
    char* entries[] = {a, b, c, nullptr};
    const auto environment = vigil::vigil_environment(entries);
    CHECK(environment.size() == 2);
    CHECK(environment.at("VIGIL_GROUP") == "1");
    CHECK(environment.at("VIGIL_LOG_LEVEL") == "a=b");
}

TEST_CASE("main's arguments are parsed in place: not copied, not permuted") {
    char words[][24] = {"vigil", "-t", "5s", "--log-level=warn", "node", "-t", "app.js"};
    char* argv[] = {words[0], words[1], words[2], words[3], words[4], words[5], words[6], nullptr};
    char* const before[] = {argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6]};
    const auto parsed = parse_invocation(7, argv, Environment{{"VIGIL_LOG_LEVEL", "debug"}, {"VIGIL_DRAIN_TIMEOUT", "9s"}});
    REQUIRE(parsed.ok());
    CHECK(parsed->config.drain_timeout == vigil::Milliseconds{5'000});
    CHECK(parsed->config.log_level == vigil::LogLevel::warn);
    CHECK(parsed->config.command == std::vector<std::string>{"node", "-t", "app.js"});
    for (int i = 0; i < 7; ++i) CHECK(argv[i] == before[i]);
    CHECK(argv[7] == nullptr);
    CHECK(std::string(words[3]) == "--log-level=warn");

    // Bad input through this entry point too, named as through the other.
    char bad[][16] = {"vigil", "-t"};
    char* bad_argv[] = {bad[0], bad[1], nullptr};
    const auto refused = parse_invocation(2, bad_argv, {});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error() == "option '-t' needs a value");
}

TEST_CASE("--health-check is a request that runs no program; its usage errors are Docker's unhealthy (1), not 2") {
    const auto check = parse({"--health-timeout", "1500ms", "--health-check", "http://127.0.0.1:3000/healthz"});
    REQUIRE(check.ok());
    CHECK(check->request == vigil::Request::health_check);
    CHECK(check->config.health_check == "http://127.0.0.1:3000/healthz");
    CHECK(check->config.health_timeout == std::chrono::milliseconds(1500));
    CHECK(parse({"--health-check=http://x/"})->config.health_timeout == std::chrono::milliseconds(3000));
    // The container's VIGIL_* variables are read as for a run, and do not start anything.
    CHECK(parse({"--health-check", "http://x/"}, {{"VIGIL_DRAIN_TIMEOUT", "20s"}})->request == vigil::Request::health_check);
    CHECK(parse({"--health-check", "http://x/", "node", "app.js"}).error() == "--health-check runs no program; remove 'node'");
    // An image made with --print, or set up for --from-pm2 in its ENV, still has a working health check.
    CHECK(parse({"--health-check", "http://x/"}, {{"VIGIL_FROM_PM2", "ecosystem.config.js"}, {"VIGIL_PM2_APP", "api"}})->request ==
          vigil::Request::health_check);
    CHECK(parse({"--health-timeout", "2s", "node"}).error() == "--health-timeout goes with --health-check");
    CHECK(parse({"--health-check", "http://x/", "--health-timeout", "0"}).error() == "invalid health check timeout '0': expected a duration above 0");
    CHECK_FALSE(parse({"--health-check", "http://x/", "--health-timeout", "soon"}).ok());

    // A usage error says whether vigil's own options asked for a health check
    // (exit 1 then, not 2): the first bad word is the message, and the
    // options after it are still read.
    const auto for_health_check = [](std::vector<std::string> words, const Environment& environment = {}) {
        const auto parsed = parse(std::move(words), environment);
        REQUIRE_FALSE(parsed.ok());
        return parsed.failure().health_check;
    };
    CHECK(for_health_check({"--health-check=http://x/", "--bogus"}));
    CHECK(for_health_check({"--bogus", "--health-check", "http://x/"}));
    CHECK(parse({"--bogus", "--health-check", "http://x/", "--also-bogus"}).error() == "unknown option '--bogus'");
    CHECK(for_health_check({"--health-timeout", "soon", "--health-check", "http://x/"}));
    CHECK(for_health_check({"-t", "5s", "--log-level=debug", "--health-check"}));  // its value missing
    CHECK(parse({"-t", "5s", "--health-check"}).error() == "option '--health-check' needs a value");
    CHECK(for_health_check({"--health-check", "http://x/"}, {{"VIGIL_DRAIN_TIMEOUT", "soon"}}));
    CHECK(for_health_check({"--health-check", "http://x/", "node"}));
    CHECK_FALSE(for_health_check({"--bogus"}));
    CHECK_FALSE(for_health_check({"--health-timeout", "2s", "node"}));
    CHECK_FALSE(for_health_check({"-t", "soon", "node", "--health-check", "http://x/"}));  // the program's own argument
    CHECK_FALSE(for_health_check({"-t", "soon", "--", "--health-check", "http://x/"}));
    CHECK_FALSE(for_health_check({"--health-checks", "http://x/"}));
    // --help still wins over what follows it, and not over a bad word before it.
    CHECK(parse({"-h", "--bogus"})->request == vigil::Request::help);
    CHECK(parse({"--bogus", "-h"}).error() == "unknown option '--bogus'");
}
