// What the integration tests need to drive the built vigil: start it (as a
// plain child that makes itself a subreaper, or as PID 1 of a new PID
// namespace through unshare), signal it, wait for conditions with generous
// timeouts, and read what it and the helper program left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace harness {

using namespace std::chrono_literals;
using Seconds = std::chrono::seconds;

// Generous: a loaded 2-core CI machine must never make a test fail by being slow.
inline constexpr Seconds patience{60};

enum class Mode { subreaper, pid_one };
Mode mode();
const char* mode_name();

std::string vigil_binary();
std::string helper_binary();

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path(const std::string& name) const { return root_ + "/" + name; }

private:
    std::string root_;
};

std::string read_file(const std::string& path);
// needle occurs in text
inline bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }
bool file_exists(const std::string& path);
// Polls until condition() holds; false if it never did within the timeout.
bool wait_for(const std::function<bool()>& condition, Seconds timeout = patience);
bool process_alive(pid_t pid);
// In a forked child before exec: every signal's default action and an empty
// mask, as a process started from a clean shell has.
void reset_signal_state();
// Appends whatever the (non-blocking) descriptor holds now to text.
void read_available(int fd, std::string& text);
// Live and zombie descendants of root, from /proc.
std::vector<pid_t> descendants(pid_t root, bool zombies);

struct LaunchOptions {
    std::vector<std::string> environment;  // NAME=value entries, added or replacing the test's own
    std::vector<std::string> removed_variables;  // names taken out of the test's own environment
    std::vector<int> inherited_fds;        // descriptors the launched vigil keeps
    bool use_terminal = false;             // stdin/stdout/stderr on a new pty, as session leader
    // Faults that starve the sanitizer runtime itself (LeakSanitizer needs a
    // thread and /proc at exit) would change the exit code in the sanitizer
    // build; such tests turn leak checking off for vigil.
    static constexpr const char* no_leak_check = "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1:abort_on_error=1";
    // closed: no fd 2; broken_pipe: a pipe whose reader is gone; full_pipe: a
    // pipe filled to the brim that the test holds open and does not read
    // until it calls drain_stderr() (a stalled log collector).
    enum class Stderr { file, closed, broken_pipe, full_pipe };
    Stderr stderr_mode = Stderr::file;
    std::vector<std::string> prefix;       // run vigil through this command (e.g. the helper); as PID 1, inside the namespace
};

inline LaunchOptions with_environment(std::vector<std::string> entries) {
    LaunchOptions options;
    options.environment = std::move(entries);
    return options;
}

class Vigil {
public:
    Vigil(const TempDir& dir, std::vector<std::string> arguments, LaunchOptions options = {});
    ~Vigil();
    Vigil(const Vigil&) = delete;
    Vigil& operator=(const Vigil&) = delete;

    pid_t pid();  // vigil itself, as the host sees it; -1 if it already ended unseen (PID 1 mode)
    // A live descendant's pid as the host sees it, from the pid it sees itself
    // (the same in subreaper mode); -1 when no live descendant has it.
    pid_t host_pid(pid_t seen_inside);
    void signal(int signal);
    // vigil's exit code (128+N if it died of signal N); nullopt on timeout.
    std::optional<int> wait_exit(Seconds timeout = patience);
    std::string err() const;
    std::string out() const;
    // With Stderr::full_pipe: reads what the pipe holds now (the filler
    // included), making room; everything read so far, filler removed.
    std::string drain_stderr();
    // With use_terminal: types into the terminal, and everything it showed so far.
    void type(const std::string& keys);
    std::string terminal_output();
    // Seconds from the start until wait_exit saw the end.
    double runtime_seconds() const { return runtime_; }

private:
    std::string stdout_path_;
    std::string stderr_path_;
    pid_t launcher_ = -1;
    pid_t vigil_ = -1;
    int terminal_ = -1;
    std::string terminal_text_;
    int stderr_pipe_ = -1;
    std::size_t filler_left_ = 0;
    std::string stderr_text_;
    bool exited_ = false;
    std::chrono::steady_clock::time_point started_;
    double runtime_ = 0;
};

// Whether text is one JSON object holding the named members (strict enough
// for log lines: objects, strings, numbers, booleans, null, arrays).
bool is_json_object_with(const std::string& text, const std::vector<std::string>& members);

std::vector<std::string> lines(const std::string& text);
int count_occurrences(const std::string& text, const std::string& needle);

}  // namespace harness
