// What a test does when it cannot run (root, a tool, a kernel feature or a
// runtime it needs is missing or broken). A skip must be a decision, never
// an accident: under tests/run.sh, which sets VIGIL_TEST_STRICT=1, it fails
// with the reason; elsewhere (`meson test` by hand, say as a user) it reports
// itself skipped, exit 77 as meson expects. Tiers asked to be skipped by name
// (VIGIL_TEST_SKIP) are left out by tests/run.sh before they start.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace must_run {

inline bool strict() {
    const char* value = std::getenv("VIGIL_TEST_STRICT");
    return value != nullptr && std::string(value) == "1";
}

// For a whole test program: prints the reason, returns its exit code.
inline int cannot_run(const std::string& tier, const std::string& why) {
    if (strict()) {
        std::printf("FAIL: the %s tier cannot run: %s\n", tier.c_str(), why.c_str());
        return 1;
    }
    std::printf("SKIP: %s\n", why.c_str());
    return 77;
}

}  // namespace must_run

// In a Catch2 case (Catch 2 has no skip): fails with the reason under
// tests/run.sh; elsewhere warns "not run" and returns (the optional second
// argument is what the enclosing function returns).
#define CANNOT_RUN_CASE(why, ...)                                \
    do {                                                         \
        if (must_run::strict()) FAIL("cannot run: " << (why));   \
        WARN("not run: " << (why));                              \
        return __VA_ARGS__;                                      \
    } while (false)
