// Capabilities the program keeps (--caps), through libcap: names parsed
// here, the plan prepared before fork (libcap allocates), and the few
// system calls the child makes to apply it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "result.hpp"

namespace vigil {

// "NET_BIND_SERVICE,cap_chown" -> capability numbers; the error names the bad one.
Result<std::vector<int>> parse_capabilities(std::string_view list);

// "CAP_NET_BIND_SERVICE".
std::string capability_name(int capability);

// Whether vigil itself holds each capability (permitted and in its bounding
// set) and can shrink the bounding set (CAP_SETPCAP): the error names the
// first one it lacks.
Status check_capabilities_held(const std::vector<int>& capabilities);

// Whether vigil holds the capability in its effective set now.
bool holds_effective(int capability);

// The number of capabilities this kernel knows (CAP_LAST_CAP + 1).
int known_capability_count();

}  // namespace vigil
