// --node-heap: size Node's old-space heap from the container's memory limit,
// because Node's own sizing ignores small limits (its floor of about 256 MB
// lets a 256 MB container's heap grow into the OOM killer), and so that a
// heap that keeps growing ends in V8's own "JavaScript heap out of memory"
// (exit 134, debuggable) rather than the kernel's OOM kill (137). The old
// space is not all of Node: measured (bench/node-heap.sh), a process whose
// old space is full holds up to about 40 MiB plus 1.28 times the old space
// (young generation, code, V8's own bookkeeping, copies made while
// collecting). So the old space gets the share of the limit given to Node,
// less a reserve, divided by that factor. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// Whether the program is Node itself: its basename is node or nodejs.
bool is_node_program(std::string_view program);

// Whether NODE_OPTIONS already chooses the heap size.
bool sets_heap_size(std::string_view node_options);

// The option on node's own command line (arguments[0] is node) that
// chooses the heap size, as in `node --max-old-space-size=1024 app.js`;
// nullopt when none does. Node's options end at the script, at "-" or at
// "--"; a value after -e, -p, -r, --require, --import or --loader is not
// the script, so `node -e CODE --max-old-space-size=…` counts too.
std::optional<std::string> heap_size_in_arguments(const std::vector<std::string>& arguments);

// What Node needs beyond its old space, as measured: a fixed reserve and a factor on the old space.
inline constexpr std::uint64_t node_reserve_megabytes = 64;
inline constexpr std::uint64_t node_heap_factor_tenths = 13;  // 1.3
inline constexpr std::uint64_t smallest_heap_megabytes = 16;

// --max-old-space-size for a process allowed PERCENT of the limit:
// (limit x PERCENT / 100 - reserve) / 1.3, in whole MiB, at least 16.
std::uint64_t heap_megabytes(std::uint64_t limit_bytes, int percent);

// NODE_OPTIONS with --max-old-space-size=MEGABYTES appended.
std::string node_options_with_heap(std::optional<std::string_view> node_options, std::uint64_t megabytes);

}  // namespace vigil
