#include "capabilities.hpp"

#include <sys/capability.h>

#include <cctype>

#include <fmt/format.h>

namespace vigil {

Result<std::vector<int>> parse_capabilities(std::string_view list) {
    std::vector<int> capabilities;
    if (list.empty()) return Error{"empty capability list"};
    while (true) {
        const auto comma = list.find(',');
        const auto item = list.substr(0, comma);
        std::string name;
        for (char c : item) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name.rfind("cap_", 0) != 0) name.insert(0, "cap_");
        cap_value_t value = 0;
        // cap_from_name also takes numbers; only names are accepted here.
        const bool numeric = !item.empty() && std::isdigit(static_cast<unsigned char>(item.front()));
        if (item.empty() || numeric || cap_from_name(name.c_str(), &value) != 0)
            return Error{fmt::format("unknown capability '{}'", item)};
        if (std::find(capabilities.begin(), capabilities.end(), value) == capabilities.end()) capabilities.push_back(value);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return capabilities;
}

std::string capability_name(int capability) {
    char* text = cap_to_name(static_cast<cap_value_t>(capability));
    std::string name = text != nullptr ? text : fmt::format("cap_{}", capability);
    cap_free(text);
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

int known_capability_count() { return static_cast<int>(cap_max_bits()); }

namespace {
// Whether the capability is in the given set of `current` (from cap_get_proc).
bool in_set(cap_t current, int capability, cap_flag_t set) {
    cap_flag_value_t value = CAP_CLEAR;
    return cap_get_flag(current, static_cast<cap_value_t>(capability), set, &value) == 0 && value == CAP_SET;
}
}  // namespace

bool holds_effective(int capability) {
    cap_t current = cap_get_proc();
    if (current == nullptr) return false;
    const bool held = in_set(current, capability, CAP_EFFECTIVE);
    cap_free(current);
    return held;
}

Status check_capabilities_held(const std::vector<int>& capabilities) {
    cap_t current = cap_get_proc();
    if (current == nullptr) return Error{"cannot read vigil's own capabilities"};
    std::string missing;
    for (int capability : capabilities) {
        if (!in_set(current, capability, CAP_PERMITTED) || cap_get_bound(static_cast<cap_value_t>(capability)) != 1) {
            missing = capability_name(capability);
            break;
        }
    }
    const bool can_shrink_bounding = in_set(current, CAP_SETPCAP, CAP_EFFECTIVE);
    cap_free(current);
    if (!missing.empty()) return Error{fmt::format("cannot keep capability {}: vigil does not hold it", missing)};
    if (!can_shrink_bounding) return Error{"--caps needs vigil to hold CAP_SETPCAP, to drop the other capabilities from the bounding set"};
    return success();
}

}  // namespace vigil
