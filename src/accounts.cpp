#include "accounts.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "text.hpp"

namespace vigil {
namespace {

// A decimal id below 2^32-1 (which the kernel reserves as "no id").
std::optional<unsigned> parse_id(std::string_view text) {
    if (text.size() > 10) return std::nullopt;
    const auto value = whole_number<unsigned>(text);
    if (value == 0xffffffffu) return std::nullopt;
    return value;
}

// Shows a line in an error message without flooding the terminal.
std::string excerpt(std::string_view line) {
    if (line.size() <= 60) return std::string(line);
    return fmt::format("{}...", line.substr(0, 60));
}

template <typename Entry, typename Parser>
Result<std::vector<Entry>> parse_lines(std::string_view text, std::string_view file, Parser parse_line) {
    std::vector<Entry> entries;
    int number = 0;
    for (auto line : split(text, '\n')) {
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        auto entry = parse_line(line);
        if (!entry) return Error{fmt::format("{} line {}: {}", file, number, entry.error())};
        entries.push_back(std::move(*entry));
    }
    return entries;
}

}  // namespace

Result<PasswdEntry> parse_passwd_line(std::string_view line) {
    const auto fields = split(line, ':');
    if (fields.size() != 7)
        return Error{fmt::format("malformed passwd entry '{}': expected 7 fields separated by ':', found {}", excerpt(line), fields.size())};
    const auto uid = parse_id(fields[2]);
    const auto gid = parse_id(fields[3]);
    if (fields[0].empty()) return Error{fmt::format("malformed passwd entry '{}': empty user name", excerpt(line))};
    if (!uid || !gid) return Error{fmt::format("malformed passwd entry '{}': bad uid or gid", excerpt(line))};
    return PasswdEntry{std::string(fields[0]), *uid, *gid, std::string(fields[5])};
}

Result<GroupEntry> parse_group_line(std::string_view line) {
    const auto fields = split(line, ':');
    if (fields.size() != 4)
        return Error{fmt::format("malformed group entry '{}': expected 4 fields separated by ':', found {}", excerpt(line), fields.size())};
    const auto gid = parse_id(fields[2]);
    if (fields[0].empty()) return Error{fmt::format("malformed group entry '{}': empty group name", excerpt(line))};
    if (!gid) return Error{fmt::format("malformed group entry '{}': bad gid", excerpt(line))};
    GroupEntry entry{std::string(fields[0]), *gid, {}};
    if (!fields[3].empty()) {
        for (auto member : split(fields[3], ',')) {
            if (!member.empty()) entry.members.emplace_back(member);
        }
    }
    return entry;
}

Result<std::vector<PasswdEntry>> parse_passwd(std::string_view text) {
    return parse_lines<PasswdEntry>(text, "/etc/passwd", parse_passwd_line);
}

Result<std::vector<GroupEntry>> parse_group(std::string_view text) {
    return parse_lines<GroupEntry>(text, "/etc/group", parse_group_line);
}

Result<Identity> resolve_identity(std::string_view spec, std::string_view passwd_text, std::string_view group_text) {
    const auto colon = spec.find(':');
    const auto user = spec.substr(0, colon);
    const auto group = colon == std::string_view::npos ? std::string_view{} : spec.substr(colon + 1);
    if (user.empty()) return Error{fmt::format("invalid user '{}': expected USER or USER:GROUP", spec)};
    if (colon != std::string_view::npos && group.empty()) return Error{fmt::format("invalid user '{}': empty group after ':'", spec)};

    auto users = parse_passwd(passwd_text);
    if (!users) return Error{users.error()};
    auto groups = parse_group(group_text);
    if (!groups) return Error{groups.error()};

    Identity identity{0, 0, {}, std::nullopt};
    const PasswdEntry* entry = nullptr;
    const auto numeric_user = parse_id(user);
    for (const auto& candidate : *users) {
        if (numeric_user ? candidate.uid == *numeric_user : candidate.name == user) {
            entry = &candidate;
            break;
        }
    }
    if (entry != nullptr) {
        identity.uid = entry->uid;
        identity.gid = entry->gid;
        identity.home = entry->home;
    } else if (numeric_user) {
        identity.uid = *numeric_user;
    } else {
        return Error{fmt::format("unknown user '{}': not in /etc/passwd", user)};
    }

    if (!group.empty()) {
        const auto numeric_group = parse_id(group);
        const GroupEntry* found = nullptr;
        for (const auto& candidate : *groups) {
            if (numeric_group ? candidate.gid == *numeric_group : candidate.name == group) {
                found = &candidate;
                break;
            }
        }
        if (found != nullptr) identity.gid = found->gid;
        else if (numeric_group) identity.gid = *numeric_group;
        else return Error{fmt::format("unknown group '{}': not in /etc/group", group)};
    }

    if (entry != nullptr) {
        identity.groups.push_back(identity.gid);
        for (const auto& candidate : *groups) {
            const bool member = std::find(candidate.members.begin(), candidate.members.end(), entry->name) != candidate.members.end();
            if (member && std::find(identity.groups.begin(), identity.groups.end(), candidate.gid) == identity.groups.end())
                identity.groups.push_back(candidate.gid);
        }
    }
    return identity;
}

Result<Identity> lookup_identity(std::string_view spec) {
    std::string texts[2];
    const char* paths[2] = {"/etc/passwd", "/etc/group"};
    for (int i = 0; i < 2; ++i) {
        auto text = read_whole_file(paths[i], std::size_t{64} << 20);
        if (text) texts[i] = std::move(*text);
        else if (errno != ENOENT) return Error{fmt::format("cannot read {}: {}", paths[i], std::strerror(errno))};
    }
    return resolve_identity(spec, texts[0], texts[1]);
}

}  // namespace vigil
