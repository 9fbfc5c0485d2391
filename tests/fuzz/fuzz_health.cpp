// --health-check's parsers of what comes from outside: input is
// "URL \x01 HTTP ANSWER \x01 DNS REPLY \x01 HOSTS FILE \x01 RESOLV.CONF".
#include "fuzz.hpp"
#include "health_check.hpp"
#include "name_lookup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = fuzz::split(fuzz::as_text(data, size), '\x01');
    const auto part = [&](std::size_t index) { return index < parts.size() ? parts[index] : std::string_view{}; };
    if (const auto url = vigil::parse_health_url(part(0)); url.ok()) {
        fuzz::require(!url->host.empty() && url->port > 0 && !url->target.empty() && url->target.front() == '/');
        // The request is one request: its only blank line ends it.
        const auto request = vigil::health_request(*url);
        fuzz::require(request.find("\r\n\r\n") == request.size() - 4);
    }
    if (const auto status = vigil::parse_status_line(part(1)); status.ok()) fuzz::require(status->code >= 100 && status->code <= 599);
    if (const auto reply = vigil::parse_dns_reply(part(2), 0x1234)) fuzz::require(reply->addresses.size() <= part(2).size() / 14);
    (void)vigil::hosts_lookup(part(3), "localhost");
    const auto config = vigil::parse_resolv_conf(part(4));
    fuzz::require(!config.nameservers.empty() && config.nameservers.size() <= 3 && config.ndots >= 0 && config.ndots <= 15);
    (void)vigil::names_to_query(part(0), config);
    return 0;
}
