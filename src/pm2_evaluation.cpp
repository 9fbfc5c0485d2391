#include "pm2_evaluation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "clock.hpp"
#include "exit_status.hpp"
#include "fd.hpp"
#include "spawn.hpp"

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

std::optional<std::string> find_node(const std::string& path_variable) {
    for (const auto& candidate : program_candidates("node", path_variable)) {
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

std::optional<std::string> variable(char** environment, std::string_view name) {
    for (char** entry = environment; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        if (text.size() > name.size() && text.substr(0, name.size()) == name && text[name.size()] == '=')
            return std::string(text.substr(name.size() + 1));
    }
    return std::nullopt;
}

}  // namespace

Result<Pm2File> evaluate_pm2_file(const std::string& file, const std::optional<std::string>& app, const std::string& path_variable,
                                  const sigset_t& blocked, Milliseconds timeout, std::size_t output_limit) {
    if (::access(file.c_str(), R_OK) != 0) return Error{fmt::format("cannot read it: {}", errno_text())};
    const auto node = find_node(path_variable);
    if (!node) return Error{fmt::format("no node to evaluate it with (none in PATH={})", path_variable)};

    auto records = make_pipe();
    if (!records) return Error{records.error()};
    auto errors = make_pipe();
    if (!errors) return Error{errors.error()};
    Fd& records_read = records->read_end;
    Fd& records_write = records->write_end;
    Fd& errors_read = errors->read_end;
    Fd& errors_write = errors->write_end;

    // The file's own console output goes where node's errors go, not into the records.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, errors_write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, errors_write.get(), STDERR_FILENO);
    posix_spawn_file_actions_adddup2(&actions, records_write.get(), 3);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
    posix_spawnattr_setsigmask(&attributes, &blocked);
    const std::string script(pm2_evaluator_script());
    std::vector<std::string> words = {*node, "-e", script, file};
    if (app) words.push_back(*app);
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t child = -1;
    const int spawned = ::posix_spawn(&child, node->c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    records_write.reset();
    errors_write.reset();
    if (spawned != 0) return Error{fmt::format("cannot run {}: {}", *node, std::strerror(spawned))};

    // Read both until they end, within the time and size bounds.
    std::string output;
    std::string error_output;
    const auto deadline = monotonic_now() + timeout;
    std::optional<std::string> failure;
    bool records_open = true;
    bool errors_open = true;
    while ((records_open || errors_open) && !failure) {
        const auto left = deadline - monotonic_now();
        if (left.count() <= 0) {
            failure = fmt::format("evaluating it took longer than {}", format_duration(timeout));
            break;
        }
        pollfd watched[2] = {{records_open ? records_read.get() : -1, POLLIN, 0}, {errors_open ? errors_read.get() : -1, POLLIN, 0}};
        const int ready = ::poll(watched, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno != EINTR) failure = fmt::format("poll: {}", errno_text());
        if (ready <= 0) continue;
        char buffer[8192];
        for (int index = 0; index < 2; ++index) {
            if (watched[index].revents == 0) continue;
            const ssize_t got = ::read(watched[index].fd, buffer, sizeof buffer);
            if (got <= 0) {
                (index == 0 ? records_open : errors_open) = false;
                continue;
            }
            auto& into = index == 0 ? output : error_output;
            if (into.size() < output_limit) into.append(buffer, static_cast<std::size_t>(got));
            if (index == 0 && output.size() >= output_limit) failure = fmt::format("evaluating it printed more than {} bytes", output_limit);
        }
    }
    if (failure) ::kill(child, SIGKILL);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (failure) return Error{*failure};
    auto parsed = parse_pm2_records(output);
    if (!parsed) {
        if (!error_output.empty()) return Error{fmt::format("node {}: {}", describe(program_end(status)), first_line(error_output))};
        return Error{parsed.error()};
    }
    return parsed;
}

std::optional<int> apply_pm2_file(Config& config, Log& log, const InheritedSignals& inherited, char** environment) {
    const auto& file = *config.from_pm2;
    const std::string path_variable = variable(environment, "PATH").value_or(default_path);
    const auto fail = [&](const std::string& why) {
        log.error("config", fmt::format("cannot use the ecosystem file '{}': {}", file, why), {{"file", file}});
        return exit_usage;
    };
    auto evaluated = evaluate_pm2_file(file, config.pm2_app, path_variable, inherited.blocked, Milliseconds{10'000}, std::size_t{1} << 20);
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
    char here[4096];
    context.caller_directory = ::getcwd(here, sizeof here) != nullptr ? here : "/";
    context.env = config.pm2_env ? config.pm2_env : variable(environment, "NODE_ENV");
    if (context.env && context.env->empty()) context.env.reset();
    context.node_options = variable(environment, "NODE_OPTIONS").value_or("");
    auto plan = plan_from_pm2(pm2, context);
    if (!plan) return fail(plan.error());

    if (config.print) {
        std::fputs(pm2_dockerfile(*plan, pm2.path, context.env).c_str(), stdout);
        return 0;
    }
    config.command = plan->command;
    config.program_environment = plan->environment;
    config.program_directory = plan->working_directory;
    if (plan->drain_timeout && !config.drain_timeout_given) config.drain_timeout = *plan->drain_timeout;
    if (plan->memory_restart && !config.memory_restart_given) config.memory_restart = MemoryRestartSetting{0, *plan->memory_restart};
    log.info("pm2", fmt::format("--from-pm2: app '{}' of {}{}", plan->name, pm2.path, context.env ? fmt::format(", env_{}", *context.env) : ""),
             {{"app", plan->name}, {"file", pm2.path}});
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
