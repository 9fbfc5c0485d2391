// The end-to-end suite: skipped (77) with the reason when this machine
// cannot run containers; otherwise it finds a working podman runtime once.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "container.hpp"

const e2e::Runtime* e2e_runtime = nullptr;
std::string e2e_rootfs;

namespace {
int skip(const std::string& why) {
    std::printf("SKIP: %s\n", why.c_str());
    return 77;
}
}  // namespace

int main(int argc, char** argv) {
    if (::geteuid() != 0) return skip("containers need root here (podman with a directory rootfs)");
    for (const char* tool : {"podman", "node", "npm"}) {
        if (e2e::run_command({"sh", "-c", std::string("command -v ") + tool}) != 0) return skip(std::string(tool) + " is not installed");
    }
    if (::access("/bin/busybox", X_OK) != 0) return skip("busybox-static is not installed (/bin/busybox)");
    const char* vigil = std::getenv("VIGIL_BINARY");
    const char* source = std::getenv("VIGIL_SOURCE_ROOT");
    if (vigil == nullptr || source == nullptr) return skip("run through meson test (VIGIL_BINARY, VIGIL_SOURCE_ROOT)");

    harness::TempDir dir;
    const std::string root(source);
    e2e_rootfs = e2e::build_rootfs(dir, vigil, root + "/tests/e2e/apps", root + "/docker/example/server.js");
    std::string why_not;
    static const auto runtime = e2e::find_runtime(e2e_rootfs, why_not);
    if (!runtime) return skip("no podman runtime works here: " + why_not);
    e2e_runtime = &*runtime;
    std::printf("e2e: podman with %s\n", runtime->description.c_str());
    return Catch::Session().run(argc, argv);
}
