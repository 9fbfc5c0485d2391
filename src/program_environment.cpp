#include "program_environment.hpp"

#include <algorithm>

namespace vigil {
namespace {

// Whether entry is "NAME=…".
bool names(std::string_view entry, std::string_view name) { return entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '='; }

}  // namespace

ProgramEnvironment::ProgramEnvironment(char** inherited) {
    for (char** entry = inherited; entry != nullptr && *entry != nullptr; ++entry) entries_.emplace_back(*entry);
}

std::vector<std::string>::iterator ProgramEnvironment::find(std::string_view name) {
    return std::find_if(entries_.begin(), entries_.end(), [&](const std::string& entry) { return names(entry, name); });
}

std::optional<std::string_view> ProgramEnvironment::get(std::string_view name) const {
    for (const auto& entry : entries_) {
        if (names(entry, name)) return std::string_view(entry).substr(name.size() + 1);
    }
    return std::nullopt;
}

void ProgramEnvironment::set(std::string_view name, std::string_view value) {
    std::string entry;
    entry.reserve(name.size() + 1 + value.size());
    entry.append(name).append(1, '=').append(value);
    const auto found = find(name);
    if (found != entries_.end()) *found = std::move(entry);
    else entries_.push_back(std::move(entry));
}

void ProgramEnvironment::set_entry(std::string_view entry) {
    const auto equals = entry.find('=');
    if (equals == std::string_view::npos) return;
    set(entry.substr(0, equals), entry.substr(equals + 1));
}

std::vector<char*> ProgramEnvironment::for_exec() {
    std::vector<char*> array;
    array.reserve(entries_.size() + 1);
    for (auto& entry : entries_) array.push_back(entry.data());
    array.push_back(nullptr);
    return array;
}

}  // namespace vigil
