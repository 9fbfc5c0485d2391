// Coming from PM2, side by side: one ecosystem file run once the PM2 way
// (`pm2-runtime FILE`, the pm2 package from npm) and once with
// `/init --from-pm2 FILE`, each stopped with a request in flight and each
// with an app that crashes; then apps written to PM2's guides (SIGINT only,
// wait_ready, `npm start`, a YAML file), which must end the same under both.
// Shared by the podman suite and the Docker suite.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "container.hpp"

namespace e2e {

inline constexpr const char* pm2_version = "5.4.3";

// A directory whose node_modules holds pm2, kept between runs in the test
// cache (VIGIL_TEST_CACHE, default /var/cache/vigil-tests); installed from
// the npm registry when missing. Empty, with the reason, when it cannot be had.
std::string pm2_modules(std::string& why_not);

struct Pm2Comparison {
    const Runtime& runtime;
    std::string image;
    // A container running this command (command[0] is the entrypoint), with the
    // ecosystem files, the apps they name and /work (writable) in place.
    std::function<ContainerSpec(std::vector<std::string> command)> spec;
    std::string modules;        // from pm2_modules(), mounted at /pm2
    std::string server_file;    // the example server on SOCKET=/work/http.sock, no kill_timeout
    std::string crash_file;     // an app that prints "crash: starting" and exits 3 after 0.5 s
    // Where tests/e2e/apps/pm2 is inside the container: its SIGINT-only,
    // wait_ready and `npm start` apps, and the YAML file's script.
    std::string apps_directory;
};

// Runs both sides, checks vigil's and what README states of PM2's, and
// prints README's side-by-side table from what it measured.
void compare_with_pm2(const Pm2Comparison& comparison);

}  // namespace e2e
