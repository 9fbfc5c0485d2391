// docker/kubernetes.yaml played by podman (tests/kube/run.sh made the image
// and the store). Each case plays the manifest with the substitutions it
// names, and says why each is needed. The requests go to the pod's own
// loopback from a thread that joins the pod's network namespace.
#define CATCH_CONFIG_RUNNER
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <future>
#include <sstream>

#include "../cannot_run.hpp"
#include "../e2e/container.hpp"

using namespace harness;
using e2e::run_command;

namespace {

std::string environment_value(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

std::vector<std::string> podman(std::vector<std::string> words) {
    std::vector<std::string> command;
    std::istringstream global(environment_value("VIGIL_KUBE_PODMAN"));
    for (std::string word; global >> word;) command.push_back(word);
    command.insert(command.end(), words.begin(), words.end());
    return command;
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// The manifest with each `from` replaced by its `to`; each must occur exactly once.
struct Substitution {
    std::string from, to, why;
};
std::string manifest(const std::vector<Substitution>& substitutions) {
    auto text = read_file(environment_value("VIGIL_SOURCE_ROOT") + "/docker/kubernetes.yaml");
    REQUIRE_FALSE(text.empty());
    for (const auto& [from, to, why] : substitutions) {
        INFO("substitution for " << why << ": " << from);
        const auto at = text.find(from);
        REQUIRE(at != std::string::npos);
        REQUIRE(text.find(from, at + 1) == std::string::npos);
        text.replace(at, from.size(), to);
    }
    return text;
}

// What every case changes, and why.
std::vector<Substitution> for_podman(const std::string& termination_log) {
    return {
        {"replicas: 2", "replicas: 1", "one pod is enough for a test"},
        {"          ports:\n            - containerPort: 3000\n", "",
         "podman 4.3 turns a containerPort into a host port mapping, which a pod without a network (--network none) cannot have"},
        // A kubelet mounts a file of its own at terminationMessagePath; podman mounts none.
        {"          volumeMounts:\n", "          volumeMounts:\n            - name: termination-log\n              mountPath: /dev/termination-log\n",
         "the kubelet's termination message file"},
        {"      volumes:\n", "      volumes:\n        - name: termination-log\n          hostPath:\n            path: " + termination_log + "\n            type: File\n",
         "the kubelet's termination message file"},
    };
}

// podman 4.3 runs no preStop hook and sends SIGTERM at once: vigil serves the
// 5 s itself, inside a budget counted from the same moment as the kubelet's
// (5 s of preStop sleep + 20 s of drain = 25 s), as the manifest's comment
// says to do where there is no sleep action.
const Substitution pre_stop_by_vigil = {
    "            - name: VIGIL_DRAIN_TIMEOUT\n              value: \"20s\"\n",
    "            - name: VIGIL_DRAIN_TIMEOUT\n              value: \"25s\"\n            - name: VIGIL_PRE_STOP_DELAY\n              value: \"5s\"\n",
    "the preStop sleep, which podman 4.3 does not run"};

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The played manifest: its pod, removed at the end of the case, pass or fail.
class Played {
public:
    Played(const TempDir& dir, const std::vector<Substitution>& substitutions) : file_(dir.path("kubernetes.yaml")) {
        std::ofstream(file_) << manifest(substitutions);
        std::string out;
        std::string err;
        const int code = run_command(podman({"kube", "play", "--network", "none", file_}), &out, &err);
        INFO(out << err);
        REQUIRE(code == 0);
        // The app container: POD-server, where the kubelet would call it "server".
        REQUIRE(wait_for([&] {
            std::string names;
            run_command(podman({"ps", "--format", "{{.Names}}", "--filter", "name=-server$"}), &names);
            container_ = trimmed(names);
            return !container_.empty() && container_.find('\n') == std::string::npos;
        }));
        log_path_ = inspect("{{.HostConfig.LogConfig.Path}}");
        REQUIRE(wait_for([&] { return contains(logs(), "listening on 3000"); }));
        pid_ = std::stoi(inspect("{{.State.Pid}}"));
    }
    ~Played() { run_command(podman({"pod", "rm", "--all", "--force", "--time", "0"})); }
    Played(const Played&) = delete;
    Played& operator=(const Played&) = delete;

    // What the container wrote so far, stdout and stderr in order: its log file, read directly (podman
    // logs takes a second on a busy machine). The file is in the kubelet's own (CRI) format:
    // "TIME STREAM F TEXT" per line, P for a part of a line that goes on in the next.
    std::string logs() const {
        if (!log_path_.empty() && file_exists(log_path_)) {
            std::string text;
            for (const auto& line : lines(read_file(log_path_))) {
                const auto stream = line.find(' ');
                const auto tag = stream == std::string::npos ? stream : line.find(' ', stream + 1);
                if (tag == std::string::npos || line.size() < tag + 3) continue;
                text += line.substr(tag + 3);
                if (line[tag + 1] == 'F') text += '\n';
            }
            return text;
        }
        std::string out;
        std::string err;
        run_command(podman({"logs", container_}), &out, &err);
        return out + err;
    }
    std::string inspect(const std::string& format) const {
        std::string out;
        run_command(podman({"inspect", "--format", format, container_}), &out);
        return trimmed(out);
    }
    const std::string& container() const { return container_; }
    pid_t pid() const { return pid_; }  // vigil, as the host sees it

private:
    std::string file_;
    std::string container_;
    std::string log_path_;
    pid_t pid_ = -1;
};

struct Answer {
    int status = 0;  // 0: none (refused, reset, timed out)
    std::string head;  // the status line and headers
    std::string body;
};

// GET path from 127.0.0.1:3000 inside the network namespace of process pid.
Answer get_inside(pid_t pid, const std::string& path, Seconds timeout = patience) {
    return std::async(std::launch::async, [=] {
        Answer answer;
        const int namespace_fd = ::open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
        if (namespace_fd < 0 || ::setns(namespace_fd, CLONE_NEWNET) != 0) return answer;  // this thread only
        ::close(namespace_fd);
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(3000);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const std::string request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";  // keep-alive, as a load balancer
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
            ::close(fd);
            return answer;
        }
        std::string raw;
        const auto until = Clock::now() + timeout;
        char buffer[4096];
        while (Clock::now() < until) {
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, 100) <= 0) continue;
            const ssize_t got = ::read(fd, buffer, sizeof buffer);
            if (got <= 0) break;
            raw.append(buffer, static_cast<std::size_t>(got));
            // A keep-alive answer is whole at its last chunk (Node's answers are chunked).
            if (raw.size() >= 5 && raw.compare(raw.size() - 5, 5, "0\r\n\r\n") == 0) break;
        }
        ::close(fd);
        const auto end = raw.find("\r\n\r\n");
        if (raw.rfind("HTTP/1.1 ", 0) == 0 && end != std::string::npos) {
            answer.status = std::atoi(raw.c_str() + 9);
            answer.head = raw.substr(0, end);
            answer.body = raw.substr(end + 4);  // still in its chunks
        }
        return answer;
    }).get();
}

std::string status_value(pid_t pid, const std::string& key) {
    for (const auto& line : lines(read_file("/proc/" + std::to_string(pid) + "/status"))) {
        if (line.rfind(key + ":", 0) != 0) continue;
        auto value = line.substr(key.size() + 2);
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
        return value;
    }
    return "(missing)";
}

// A file for the termination message that uid 1000 can write, as the kubelet's is.
std::string termination_log(const TempDir& dir) {
    const auto path = dir.path("termination-log");
    std::ofstream(path).close();
    ::chmod(path.c_str(), 0666);
    return path;
}

}  // namespace

TEST_CASE("the manifest runs under the restricted posture; its VIGIL_* settings and 256Mi limit reach vigil, with no warning") {
    TempDir dir;
    const Played pod(dir, for_podman(termination_log(dir)));
    // The posture, from vigil's own /proc status and podman's record of the container.
    CHECK(status_value(pod.pid(), "Uid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(pod.pid(), "Gid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(pod.pid(), "CapEff") == "0000000000000000");
    CHECK(status_value(pod.pid(), "CapBnd") == "0000000000000000");
    CHECK(status_value(pod.pid(), "NoNewPrivs") == "1");
    CHECK(status_value(pod.pid(), "Seccomp") == "2");
    CHECK(pod.inspect("{{.HostConfig.ReadonlyRootfs}}") == "true");
    CHECK(pod.inspect("{{.HostConfig.Memory}}") == "268435456");

    const auto logs = pod.logs();
    INFO(logs);
    for (const auto& line : lines(logs)) {
        if (line.rfind("server: ", 0) == 0) continue;
        CHECK(is_json_object_with(line, {"ts", "level", "msg", "event"}));  // VIGIL_LOG_FORMAT=json
        CHECK_FALSE(contains(line, R"("level":"warn")"));
        CHECK_FALSE(contains(line, R"("level":"error")"));
    }
    // VIGIL_NODE_HEAP=100 of the 256Mi limit, and VIGIL_MEMORY_RESTART=90.
    CHECK(contains(logs, R"("event":"node_heap","max_old_space_size_mb":147,"limit_bytes":268435456,"percent":100)"));
    CHECK(contains(logs, "restarting when the working set reaches 230 MiB (90% of the 256 MiB limit)"));

    // Serving, ready, and healthy by vigil's own check inside the pod (no shell, no curl in the image).
    CHECK(contains(get_inside(pod.pid(), "/").body, "\r\nhello\n\r\n"));
    CHECK(get_inside(pod.pid(), "/healthz").status == 200);
    std::string out;
    CHECK(run_command(podman({"exec", pod.container(), "/init", "--health-check", "http://127.0.0.1:3000/healthz"}), &out) == 0);
    CHECK(out == "vigil: health check passed: http://127.0.0.1:3000/healthz: answered 200 OK\n");
    // The read-only root, and the emptyDir at /tmp.
    std::string err;
    CHECK(run_command(podman({"exec", pod.container(), "node", "-e",
                              "const fs = require('fs'); fs.writeFileSync('/tmp/ok', 'x');"
                              "try { fs.writeFileSync('/app/no', 'x'); } catch (e) { console.log(e.code); }"}),
                      &out, &err) == 0);
    CHECK(out == "EROFS\n");
}

TEST_CASE("stopped with a 30 s grace period: the pre-stop delay is served, the request in flight completes with Connection: close, exit 0") {
    TempDir dir;
    auto substitutions = for_podman(termination_log(dir));
    substitutions.push_back(pre_stop_by_vigil);
    const Played pod(dir, substitutions);
    auto in_flight = std::async(std::launch::async, [&] { return get_inside(pod.pid(), "/slow?ms=9000"); });
    REQUIRE(wait_for([&] { return contains(pod.logs(), "GET /slow?ms=9000 started"); }));

    const auto stopped = Clock::now();
    auto stop = std::async(std::launch::async, [&] { return run_command(podman({"stop", "--time", "30", pod.container()})); });
    // During the delay the server still serves as before: vigil has the SIGTERM, node does not yet, and it answers ready.
    REQUIRE(wait_for([&] { return contains(pod.logs(), R"("event":"stop_signal")"); }));
    const auto during = get_inside(pod.pid(), "/healthz");
    CHECK(during.status == 200);
    CHECK_FALSE(contains(pod.logs(), "SIGTERM received"));
    // Then node gets the SIGTERM, no sooner than 5 s after the stop.
    REQUIRE(wait_for([&] { return contains(pod.logs(), "server: SIGTERM received"); }));
    CHECK(seconds_since(stopped) >= 4.9);
    const auto answer = in_flight.get();
    CHECK(answer.status == 200);
    CHECK(contains(answer.body, "\r\nslow response after 9000 ms\n\r\n"));
    CHECK(contains(answer.head, "\r\nConnection: close"));  // a keep-alive client does not reuse the closing socket
    CHECK(stop.get() == 0);
    const double took = seconds_since(stopped);
    CHECK(pod.inspect("{{.State.ExitCode}}") == "0");
    CHECK(took < 20);
    const auto logs = pod.logs();
    INFO(logs);
    CHECK(contains(logs, "server: all connections closed, exiting 0"));
    CHECK(contains(logs, R"("pre_stop_ms":5000,"timeout_ms":25000)"));
}

TEST_CASE("a stuck request is killed at vigil's 25 s deadline, before podman's 30 s: 137, and the termination message is written") {
    TempDir dir;
    const auto message = termination_log(dir);
    auto substitutions = for_podman(message);
    substitutions.push_back(pre_stop_by_vigil);
    const Played pod(dir, substitutions);
    auto stuck = std::async(std::launch::async, [&] { return get_inside(pod.pid(), "/slow?ms=600000", Seconds(90)); });
    REQUIRE(wait_for([&] { return contains(pod.logs(), "GET /slow?ms=600000 started"); }));
    const auto stopped = Clock::now();
    CHECK(run_command(podman({"stop", "--time", "30", pod.container()})) == 0);
    const double took = seconds_since(stopped);
    CHECK(pod.inspect("{{.State.ExitCode}}") == "137");
    CHECK(took >= 24.5);
    CHECK(took < 29.5);
    CHECK(stuck.get().status == 0);
    const auto logs = pod.logs();
    INFO(logs);
    CHECK(contains(logs, R"("event":"deadline")"));
    const auto written = read_file(message);
    INFO(written);
    CHECK(written.rfind("vigil: exit code 137: ", 0) == 0);
    CHECK(contains(written, "drain deadline reached"));
}

int main(int argc, char** argv) {
    if (environment_value("VIGIL_KUBE_PODMAN").empty() || environment_value("VIGIL_SOURCE_ROOT").empty())
        return must_run::cannot_run("kube", "run through tests/kube/run.sh (meson test --suite kube), which makes the image and the podman store");
    return Catch::Session().run(argc, argv);
}
