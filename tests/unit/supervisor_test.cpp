// One test per row of the supervisor table in DESIGN.md.
#include <catch2/catch.hpp>

#include <csignal>

#include "supervisor.hpp"

using namespace vigil;
using Ms = Milliseconds;

namespace {

Supervisor make(Ms drain = Ms{10'000}, Ms pre_stop = Ms{0}, std::vector<const char*> rules = {}, std::vector<int> success = {}) {
    SupervisorSettings settings;
    settings.drain_timeout = drain;
    settings.pre_stop_delay = pre_stop;
    for (const char* rule : rules) REQUIRE(settings.rewrite.add(rule).ok());
    for (int code : success) settings.success_exits.set(static_cast<std::size_t>(code));
    return Supervisor(settings);
}

int exited(int code) { return code << 8; }

template <typename T>
const T* find(const Actions& actions) {
    for (const auto& each : actions)
        if (const auto* found = std::get_if<T>(&each)) return found;
    return nullptr;
}

bool forwards(const Actions& actions, int received, int sent) {
    const auto* forward = find<action::Forward>(actions);
    return forward != nullptr && forward->received == received && forward->sent == sent;
}

}  // namespace

TEST_CASE("running + stop signal, no pre-stop delay: arm the deadline, forward, draining") {
    auto supervisor = make();
    const auto actions = supervisor.on_signal(SIGTERM, Ms{1000});
    CHECK(find<action::StopReceived>(actions) != nullptr);
    CHECK(forwards(actions, SIGTERM, SIGTERM));
    CHECK(supervisor.phase() == Phase::draining);
    CHECK(supervisor.deadline() == Ms{11'000});
    CHECK(supervisor.stop_received_at() == Ms{1000});
    CHECK(supervisor.next_wakeup() == Ms{11'000});
}

TEST_CASE("SIGINT is a stop signal too") {
    auto supervisor = make();
    CHECK(forwards(supervisor.on_signal(SIGINT, Ms{0}), SIGINT, SIGINT));
    CHECK(supervisor.phase() == Phase::draining);
}

TEST_CASE("running + stop signal with a pre-stop delay: nothing forwarded yet, pre-stop") {
    auto supervisor = make(Ms{10'000}, Ms{3'000});
    const auto actions = supervisor.on_signal(SIGTERM, Ms{1000});
    CHECK(find<action::Forward>(actions) == nullptr);
    REQUIRE(find<action::StopReceived>(actions) != nullptr);
    CHECK(find<action::StopReceived>(actions)->pre_stop_delay == Ms{3'000});
    CHECK(supervisor.phase() == Phase::pre_stop);
    CHECK(supervisor.next_wakeup() == Ms{4'000});
    CHECK(supervisor.deadline() == Ms{11'000});  // the delay counts inside the budget
}

TEST_CASE("running + other signal: forward the translation, stay running") {
    auto supervisor = make(Ms{10'000}, Ms{0}, {"USR1:USR2", "HUP:NONE"});
    CHECK(forwards(supervisor.on_signal(SIGUSR1, Ms{0}), SIGUSR1, SIGUSR2));
    CHECK(forwards(supervisor.on_signal(SIGHUP, Ms{0}), SIGHUP, 0));
    CHECK(forwards(supervisor.on_signal(SIGWINCH, Ms{0}), SIGWINCH, SIGWINCH));
    CHECK(supervisor.phase() == Phase::running);
    CHECK_FALSE(supervisor.next_wakeup().has_value());
}

TEST_CASE("a stop signal is translated when forwarded") {
    auto supervisor = make(Ms{10'000}, Ms{0}, {"TERM:INT"});
    CHECK(forwards(supervisor.on_signal(SIGTERM, Ms{0}), SIGTERM, SIGINT));
}

TEST_CASE("pre-stop + delay elapsed: forward the translated stop signal, draining") {
    auto supervisor = make(Ms{10'000}, Ms{3'000}, {"TERM:QUIT"});
    (void)supervisor.on_signal(SIGTERM, Ms{1000});
    CHECK(supervisor.on_clock(Ms{3'999}).empty());
    CHECK(forwards(supervisor.on_clock(Ms{4'000}), SIGTERM, SIGQUIT));
    CHECK(supervisor.phase() == Phase::draining);
    CHECK(supervisor.next_wakeup() == Ms{11'000});
}

TEST_CASE("pre-stop + other signal: forwarded, still in pre-stop") {
    auto supervisor = make(Ms{10'000}, Ms{3'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(forwards(supervisor.on_signal(SIGUSR1, Ms{10}), SIGUSR1, SIGUSR1));
    CHECK(supervisor.phase() == Phase::pre_stop);
}

TEST_CASE("pre-stop + stop signal again: forward now, draining") {
    auto supervisor = make(Ms{10'000}, Ms{3'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(forwards(supervisor.on_signal(SIGINT, Ms{100}), SIGINT, SIGINT));
    CHECK(supervisor.phase() == Phase::draining);
    CHECK(supervisor.on_clock(Ms{3'000}).empty());  // the delay no longer fires
    CHECK(supervisor.deadline() == Ms{10'000});     // the clock still runs from the first signal
}

TEST_CASE("draining + stop signal again: forwarded again") {
    auto supervisor = make();
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(forwards(supervisor.on_signal(SIGTERM, Ms{500}), SIGTERM, SIGTERM));
    CHECK(supervisor.phase() == Phase::draining);
    CHECK(supervisor.deadline() == Ms{10'000});
}

TEST_CASE("main program exits with nothing left: done, its exit code") {
    auto supervisor = make();
    const auto actions = supervisor.on_main_exited(vigil::program_end(exited(3)), false, Ms{0});
    REQUIRE(find<action::Exit>(actions) != nullptr);
    CHECK(find<action::Exit>(actions)->code == 3);
    CHECK(supervisor.phase() == Phase::done);
}

TEST_CASE("main program exits by a signal: 128+N, remapped by success exits") {
    auto plain = make();
    CHECK(find<action::Exit>(plain.on_main_exited(vigil::program_end(SIGTERM), false, Ms{0}))->code == 143);
    auto remapped = make(Ms{10'000}, Ms{0}, {}, {143});
    CHECK(find<action::Exit>(remapped.on_main_exited(vigil::program_end(SIGTERM), false, Ms{0}))->code == 0);
}

TEST_CASE("main program exits while others remain: terminate them, arm the deadline, cleaning up") {
    auto supervisor = make(Ms{5'000});
    const auto actions = supervisor.on_main_exited(vigil::program_end(exited(0)), true, Ms{2'000});
    CHECK(find<action::TerminateLeftBehind>(actions) != nullptr);
    CHECK(find<action::Exit>(actions) == nullptr);
    CHECK(supervisor.phase() == Phase::cleaning_up);
    CHECK(supervisor.deadline() == Ms{7'000});
}

TEST_CASE("main program exits during the drain with others left: the drain's deadline stands") {
    auto supervisor = make(Ms{5'000});
    (void)supervisor.on_signal(SIGTERM, Ms{1'000});
    (void)supervisor.on_main_exited(vigil::program_end(exited(0)), true, Ms{3'000});
    CHECK(supervisor.phase() == Phase::cleaning_up);
    CHECK(supervisor.deadline() == Ms{6'000});
}

TEST_CASE("main program exits during pre-stop: the delay is dropped") {
    auto supervisor = make(Ms{10'000}, Ms{3'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(find<action::Exit>(supervisor.on_main_exited(vigil::program_end(exited(0)), false, Ms{100}))->code == 0);
    CHECK(supervisor.on_clock(Ms{3'000}).empty());
}

TEST_CASE("cleaning up + last process reaped: done with the main program's code") {
    auto supervisor = make();
    (void)supervisor.on_main_exited(vigil::program_end(exited(4)), true, Ms{0});
    const auto actions = supervisor.on_all_reaped();
    REQUIRE(find<action::Exit>(actions) != nullptr);
    CHECK(find<action::Exit>(actions)->code == 4);
    CHECK(supervisor.phase() == Phase::done);
}

TEST_CASE("cleaning up + stop signal: the remaining processes are asked again") {
    auto supervisor = make();
    (void)supervisor.on_main_exited(vigil::program_end(exited(0)), true, Ms{0});
    CHECK(find<action::TerminateLeftBehind>(supervisor.on_signal(SIGTERM, Ms{1})) != nullptr);
    CHECK(supervisor.on_signal(SIGUSR1, Ms{2}).empty());
}

TEST_CASE("deadline reached while draining, in pre-stop or cleaning up: kill everything") {
    auto draining = make(Ms{1'000});
    (void)draining.on_signal(SIGTERM, Ms{0});
    CHECK(draining.on_clock(Ms{999}).empty());
    CHECK(find<action::KillAll>(draining.on_clock(Ms{1'000})) != nullptr);
    CHECK(draining.phase() == Phase::killing);
    CHECK(draining.next_wakeup() == Ms{1'000} + default_kill_grace);  // the bounded wait for the killed

    auto pre_stop = make(Ms{1'000}, Ms{5'000});
    (void)pre_stop.on_signal(SIGTERM, Ms{0});
    CHECK(find<action::KillAll>(pre_stop.on_clock(Ms{1'000})) != nullptr);
    CHECK(pre_stop.phase() == Phase::killing);

    auto cleaning = make(Ms{1'000});
    (void)cleaning.on_main_exited(vigil::program_end(exited(5)), true, Ms{0});
    CHECK(find<action::KillAll>(cleaning.on_clock(Ms{1'000})) != nullptr);
    CHECK(cleaning.phase() == Phase::killing);
    CHECK(find<action::Exit>(cleaning.on_all_reaped())->code == 5);
}

TEST_CASE("killing + the main program reaped: exits 137 once nothing is left") {
    auto supervisor = make(Ms{1'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    (void)supervisor.on_clock(Ms{1'000});
    CHECK(supervisor.on_signal(SIGTERM, Ms{1'001}).empty());  // nothing more to forward
    CHECK(supervisor.on_main_exited(vigil::program_end(SIGKILL), true, Ms{1'002}).empty());
    CHECK(supervisor.phase() == Phase::killing);
    CHECK(find<action::Exit>(supervisor.on_all_reaped())->code == 137);
    CHECK(supervisor.phase() == Phase::done);
}

TEST_CASE("killing + main reaped with nothing else left: exit at once") {
    auto supervisor = make(Ms{1'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    (void)supervisor.on_clock(Ms{1'000});
    CHECK(find<action::Exit>(supervisor.on_main_exited(vigil::program_end(SIGKILL), false, Ms{1'002}))->code == 137);
}

TEST_CASE("a drain timeout of 0 never arms a deadline") {
    auto supervisor = make(Ms{0});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK_FALSE(supervisor.deadline().has_value());
    CHECK_FALSE(supervisor.next_wakeup().has_value());
    (void)supervisor.on_main_exited(vigil::program_end(exited(0)), true, Ms{10});
    CHECK_FALSE(supervisor.next_wakeup().has_value());
    CHECK(supervisor.on_clock(Ms{1'000'000'000}).empty());
}

TEST_CASE("done ignores everything") {
    auto supervisor = make();
    (void)supervisor.on_main_exited(vigil::program_end(exited(0)), false, Ms{0});
    CHECK(supervisor.on_signal(SIGTERM, Ms{1}).empty());
    CHECK(supervisor.on_main_exited(vigil::program_end(exited(1)), false, Ms{2}).empty());
    CHECK(supervisor.on_all_reaped().empty());
    CHECK(supervisor.on_clock(Ms{1'000'000}).empty());
}

TEST_CASE("killing + the kill grace passes with processes unreaped: say so, exit 137") {
    auto supervisor = make(Ms{1'000});
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    (void)supervisor.on_clock(Ms{1'000});
    CHECK(supervisor.on_clock(Ms{1'000} + default_kill_grace - Ms{1}).empty());
    const auto actions = supervisor.on_clock(Ms{1'000} + default_kill_grace);
    CHECK(find<action::AbandonUnreaped>(actions) != nullptr);
    REQUIRE(find<action::Exit>(actions) != nullptr);
    CHECK(find<action::Exit>(actions)->code == 137);
    CHECK(supervisor.phase() == Phase::done);
    CHECK_FALSE(supervisor.next_wakeup().has_value());
}

TEST_CASE("killing + the kill grace passes after the program exited on its own: its code") {
    auto supervisor = make(Ms{1'000});
    (void)supervisor.on_main_exited(vigil::program_end(exited(6)), true, Ms{0});
    (void)supervisor.on_clock(Ms{1'000});
    const auto actions = supervisor.on_clock(Ms{1'000} + default_kill_grace);
    CHECK(find<action::AbandonUnreaped>(actions) != nullptr);
    CHECK(find<action::Exit>(actions)->code == 6);
}

TEST_CASE("a stop signal rewritten to NONE is dropped: no drain, no deadline") {
    auto supervisor = make(Ms{1'000}, Ms{0}, {"TERM:NONE"});
    const auto actions = supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(forwards(actions, SIGTERM, 0));
    CHECK(find<action::StopReceived>(actions) == nullptr);
    CHECK(supervisor.phase() == Phase::running);
    CHECK_FALSE(supervisor.next_wakeup().has_value());
    CHECK(supervisor.on_clock(Ms{1'000'000}).empty());
    // SIGINT is not rewritten: it still drains.
    CHECK(find<action::StopReceived>(supervisor.on_signal(SIGINT, Ms{5})) != nullptr);
    CHECK(supervisor.phase() == Phase::draining);
    // After the program exits, a dropped stop signal asks nothing of what is left.
    auto cleaning = make(Ms{1'000}, Ms{0}, {"TERM:NONE"});
    (void)cleaning.on_main_exited(vigil::program_end(exited(0)), true, Ms{0});
    CHECK(cleaning.on_signal(SIGTERM, Ms{1}).empty());
}

TEST_CASE("a stop signal rewritten to another signal still drains, and the translation is forwarded") {
    auto supervisor = make(Ms{1'000}, Ms{0}, {"TERM:USR1"});
    const auto actions = supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(find<action::StopReceived>(actions) != nullptr);
    CHECK(forwards(actions, SIGTERM, SIGUSR1));
    CHECK(supervisor.phase() == Phase::draining);
}

TEST_CASE("--success-exit never turns vigil's own deadline kill into success") {
    auto killed = make(Ms{1'000}, Ms{0}, {}, {137});
    (void)killed.on_signal(SIGTERM, Ms{0});
    (void)killed.on_clock(Ms{1'000});
    CHECK(find<action::Exit>(killed.on_main_exited(vigil::program_end(SIGKILL), false, Ms{1'001}))->code == 137);
    // A SIGKILL from elsewhere (the OOM killer, an operator) is how the program ended: remapped.
    auto outside = make(Ms{1'000}, Ms{0}, {}, {137});
    CHECK(find<action::Exit>(outside.on_main_exited(vigil::program_end(SIGKILL), false, Ms{0}))->code == 0);
    // And a program that exits 137 itself during the drain is remapped as well.
    auto own = make(Ms{1'000}, Ms{0}, {}, {137});
    (void)own.on_signal(SIGTERM, Ms{0});
    CHECK(find<action::Exit>(own.on_main_exited(vigil::program_end(exited(137)), false, Ms{10}))->code == 0);
}

TEST_CASE("a forwarded stop signal is followed by SIGCONT, other signals are not") {
    auto supervisor = make();
    const auto usr1 = supervisor.on_signal(SIGUSR1, Ms{0});
    REQUIRE(find<action::Forward>(usr1) != nullptr);
    CHECK_FALSE(find<action::Forward>(usr1)->then_continue);
    const auto term = supervisor.on_signal(SIGTERM, Ms{0});
    REQUIRE(find<action::Forward>(term) != nullptr);
    CHECK(find<action::Forward>(term)->then_continue);
    // Not when the translation is itself a stop of the job-control kind, or dropped.
    auto to_stop = make(Ms{1'000}, Ms{0}, {"TERM:TSTP"});
    const auto stopped = to_stop.on_signal(SIGTERM, Ms{0});
    REQUIRE(find<action::Forward>(stopped) != nullptr);
    CHECK_FALSE(find<action::Forward>(stopped)->then_continue);
    auto pre_stop = make(Ms{10'000}, Ms{3'000}, {"TERM:INT"});
    (void)pre_stop.on_signal(SIGTERM, Ms{0});
    const auto delayed = pre_stop.on_clock(Ms{3'000});
    REQUIRE(find<action::Forward>(delayed) != nullptr);
    CHECK(find<action::Forward>(delayed)->then_continue);
}

TEST_CASE("--memory-restart starts the shutdown of a SIGTERM, and a clean drain exits 75") {
    auto supervisor = make(Ms{10'000}, Ms{0}, {"TERM:INT"});
    const auto actions = supervisor.on_memory_restart(Ms{1'000});
    REQUIRE(find<action::StopReceived>(actions) != nullptr);
    CHECK(find<action::StopReceived>(actions)->memory_restart);
    CHECK(forwards(actions, SIGTERM, SIGINT));  // the rewrite map applies, as for a received SIGTERM
    CHECK(supervisor.phase() == Phase::draining);
    CHECK(supervisor.deadline() == Ms{11'000});
    CHECK(find<action::Exit>(supervisor.on_main_exited(vigil::program_end(exited(0)), false, Ms{2'000}))->code == 75);
}

TEST_CASE("--memory-restart: the program's own failure, or the deadline's kill, is the exit code") {
    auto failed = make();
    (void)failed.on_memory_restart(Ms{0});
    CHECK(find<action::Exit>(failed.on_main_exited(vigil::program_end(exited(3)), false, Ms{10}))->code == 3);
    auto killed = make(Ms{1'000});
    (void)killed.on_memory_restart(Ms{0});
    (void)killed.on_clock(Ms{1'000});
    CHECK(find<action::Exit>(killed.on_main_exited(vigil::program_end(SIGKILL), false, Ms{1'001}))->code == 137);
    // With a pre-stop delay, as for SIGTERM.
    auto delayed = make(Ms{10'000}, Ms{2'000});
    const auto actions = delayed.on_memory_restart(Ms{0});
    CHECK(find<action::Forward>(actions) == nullptr);
    CHECK(delayed.phase() == Phase::pre_stop);
}

TEST_CASE("--memory-restart while already stopping changes nothing") {
    auto supervisor = make();
    (void)supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(supervisor.on_memory_restart(Ms{100}).empty());
    CHECK(find<action::Exit>(supervisor.on_main_exited(vigil::program_end(exited(0)), false, Ms{200}))->code == 0);  // a SIGTERM drain: 0
}

TEST_CASE("a signal vigil was started with ignored is passed on, translated, and never starts a drain") {
    auto supervisor = make(Ms{10'000}, Ms{0}, {"INT:USR2"});
    const auto actions = supervisor.pass_on(SIGINT);
    CHECK(forwards(actions, SIGINT, SIGUSR2));
    CHECK(find<action::StopReceived>(actions) == nullptr);
    CHECK(supervisor.phase() == Phase::running);
    CHECK_FALSE(supervisor.next_wakeup().has_value());
    // While draining it is passed on as well; once the program is gone, nothing.
    supervisor.on_signal(SIGTERM, Ms{0});
    CHECK(forwards(supervisor.pass_on(SIGHUP), SIGHUP, SIGHUP));
    supervisor.on_main_exited(ProgramEnd{}, true, Ms{10});
    CHECK(supervisor.phase() == Phase::cleaning_up);
    CHECK(supervisor.pass_on(SIGHUP).empty());
}

namespace {
Supervisor stopping_cleanly(std::vector<const char*> rules = {}, Ms pre_stop = Ms{0}) {
    SupervisorSettings settings;
    settings.drain_timeout = Ms{10'000};
    settings.pre_stop_delay = pre_stop;
    settings.success_on_stop = true;
    for (const char* rule : rules) REQUIRE(settings.rewrite.add(rule).ok());
    return Supervisor(settings);
}
ProgramEnd died_of(int signal) { return ProgramEnd{128 + signal, signal, false}; }
ProgramEnd exited_with(int code) { return ProgramEnd{code, 0, false}; }
int exit_of(const Actions& actions) {
    const auto* exit = find<action::Exit>(actions);
    return exit != nullptr ? exit->code : -1;
}
}  // namespace

TEST_CASE("--success-exit stop: 0 only when the program ended by the stop signal vigil forwarded, before the deadline") {
    {
        auto supervisor = stopping_cleanly();
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 0);
    }
    {
        auto supervisor = stopping_cleanly();  // exited with 128+N, as Node's handlers and npm re-raise it
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(exited_with(143), false, Ms{10})) == 0);
    }
    {
        auto supervisor = stopping_cleanly();  // its own error code while draining
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(exited_with(1), false, Ms{10})) == 1);
    }
    {
        auto supervisor = stopping_cleanly();  // a crash while draining
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGSEGV), false, Ms{10})) == 139);
    }
    {
        auto supervisor = stopping_cleanly();  // SIGKILL while draining: the OOM killer, never a clean stop
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGKILL), false, Ms{10})) == 137);
    }
    {
        auto supervisor = stopping_cleanly();  // vigil's own kill at the deadline
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(find<action::KillAll>(supervisor.on_clock(Ms{10'000})) != nullptr);
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGKILL), false, Ms{10'010})) == 137);
    }
    {
        auto supervisor = stopping_cleanly();  // a SIGTERM that did not come through vigil
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 143);
    }
    {
        auto supervisor = stopping_cleanly({"TERM:INT"});  // what was forwarded counts, not what was received
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(exited_with(130), false, Ms{10})) == 0);
    }
    {
        auto supervisor = stopping_cleanly({"TERM:INT"});
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 143);
    }
    {
        auto supervisor = stopping_cleanly({}, Ms{3'000});  // during the pre-stop delay nothing was forwarded yet
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 143);
    }
    {
        auto supervisor = stopping_cleanly({}, Ms{3'000});  // after it, the signal forwarded then
        supervisor.on_signal(SIGTERM, Ms{0});
        supervisor.on_clock(Ms{3'000});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{3'010})) == 0);
    }
    {
        auto supervisor = stopping_cleanly();  // a second stop signal, forwarded during the drain
        supervisor.on_signal(SIGTERM, Ms{0});
        supervisor.on_signal(SIGINT, Ms{5});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGINT), false, Ms{10})) == 0);
    }
    {
        auto supervisor = stopping_cleanly();  // a memory restart that ended cleanly still says "restart me"
        supervisor.on_memory_restart(Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 75);
    }
    {
        auto supervisor = make();  // without the option, as before
        supervisor.on_signal(SIGTERM, Ms{0});
        CHECK(exit_of(supervisor.on_main_exited(died_of(SIGTERM), false, Ms{10})) == 143);
    }
}
