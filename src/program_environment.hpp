// The program's environment, built once, as owned values, in one place: the
// container's, the PM2 file's entries over it, NODE_OPTIONS as --node-heap
// sets it, HOME for a user switched to. Pure. Spawn takes it as execve's
// array (for_exec) and never edits it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class ProgramEnvironment {
public:
    ProgramEnvironment() = default;
    // A copy of an environ-style array (null-ended; may itself be null).
    explicit ProgramEnvironment(char** inherited);

    // NAME's value as getenv finds it (its first entry), or nullopt.
    std::optional<std::string_view> get(std::string_view name) const;
    // NAME=value in place of NAME's first entry, or added at the end.
    void set(std::string_view name, std::string_view value);
    // The same for an entry written "NAME=value" (the PM2 file's form).
    void set_entry(std::string_view entry);

    // execve's array: pointers into the entries, ended by a null. Valid
    // while this object lives unchanged.
    std::vector<char*> for_exec();

    const std::vector<std::string>& entries() const { return entries_; }

private:
    std::vector<std::string>::iterator find(std::string_view name);

    std::vector<std::string> entries_;
};

}  // namespace vigil
