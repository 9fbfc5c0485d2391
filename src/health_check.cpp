#include "health_check.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "clock.hpp"
#include "fd.hpp"
#include "name_lookup.hpp"
#include "text.hpp"

namespace vigil {
namespace {

struct Exchange {
    std::string answer;  // what the server sent, up to its status line
    std::string failure; // empty when an answer came
};

// Connects to address, sends the request and reads up to the end of the status line.
Exchange exchange(const IpAddress& address, std::uint16_t port, const std::string& request, Milliseconds deadline, Milliseconds timeout) {
    sockaddr_storage storage{};
    const socklen_t length = socket_address(address, port, storage);
    const auto where = address.v6 ? fmt::format("[{}]:{}", address.text(), port) : fmt::format("{}:{}", address.text(), port);
    const auto timed_out = [&] { return Exchange{{}, fmt::format("no answer from {} within {}", where, format_duration(timeout))}; };
    const auto closed = [&] { return Exchange{{}, fmt::format("{} closed the connection without an answer", where)}; };
    const Fd socket(::socket(address.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket.valid()) return {{}, fmt::format("cannot open a socket: {}", std::strerror(errno))};
    if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        if (errno != EINPROGRESS) return {{}, fmt::format("cannot connect to {}: {}", where, std::strerror(errno))};
        if (!wait_ready(socket.get(), POLLOUT, deadline)) return timed_out();
        int error = 0;
        socklen_t size = sizeof error;
        ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &size);
        if (error != 0) return {{}, fmt::format("cannot connect to {}: {}", where, std::strerror(error))};
    }
    std::size_t sent = 0;
    while (sent < request.size()) {
        if (!wait_ready(socket.get(), POLLOUT, deadline)) return timed_out();
        const auto wrote = ::send(socket.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (wrote < 0 && (errno == EPIPE || errno == ECONNRESET)) return closed();
        if (wrote < 0 && errno != EAGAIN && errno != EINTR) return {{}, fmt::format("cannot send the request to {}: {}", where, std::strerror(errno))};
        if (wrote > 0) sent += static_cast<std::size_t>(wrote);
    }
    Exchange result;
    char buffer[1024];
    while (result.answer.find('\n') == std::string::npos && result.answer.size() < 4096) {
        if (!wait_ready(socket.get(), POLLIN, deadline)) return timed_out();
        const auto got = ::recv(socket.get(), buffer, sizeof buffer, 0);
        if (got == 0) break;
        if (got < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            if (errno == ECONNRESET) return closed();
            return {{}, fmt::format("the connection to {} failed: {}", where, std::strerror(errno))};
        }
        result.answer.append(buffer, static_cast<std::size_t>(got));
    }
    return result.answer.empty() ? closed() : result;
}

}  // namespace

Result<HealthUrl> parse_health_url(std::string_view url) {
    const auto bad = [&](std::string_view why) { return Error{fmt::format("invalid URL '{}': {}", printable(url), why)}; };
    for (const char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad("it holds a space or a control character");
    }
    if (equal_no_case(url.substr(0, 8), "https://")) return bad("https is not supported: the check runs next to the server, use http://");
    if (!equal_no_case(url.substr(0, 7), "http://")) return bad("expected http://HOST[:PORT]/PATH");
    url.remove_prefix(7);
    url = url.substr(0, url.find('#'));
    const auto authority_end = url.find_first_of("/?");
    const auto authority = url.substr(0, authority_end);
    HealthUrl parsed;
    parsed.target = authority_end == std::string_view::npos ? "/" : std::string(url.substr(authority_end));
    if (parsed.target.front() == '?') parsed.target.insert(0, "/");
    if (authority.find('@') != std::string_view::npos) return bad("a user name or password is not supported");
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return bad("an IPv6 address needs its closing ']'");
        parsed.host = std::string(authority.substr(1, close - 1));
        const auto address = parse_ip(parsed.host);
        if (!address || !address->v6) return bad(fmt::format("'{}' is not an IPv6 address", parsed.host));
        const auto rest = authority.substr(close + 1);
        if (!rest.empty() && rest.front() != ':') return bad("expected ':PORT' after the IPv6 address");
        if (!rest.empty()) port = rest.substr(1);
        if (rest.size() == 1) return bad("the port is empty");
    } else {
        const auto colon = authority.find(':');
        if (colon != authority.rfind(':') || authority.find_first_of("[]") != std::string_view::npos)
            return bad("an IPv6 address goes in brackets: http://[::1]:3000/");
        parsed.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            port = authority.substr(colon + 1);
            if (port.empty()) return bad("the port is empty");
        }
    }
    if (parsed.host.empty()) return bad("the host is missing");
    if (!port.empty()) {
        const auto number = whole_number<unsigned>(port);
        if (!number || *number < 1 || *number > 65535) return bad(fmt::format("the port '{}' is not a number from 1 to 65535", port));
        parsed.port = static_cast<std::uint16_t>(*number);
    }
    return parsed;
}

std::string health_request(const HealthUrl& url) {
    const bool v6 = url.host.find(':') != std::string::npos;
    const auto host = v6 ? fmt::format("[{}]", url.host) : url.host;
    const auto port = url.port == 80 ? std::string() : fmt::format(":{}", url.port);
    return fmt::format("GET {} HTTP/1.1\r\nHost: {}{}\r\nUser-Agent: vigil-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n",
                       url.target, host, port);
}

Result<HttpStatus> parse_status_line(std::string_view answer) {
    auto line = answer.substr(0, answer.find('\n'));
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto not_http = Error{fmt::format("the answer is not HTTP: '{}'", printable(line.substr(0, 60)))};
    // "HTTP/1.1 200 OK": a version, a space, three digits, then a space and a reason, or nothing.
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ') return not_http;
    const auto code = whole_number<int>(line.substr(9, 3));
    if (!code || *code < 100 || *code > 599 || (line.size() > 12 && line[12] != ' ')) return not_http;
    return HttpStatus{*code, std::string(line.size() > 13 ? line.substr(13, 60) : std::string_view())};
}

int run_health_check(std::string_view url, Milliseconds timeout) {
    const auto fail = [&](const std::string& why) {
        fmt::print(stderr, "vigil: health check failed: {}: {}\n", printable(url), why);
        return 1;
    };
    const auto parsed = parse_health_url(url);
    if (!parsed) {
        fmt::print(stderr, "vigil: health check failed: {}\n", parsed.error());
        return 1;
    }
    const auto deadline = monotonic_now() + timeout;
    const auto addresses = resolve(parsed->host, deadline);
    if (!addresses) return fail(addresses.error());
    const auto request = health_request(*parsed);
    std::string failure;
    for (const auto& address : *addresses) {
        const auto result = exchange(address, parsed->port, request, deadline, timeout);
        if (!result.failure.empty()) {
            failure = result.failure;
            continue;  // the next address, as long as time is left
        }
        const auto status = parse_status_line(result.answer);
        if (!status) return fail(status.error());
        const auto said = printable(status->reason.empty() ? "" : " " + status->reason);
        if (status->code < 200 || status->code > 399) return fail(fmt::format("answered {}{}", status->code, said));
        fmt::print("vigil: health check passed: {}: answered {}{}\n", printable(url), status->code, said);
        std::fflush(stdout);
        return 0;
    }
    return fail(failure);
}

}  // namespace vigil
