#include "cgroup.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "fd.hpp"
#include "text.hpp"

namespace vigil {

std::string unescape_mountinfo(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size()) {
            const auto digits = text.substr(i + 1, 3);
            if (digits.find_first_not_of("01234567") == std::string_view::npos) {
                out += static_cast<char>((digits[0] - '0') * 64 + (digits[1] - '0') * 8 + (digits[2] - '0'));
                i += 3;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::optional<MountLine> parse_mount(std::string_view line) {
    // Six fields, optional fields up to a "-", then three more.
    std::array<std::string_view, 6> leading;
    std::array<std::string_view, 3> trailing;
    std::size_t leading_count = 0;
    std::size_t trailing_count = 0;
    bool separated = false;
    for (auto field : parts(line, ' ')) {
        if (leading_count < leading.size()) leading.at(leading_count++) = field;
        else if (!separated) separated = field == "-";
        else if (trailing_count < trailing.size()) trailing.at(trailing_count++) = field;
    }
    if (!separated || trailing_count < trailing.size()) return std::nullopt;
    return MountLine{leading[3], leading[4], trailing[0], trailing[2]};
}

bool has_option(std::string_view options, std::string_view wanted) {
    for (auto option : parts(options, ','))
        if (option == wanted) return true;
    return false;
}

namespace {

struct Mount {
    std::string root;
    std::string mount_point;
};

// "/..", "/../..": how many levels the mount's root lies above the cgroup
// namespace's root; 0 for anything else.
int levels_above(std::string_view root) {
    int levels = 0;
    while (root.substr(0, 3) == "/..") {
        root.remove_prefix(3);
        ++levels;
    }
    return root.empty() ? levels : 0;
}

// The cgroup's directory: its path below the hierarchy's mounted root.
std::string join_cgroup(const Mount& mount, std::string_view path) {
    std::string_view relative = path;
    if (mount.root != "/" && relative.substr(0, mount.root.size()) == mount.root &&
        (relative.size() == mount.root.size() || relative[mount.root.size()] == '/'))
        relative.remove_prefix(mount.root.size());
    else if (mount.root != "/")
        relative = "";  // a cgroup outside what is mounted here: the mount is the best we see
    while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
    while (!relative.empty() && relative.back() == '/') relative.remove_suffix(1);
    if (relative.empty()) return mount.mount_point;
    return join_path(mount.mount_point, relative);
}

// The most read of any cgroup or /proc file.
constexpr std::size_t file_limit = std::size_t{4} << 20;
std::optional<std::string> read_file(const char* path) { return read_whole_file(path, file_limit); }
std::optional<std::string> read_file(std::string_view directory, std::string_view name) { return read_whole_file(directory, name, file_limit); }

// Where the memory cgroup is, as views into /proc/self/cgroup and
// mountinfo: the mount's root and mount point still escaped.
struct CgroupPlace {
    CgroupVersion version;
    std::string_view root;
    std::string_view mount_point;
    std::string_view path;
};

// The memory controller's lines in /proc/self/cgroup: its path in a v1
// hierarchy, and the path in the unified one.
struct MemoryPaths {
    std::optional<std::string_view> v1;
    std::optional<std::string_view> v2;
};

MemoryPaths memory_paths(std::string_view proc_self_cgroup) {
    MemoryPaths paths;
    for (auto line : parts(proc_self_cgroup, '\n')) {
        const auto first = line.find(':');
        if (first == std::string_view::npos) continue;
        const auto second = line.find(':', first + 1);
        if (second == std::string_view::npos) continue;
        const auto id = line.substr(0, first);
        const auto controllers = line.substr(first + 1, second - first - 1);
        const auto path = line.substr(second + 1);
        if (id == "0" && controllers.empty()) paths.v2 = path;
        else if (has_option(controllers, "memory")) paths.v1 = path;
    }
    return paths;
}

std::optional<CgroupPlace> find_memory_cgroup(const MemoryPaths& paths, std::string_view mountinfo) {
    std::optional<MountLine> v1_line;
    std::optional<MountLine> v2_line;
    for (auto line : parts(mountinfo, '\n')) {
        auto mount = parse_mount(line);
        if (!mount) continue;
        if (mount->fstype == "cgroup" && has_option(mount->super_options, "memory")) v1_line = mount;
        else if (mount->fstype == "cgroup2") v2_line = mount;
    }
    if (paths.v1 && v1_line) return CgroupPlace{CgroupVersion::v1, v1_line->root, v1_line->mount_point, *paths.v1};
    if (paths.v2 && v2_line) return CgroupPlace{CgroupVersion::v2, v2_line->root, v2_line->mount_point, *paths.v2};
    return std::nullopt;
}

// Whether a cgroup.procs text lists the process: its directory is then the
// process's own cgroup in that hierarchy. The pids are the reader's PID
// namespace's.
bool lists_process(const std::optional<std::string>& procs, std::string_view pid) {
    if (!procs) return false;
    for (auto line : parts(*procs, '\n'))
        if (line == pid) return true;
    return false;
}

// statx's unique mount ID and statmount(2), Linux 6.8 and later; the
// system's headers may be older. The first published layout of the reply.
constexpr unsigned statx_mnt_id_unique = 0x4000;
constexpr long statmount_call = 457;  // the same number on every architecture vigil builds for
constexpr std::uint64_t statmount_mnt_root = 0x8;
struct MountIdRequest {
    std::uint32_t size;
    std::uint32_t spare;
    std::uint64_t mnt_id;
    std::uint64_t param;
};
struct MountFacts {
    std::uint32_t size;
    std::uint32_t spare1;
    std::uint64_t mask;
    std::uint32_t sb_dev_major;
    std::uint32_t sb_dev_minor;
    std::uint64_t sb_magic;
    std::uint32_t sb_flags;
    std::uint32_t fs_type;
    std::uint64_t mnt_id;
    std::uint64_t mnt_parent_id;
    std::uint32_t mnt_id_old;
    std::uint32_t mnt_parent_id_old;
    std::uint64_t mnt_attr;
    std::uint64_t mnt_propagation;
    std::uint64_t mnt_peer_group;
    std::uint64_t mnt_master;
    std::uint64_t propagate_from;
    std::uint32_t mnt_root;  // offset of the root's path in the strings after the struct
    std::uint32_t mnt_point;
    std::array<std::uint64_t, 50> spare2;
};
static_assert(sizeof(MountFacts) == 512);

// The mount's root as mountinfo would show it (relative to the cgroup
// namespace for cgroupfs), written into storage; nullopt when the kernel
// cannot say or the path holds a backslash (mountinfo's escapes would then
// be ambiguous).
std::optional<std::string_view> mount_root(std::uint64_t mount_id, std::string& storage) {
    storage.resize(sizeof(MountFacts) + 4096);
    MountIdRequest request{sizeof(MountIdRequest), 0, mount_id, statmount_mnt_root};
    if (::syscall(statmount_call, &request, storage.data(), storage.size(), 0) != 0) return std::nullopt;
    MountFacts facts{};
    std::memcpy(&facts, storage.data(), sizeof facts);
    if ((facts.mask & statmount_mnt_root) == 0 || facts.size <= sizeof facts || facts.mnt_root >= facts.size - sizeof facts) return std::nullopt;
    const std::string_view strings(storage.data() + sizeof facts, facts.size - sizeof facts);
    const std::string_view root = strings.substr(facts.mnt_root, strings.find('\0', facts.mnt_root) - facts.mnt_root);
    if (root.empty() || root.front() != '/' || root.find('\\') != std::string_view::npos) return std::nullopt;
    return root;
}

// The usual layout, found without reading mountinfo (which costs vigil's
// start more than everything else here together): the memory controller's
// v1 hierarchy mounted at /sys/fs/cgroup/memory, or the unified one at
// /sys/fs/cgroup. The same hierarchy mountinfo would pick: v1 whenever
// /proc/self/cgroup has a memory line. A guess is taken only when it is the
// root of a mount of that cgroup file system. Then the mount's root says
// where the cgroup is, as in mountinfo, where statmount(2) can tell it
// (Linux 6.8 and later; storage holds it). Otherwise the guess is taken only
// when cgroup.procs lists this process, either at the path /proc/self/cgroup
// gives below the mount or at the mount itself (a container's own cgroup
// mounted as the hierarchy's root); anything else (cgroupfs mounted
// elsewhere, a cgroup namespace whose root lies below the mount's) is left
// to mountinfo.
std::optional<CgroupPlace> memory_cgroup_at_usual_mount(const MemoryPaths& paths, pid_t pid, std::string& storage) {
    const bool v1 = paths.v1.has_value();
    if (!v1 && !paths.v2) return std::nullopt;
    const char* mount_point = v1 ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup";
    // The mount point's path is walked once; each check starts from it.
    const Fd mount(::open(mount_point, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!mount.valid()) return std::nullopt;
    struct statfs file_system {};
    if (::fstatfs(mount.get(), &file_system) != 0 || file_system.f_type != (v1 ? CGROUP_SUPER_MAGIC : CGROUP2_SUPER_MAGIC)) return std::nullopt;
    struct statx about {};
    if (::statx(mount.get(), "", AT_EMPTY_PATH, STATX_TYPE | statx_mnt_id_unique, &about) != 0 || (about.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0 ||
        (about.stx_attributes & STATX_ATTR_MOUNT_ROOT) == 0)
        return std::nullopt;
    // A v1 hierarchy mounted there without the memory controller has no memory files.
    if (v1 && ::faccessat(mount.get(), "memory.oom_control", F_OK, 0) != 0) return std::nullopt;

    const auto version = v1 ? CgroupVersion::v1 : CgroupVersion::v2;
    const std::string_view path = v1 ? *paths.v1 : *paths.v2;
    if ((about.stx_mask & statx_mnt_id_unique) != 0) {
        if (const auto root = mount_root(about.stx_mnt_id, storage)) return CgroupPlace{version, *root, mount_point, path};
    }

    const std::string wanted = std::to_string(pid);
    const auto first = path.find_first_not_of('/');
    const std::string_view below = first == std::string_view::npos ? std::string_view{} : path.substr(first);
    if (lists_process(read_whole_file_at(mount.get(), below, "cgroup.procs", file_limit), wanted)) return CgroupPlace{version, "/", mount_point, path};
    if (!below.empty() && lists_process(read_whole_file_at(mount.get(), "", "cgroup.procs", file_limit), wanted)) return CgroupPlace{version, "/", mount_point, "/"};
    return std::nullopt;
}

MemoryCgroup cgroup_at(const CgroupPlace& place) {
    const Mount mount{unescape_mountinfo(place.root), unescape_mountinfo(place.mount_point)};
    MemoryCgroup cgroup{place.version, "", mount.mount_point, 0, ""};
    cgroup.namespace_depth = levels_above(mount.root);
    if (cgroup.namespace_depth > 0) cgroup.relative = std::string(place.path);
    else cgroup.directory = join_cgroup(mount, place.path);
    return cgroup;
}

}  // namespace

std::optional<MemoryCgroup> locate_memory_cgroup(std::string_view proc_self_cgroup, std::string_view mountinfo) {
    const auto place = find_memory_cgroup(memory_paths(proc_self_cgroup), mountinfo);
    if (!place) return std::nullopt;
    return cgroup_at(*place);
}

std::optional<std::uint64_t> parse_memory_limit(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (text == "max") return std::nullopt;
    const auto value = whole_number<std::uint64_t>(text);
    // cgroup v1 spells "unlimited" as the largest page-aligned signed 64-bit number.
    if (value >= (std::uint64_t{1} << 62)) return std::nullopt;
    return value;
}

std::optional<std::uint64_t> parse_oom_kill_count(std::string_view text) {
    for (auto line : parts(text, '\n')) {
        if (line.substr(0, 9) != "oom_kill ") continue;
        return whole_number<std::uint64_t>(line.substr(9));
    }
    return std::nullopt;
}

const char* memory_limit_file(CgroupVersion version) { return version == CgroupVersion::v2 ? "memory.max" : "memory.limit_in_bytes"; }
const char* oom_events_file(CgroupVersion version) { return version == CgroupVersion::v2 ? "memory.events" : "memory.oom_control"; }

std::optional<std::string> find_namespace_root(const MemoryCgroup& cgroup, pid_t pid, std::size_t max_directories) {
    std::string_view relative = cgroup.relative;
    while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
    const std::string wanted = std::to_string(pid);
    std::vector<std::string> level{cgroup.mount_point};
    std::size_t looked_at = 0;
    for (int depth = 0; depth < cgroup.namespace_depth; ++depth) {
        std::vector<std::string> below;
        for (const auto& directory : level) {
            Fd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            DIR* listing = fd.valid() ? ::fdopendir(fd.get()) : nullptr;
            if (listing == nullptr) continue;
            (void)fd.release();  // closedir closes it
            while (const dirent* entry = ::readdir(listing)) {
                if (entry->d_type != DT_DIR || entry->d_name[0] == '.') continue;
                if (++looked_at > max_directories) break;
                below.push_back(directory + "/" + entry->d_name);
            }
            ::closedir(listing);
        }
        level = std::move(below);
    }
    for (const auto& candidate : level) {
        std::string directory = relative.empty() ? candidate : join_path(candidate, relative);
        if (lists_process(read_file(directory, "cgroup.procs"), wanted)) return directory;
    }
    return std::nullopt;
}

Result<MemoryCgroup> detect_memory_cgroup() {
    const auto cgroup_file = read_file("/proc/self/cgroup");
    if (!cgroup_file) return Error{"cannot read /proc/self/cgroup"};
    const auto paths = memory_paths(*cgroup_file);
    std::string mount_facts;
    auto place = memory_cgroup_at_usual_mount(paths, ::getpid(), mount_facts);
    std::optional<std::string> mountinfo;
    if (!place) {
        mountinfo = read_file("/proc/self/mountinfo");
        if (!mountinfo) return Error{"cannot read /proc/self/mountinfo"};
        place = find_memory_cgroup(paths, *mountinfo);
        if (!place) return Error{"no memory cgroup is mounted"};
    }
    MemoryCgroup cgroup = cgroup_at(*place);
    if (cgroup.namespace_depth > 0) {
        // cgroup.procs lists the pids of the reader's own PID namespace.
        auto directory = find_namespace_root(cgroup, ::getpid(), 100'000);
        if (!directory)
            return Error{fmt::format("the cgroup namespace's root lies {} level(s) below the root of the cgroup file system mounted at {}, "
                                     "and no directory there holds vigil",
                                     cgroup.namespace_depth, cgroup.mount_point)};
        cgroup.directory = std::move(*directory);
    }
    return cgroup;
}

std::optional<std::uint64_t> read_memory_limit(const MemoryCgroup& cgroup) {
    std::optional<std::uint64_t> smallest;
    std::string_view directory = cgroup.directory;
    while (true) {
        if (const auto text = read_file(directory, memory_limit_file(cgroup.version))) {
            const auto limit = parse_memory_limit(*text);
            if (limit && (!smallest || *limit < *smallest)) smallest = limit;
        }
        if (directory.size() <= cgroup.mount_point.size()) return smallest;
        directory = directory.substr(0, directory.rfind('/'));
    }
}

std::optional<std::uint64_t> read_oom_kill_count(const MemoryCgroup& cgroup) {
    const auto text = read_file(cgroup.directory, oom_events_file(cgroup.version));
    if (!text) return std::nullopt;
    return parse_oom_kill_count(*text);
}

}  // namespace vigil
