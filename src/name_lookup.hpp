// Host names to addresses the way a static binary can do it. glibc's
// getaddrinfo loads its NSS modules at run time, and a static vigil in a
// distroless image has none of the matching version; so: a numeric address,
// then /etc/hosts, then DNS over UDP to /etc/resolv.conf's servers (search
// domains and ndots as glibc reads them). Used by --health-check only. The
// parsers are pure; resolve() reads the two files and asks the servers.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "duration.hpp"
#include "result.hpp"

namespace vigil {

struct IpAddress {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4, in network order
    std::string text() const;
    bool operator==(const IpAddress& other) const { return v6 == other.v6 && bytes == other.bytes; }
};

// address and port as a socket address for connect(); its length.
socklen_t socket_address(const IpAddress& address, std::uint16_t port, sockaddr_storage& storage);

// "10.0.0.1" or "::1" (no brackets, no zone); nullopt for anything else.
std::optional<IpAddress> parse_ip(std::string_view text);

// The addresses /etc/hosts (its text) gives name, in the file's order; names compare without case.
std::vector<IpAddress> hosts_lookup(std::string_view hosts_file, std::string_view name);

struct ResolverConfig {
    std::vector<IpAddress> nameservers;  // at most 3, as glibc; none written: 127.0.0.1
    std::vector<std::string> search;
    int ndots = 1;
};
ResolverConfig parse_resolv_conf(std::string_view text);

// The names to ask for, in order: a name ending in '.' as it is; one with at
// least ndots dots as it is, then with each search domain; one with fewer
// the other way round.
std::vector<std::string> names_to_query(std::string_view name, const ResolverConfig& config);

inline constexpr std::uint16_t dns_type_a = 1;
inline constexpr std::uint16_t dns_type_aaaa = 28;

// A recursive query for name's records of type; an error when name cannot be
// a DNS name (an empty label, a label over 63 bytes, over 253 in all).
Result<std::string> dns_query(std::uint16_t id, std::string_view name, std::uint16_t type);

struct DnsReply {
    int rcode = 0;  // 0: no error, 3: no such name
    bool truncated = false;
    std::vector<IpAddress> addresses;  // the A and AAAA records of the answer section
};
// The reply to query id, or nullopt: another id, not a reply, or malformed.
std::optional<DnsReply> parse_dns_reply(std::string_view packet, std::uint16_t id);

// host's addresses, looked up until deadline (on the monotonic clock); the
// error says where it looked.
Result<std::vector<IpAddress>> resolve(std::string_view host, Milliseconds deadline);

}  // namespace vigil
