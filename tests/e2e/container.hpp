// Real containers for the end-to-end tests: podman with whichever OCI
// runtime works on this machine (runc or crun, cgroupfs or systemd), a
// directory root filesystem holding only busybox-static and the static
// vigil as /init, with node and its libraries bind-mounted read-only; or a
// Docker engine running images (the docker suite).
#pragma once

#include <sys/types.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "../integration/harness.hpp"

namespace e2e {

struct Runtime {
    std::vector<std::string> global_options;  // podman --runtime … --cgroup-manager … --storage-driver vfs, or docker -H …
    std::vector<std::string> run_options;     // given to every `run`
    std::string image_flag;                   // "--rootfs" (podman with a directory), empty for an image
    std::vector<std::string> force_remove;    // removes a container at once, running or not
    std::string description;
};

// A podman store of the test's own (--root, --runroot, --tmpdir, events in
// a file), so the host's default store, whatever driver made it, neither
// changes a result nor is changed. Its containers, mounts and files are
// gone when it is destroyed, pass or fail.
class PodmanStore {
public:
    PodmanStore();
    ~PodmanStore();
    PodmanStore(const PodmanStore&) = delete;
    PodmanStore& operator=(const PodmanStore&) = delete;
    // podman's global options that point at this store.
    std::vector<std::string> options() const;

private:
    std::string directory_;
};

// podman with a runtime and cgroup manager and a private store, running directory root filesystems.
Runtime podman_runtime(const std::string& runtime, const std::string& cgroup_manager, const PodmanStore& store);

// The first runtime configuration that runs a trivial container, or why none did.
std::optional<Runtime> find_runtime(const std::string& rootfs, const PodmanStore& store, std::string& why_not);

// Builds the root filesystem in dir: /init (vigil), /bin/busybox, /bin/sh, /app.
std::string build_rootfs(const harness::TempDir& dir, const std::string& vigil, const std::string& apps, const std::string& example);

struct ContainerSpec {
    std::vector<std::string> command;       // what the container runs: "/init", "node", …
    std::vector<std::string> environment;   // NAME=value, passed with -e
    std::vector<std::string> run_options;   // more podman run options, e.g. --memory 64m
    bool terminal = false;                  // run -it, on a pty we hold
    bool keep = false;                      // no --rm: logs() can still be read after the exit
};

class Container {
public:
    // image: a root filesystem directory, or an image name (see Runtime::image_flag).
    Container(const Runtime& runtime, const std::string& image, const harness::TempDir& dir, ContainerSpec spec);
    ~Container();
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    // The exit code podman run reports for the container; nullopt on timeout.
    std::optional<int> wait_exit(harness::Seconds timeout = harness::patience);
    // stop -t N, in the background, as an orchestrator would.
    void stop(int timeout_seconds);
    void kill(const std::string& signal);
    // PID 1 of the container, as the host sees it.
    pid_t host_pid();
    void type(const std::string& keys);  // into the terminal, with terminal = true

    std::string out() const;  // stdout, or everything from the terminal
    std::string err() const;
    // `logs`: what the runtime recorded of the container's stdout and stderr.
    void logs(std::string& out, std::string& err) const;
    // `inspect --format TEMPLATE`, trimmed.
    std::string inspect(const std::string& format) const;
    const std::string& name() const { return name_; }
    double seconds_since_stop() const;

private:
    std::vector<std::string> runtime_command(std::vector<std::string> words) const;

    const Runtime& runtime_;
    std::string name_;
    std::string stdout_path_;
    std::string stderr_path_;
    pid_t client_pid_ = -1;  // podman run / docker run
    bool exited_ = false;
    std::vector<pid_t> helpers_;
    int terminal_ = -1;
    std::atomic<bool> stopping_{false};
    std::thread terminal_reader_;
    mutable std::mutex terminal_mutex_;
    std::string terminal_output_;
    std::chrono::steady_clock::time_point stopped_at_{};
    std::chrono::steady_clock::time_point exited_at_{};
};

// Runs a command to completion; its exit code (or 128+N), stdout in `output`
// (and stderr in `errors` when given, else discarded).
int run_command(const std::vector<std::string>& command, std::string* output = nullptr, std::string* errors = nullptr);

struct HttpResponse {
    int status = 0;  // 0: no response
    std::string body;
};
// GET path over a unix socket, one request, waiting up to the timeout.
HttpResponse http_get(const std::string& socket_path, const std::string& path, harness::Seconds timeout = harness::patience);

}  // namespace e2e
