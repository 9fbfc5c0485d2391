// The Docker suite's test binary: run by tests/docker/run.sh, which starts the
// private Docker engine, makes the base images, builds docker/Dockerfile and
// says where everything is in the environment.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>

#include "../cannot_run.hpp"
#include "docker.hpp"

namespace docker_suite {

const Setup& setup() {
    static const Setup loaded = [] {
        Setup values;
        const auto take = [](const char* name) {
            const char* value = std::getenv(name);
            return std::string(value != nullptr ? value : "");
        };
        values.client = take("DOCKER_CLIENT");
        values.host = take("DOCKER_HOST");
        values.vigil = take("VIGIL_BINARY");
        values.source = take("VIGIL_SOURCE_ROOT");
        values.init_path = take("VIGIL_INIT_PATH");
        values.tini = take("VIGIL_TINI");
        values.commit = take("VIGIL_COMMIT");
        values.dockerd_log = take("VIGIL_DOCKERD_LOG");
        values.runtime = e2e::Runtime{{values.client, "-H", values.host}, {}, "", {"rm", "-f"}, "docker"};
        return values;
    }();
    return loaded;
}

}  // namespace docker_suite

int main(int argc, char** argv) {
    const auto& setup = docker_suite::setup();
    if (setup.client.empty() || setup.host.empty() || setup.vigil.empty() || setup.init_path.empty()) {
        return must_run::cannot_run("docker", "run through tests/docker/run.sh (meson test --suite docker), which starts the Docker engine");
    }
    return Catch::Session().run(argc, argv);
}
