// The one clock vigil reads: CLOCK_MONOTONIC in milliseconds, for deadlines
// (the drain, the memory watch, evaluating an ecosystem file).
#pragma once

#include <time.h>

#include <cstdint>

#include "duration.hpp"

namespace vigil {

inline Milliseconds monotonic_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return Milliseconds{static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000};
}

}  // namespace vigil
