// What the Docker suite's tests share: where run.sh put the engine, the
// binaries and the init the daemon runs for `docker run --init`.
#pragma once

#include <string>

#include "../e2e/container.hpp"

namespace docker_suite {

struct Setup {
    std::string client;       // /usr/bin/docker
    std::string host;         // unix:///tmp/…/docker.sock
    std::string vigil;        // the static vigil of this build
    std::string source;       // the source tree
    std::string init_path;    // the file dockerd runs as --init (tests replace it)
    std::string tini;         // Debian's tini-static, docker.io's own docker-init
    std::string commit;       // the commit the images were built from
    std::string dockerd_log;
    e2e::Runtime runtime;
};

const Setup& setup();

}  // namespace docker_suite
