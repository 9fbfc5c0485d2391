// Makes sure descriptors 0, 1 and 2 are open (on /dev/null when the caller
// closed them), so no file vigil opens later can land on a standard stream
// and receive log lines, and the program finds the three it expects.
#pragma once

namespace vigil {

void ensure_standard_streams();

}  // namespace vigil
