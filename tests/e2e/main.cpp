// The end-to-end suite: real containers (podman, in a store of its own).
// Where this machine cannot run them the tier cannot run (cannot_run.hpp):
// it fails under tests/run.sh and is skipped (77) elsewhere.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>

#include "../cannot_run.hpp"
#include "container.hpp"

const e2e::Runtime* e2e_runtime = nullptr;
std::string e2e_rootfs;

int main(int argc, char** argv) {
    const auto cannot_run = [](const std::string& why) { return must_run::cannot_run("e2e", why); };
    if (::geteuid() != 0) return cannot_run("containers need root here (podman with a directory rootfs)");
    for (const char* tool : {"podman", "node", "npm"}) {
        if (e2e::run_command({"sh", "-c", std::string("command -v ") + tool}) != 0) return cannot_run(std::string(tool) + " is not installed");
    }
    if (::access("/bin/busybox", X_OK) != 0) return cannot_run("busybox-static is not installed (/bin/busybox)");
    const char* vigil = std::getenv("VIGIL_BINARY");
    const char* source = std::getenv("VIGIL_SOURCE_ROOT");
    if (vigil == nullptr || source == nullptr) return cannot_run("run through meson test (VIGIL_BINARY, VIGIL_SOURCE_ROOT)");

    harness::TempDir dir;
    const std::string root(source);
    e2e_rootfs = e2e::build_rootfs(dir, vigil, root + "/tests/e2e/apps", root + "/docker/example/server.js");
    const e2e::PodmanStore store;
    std::string why_not;
    const auto runtime = e2e::find_runtime(e2e_rootfs, store, why_not);
    if (!runtime) return cannot_run("no podman runtime works here: " + why_not);
    e2e_runtime = &*runtime;
    std::printf("e2e: podman with %s, in a store of its own\n", runtime->description.c_str());
    return Catch::Session().run(argc, argv);
}
