// /etc/passwd and /etc/group: input is "SPEC \x01 PASSWD \x01 GROUP".
#include <algorithm>

#include "accounts.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parts = fuzz::split(fuzz::as_text(data, size), '\x01');
    const auto spec = parts[0];
    const auto passwd = parts.size() > 1 ? parts[1] : std::string_view{};
    const auto group = parts.size() > 2 ? parts[2] : std::string_view{};
    (void)vigil::parse_passwd(passwd);
    (void)vigil::parse_group(group);
    const auto identity = vigil::resolve_identity(spec, passwd, group);
    if (identity.ok()) {
        // No duplicate supplementary groups; a named user's first group is its gid.
        auto groups = identity->groups;
        std::sort(groups.begin(), groups.end());
        fuzz::require(std::adjacent_find(groups.begin(), groups.end()) == groups.end());
        if (!identity->groups.empty()) fuzz::require(identity->groups.front() == identity->gid);
    }
    return 0;
}
