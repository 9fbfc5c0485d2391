#include "name_lookup.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "clock.hpp"
#include "fd.hpp"
#include "text.hpp"

namespace vigil {
namespace {

// The words of one line of a configuration file, without its comment.
std::vector<std::string_view> words(std::string_view line) {
    line = line.substr(0, line.find_first_of("#;"));
    std::vector<std::string_view> found;
    std::size_t at = 0;
    while (true) {
        at = line.find_first_not_of(" \t\r", at);
        if (at == std::string_view::npos) break;
        const auto end = line.find_first_of(" \t\r", at);
        found.push_back(line.substr(at, end - at));
        if (end == std::string_view::npos) break;
        at = end;
    }
    return found;
}

std::uint16_t read16(std::string_view packet, std::size_t at) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(packet[at]) << 8) | static_cast<unsigned char>(packet[at + 1]));
}

// Past a (possibly compressed) name at `at`, or nullopt when it runs off the packet.
std::optional<std::size_t> skip_name(std::string_view packet, std::size_t at) {
    while (at < packet.size()) {
        const auto length = static_cast<unsigned char>(packet[at]);
        if ((length & 0xC0) == 0xC0) return at + 2 <= packet.size() ? std::optional(at + 2) : std::nullopt;
        if (length == 0) return at + 1;
        if ((length & 0xC0) != 0) return std::nullopt;
        at += 1 + length;
    }
    return std::nullopt;
}

std::uint16_t query_id() {
    std::uint16_t id = 0;
    if (::getrandom(&id, sizeof id, GRND_NONBLOCK) != sizeof id) id = static_cast<std::uint16_t>(monotonic_now().count());
    return id;
}

// Waits for a reply to query (id) from server until deadline.
std::optional<DnsReply> ask(const IpAddress& server, const std::string& query, std::uint16_t id, Milliseconds deadline) {
    sockaddr_storage storage{};
    const socklen_t length = socket_address(server, 53, storage);
    const Fd socket(::socket(server.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!socket.valid() || ::connect(socket.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) return std::nullopt;
    if (::send(socket.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) return std::nullopt;
    char packet[1500];
    while (wait_ready(socket.get(), POLLIN, deadline)) {
        const auto got = ::recv(socket.get(), packet, sizeof packet, 0);
        if (got < 0) return std::nullopt;  // refused: nothing listens there
        if (auto reply = parse_dns_reply(std::string_view(packet, static_cast<std::size_t>(got)), id)) return reply;
    }
    return std::nullopt;
}

}  // namespace

std::string IpAddress::text() const {
    char buffer[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
    return buffer;
}

socklen_t socket_address(const IpAddress& address, std::uint16_t port, sockaddr_storage& storage) {
    storage = {};
    if (address.v6) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        std::memcpy(&v6->sin6_addr, address.bytes.data(), 16);
        return sizeof *v6;
    }
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    std::memcpy(&v4->sin_addr, address.bytes.data(), 4);
    return sizeof *v4;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    char buffer[INET6_ADDRSTRLEN] = {};
    text.copy(buffer, text.size());
    IpAddress address;
    if (::inet_pton(AF_INET, buffer, address.bytes.data()) == 1) return address;
    address.v6 = true;
    if (::inet_pton(AF_INET6, buffer, address.bytes.data()) == 1) return address;
    return std::nullopt;
}

std::vector<IpAddress> hosts_lookup(std::string_view hosts_file, std::string_view name) {
    std::vector<IpAddress> found;
    for (const auto line : parts(hosts_file, '\n')) {
        const auto fields = words(line.substr(0, line.find('#')));
        if (fields.size() < 2) continue;
        const auto address = parse_ip(fields[0]);
        if (!address) continue;
        const bool named = std::any_of(fields.begin() + 1, fields.end(), [&](std::string_view field) { return equal_no_case(field, name); });
        if (named && std::find(found.begin(), found.end(), *address) == found.end()) found.push_back(*address);
    }
    return found;
}

ResolverConfig parse_resolv_conf(std::string_view text) {
    ResolverConfig config;
    for (const auto line : parts(text, '\n')) {
        const auto fields = words(line);
        if (fields.empty()) continue;
        if (fields[0] == "nameserver" && fields.size() >= 2 && config.nameservers.size() < 3) {
            if (const auto address = parse_ip(fields[1])) config.nameservers.push_back(*address);
        } else if (fields[0] == "search" || fields[0] == "domain") {
            config.search.assign(fields.begin() + 1, fields.end());  // the last of them counts
        } else if (fields[0] == "options") {
            for (std::size_t i = 1; i < fields.size(); ++i) {
                if (fields[i].rfind("ndots:", 0) != 0) continue;
                if (const auto ndots = whole_number<unsigned>(fields[i].substr(6))) config.ndots = static_cast<int>(std::min(*ndots, 15U));
            }
        }
    }
    if (config.nameservers.empty()) config.nameservers.push_back(*parse_ip("127.0.0.1"));
    return config;
}

std::vector<std::string> names_to_query(std::string_view name, const ResolverConfig& config) {
    if (!name.empty() && name.back() == '.') return {std::string(name.substr(0, name.size() - 1))};
    std::vector<std::string> names;
    for (const auto& domain : config.search) names.push_back(fmt::format("{}.{}", name, domain));
    const auto dots = std::count(name.begin(), name.end(), '.');
    if (dots >= config.ndots) names.insert(names.begin(), std::string(name));
    else names.emplace_back(name);
    return names;
}

Result<std::string> dns_query(std::uint16_t id, std::string_view name, std::uint16_t type) {
    if (name.empty() || name.size() > 253) return Error{fmt::format("'{}' is not a host name", printable(name))};
    // Header: the id, "recursion desired", one question.
    std::string query{static_cast<char>(id >> 8), static_cast<char>(id & 0xFF), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    for (const auto label : parts(name, '.')) {
        if (label.empty() || label.size() > 63) return Error{fmt::format("'{}' is not a host name", printable(name))};
        query += static_cast<char>(label.size());
        query += label;
    }
    query += '\0';
    query += {static_cast<char>(type >> 8), static_cast<char>(type & 0xFF), 0, 1};  // class IN
    return query;
}

std::optional<DnsReply> parse_dns_reply(std::string_view packet, std::uint16_t id) {
    if (packet.size() < 12 || read16(packet, 0) != id) return std::nullopt;
    const auto flags = read16(packet, 2);
    if ((flags & 0x8000) == 0) return std::nullopt;  // a query, not a reply
    DnsReply reply;
    reply.rcode = flags & 0xF;
    reply.truncated = (flags & 0x0200) != 0;
    std::size_t at = 12;
    for (auto questions = read16(packet, 4); questions > 0; --questions) {
        const auto next = skip_name(packet, at);
        if (!next || *next + 4 > packet.size()) return std::nullopt;
        at = *next + 4;
    }
    for (auto answers = read16(packet, 6); answers > 0; --answers) {
        const auto next = skip_name(packet, at);
        if (!next || *next + 10 > packet.size()) return std::nullopt;
        const auto type = read16(packet, *next);
        const auto klass = read16(packet, *next + 2);
        const auto length = read16(packet, *next + 8);
        at = *next + 10;
        if (at + length > packet.size()) return std::nullopt;
        if (klass == 1 && ((type == dns_type_a && length == 4) || (type == dns_type_aaaa && length == 16))) {
            IpAddress address;
            address.v6 = type == dns_type_aaaa;
            std::memcpy(address.bytes.data(), packet.data() + at, length);
            reply.addresses.push_back(address);
        }
        at += length;
    }
    return reply;
}

Result<std::vector<IpAddress>> resolve(std::string_view host, Milliseconds deadline) {
    if (const auto address = parse_ip(host)) return std::vector{*address};
    const auto hosts = read_whole_file("/etc/hosts", 1 << 20);
    if (hosts) {
        if (auto found = hosts_lookup(*hosts, host); !found.empty()) return found;
    }
    // RFC 6761: localhost is the loopback, /etc/hosts or not.
    if (equal_no_case(host, "localhost") || equal_no_case(host, "localhost.")) return std::vector{*parse_ip("127.0.0.1"), *parse_ip("::1")};

    const auto config = parse_resolv_conf(read_whole_file("/etc/resolv.conf", 1 << 16).value_or(""));
    std::string servers;
    for (const auto& server : config.nameservers) servers += fmt::format("{}{}", servers.empty() ? "" : ", ", server.text());
    bool answered = false;
    for (const auto& name : names_to_query(host, config)) {
        bool no_such_name = false;
        for (const auto type : {dns_type_a, dns_type_aaaa}) {
            const auto id = query_id();
            auto query = dns_query(id, name, type);
            if (!query) return Error{query.error()};
            for (const auto& server : config.nameservers) {
                // Each server gets its share of the time left, the last one all of it.
                const auto left = deadline - monotonic_now();
                if (left.count() <= 0) {
                    return Error{fmt::format("cannot resolve '{}': no answer from the DNS server ({}) in time{}", printable(host), servers,
                                             hosts ? "" : " (and no /etc/hosts)")};
                }
                const auto share = &server == &config.nameservers.back() ? left : std::min(left, Milliseconds{2000});
                const auto reply = ask(server, *query, id, monotonic_now() + share);
                if (!reply) continue;
                answered = true;
                if (!reply->addresses.empty()) return reply->addresses;
                if (reply->rcode == 0 || reply->rcode == 3) {
                    no_such_name = reply->rcode == 3;
                    break;  // the server knows: no such record or name
                }
            }
            if (no_such_name) break;
        }
    }
    if (!answered) return Error{fmt::format("cannot resolve '{}': not in /etc/hosts, and no answer from the DNS server ({})", printable(host), servers)};
    return Error{fmt::format("cannot resolve '{}': not in /etc/hosts, and the DNS server ({}) has no address for it", printable(host), servers)};
}

}  // namespace vigil
