// What vigil takes from the C++ runtime, and what it leaves out.
//
// vigil is built without exceptions and RTTI: failures are values. Only the
// C++ library itself can still end in std::terminate (say, operator new out
// of memory). Its default handler, the "verbose" one, names the exception's
// type and so links the C++ demangler: 47 KB of the static binary for a
// message vigil never means to print. This handler says what happened in
// one line and aborts, as the default would. Only the vigil executable links
// this file.
#include <unistd.h>

#include <cstdlib>

namespace __gnu_cxx {

// The name is the C++ library's own, on purpose: this definition takes its place.
[[noreturn, gnu::used]] void __verbose_terminate_handler() {  // NOLINT(bugprone-reserved-identifier)
    static constexpr char message[] = "vigil: fatal: the C++ runtime called std::terminate (out of memory?)\n";
    // Whatever state the process is in, one write(2) is safe.
    [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
    std::abort();
}

}  // namespace __gnu_cxx
