// The end-to-end suite: real containers (podman, in a store of its own).
// Where this machine cannot run them the tier cannot run (cannot_run.hpp):
// it fails under tests/run.sh and is skipped (77) elsewhere.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "../cannot_run.hpp"
#include "container.hpp"

const e2e::Runtime* e2e_runtime = nullptr;
std::string e2e_rootfs;
// The official Node binaries of the majors users run besides the
// distribution's: {version, its path inside the containers}.
std::vector<std::pair<std::string, std::string>> e2e_node_releases;

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
    for (const char* major : {"22", "24", "26"}) {
        std::string version;
        std::string errors;
        const std::string inside = std::string("/opt/node") + major;
        if (e2e::run_command({root + "/tests/node-release.sh", major, e2e_rootfs + inside}, &version, &errors) != 0)
            return cannot_run(std::string("Node ") + major + " cannot be had: " + errors);
        e2e_node_releases.emplace_back(version.substr(0, version.find('\n')), inside + "/node");
    }
    const e2e::PodmanStore store;
    std::string why_not;
    const auto runtime = e2e::find_runtime(e2e_rootfs, store, why_not);
    if (!runtime) return cannot_run("no podman runtime works here: " + why_not);
    e2e_runtime = &*runtime;
    std::printf("e2e: podman with %s, in a store of its own; Node %s and", runtime->description.c_str(), "(Debian's)");
    for (const auto& release : e2e_node_releases) std::printf(" %s", release.first.c_str());
    std::printf("\n");
    return Catch::Session().run(argc, argv);
}
