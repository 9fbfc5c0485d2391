// The cgroup parsers over real layouts: a podman container on cgroup v1, this
// machine's hybrid host, Docker on cgroup v2 with a cgroup namespace, a
// systemd service on a v2-only host, a system with no cgroup mounted, and
// what Debian's 6.1 kernel showed in the VM tier on pure cgroup v2 (vm-v2-*).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cgroup.hpp"
#include "text.hpp"

using vigil::CgroupVersion;

namespace {
std::string fixture(const std::string& layout, const std::string& file) {
    std::ifstream in(std::string(VIGIL_FIXTURES) + "/cgroup/" + layout + "/" + file);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<vigil::MemoryCgroup> locate(const std::string& layout) {
    return vigil::locate_memory_cgroup(fixture(layout, "cgroup"), fixture(layout, "mountinfo"));
}
}  // namespace

TEST_CASE("cgroup v1 inside a podman container: the hierarchy's root is the container's cgroup") {
    const auto found = locate("podman-v1");
    REQUIRE(found.has_value());
    CHECK(found->version == CgroupVersion::v1);
    CHECK(found->directory == "/sys/fs/cgroup/memory");
    CHECK(found->mount_point == "/sys/fs/cgroup/memory");
    CHECK(vigil::parse_memory_limit(fixture("podman-v1", "memory.limit_in_bytes")) == 134217728u);
    CHECK(vigil::parse_oom_kill_count(fixture("podman-v1", "memory.oom_control")) == 2u);
}

TEST_CASE("hybrid host: the v1 memory controller wins over the unified hierarchy") {
    const auto found = locate("hybrid-host");
    REQUIRE(found.has_value());
    CHECK(found->version == CgroupVersion::v1);
    CHECK(found->directory.rfind("/sys/fs/cgroup/memory/", 0) == 0);
    CHECK(found->directory.size() > std::string("/sys/fs/cgroup/memory/").size());
    CHECK_FALSE(vigil::parse_memory_limit(fixture("hybrid-host", "memory.limit_in_bytes")).has_value());  // unlimited
    CHECK(vigil::parse_oom_kill_count(fixture("hybrid-host", "memory.oom_control")) == 0u);
}

TEST_CASE("cgroup v2 with a cgroup namespace (Docker)") {
    const auto found = locate("docker-v2");
    REQUIRE(found.has_value());
    CHECK(found->version == CgroupVersion::v2);
    CHECK(found->directory == "/sys/fs/cgroup");
    CHECK(vigil::parse_memory_limit(fixture("docker-v2", "memory.max")) == 268435456u);
    CHECK(vigil::parse_oom_kill_count(fixture("docker-v2", "memory.events")) == 3u);
}

TEST_CASE("cgroup v2 without a namespace: the path lies below the mount") {
    const auto found = locate("systemd-v2");
    REQUIRE(found.has_value());
    CHECK(found->version == CgroupVersion::v2);
    CHECK(found->directory == "/sys/fs/cgroup/system.slice/app.service");
    CHECK(found->mount_point == "/sys/fs/cgroup");
    CHECK_FALSE(vigil::parse_memory_limit(fixture("systemd-v2", "memory.max")).has_value());  // "max"
    CHECK(vigil::parse_oom_kill_count(fixture("systemd-v2", "memory.events")) == 0u);
}

TEST_CASE("no cgroup file system, or missing and empty files") {
    CHECK_FALSE(locate("no-cgroup").has_value());
    CHECK_FALSE(vigil::locate_memory_cgroup("", "").has_value());
    CHECK_FALSE(vigil::locate_memory_cgroup("garbage\n::\n", "also garbage\n").has_value());
    CHECK_FALSE(vigil::parse_memory_limit("").has_value());
    CHECK_FALSE(vigil::parse_memory_limit("12abc").has_value());
    CHECK_FALSE(vigil::parse_oom_kill_count("").has_value());
    CHECK_FALSE(vigil::parse_oom_kill_count("oom_kill_disable 0\nunder_oom 0\n").has_value());
    CHECK_FALSE(vigil::parse_oom_kill_count("oom_kill x\n").has_value());
}

TEST_CASE("mount points with escaped spaces, and paths outside the mounted root") {
    const auto spaced = vigil::locate_memory_cgroup("0::/a b\n", "30 24 0:26 / /sys/fs/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
    REQUIRE(spaced.has_value());
    CHECK(spaced->directory == "/sys/fs/my cgroup/a b");
    const auto outside = vigil::locate_memory_cgroup("4:memory:/elsewhere\n", "84 80 0:32 /mine /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n");
    REQUIRE(outside.has_value());
    CHECK(outside->directory == "/sys/fs/cgroup/memory");
    const auto nested = vigil::locate_memory_cgroup("4:memory:/mine/child\n", "84 80 0:32 /mine /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n");
    CHECK(nested->directory == "/sys/fs/cgroup/memory/child");
    const auto prefix_only = vigil::locate_memory_cgroup("4:memory:/minefield\n", "84 80 0:32 /mine /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n");
    CHECK(prefix_only->directory == "/sys/fs/cgroup/memory");
}

TEST_CASE("detect_memory_cgroup finds what locate_memory_cgroup finds in this process's own files") {
    // detect copies the place out of the two texts before it frees them and
    // makes the cgroup's strings: the copy must point at the same fields.
    const auto read = [](const char* path) {
        std::ifstream in(path);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    };
    const auto located = vigil::locate_memory_cgroup(read("/proc/self/cgroup"), read("/proc/self/mountinfo"));
    const auto detected = vigil::detect_memory_cgroup();
    REQUIRE(detected.ok() == located.has_value());
    if (!located) return;  // no memory cgroup mounted here: both say so
    CHECK(detected->version == located->version);
    CHECK(detected->mount_point == located->mount_point);
    CHECK(detected->namespace_depth == located->namespace_depth);
    if (located->namespace_depth == 0) CHECK(detected->directory == located->directory);
    else CHECK(detected->relative == located->relative);
    CHECK_FALSE(detected->mount_point.empty());
}

TEST_CASE("limits: numbers, max, and v1's unlimited") {
    CHECK(vigil::parse_memory_limit("67108864\n") == 67108864u);
    CHECK_FALSE(vigil::parse_memory_limit("max\n").has_value());
    CHECK_FALSE(vigil::parse_memory_limit("9223372036854771712\n").has_value());
    CHECK(vigil::format_bytes(134217728) == "128 MiB");
    CHECK(vigil::format_bytes(1u << 30) == "1 GiB");
    CHECK(vigil::format_bytes(1000) == "1000 bytes");
}

TEST_CASE("cgroup v2 from a real kernel (the VM tier): a container's namespace with cgroupfs mounted inside it") {
    const auto found = locate("vm-v2-container");
    REQUIRE(found.has_value());
    CHECK(found->version == CgroupVersion::v2);
    CHECK(found->namespace_depth == 0);
    CHECK(found->directory == "/sys/fs/cgroup");
    CHECK(vigil::parse_memory_limit(fixture("vm-v2-container", "memory.max")) == 134217728u);
    CHECK(vigil::parse_oom_kill_count(fixture("vm-v2-container", "memory.events")) == 0u);
}

TEST_CASE("cgroup v2 from a real kernel: a cgroup namespace without cgroupfs mounted again, one and two levels down") {
    // mountinfo shows the mount's root as "/.." ("/../..") and /proc/self/cgroup
    // "0::/": the directory is not named anywhere, it must be looked for.
    const auto one = locate("vm-v2-cgroupns-without-remount");
    REQUIRE(one.has_value());
    CHECK(one->namespace_depth == 1);
    CHECK(one->directory.empty());
    CHECK(one->relative == "/");
    CHECK(one->mount_point == "/sys/fs/cgroup");
    const auto two = locate("vm-v2-cgroupns-two-levels");
    REQUIRE(two.has_value());
    CHECK(two->namespace_depth == 2);
    // A root that goes up and then down names a cgroup outside the namespace: not this mount.
    const auto sideways = vigil::locate_memory_cgroup("0::/\n", "27 23 0:24 /../other /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
    REQUIRE(sideways.has_value());
    CHECK(sideways->namespace_depth == 0);
}

TEST_CASE("find_namespace_root finds the directory whose cgroup.procs lists the process, at the namespace's depth") {
    namespace fs = std::filesystem;
    const fs::path mount = fs::temp_directory_path() / ("vigil-cgroup-test-" + std::to_string(::getpid()));
    fs::remove_all(mount);
    const auto procs = [&](const fs::path& directory, const std::string& pids) {
        fs::create_directories(mount / directory);
        std::ofstream(mount / directory / "cgroup.procs") << pids;
    };
    procs("kubepods/other", "7\n8\n");
    procs("kubepods/mine", "12\n4242\n");
    procs("kubepods/mine/sub", "99\n");
    procs("system.slice/app", "4242000\n");
    vigil::MemoryCgroup cgroup{CgroupVersion::v2, "", mount.string(), 2, "/"};
    CHECK(vigil::find_namespace_root(cgroup, 4242, 1000) == (mount / "kubepods/mine").string());
    cgroup.relative = std::string("/sub");  // a literal assigned here trips g++ 12's false -Wrestrict (aarch64, -O2)
    CHECK(vigil::find_namespace_root(cgroup, 99, 1000) == (mount / "kubepods/mine/sub").string());
    CHECK_FALSE(vigil::find_namespace_root(cgroup, 4242, 1000).has_value());
    cgroup.relative = std::string("/");
    CHECK_FALSE(vigil::find_namespace_root(cgroup, 5, 1000).has_value());
    CHECK_FALSE(vigil::find_namespace_root(cgroup, 4242, 1).has_value());  // the search is bounded
    fs::remove_all(mount);
}
