// vigil --health-check URL: one HTTP GET, for Docker's HEALTHCHECK (and
// ECS's, Compose's) in images with no curl or wget. Exit 0 when the answer's
// status is 2xx or 3xx, 1 for anything else, a malformed URL included
// (Docker reserves 2); one line says what happened. It starts no program and
// leaves no process behind. The parsers are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "duration.hpp"
#include "result.hpp"

namespace vigil {

struct HealthUrl {
    std::string host;         // a name or an address; an IPv6 address without its brackets
    std::uint16_t port = 80;
    std::string target;       // path and query: "/" at least
};
// http://HOST[:PORT][/PATH][?QUERY][#FRAGMENT]; the error says what is wrong.
Result<HealthUrl> parse_health_url(std::string_view url);

// The request vigil sends: GET, Host, Connection: close.
std::string health_request(const HealthUrl& url);

struct HttpStatus {
    int code = 0;
    std::string reason;
};
// The status line at the start of an answer ("HTTP/1.1 200 OK\r\n…"); an
// error for anything that is not one.
Result<HttpStatus> parse_status_line(std::string_view answer);

// Runs the check within timeout: the exit code (0 or 1); one line on stdout
// when healthy, on stderr when not.
int run_health_check(std::string_view url, Milliseconds timeout);

}  // namespace vigil
