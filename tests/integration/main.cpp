// Runs the integration tests. The PID 1 and privilege variants need root:
// elsewhere they cannot run, which fails them under tests/run.sh and skips
// them (77) otherwise (see cannot_run.hpp).
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>

#include "../cannot_run.hpp"

int main(int argc, char** argv) {
#ifdef VIGIL_TEST_NEEDS_ROOT
    if (::geteuid() != 0) return must_run::cannot_run("integration-privileges", "switching users and mounting test accounts over /etc need root");
#endif
#ifdef VIGIL_TEST_PID_ONE
    if (::geteuid() != 0) return must_run::cannot_run("integration-pid1", "vigil as PID 1 needs a new PID namespace, which needs root (unshare --pid)");
    if (::access("/usr/bin/unshare", X_OK) != 0) return must_run::cannot_run("integration-pid1", "unshare (util-linux) is not installed");
#endif
    return Catch::Session().run(argc, argv);
}
