// Coming from PM2 in podman: the suite's root filesystem (the example server
// at /app/server.js, the test apps under /app), node bind-mounted as for
// every case here, pm2 from npm mounted at /pm2.
#include <catch2/catch.hpp>

#include "pm2_comparison.hpp"

using namespace e2e;

extern const Runtime* e2e_runtime;
extern std::string e2e_rootfs;

TEST_CASE("coming from PM2: the same ecosystem file under pm2-runtime and under vigil --from-pm2") {
    std::string why_not;
    const auto modules = pm2_modules(why_not);
    INFO(why_not);
    REQUIRE(!modules.empty());
    compare_with_pm2(Pm2Comparison{*e2e_runtime, e2e_rootfs,
                                   [](std::vector<std::string> command) {
                                       ContainerSpec spec;
                                       spec.command = std::move(command);
                                       return spec;
                                   },
                                   modules, "/app/pm2/ecosystem.config.js", "/app/pm2/crash.config.js", "/app/pm2"});
}
