// Linked into vigil and the helper in sanitizer builds only. LeakSanitizer
// cannot work without /proc (it lists threads and maps there at exit) and
// would turn a clean exit into its own fatal error; the fault test that runs
// vigil without /proc is about vigil, not the leak checker. ASAN_OPTIONS
// cannot say this: without /proc the sanitizer cannot read the environment.
#include <unistd.h>

extern "C" const char* __asan_default_options() {
    return ::access("/proc/self", F_OK) == 0 ? "" : "detect_leaks=0";
}
