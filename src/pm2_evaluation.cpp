#include "pm2_evaluation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "clock.hpp"
#include "exit_status.hpp"
#include "fd.hpp"
#include "reachable_processes.hpp"
#include "text.hpp"

namespace vigil {
namespace {

std::string errno_text() { return std::strerror(errno); }

struct Pipe {
    Fd read_end;
    Fd write_end;
};

Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return Error{fmt::format("pipe: {}", errno_text())};
    return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::optional<std::string> find_on_path(const std::string& name, const std::string& path_variable) {
    for (const auto& candidate : program_candidates(name, path_variable)) {
        struct stat status {};
        if (::stat(candidate.c_str(), &status) == 0 && S_ISREG(status.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::optional<std::string> variable(char** environment, std::string_view name) {
    for (char** entry = environment; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        if (text.size() > name.size() && text.substr(0, name.size()) == name && text[name.size()] == '=')
            return std::string(text.substr(name.size() + 1));
    }
    return std::nullopt;
}

// Waits for pid until the deadline; false when it is still running then.
bool wait_until(pid_t pid, Milliseconds deadline, int& status) {
    while (true) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid || (done < 0 && errno != EINTR)) return true;
        if (monotonic_now() >= deadline) return false;
        ::poll(nullptr, 0, 5);
    }
}

// Kills what the evaluation left running (a helper the file started) and
// reaps it: as PID 1 or a subreaper, every orphan has come back to vigil.
int kill_leftovers(bool pid_one, pid_t evaluator) {
    const auto reach = signal_everything({SIGKILL}, pid_one, evaluator, false);
    const auto deadline = monotonic_now() + Milliseconds{2'000};
    while (true) {
        int status = 0;
        const pid_t done = ::waitpid(-1, &status, WNOHANG);
        if (done > 0 || (done < 0 && errno == EINTR)) continue;
        if (done < 0 || monotonic_now() >= deadline) break;  // ECHILD: all reaped
        ::poll(nullptr, 0, 5);
    }
    return reach.count.value_or(0);
}

}  // namespace

Pm2Files container_files(const std::string& path_variable) {
    Pm2Files files;
    files.find_on_path = [path_variable](const std::string& name) { return find_on_path(name, path_variable); };
    files.is_binary = [](const std::string& path) -> std::optional<bool> {
        const Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!file.valid()) return std::nullopt;
        struct stat status {};
        if (::fstat(file.get(), &status) != 0 || !S_ISREG(status.st_mode)) return false;
        char bytes[512];
        const ssize_t got = ::read(file.get(), bytes, sizeof bytes);
        return got > 0 && looks_binary(std::string_view(bytes, static_cast<std::size_t>(got)));
    };
    return files;
}

Result<Pm2File> evaluate_pm2_file(const Pm2Evaluation& evaluation, SpawnRequest request, bool pid_one, Log& log) {
    const auto& file = evaluation.file;
    if (::access(file.c_str(), R_OK) != 0) return Error{fmt::format("cannot read it: {}", errno_text())};
    const auto node = find_on_path("node", evaluation.path_variable);
    if (!node) return Error{fmt::format("no node to evaluate it with (none in PATH={})", evaluation.path_variable)};

    auto records = make_pipe();
    if (!records) return Error{records.error()};
    std::vector<std::string> command = {*node, "-e", std::string(pm2_evaluator_script()), file};
    if (evaluation.app) command.push_back(*evaluation.app);
    request.command = command;
    for (char** entry = environ; *entry != nullptr; ++entry) request.environment.push_back(*entry);
    request.environment.push_back(nullptr);
    request.path_variable = evaluation.path_variable.c_str();
    // The records on 3; the file's own console output where vigil's goes.
    request.descriptors = {{records->write_end.get(), 3}, {STDERR_FILENO, STDOUT_FILENO}};
    SpawnFailure failure{};
    const auto spawned = spawn_program(request, failure);
    records->write_end.reset();
    if (!spawned) return Error{failure.message};
    const pid_t child = *spawned;

    // Read until the records are complete, or end, or node has exited
    // without them (a helper the file started may hold the pipe open).
    std::string output;
    std::optional<Result<Pm2File>> parsed;
    const auto deadline = monotonic_now() + evaluation.timeout;
    std::optional<std::string> failed;
    int status = 0;
    bool exited = false;
    while (!parsed && !failed) {
        const auto left = deadline - monotonic_now();
        if (left.count() <= 0) {
            failed = fmt::format("evaluating it took longer than {}", format_duration(evaluation.timeout));
            break;
        }
        pollfd watched{records->read_end.get(), POLLIN, 0};
        const int ready = ::poll(&watched, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 50)));
        if (ready < 0 && errno != EINTR) failed = fmt::format("poll: {}", errno_text());
        if (ready == 0) {
            if (exited) break;  // nothing more came after node's exit
            exited = ::waitpid(child, &status, WNOHANG) == child;
            continue;
        }
        if (ready < 0) continue;
        // Read straight onto the end of what came before.
        const std::size_t had = output.size();
        output.resize(had + 8192);
        const ssize_t got = ::read(records->read_end.get(), output.data() + had, 8192);
        output.resize(had + static_cast<std::size_t>(std::max<ssize_t>(got, 0)));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        if (output.size() > evaluation.output_limit) failed = fmt::format("evaluating it printed more than {} bytes", evaluation.output_limit);
        else if (output.back() == '\0') {
            if (auto complete = parse_pm2_records(output)) parsed = std::move(complete);
        }
    }
    // node exits once the records are out; a file whose exit handlers hang is not waited for.
    if (!exited && !wait_until(child, parsed ? std::min(deadline, monotonic_now() + Milliseconds{1'000}) : monotonic_now(), status)) {
        ::kill(child, SIGKILL);
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (const int left = kill_leftovers(pid_one, child); left > 0)
        log.warn("pm2", fmt::format("--from-pm2: evaluating the ecosystem file left {} process{} running: killed before the app starts", left, left == 1 ? "" : "es"));
    if (failed) return Error{*failed};
    if (parsed) return std::move(*parsed);
    if (auto last = parse_pm2_records(output); !output.empty() && last) return last;
    return Error{fmt::format("node ended with {} before it gave the app (its own words, if any, are above)", describe(program_end(status)))};
}

std::optional<int> apply_pm2_file(Config& config, Log& log, const InheritedSignals& inherited, char** environment) {
    const auto& file = *config.from_pm2;
    const std::string path_variable = variable(environment, "PATH").value_or(default_path);
    const auto fail = [&](const std::string& why) {
        log.error("config", fmt::format("cannot use the ecosystem file '{}': {}", file, why), {{"file", file}});
        return exit_usage;
    };
    // The file is the app's code: it runs with the app's privileges, never
    // as root with every capability, and whatever it starts comes back to vigil.
    SpawnRequest privileges;
    if (auto settled = settle_privileges(privileges, config.user, config.capabilities, config.no_new_privs); !settled) {
        log.error("config", settled.error());
        return exit_usage;
    }
    privileges.signals = inherited;
    const bool pid_one = ::getpid() == 1;
    if (!pid_one) (void)::prctl(PR_SET_CHILD_SUBREAPER, 1);
    auto evaluated = evaluate_pm2_file(Pm2Evaluation{file, config.pm2_app, path_variable}, privileges, pid_one, log);
    if (!evaluated) return fail(evaluated.error());
    const auto& pm2 = *evaluated;
    const auto names = [&] {
        std::string list;
        for (const auto& name : pm2.names) list += (list.empty() ? "" : ", ") + fmt::format("'{}'", name);
        return list;
    };
    if (pm2.status == Pm2File::Status::error) return fail(pm2.error);
    if (pm2.status == Pm2File::Status::choose) {
        return config.pm2_app ? fail(fmt::format("it has no app named '{}' (its apps: {})", *config.pm2_app, names()))
                              : fail(fmt::format("it has several apps ({}): choose one with --pm2-app", names()));
    }

    Pm2Context context;
    context.file_directory = pm2.path.substr(0, pm2.path.rfind('/'));
    if (context.file_directory.empty()) context.file_directory = "/";
    std::string here(PATH_MAX, '\0');
    context.caller_directory = ::getcwd(here.data(), here.size()) != nullptr ? here.c_str() : "/";
    // A variable set to nothing counts as unset, as PM2's `||` defaults take it.
    const auto non_empty = [](std::optional<std::string> value) { return value && !value->empty() ? value : std::nullopt; };
    context.env = non_empty(config.pm2_env ? config.pm2_env : variable(environment, "NODE_ENV"));
    context.node_options = variable(environment, "NODE_OPTIONS").value_or("");
    context.kill_signal = non_empty(variable(environment, "PM2_KILL_SIGNAL"));
    context.kill_timeout = non_empty(variable(environment, "PM2_KILL_TIMEOUT"));
    context.files = container_files(path_variable);
    auto plan = plan_from_pm2(pm2, context);
    if (!plan) return fail(plan.error());

    // A stop signal reaches the app as the one PM2 stops it with, unless
    // vigil's own --rewrite says what SIGTERM becomes.
    const bool rewrite_given = config.rewrite.has_rule(SIGTERM);
    // pm2-runtime exits 0 when it stops an app: an app that ends by the stop
    // signal (npm re-raises it) has stopped as asked.
    const int stopped_code = 128 + plan->stop_signal;
    if (plan->stop_signal != SIGTERM && !rewrite_given) (void)config.rewrite.add("SIGTERM:" + signal_name(plan->stop_signal));
    if (config.print) {
        Pm2Print print;
        print.options = config.command_line_options;
        for (const auto& rule : config.rewrite.rules()) print.options.insert(print.options.end(), {"--rewrite", rule});
        if (plan->node_channel && !config.node_channel) print.options.push_back("--node-channel");
        if (plan->forward_to_group && !config.forward_to_group) print.options.push_back("--group");
        if (!config.success_exits.test(static_cast<std::size_t>(stopped_code))) print.options.insert(print.options.end(), {"--success-exit", std::to_string(stopped_code)});
        print.drain_timeout_given = config.drain_timeout_given;
        print.memory_restart_given = config.memory_restart_given;
        std::fputs(pm2_dockerfile(*plan, pm2.path, context.env, print).c_str(), stdout);
        return 0;
    }
    config.command = plan->command;
    config.program_environment = plan->environment;
    config.program_directory = plan->working_directory;
    config.node_channel = config.node_channel || plan->node_channel;
    const bool to_group = plan->forward_to_group && !config.forward_to_group;
    const bool stopped_as_success = !config.success_exits.test(static_cast<std::size_t>(stopped_code));
    config.success_exits.set(static_cast<std::size_t>(stopped_code));
    config.forward_to_group = config.forward_to_group || plan->forward_to_group;
    if (plan->drain_timeout && !config.drain_timeout_given) config.drain_timeout = *plan->drain_timeout;
    if (plan->memory_restart && !config.memory_restart_given) config.memory_restart = MemoryRestartSetting{0, *plan->memory_restart};
    log.info("pm2", fmt::format("--from-pm2: app '{}' of {}{}", plan->name, pm2.path, context.env ? fmt::format(", env_{}", *context.env) : ""),
             {{"app", plan->name}, {"file", pm2.path}});
    const auto stop_name = signal_name(plan->stop_signal);
    if (rewrite_given) {
        log.info("pm2", fmt::format("--from-pm2: the --rewrite given to vigil turns SIGTERM into {}; PM2 would stop the app with {} ({})",
                                    config.rewrite.translate(SIGTERM) == 0 ? std::string("nothing") : signal_name(config.rewrite.translate(SIGTERM)),
                                    stop_name, plan->stop_signal_reason));
    } else if (plan->stop_signal != SIGTERM) {
        log.info("pm2", fmt::format("--from-pm2: SIGTERM reaches the app as {}, the signal PM2 stops it with ({})", stop_name, plan->stop_signal_reason));
    } else {
        log.info("pm2", fmt::format("--from-pm2: the app is stopped with SIGTERM ({})", plan->stop_signal_reason));
    }
    if (stopped_as_success)
        log.info("pm2", fmt::format("--from-pm2: exit {} (the app ended by {}, its stop signal) is reported as 0, as pm2-runtime exits 0 when it stops an app",
                                    stopped_code, stop_name));
    if (to_group) log.info("pm2", "--from-pm2: signals go to the app's process group (--group), as PM2 signals the app's whole tree (treekill)");
    for (const auto& note : plan->notes) log.info("pm2", fmt::format("--from-pm2: {}", note));
    // vigil's own options win over the file's values.
    if (plan->drain_timeout && config.drain_timeout_given)
        log.info("pm2", fmt::format("--from-pm2: the drain timeout given to vigil ({}) applies, not kill_timeout", format_duration(config.drain_timeout)));
    if (plan->memory_restart && config.memory_restart_given)
        log.info("pm2", "--from-pm2: the --memory-restart given to vigil applies, not max_memory_restart");
    for (const auto& warning : plan->warnings) log.warn("pm2", fmt::format("--from-pm2: {}", warning));
    return std::nullopt;
}

}  // namespace vigil
