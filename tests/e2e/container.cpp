#include "container.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace e2e {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::atomic<int> container_counter{0};

// fork + exec with stdout/stderr to files (or a pty); the pid. The command
// runs in a temporary directory: podman's conmon leaves a file named "oom"
// in its working directory when a container meets the OOM killer, and that
// must not be the source tree or the build directory.
pid_t launch(const std::vector<std::string>& command, const std::string& out_path, const std::string& err_path, int terminal_child = -1,
             const std::string& directory = fs::temp_directory_path().string()) {
    std::vector<std::string> words = command;
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (terminal_child >= 0) {
            ::setsid();
            ::ioctl(terminal_child, TIOCSCTTY, 0);
            for (int fd = 0; fd <= 2; ++fd) ::dup2(terminal_child, fd);
        } else {
            const int null_fd = ::open("/dev/null", O_RDONLY);
            const int out_fd = out_path.empty() ? ::open("/dev/null", O_WRONLY) : ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err_fd = err_path.empty() ? ::open("/dev/null", O_WRONLY) : ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(null_fd, 0);
            ::dup2(out_fd, 1);
            ::dup2(err_fd, 2);
        }
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);
        if (::chdir(directory.c_str()) != 0) _exit(126);
        ::execvp(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int decode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

int run_command(const std::vector<std::string>& command, std::string* output, std::string* errors) {
    const std::string stem = fs::temp_directory_path() / ("vigil-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(container_counter++));
    const pid_t pid = launch(command, stem + ".out", errors != nullptr ? stem + ".err" : "");
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (output != nullptr) *output = harness::read_file(stem + ".out");
    if (errors != nullptr) *errors = harness::read_file(stem + ".err");
    fs::remove(stem + ".out");
    fs::remove(stem + ".err");
    return decode(status);
}

PodmanStore::PodmanStore() {
    std::string pattern = (fs::temp_directory_path() / "vigil-podman-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for a podman store");
    directory_ = pattern;
    for (const char* sub : {"root", "run", "tmp"}) fs::create_directories(fs::path(directory_) / sub);
}

PodmanStore::~PodmanStore() {
    std::vector<std::string> remove_all{"podman"};
    const auto store = options();
    remove_all.insert(remove_all.end(), store.begin(), store.end());
    for (const char* word : {"rm", "--all", "--force", "--time", "0"}) remove_all.emplace_back(word);
    run_command(remove_all);
    // Anything podman left mounted below the store, deepest first.
    std::vector<std::string> mounts;
    for (const auto& line : harness::lines(harness::read_file("/proc/self/mountinfo"))) {
        std::istringstream fields(line);
        std::string id, parent, device, root, target;
        fields >> id >> parent >> device >> root >> target;
        if (target.rfind(directory_ + "/", 0) == 0) mounts.push_back(target);
    }
    std::sort(mounts.rbegin(), mounts.rend());
    for (const auto& target : mounts) ::umount2(target.c_str(), MNT_DETACH);
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
}

std::vector<std::string> PodmanStore::options() const {
    return {"--root", directory_ + "/root", "--runroot", directory_ + "/run", "--tmpdir", directory_ + "/tmp", "--events-backend", "file"};
}

Runtime podman_runtime(const std::string& runtime, const std::string& cgroup_manager, const PodmanStore& store) {
    std::vector<std::string> global{"podman"};
    const auto private_store = store.options();
    global.insert(global.end(), private_store.begin(), private_store.end());
    for (const std::string& word : {std::string("--runtime"), runtime, std::string("--cgroup-manager"), cgroup_manager, std::string("--storage-driver"), std::string("vfs")})
        global.push_back(word);
    return Runtime{global,
                   {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "-v", "/usr:/usr:ro", "-v", "/lib:/lib:ro", "-v", "/lib64:/lib64:ro"},
                   "--rootfs",
                   {"rm", "-f", "-t", "0"},
                   runtime + " with " + cgroup_manager};
}

std::string build_rootfs(const harness::TempDir& dir, const std::string& vigil, const std::string& apps, const std::string& example) {
    const fs::path root = dir.path("rootfs");
    for (const char* sub : {"bin", "proc", "dev", "sys", "tmp", "etc", "app", "work", "usr", "lib", "lib64", "run"}) fs::create_directories(root / sub);
    fs::permissions(root / "tmp", fs::perms::all | fs::perms::sticky_bit);
    fs::copy_file(vigil, root / "init");
    fs::copy_file("/bin/busybox", root / "bin" / "busybox");
    fs::create_symlink("busybox", root / "bin" / "sh");
    fs::copy(apps, root / "app", fs::copy_options::recursive);
    fs::copy_file(example, root / "app" / "server.js");
    return root.string();
}

std::optional<Runtime> find_runtime(const std::string& rootfs, const PodmanStore& store, std::string& why_not) {
    struct Candidate {
        const char* runtime;
        const char* cgroup_manager;
    };
    for (const Candidate candidate : {Candidate{"runc", "cgroupfs"}, Candidate{"crun", "cgroupfs"}, Candidate{"crun", "systemd"}, Candidate{"runc", "systemd"}}) {
        std::string found;
        if (run_command({"sh", "-c", std::string("command -v ") + candidate.runtime + " || test -x /usr/libexec/podman/" + candidate.runtime}, &found) != 0) {
            why_not += std::string(candidate.runtime) + ": not installed; ";
            continue;
        }
        const Runtime runtime = podman_runtime(candidate.runtime, candidate.cgroup_manager, store);
        std::vector<std::string> probe = runtime.global_options;
        for (const char* word : {"run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--rootfs"}) probe.emplace_back(word);
        probe.push_back(rootfs);
        for (const char* word : {"/bin/busybox", "true"}) probe.emplace_back(word);
        std::string errors;
        const int code = run_command(probe, nullptr, &errors);
        if (code == 0) return runtime;
        const auto said = harness::lines(errors);
        why_not += runtime.description + ": a trivial container exited " + std::to_string(code) + (said.empty() ? "" : " (" + said.back() + ")") + "; ";
    }
    return std::nullopt;
}

Container::Container(const Runtime& runtime, const std::string& image, const harness::TempDir& dir, ContainerSpec spec)
    : runtime_(runtime),
      name_("vigil-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(container_counter++)),
      stdout_path_(dir.path(name_ + ".stdout")),
      stderr_path_(dir.path(name_ + ".stderr")) {
    std::vector<std::string> command = runtime.global_options;
    command.push_back("run");
    if (!spec.keep) command.push_back("--rm");
    for (const char* word : {"--network", "none"}) command.emplace_back(word);
    command.insert(command.end(), runtime.run_options.begin(), runtime.run_options.end());
    command.push_back("-v");
    command.push_back(dir.path("work") + ":/work");
    fs::create_directories(dir.path("work"));
    // The program may run as another user (the example image's "node"): it writes its socket here.
    fs::permissions(dir.path("work"), fs::perms::all);
    command.push_back("--name");
    command.push_back(name_);
    if (spec.terminal) command.push_back("-it");
    for (const auto& entry : spec.environment) {
        command.push_back("-e");
        command.push_back(entry);
    }
    command.insert(command.end(), spec.run_options.begin(), spec.run_options.end());
    if (!runtime.image_flag.empty()) command.push_back(runtime.image_flag);
    command.push_back(image);
    command.insert(command.end(), spec.command.begin(), spec.command.end());

    int terminal_child = -1;
    if (spec.terminal) {
        if (::openpty(&terminal_, &terminal_child, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
        ::fcntl(terminal_, F_SETFD, FD_CLOEXEC);
    }
    client_pid_ = launch(command, stdout_path_, stderr_path_, terminal_child, dir.path(""));
    if (terminal_child >= 0) {
        ::close(terminal_child);
        terminal_reader_ = std::thread([this] {
            char buffer[4096];
            while (!stopping_) {
                pollfd poll_fd{terminal_, POLLIN, 0};
                if (::poll(&poll_fd, 1, 100) <= 0) continue;
                const ssize_t got = ::read(terminal_, buffer, sizeof buffer);
                if (got <= 0) break;
                std::lock_guard lock(terminal_mutex_);
                terminal_output_.append(buffer, static_cast<std::size_t>(got));
            }
        });
    }
}

Container::~Container() {
    // Pass or fail, no container outlives its test.
    auto remove = runtime_.force_remove;
    remove.push_back(name_);
    run_command(runtime_command(remove));
    if (!exited_) {
        ::kill(client_pid_, SIGKILL);
        ::waitpid(client_pid_, nullptr, 0);
    }
    for (pid_t helper : helpers_) ::waitpid(helper, nullptr, 0);
    stopping_ = true;
    if (terminal_reader_.joinable()) terminal_reader_.join();
    if (terminal_ >= 0) ::close(terminal_);
}

std::vector<std::string> Container::runtime_command(std::vector<std::string> words) const {
    std::vector<std::string> command = runtime_.global_options;
    command.insert(command.end(), words.begin(), words.end());
    return command;
}

std::optional<int> Container::wait_exit(harness::Seconds timeout) {
    int status = 0;
    if (!harness::wait_for([&] { return ::waitpid(client_pid_, &status, WNOHANG) == client_pid_; }, timeout)) return std::nullopt;
    exited_ = true;
    exited_at_ = std::chrono::steady_clock::now();
    return decode(status);
}

void Container::stop(int timeout_seconds) {
    stopped_at_ = std::chrono::steady_clock::now();
    helpers_.push_back(launch(runtime_command({"stop", "-t", std::to_string(timeout_seconds), name_}), "", ""));
}

void Container::kill(const std::string& signal) { run_command(runtime_command({"kill", "--signal", signal, name_})); }

pid_t Container::host_pid() {
    pid_t pid = 0;
    harness::wait_for([&] {
        std::string output;
        if (run_command(runtime_command({"inspect", "--format", "{{.State.Pid}}", name_}), &output) != 0) return false;
        pid = static_cast<pid_t>(std::atol(output.c_str()));
        return pid > 0;
    });
    return pid;
}

void Container::type(const std::string& keys) {
    if (::write(terminal_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) throw std::runtime_error("cannot type into the terminal");
}

std::string Container::out() const {
    if (terminal_ >= 0) {
        std::lock_guard lock(terminal_mutex_);
        return terminal_output_;
    }
    return harness::read_file(stdout_path_);
}

std::string Container::err() const { return harness::read_file(stderr_path_); }

void Container::logs(std::string& out, std::string& err) const { run_command(runtime_command({"logs", name_}), &out, &err); }

std::string Container::inspect(const std::string& format) const {
    std::string output;
    run_command(runtime_command({"inspect", "--format", format, name_}), &output);
    while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
    return output;
}

double Container::seconds_since_stop() const {
    const auto end = exited_ ? exited_at_ : std::chrono::steady_clock::now();
    return std::chrono::duration<double>(end - stopped_at_).count();
}

HttpResponse http_get(const std::string& socket_path, const std::string& path, harness::Seconds timeout) {
    HttpResponse response;
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return response;
    }
    const std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return response;
    }
    std::string raw;
    const auto until = std::chrono::steady_clock::now() + timeout;
    char buffer[4096];
    while (std::chrono::steady_clock::now() < until) {
        pollfd poll_fd{fd, POLLIN, 0};
        if (::poll(&poll_fd, 1, 100) <= 0) continue;
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) break;
        raw.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(fd);
    if (raw.rfind("HTTP/1.", 0) == 0) response.status = std::atoi(raw.c_str() + 9);
    const auto body = raw.find("\r\n\r\n");
    if (body != std::string::npos) response.body = raw.substr(body + 4);
    return response;
}

}  // namespace e2e
