// Runs the integration tests; the PID 1 and privilege variants need root
// and report themselves skipped (77) elsewhere, as meson expects.
#define CATCH_CONFIG_RUNNER
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>

int main(int argc, char** argv) {
#ifdef VIGIL_TEST_NEEDS_ROOT
    if (::geteuid() != 0) {
        std::puts("SKIP: switching users and mounting test accounts over /etc need root");
        return 77;
    }
#endif
#ifdef VIGIL_TEST_PID_ONE
    if (::geteuid() != 0) {
        std::puts("SKIP: vigil as PID 1 needs a new PID namespace, which needs root (unshare --pid)");
        return 77;
    }
    if (::access("/usr/bin/unshare", X_OK) != 0) {
        std::puts("SKIP: unshare (util-linux) is not installed");
        return 77;
    }
#endif
    return Catch::Session().run(argc, argv);
}
