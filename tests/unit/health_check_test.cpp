#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "health_check.hpp"
#include "name_lookup.hpp"

namespace {

std::vector<std::string> texts(const std::vector<vigil::IpAddress>& addresses) {
    std::vector<std::string> out;
    for (const auto& address : addresses) out.push_back(address.text());
    return out;
}

// A reply packet: header, the question as queried, then the answers.
std::string reply(std::uint16_t id, int rcode, const std::string& query_question, const std::vector<std::string>& answers,
                  bool truncated = false) {
    std::string packet{static_cast<char>(id >> 8), static_cast<char>(id & 0xFF), static_cast<char>(0x81 | (truncated ? 0x02 : 0)),
                       static_cast<char>(0x80 | rcode), 0, 1, 0, static_cast<char>(answers.size()), 0, 0, 0, 0};
    packet += query_question;
    for (const auto& answer : answers) packet += answer;
    return packet;
}

// One answer record whose name points back at the question (offset 12).
std::string record(std::uint16_t type, const std::string& data, std::uint16_t klass = 1) {
    std::string out{static_cast<char>(0xC0), 12, static_cast<char>(type >> 8), static_cast<char>(type & 0xFF),
                    static_cast<char>(klass >> 8), static_cast<char>(klass & 0xFF), 0, 0, 0, 60,
                    static_cast<char>(data.size() >> 8), static_cast<char>(data.size() & 0xFF)};
    return out + data;
}

}  // namespace

TEST_CASE("a health check URL is http://HOST[:PORT][/PATH][?QUERY], everything else an error that names it") {
    struct Good {
        std::string url, host;
        int port;
        std::string target;
    };
    const std::vector<Good> good = {
        {"http://127.0.0.1:3000/healthz", "127.0.0.1", 3000, "/healthz"},
        {"http://localhost/", "localhost", 80, "/"},
        {"http://localhost", "localhost", 80, "/"},
        {"HTTP://Web.Internal:8080", "Web.Internal", 8080, "/"},
        {"http://[::1]:3000/ready?deep=1#top", "::1", 3000, "/ready?deep=1"},
        {"http://[::1]/", "::1", 80, "/"},
        {"http://api?x=1", "api", 80, "/?x=1"},
        {"http://host:65535/a/b", "host", 65535, "/a/b"},
    };
    for (const auto& [url, host, port, target] : good) {
        INFO(url);
        const auto parsed = vigil::parse_health_url(url);
        REQUIRE(parsed.ok());
        CHECK(parsed->host == host);
        CHECK(parsed->port == port);
        CHECK(parsed->target == target);
    }
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"", "expected http://HOST[:PORT]/PATH"},
        {"localhost:3000/healthz", "expected http://HOST[:PORT]/PATH"},
        {"ftp://host/", "expected http://HOST[:PORT]/PATH"},
        {"https://host/", "https is not supported"},
        {"http://", "the host is missing"},
        {"http:///healthz", "the host is missing"},
        {"http://:3000/", "the host is missing"},
        {"http://host:/", "the port is empty"},
        {"http://host:0/", "the port '0' is not a number from 1 to 65535"},
        {"http://host:65536/", "the port '65536' is not a number from 1 to 65535"},
        {"http://host:80a/", "the port '80a' is not a number from 1 to 65535"},
        {"http://[::1/", "an IPv6 address needs its closing ']'"},
        {"http://[127.0.0.1]/", "'127.0.0.1' is not an IPv6 address"},
        {"http://[::1]x/", "expected ':PORT' after the IPv6 address"},
        {"http://::1:3000/", "an IPv6 address goes in brackets"},
        {"http://user:secret@host/", "a user name or password is not supported"},
        {"http://host/a b", "it holds a space or a control character"},
        {"http://host/\n", "it holds a space or a control character"},
    };
    for (const auto& [url, why] : bad) {
        INFO(url);
        const auto parsed = vigil::parse_health_url(url);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().rfind("invalid URL '", 0) == 0);
        CHECK(parsed.error().find(why) != std::string::npos);
    }
    CHECK(vigil::parse_health_url("http://host/\n").error() == "invalid URL 'http://host/\\n': it holds a space or a control character");
}

TEST_CASE("the health check's request names the host as the URL did and closes the connection") {
    CHECK(vigil::health_request(*vigil::parse_health_url("http://127.0.0.1:3000/healthz?x=1")) ==
          "GET /healthz?x=1 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: vigil-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n");
    CHECK(vigil::health_request(*vigil::parse_health_url("http://[::1]/")).find("\r\nHost: [::1]\r\n") != std::string::npos);
    CHECK(vigil::health_request(*vigil::parse_health_url("http://web")).rfind("GET / HTTP/1.1\r\nHost: web\r\n", 0) == 0);
}

TEST_CASE("an answer's status line gives the code and reason; anything else is not HTTP") {
    const auto ok = vigil::parse_status_line("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
    REQUIRE(ok.ok());
    CHECK(ok->code == 200);
    CHECK(ok->reason == "OK");
    CHECK(vigil::parse_status_line("HTTP/1.0 503 Service Unavailable\n")->code == 503);
    CHECK(vigil::parse_status_line("HTTP/1.0 503 Service Unavailable\n")->reason == "Service Unavailable");
    CHECK(vigil::parse_status_line("HTTP/1.1 204\r\n")->code == 204);
    CHECK(vigil::parse_status_line("HTTP/1.1 204\r\n")->reason.empty());
    CHECK(vigil::parse_status_line("HTTP/1.1 301 Moved Permanently")->code == 301);  // the connection closed after the line
    for (const std::string garbage : {"", "SSH-2.0-OpenSSH_9.2\r\n", "HTTP/2 200\r\n", "HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n",
                                      "HTTP/1.1 099 Low\r\n", "HTTP/1.1 600 High\r\n", "HTTP/1.1  200 OK\r\n", "http/1.1 200 OK\r\n",
                                      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"}) {
        INFO(garbage);
        const auto status = vigil::parse_status_line(garbage);
        REQUIRE_FALSE(status.ok());
        CHECK(status.error().rfind("the answer is not HTTP: '", 0) == 0);
    }
    CHECK(vigil::parse_status_line("\x16\x03\x01").error() == "the answer is not HTTP: '\\x16\\x03\\x01'");
}

TEST_CASE("addresses are numeric IPv4 or IPv6 without brackets") {
    CHECK(vigil::parse_ip("10.0.0.1")->text() == "10.0.0.1");
    CHECK_FALSE(vigil::parse_ip("10.0.0.1")->v6);
    CHECK(vigil::parse_ip("::1")->text() == "::1");
    CHECK(vigil::parse_ip("fd00:0::10")->text() == "fd00::10");
    for (const std::string bad : {"", "localhost", "10.0.0", "10.0.0.256", "[::1]", "::1%lo", "1.2.3.4 "}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_ip(bad).has_value());
    }
}

TEST_CASE("/etc/hosts gives every address of a name, in the file's order, without case") {
    const std::string hosts =
        "# a comment\n"
        "127.0.0.1\tlocalhost\n"
        "::1     localhost ip6-localhost ip6-loopback\n"
        "10.0.0.5 Web.Internal web # the app\n"
        "not-an-address web\n"
        "10.0.0.6\n"
        "10.0.0.5 web\n";
    CHECK(texts(vigil::hosts_lookup(hosts, "localhost")) == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(texts(vigil::hosts_lookup(hosts, "web")) == std::vector<std::string>{"10.0.0.5"});
    CHECK(texts(vigil::hosts_lookup(hosts, "WEB.internal")) == std::vector<std::string>{"10.0.0.5"});
    CHECK(vigil::hosts_lookup(hosts, "the").empty());
    CHECK(vigil::hosts_lookup(hosts, "comment").empty());
    CHECK(vigil::hosts_lookup("", "localhost").empty());
}

TEST_CASE("resolv.conf: up to three servers, the last search line, ndots") {
    const auto kubernetes = vigil::parse_resolv_conf(
        "search default.svc.cluster.local svc.cluster.local cluster.local\n"
        "nameserver 10.96.0.10\n"
        "options ndots:5 timeout:2\n");
    CHECK(texts(kubernetes.nameservers) == std::vector<std::string>{"10.96.0.10"});
    CHECK(kubernetes.search == std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"});
    CHECK(kubernetes.ndots == 5);
    const auto many = vigil::parse_resolv_conf(
        "nameserver 1.1.1.1\nnameserver fd00::53 # v6\nnameserver bogus\nnameserver 8.8.8.8\nnameserver 9.9.9.9\n"
        "domain example.org\nsearch a.test b.test\n; another comment\noptions ndots:99\n");
    CHECK(texts(many.nameservers) == std::vector<std::string>{"1.1.1.1", "fd00::53", "8.8.8.8"});
    CHECK(many.search == std::vector<std::string>{"a.test", "b.test"});
    CHECK(many.ndots == 15);
    CHECK(vigil::parse_resolv_conf("options ndots:-1\n").ndots == 1);  // not a count: the default (found by fuzzing)
    const auto empty = vigil::parse_resolv_conf("");
    CHECK(texts(empty.nameservers) == std::vector<std::string>{"127.0.0.1"});
    CHECK(empty.search.empty());
    CHECK(empty.ndots == 1);
}

TEST_CASE("the names asked of DNS follow ndots and the search list, as glibc's resolver") {
    vigil::ResolverConfig config;
    config.search = {"default.svc.cluster.local", "svc.cluster.local"};
    config.ndots = 5;
    CHECK(vigil::names_to_query("api", config) == std::vector<std::string>{"api.default.svc.cluster.local", "api.svc.cluster.local", "api"});
    CHECK(vigil::names_to_query("example.com.", config) == std::vector<std::string>{"example.com"});
    config.ndots = 1;
    CHECK(vigil::names_to_query("example.com", config) ==
          std::vector<std::string>{"example.com", "example.com.default.svc.cluster.local", "example.com.svc.cluster.local"});
    config.search.clear();
    CHECK(vigil::names_to_query("api", config) == std::vector<std::string>{"api"});
}

TEST_CASE("a DNS query asks one question recursively; a reply gives its A and AAAA records") {
    const auto query = vigil::dns_query(0x1234, "web.svc.test", vigil::dns_type_a);
    REQUIRE(query.ok());
    const std::string question("\3web\3svc\4test\0\0\1\0\1", 18);
    CHECK(*query == std::string("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 12) + question);
    CHECK((*vigil::dns_query(1, "six.test", vigil::dns_type_aaaa)).substr(12) == std::string("\3six\4test\0\0\x1c\0\1", 14));
    for (const std::string& bad : std::vector<std::string>{"", "a..b", ".a", std::string(64, 'x') + ".test", std::string(254, 'a')}) {
        INFO(bad);
        CHECK_FALSE(vigil::dns_query(1, bad, vigil::dns_type_a).ok());
    }

    // A CNAME first (skipped), then two A records.
    const std::string cname = record(5, std::string("\3web\0", 5));
    const auto answered = vigil::parse_dns_reply(
        reply(0x1234, 0, question, {cname, record(1, std::string("\x0a\0\0\x05", 4)), record(1, std::string("\x7f\0\0\x01", 4))}), 0x1234);
    REQUIRE(answered.has_value());
    CHECK(answered->rcode == 0);
    CHECK(texts(answered->addresses) == std::vector<std::string>{"10.0.0.5", "127.0.0.1"});
    const auto six = vigil::parse_dns_reply(reply(7, 0, question, {record(28, std::string(15, '\0') + '\1')}), 7);
    REQUIRE(six.has_value());
    CHECK(texts(six->addresses) == std::vector<std::string>{"::1"});
    const auto missing = vigil::parse_dns_reply(reply(7, 3, question, {}), 7);
    REQUIRE(missing.has_value());
    CHECK(missing->rcode == 3);
    CHECK(missing->addresses.empty());
    CHECK(vigil::parse_dns_reply(reply(7, 0, question, {}, true), 7)->truncated);
    // Records of another class or the wrong size are not addresses.
    CHECK(vigil::parse_dns_reply(reply(7, 0, question, {record(1, std::string("\1\2\3\4", 4), 3), record(1, "\1\2\3")}), 7)->addresses.empty());

    // Not the reply to this query: another id, a query, too short, cut short.
    const auto good = reply(7, 0, question, {record(1, std::string("\1\2\3\4", 4))});
    CHECK_FALSE(vigil::parse_dns_reply(good, 8).has_value());
    CHECK_FALSE(vigil::parse_dns_reply(*query, 0x1234).has_value());
    CHECK_FALSE(vigil::parse_dns_reply(good.substr(0, 11), 7).has_value());
    for (std::size_t cut = 12; cut < good.size(); ++cut) {
        INFO(cut);
        CHECK_FALSE(vigil::parse_dns_reply(good.substr(0, cut), 7).has_value());
    }
}
