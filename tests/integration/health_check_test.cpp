// vigil --health-check against a server the test runs itself: each way a
// server can answer, or fail to, and the exit code and line that come of it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "harness.hpp"

using namespace harness;

namespace {

// A TCP server on the loopback: every connection gets `reply` (after reading
// the request), or is held open without an answer, or closed at once.
class TestServer {
public:
    enum class Behaviour { reply, hold, close };
    TestServer(Behaviour behaviour, std::string reply, bool v6 = false) : behaviour_(behaviour), reply_(std::move(reply)) {
        listener_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        REQUIRE(listener_ >= 0);
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (v6) {
            auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
            address->sin6_family = AF_INET6;
            address->sin6_addr = in6addr_loopback;
            length = sizeof *address;
        } else {
            auto* address = reinterpret_cast<sockaddr_in*>(&storage);
            address->sin_family = AF_INET;
            address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof *address;
        }
        REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&storage), length) == 0);
        REQUIRE(::listen(listener_, 16) == 0);
        REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&storage), &length) == 0);
        port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~TestServer() {
        stopping_ = true;
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
        for (const int connection : held_) ::close(connection);
    }
    int port() const { return port_; }
    std::string request() {
        const std::lock_guard lock(mutex_);
        return request_;
    }
    int requests() {
        const std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        while (!stopping_) {
            const int connection = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (connection < 0) return;
            if (behaviour_ == Behaviour::close) {
                ::close(connection);
                continue;
            }
            std::string text;
            char buffer[4096];
            while (text.find("\r\n\r\n") == std::string::npos) {
                const auto got = ::read(connection, buffer, sizeof buffer);
                if (got <= 0) break;
                text.append(buffer, static_cast<std::size_t>(got));
            }
            {
                const std::lock_guard lock(mutex_);
                request_ = text;
                ++requests_;
            }
            if (behaviour_ == Behaviour::hold) {
                held_.push_back(connection);
                continue;
            }
            (void)!::write(connection, reply_.data(), reply_.size());
            ::close(connection);
        }
    }

    Behaviour behaviour_;
    std::string reply_;
    int listener_ = -1;
    int port_ = 0;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::string request_;
    int requests_ = 0;
    std::vector<int> held_;
};

struct Outcome {
    int code = -1;
    std::string out, err;
    double seconds = 0;
};

Outcome check(const std::vector<std::string>& arguments) {
    TempDir dir;
    Vigil vigil(dir, arguments);
    Outcome outcome;
    const auto code = vigil.wait_exit();
    REQUIRE(code.has_value());
    outcome.code = *code;
    outcome.out = vigil.out();
    outcome.err = vigil.err();
    outcome.seconds = vigil.runtime_seconds();
    return outcome;
}

std::string url(int port, const std::string& path = "/healthz") { return "http://127.0.0.1:" + std::to_string(port) + path; }

}  // namespace

TEST_CASE("--health-check: 0 for a 2xx or 3xx answer with one line on stdout, 1 for any other with one line on stderr") {
    struct Case {
        std::string reply;
        int code;
        std::string said;
    };
    const std::vector<Case> cases = {
        {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n", 0, "answered 200 OK"},
        {"HTTP/1.0 204 No Content\r\n\r\n", 0, "answered 204 No Content"},
        {"HTTP/1.1 301 Moved Permanently\r\nLocation: /elsewhere\r\n\r\n", 0, "answered 301 Moved Permanently"},
        {"HTTP/1.1 404 Not Found\r\n\r\n", 1, "answered 404 Not Found"},
        {"HTTP/1.1 500 Internal Server Error\r\n\r\n", 1, "answered 500 Internal Server Error"},
        {"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\ndraining\n", 1, "answered 503 Service Unavailable"},
        {"SSH-2.0-OpenSSH_9.2p1\r\n", 1, "the answer is not HTTP: 'SSH-2.0-OpenSSH_9.2p1'"},
    };
    for (const auto& [reply, code, said] : cases) {
        INFO(reply);
        TestServer server(TestServer::Behaviour::reply, reply);
        const auto outcome = check({"--health-check", url(server.port(), "/healthz?deep=1")});
        CHECK(outcome.code == code);
        const auto& line = code == 0 ? outcome.out : outcome.err;
        CHECK(line == "vigil: health check " + std::string(code == 0 ? "passed" : "failed") + ": " + url(server.port(), "/healthz?deep=1") +
                          ": " + said + "\n");
        CHECK((code == 0 ? outcome.err : outcome.out).empty());
        CHECK(server.request() == "GET /healthz?deep=1 HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(server.port()) +
                                      "\r\nUser-Agent: vigil-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    }
}

TEST_CASE("--health-check: a refused connection, a closed one and a server that never answers are unhealthy, within the timeout") {
    int free_port = 0;
    {
        TestServer gone(TestServer::Behaviour::close, "");
        free_port = gone.port();
    }
    const auto refused = check({"--health-check", url(free_port)});
    CHECK(refused.code == 1);
    CHECK(refused.err == "vigil: health check failed: " + url(free_port) + ": cannot connect to 127.0.0.1:" + std::to_string(free_port) +
                             ": Connection refused\n");

    TestServer closing(TestServer::Behaviour::close, "");
    const auto closed = check({"--health-check", url(closing.port())});
    CHECK(closed.code == 1);
    CHECK(contains(closed.err, "closed the connection without an answer"));
    CHECK(lines(closed.err).size() == 1);

    TestServer silent(TestServer::Behaviour::hold, "");
    TempDir dir;
    Vigil waiting(dir, {"--health-timeout", "2s", "--health-check", url(silent.port())});
    // While it waits: one thread, no child (it never starts a process).
    REQUIRE(wait_for([&] { return contains(silent.request(), "GET /healthz"); }));
    const pid_t pid = waiting.pid();
    if (pid > 0) {
        const auto status = read_file("/proc/" + std::to_string(pid) + "/status");
        if (!status.empty()) {
            CHECK(contains(status, "\nThreads:\t1\n"));
            CHECK(descendants(pid, true).empty());
        }
    }
    const auto code = waiting.wait_exit();
    CHECK(code == 1);
    CHECK(waiting.err() == "vigil: health check failed: " + url(silent.port()) + ": no answer from 127.0.0.1:" + std::to_string(silent.port()) +
                               " within 2s\n");
    CHECK(waiting.runtime_seconds() >= 1.9);
    CHECK(waiting.runtime_seconds() < 30);

#ifndef VIGIL_TEST_PID_ONE  // as PID 1 the kernel drops a signal whose action is the default
    // Ctrl-C (or any default-action signal) ends a waiting check at once:
    // the signals vigil blocks for a run are unblocked for a check.
    const int before = silent.requests();
    Vigil interrupted(dir, {"--health-timeout", "10m", "--health-check", url(silent.port())});
    REQUIRE(wait_for([&] { return silent.requests() > before; }));
    interrupted.signal(SIGINT);
    CHECK(interrupted.wait_exit() == 128 + SIGINT);
    CHECK(interrupted.runtime_seconds() < 60);
#endif
}

TEST_CASE("--health-check reaches IPv6 addresses and localhost; every usage error is 1 with one line") {
    TestServer six(TestServer::Behaviour::reply, "HTTP/1.1 200 OK\r\n\r\n", true);
    const auto bracketed = check({"--health-check", "http://[::1]:" + std::to_string(six.port()) + "/"});
    CHECK(bracketed.code == 0);
    CHECK(contains(six.request(), "\r\nHost: [::1]:" + std::to_string(six.port()) + "\r\n"));

    // localhost: from /etc/hosts (or the loopback where it has no entry).
    TestServer four(TestServer::Behaviour::reply, "HTTP/1.1 200 OK\r\n\r\n");
    CHECK(check({"--health-check", "http://localhost:" + std::to_string(four.port()) + "/"}).code == 0);

    struct Bad {
        std::vector<std::string> arguments;
        std::string named;
    };
    const std::vector<Bad> bad = {
        {{"--health-check", "ftp://localhost/"}, "invalid URL 'ftp://localhost/': expected http://HOST[:PORT]/PATH"},
        {{"--health-check", "https://localhost/"}, "https is not supported"},
        {{"--health-check", "http://localhost:99999/"}, "the port '99999' is not a number from 1 to 65535"},
        {{"--health-check", "http://no-such-host.invalid./"}, "cannot resolve 'no-such-host.invalid.'"},
        {{"--health-check", "http://localhost/", "node", "app.js"}, "--health-check runs no program; remove 'node'"},
        {{"--health-timeout", "soon", "--health-check", "http://localhost/"}, "'soon'"},
        {{"--health-check"}, "option '--health-check' needs a value"},
        {{"--bogus", "--health-check", "http://localhost/"}, "unknown option '--bogus'"},
    };
    for (const auto& [arguments, named] : bad) {
        INFO(arguments.front() << " " << named);
        const auto outcome = check(arguments);
        CHECK(outcome.code == 1);
        CHECK(lines(outcome.err).size() == 1);
        CHECK(contains(outcome.err, named));
        CHECK(outcome.out.empty());
    }
    // Without --health-check, a usage error stays 2.
    CHECK(check({"--health-timeout", "2s", "true"}).code == 2);
}
