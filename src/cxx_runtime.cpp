// What vigil takes from the C++ runtime, and what it leaves out.
//
// vigil is built without exceptions and RTTI: failures are values. Only the
// C++ library itself can still end in std::terminate (say, operator new out
// of memory). Its default handler, the "verbose" one, names the exception's
// type and so links the C++ demangler: 47 KB of the static binary for a
// message vigil never means to print. This handler says what happened in
// one line and aborts, as the default would.
//
// Nothing in vigil can catch an exception either, so a throw from the C++
// library can only end in std::terminate. The library's own allocator for
// thrown objects brings an emergency pool that its static initialiser
// mallocs at start (72 KiB): it sits in the middle of PID 1's heap for the
// container's life, and everything allocated after it lands on fresh pages.
// Taking the allocator's place keeps that pool out; a throw ends as it would
// have, with one line and abort(). Only the vigil executable links this file.
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <string_view>

namespace {

// Whatever state the process is in, one write(2) is safe.
[[noreturn]] void fatal(std::string_view line) {
    [[maybe_unused]] const auto ignored = ::write(STDERR_FILENO, line.data(), line.size());
    std::abort();
}

[[noreturn]] void exception_thrown() { fatal("vigil: fatal: the C++ runtime raised an exception (out of memory?)\n"); }

}  // namespace

namespace __gnu_cxx {

// The name is the C++ library's own, on purpose: this definition takes its place.
[[noreturn, gnu::used]] void __verbose_terminate_handler() {  // NOLINT(bugprone-reserved-identifier)
    fatal("vigil: fatal: the C++ runtime called std::terminate (out of memory?)\n");
}

}  // namespace __gnu_cxx

// The C++ ABI's names, so that the library's eh_alloc.o (and its pool) is
// never linked; a throw must allocate first, so it stops here.
extern "C" {
[[noreturn, gnu::used]] void* __cxa_allocate_exception(std::size_t) noexcept { exception_thrown(); }  // NOLINT(bugprone-reserved-identifier)
[[noreturn, gnu::used]] void* __cxa_allocate_dependent_exception() noexcept { exception_thrown(); }  // NOLINT(bugprone-reserved-identifier)
// Only ever given what the two above returned, which is nothing.
[[noreturn, gnu::used]] void __cxa_free_exception(void*) noexcept { exception_thrown(); }  // NOLINT(bugprone-reserved-identifier)
[[noreturn, gnu::used]] void __cxa_free_dependent_exception(void*) noexcept { exception_thrown(); }  // NOLINT(bugprone-reserved-identifier)
}
