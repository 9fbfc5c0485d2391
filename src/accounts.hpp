// Users and groups from the container's own /etc/passwd and /etc/group,
// parsed directly: a static binary has no NSS. Pure: the files' contents
// come in as text; lookup_identity below is the only part that reads them.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace vigil {

struct PasswdEntry {
    std::string name;
    uid_t uid;
    gid_t gid;
    std::string home;
};

struct GroupEntry {
    std::string name;
    gid_t gid;
    std::vector<std::string> members;
};

Result<PasswdEntry> parse_passwd_line(std::string_view line);
Result<GroupEntry> parse_group_line(std::string_view line);
// Whole files; blank lines are skipped, a malformed line is an error naming its number.
Result<std::vector<PasswdEntry>> parse_passwd(std::string_view text);
Result<std::vector<GroupEntry>> parse_group(std::string_view text);

// Who the program runs as.
struct Identity {
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;        // supplementary groups, set exactly
    std::optional<std::string> home;  // from the passwd entry, when there is one
};

// Resolves "USER[:GROUP]" (names or numeric ids). A named user gets its
// primary group (or GROUP) and every group that lists it as a member, as
// initgroups does. A numeric user absent from passwd is allowed, as
// Kubernetes' runAsUser is: group GROUP or 0, no supplementary groups.
Result<Identity> resolve_identity(std::string_view spec, std::string_view passwd_text, std::string_view group_text);

// resolve_identity over the files in /etc (a missing file reads as empty).
Result<Identity> lookup_identity(std::string_view spec);

}  // namespace vigil
