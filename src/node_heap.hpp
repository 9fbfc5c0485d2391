// --node-heap: size Node's old-space heap from the container's memory limit,
// because Node's own sizing ignores small limits (its floor of about 256 MB
// lets a 256 MB container's heap grow into the OOM killer). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

// Whether the program is Node itself: its basename is node or nodejs.
bool is_node_program(std::string_view program);

// Whether NODE_OPTIONS already chooses the heap size.
bool sets_heap_size(std::string_view node_options);

// PERCENT of the limit, in whole MiB (at least 1).
std::uint64_t heap_megabytes(std::uint64_t limit_bytes, int percent);

// NODE_OPTIONS with --max-old-space-size=MEGABYTES appended.
std::string node_options_with_heap(std::optional<std::string_view> node_options, std::uint64_t megabytes);

}  // namespace vigil
