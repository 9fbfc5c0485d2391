#include "harness.hpp"

#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "reachable_processes.hpp"

namespace harness {

Mode mode() {
#ifdef VIGIL_TEST_PID_ONE
    return Mode::pid_one;
#else
    return Mode::subreaper;
#endif
}

const char* mode_name() { return mode() == Mode::pid_one ? "as PID 1" : "as subreaper"; }

namespace {
std::string required_environment(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr) throw std::runtime_error(std::string(name) + " is not set (run the tests through meson test)");
    return value;
}

// Some cases run vigil and the helper as another uid (setpriv, --user). A
// checkout below a directory only root can enter (`mktemp -d` makes 0700)
// would make those fail with "Permission denied", so a binary another uid
// cannot reach is handed out as a copy in a directory every uid can enter,
// removed when the test process exits.
bool reachable_by_others(const std::filesystem::path& binary) {
    struct stat status {};
    if (::stat(binary.c_str(), &status) != 0 || (status.st_mode & S_IXOTH) == 0) return false;
    for (auto directory = binary.parent_path(); !directory.empty(); directory = directory.parent_path()) {
        if (::stat(directory.c_str(), &status) != 0 || (status.st_mode & S_IXOTH) == 0) return false;
        if (directory == directory.root_path()) break;
    }
    return true;
}

class ReachableCopies {
public:
    ~ReachableCopies() {
        if (root_.empty()) return;
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }

    std::string of(const std::string& binary) {
        const auto absolute = std::filesystem::absolute(binary);
        if (reachable_by_others(absolute)) return binary;
        if (root_.empty()) {
            std::string pattern = (std::filesystem::temp_directory_path() / "vigil-binaries-XXXXXX").string();
            if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for the binaries' copies");
            root_ = pattern;
            ::chmod(root_.c_str(), 0755);
        }
        const auto copy = root_ / absolute.filename();
        std::filesystem::copy_file(absolute, copy, std::filesystem::copy_options::overwrite_existing);
        std::filesystem::permissions(copy, std::filesystem::perms(0755));
        if (!reachable_by_others(copy)) throw std::runtime_error("no directory every uid can reach for " + copy.string());
        return copy.string();
    }

private:
    std::filesystem::path root_;
};

std::string reachable(const char* variable) {
    static ReachableCopies copies;
    return copies.of(required_environment(variable));
}
}  // namespace

std::string vigil_binary() {
    static const std::string binary = reachable("VIGIL_BINARY");
    return binary;
}
std::string helper_binary() {
    static const std::string binary = reachable("VIGIL_HELPER");
    return binary;
}

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "vigil-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    ::chmod(root_.c_str(), 0777);  // the privilege tests write here as another user
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool file_exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool wait_for(const std::function<bool()>& condition, Seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

bool process_alive(pid_t pid) {
    // A zombie still answers kill(0); look at its state instead.
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto entry = vigil::parse_proc_stat(stat);
    return entry && entry->state != 'Z' && entry->state != 'X';
}

void reset_signal_state() {
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal = 1; signal < 65; ++signal) ::sigaction(signal, &default_action, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void read_available(int fd, std::string& text) {
    char buffer[4096];
    while (true) {
        const ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got <= 0) return;
        text.append(buffer, static_cast<std::size_t>(got));
    }
}

std::vector<pid_t> descendants(pid_t root, bool zombies) {
    const auto table = vigil::read_process_table();
    if (!table) return {};
    std::vector<pid_t> found;
    for (const auto& entry : vigil::descendants_of(root, *table)) {
        const bool is_zombie = entry.state == 'Z' || entry.state == 'X';
        if (is_zombie == zombies) found.push_back(entry.pid);
    }
    return found;
}

Vigil::Vigil(const TempDir& dir, std::vector<std::string> arguments, LaunchOptions options)
    : stdout_path_(dir.path("vigil.stdout")), stderr_path_(dir.path("vigil.stderr")), started_(std::chrono::steady_clock::now()) {
    std::vector<std::string> command;
    if (mode() == Mode::pid_one) {
        for (const char* word : {"unshare", "--pid", "--fork", "--mount-proc"}) command.emplace_back(word);
    }
    command.insert(command.end(), options.prefix.begin(), options.prefix.end());
    command.push_back(vigil_binary());
    command.insert(command.end(), arguments.begin(), arguments.end());

    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto name = text.substr(0, text.find('='));
        const bool removed = std::find(options.removed_variables.begin(), options.removed_variables.end(), name) != options.removed_variables.end();
        const bool replaced = std::any_of(options.environment.begin(), options.environment.end(),
                                          [&](const std::string& entry) { return entry.rfind(name + "=", 0) == 0; });
        if (text.rfind("VIGIL_", 0) != 0 && !removed && !replaced) environment.push_back(text);
    }
    environment.insert(environment.end(), options.environment.begin(), options.environment.end());

    std::vector<char*> argv;
    for (auto& word : command) argv.push_back(word.data());
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& entry : environment) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int terminal_child = -1;
    if (options.use_terminal) {
        if (::openpty(&terminal_, &terminal_child, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty failed");
        ::fcntl(terminal_, F_SETFD, FD_CLOEXEC);
        ::fcntl(terminal_, F_SETFL, O_NONBLOCK);
    }
    int full_pipe_writer = -1;
    if (options.stderr_mode == LaunchOptions::Stderr::full_pipe) {
        int pipe_fds[2];
        if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        stderr_pipe_ = pipe_fds[0];
        full_pipe_writer = pipe_fds[1];
        // Fill it through a non-blocking write end, then hand vigil a blocking one, as a log collector's pipe is.
        ::fcntl(full_pipe_writer, F_SETFL, O_NONBLOCK);
        const std::string filler(4096, '#');
        while (true) {
            const ssize_t wrote = ::write(full_pipe_writer, filler.data(), filler.size());
            if (wrote <= 0) break;
            filler_left_ += static_cast<std::size_t>(wrote);
        }
        ::fcntl(full_pipe_writer, F_SETFL, 0);
        ::fcntl(stderr_pipe_, F_SETFL, O_NONBLOCK);
    }

    launcher_ = ::fork();
    if (launcher_ < 0) throw std::runtime_error("fork failed");
    if (launcher_ == 0) {
        if (options.use_terminal) {
            ::setsid();
            ::ioctl(terminal_child, TIOCSCTTY, 0);
            for (int fd = 0; fd <= 2; ++fd) ::dup2(terminal_child, fd);
        } else {
            const int null_fd = ::open("/dev/null", O_RDONLY);
            const int out_fd = ::open(stdout_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err_fd = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(null_fd, 0);
            ::dup2(out_fd, 1);
            ::dup2(err_fd, 2);
            if (options.stderr_mode == LaunchOptions::Stderr::closed) ::close(2);
            if (options.stderr_mode == LaunchOptions::Stderr::full_pipe) ::dup2(full_pipe_writer, 2);
            if (options.stderr_mode == LaunchOptions::Stderr::broken_pipe) {
                int pipe_fds[2];
                if (::pipe(pipe_fds) == 0) {
                    ::dup2(pipe_fds[1], 2);
                    ::close(pipe_fds[0]);  // nobody will ever read: every write is EPIPE
                    ::close(pipe_fds[1]);
                }
            }
            ::setpgid(0, 0);  // keep a test's signals and terminal away from the test runner
        }
        for (int fd = 3; fd < 1024; ++fd) {
            if (std::find(options.inherited_fds.begin(), options.inherited_fds.end(), fd) == options.inherited_fds.end()) ::close(fd);
        }
        reset_signal_state();
        ::execvpe(argv[0], argv.data(), envp.data());
        _exit(121);
    }
    if (terminal_child >= 0) ::close(terminal_child);
    if (full_pipe_writer >= 0) ::close(full_pipe_writer);
}

Vigil::~Vigil() {
    if (!exited_) {
        // A failed test must not leave anything running: vigil's descendants first, then vigil.
        for (pid_t pid : descendants(pid(), false)) ::kill(pid, SIGKILL);
        ::kill(pid(), SIGKILL);
        ::kill(launcher_, SIGKILL);
        ::waitpid(launcher_, nullptr, 0);
    }
    if (terminal_ >= 0) ::close(terminal_);
    if (stderr_pipe_ >= 0) ::close(stderr_pipe_);
}

pid_t Vigil::pid() {
    if (vigil_ > 0) return vigil_;
    if (mode() == Mode::subreaper) return vigil_ = launcher_;
    // unshare forks vigil as its child: wait until it appears.
    bool launcher_gone = false;
    wait_for([&] {
        if (const auto table = vigil::read_process_table()) {
            for (const auto& entry : *table) {
                if (entry.parent == launcher_) vigil_ = entry.pid;
                if (entry.pid == launcher_ && entry.state == 'Z') launcher_gone = true;
            }
        }
        return vigil_ > 0 || launcher_gone;
    });
    if (vigil_ > 0) return vigil_;
    if (launcher_gone) return -1;  // vigil came and went before anyone looked
    throw std::runtime_error("vigil never started under unshare");
}

pid_t Vigil::host_pid(pid_t seen_inside) {
    if (mode() == Mode::subreaper) return seen_inside;
    // The innermost NSpid entry is the pid as seen inside vigil's namespace.
    const auto inside = std::to_string(seen_inside);
    for (pid_t candidate : descendants(pid(), false)) {
        for (const auto& line : lines(read_file("/proc/" + std::to_string(candidate) + "/status"))) {
            if (line.rfind("NSpid:", 0) != 0) continue;
            const auto last = line.substr(line.find_last_of(" \t") + 1);
            if (last == inside) return candidate;
        }
    }
    return -1;
}

void Vigil::signal(int signal) {
    if (::kill(pid(), signal) != 0) throw std::runtime_error(std::string("kill failed: ") + std::strerror(errno));
}

std::optional<int> Vigil::wait_exit(Seconds timeout) {
    if (exited_) return std::nullopt;
    int status = 0;
    const bool done = wait_for([&] { return ::waitpid(launcher_, &status, WNOHANG) == launcher_; }, timeout);
    if (!done) return std::nullopt;
    exited_ = true;
    runtime_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

std::string Vigil::err() const { return read_file(stderr_path_); }

std::string Vigil::drain_stderr() {
    char buffer[4096];
    while (true) {
        const ssize_t got = ::read(stderr_pipe_, buffer, sizeof buffer);
        if (got <= 0) break;
        std::size_t skip = std::min(filler_left_, static_cast<std::size_t>(got));
        filler_left_ -= skip;
        stderr_text_.append(buffer + skip, static_cast<std::size_t>(got) - skip);
    }
    return stderr_text_;
}

void Vigil::type(const std::string& keys) {
    if (::write(terminal_, keys.data(), keys.size()) != static_cast<ssize_t>(keys.size())) throw std::runtime_error("cannot type into the terminal");
}

std::string Vigil::terminal_output() {
    read_available(terminal_, terminal_text_);
    return terminal_text_;
}
std::string Vigil::out() const { return read_file(stdout_path_); }

namespace {

// A small recursive-descent JSON reader, just enough to check log lines.
class JsonReader {
public:
    explicit JsonReader(const std::string& text) : text_(text) {}

    bool object(std::vector<std::string>* keys) {
        skip();
        if (!take('{')) return false;
        skip();
        if (take('}')) return true;
        while (true) {
            std::string key;
            skip();
            if (!string(&key)) return false;
            if (keys != nullptr) keys->push_back(key);
            skip();
            if (!take(':') || !value()) return false;
            skip();
            if (take('}')) return true;
            if (!take(',')) return false;
        }
    }
    bool at_end() {
        skip();
        return position_ == text_.size();
    }

private:
    bool value() {
        skip();
        if (position_ >= text_.size()) return false;
        const char c = text_[position_];
        if (c == '{') return object(nullptr);
        if (c == '"') return string(nullptr);
        if (c == '[') {
            ++position_;
            skip();
            if (take(']')) return true;
            while (true) {
                if (!value()) return false;
                skip();
                if (take(']')) return true;
                if (!take(',')) return false;
            }
        }
        for (const char* word : {"true", "false", "null"}) {
            if (text_.compare(position_, std::strlen(word), word) == 0) {
                position_ += std::strlen(word);
                return true;
            }
        }
        const std::size_t start = position_;
        if (position_ < text_.size() && text_[position_] == '-') ++position_;
        while (position_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[position_])) || text_[position_] == '.' ||
                                            text_[position_] == 'e' || text_[position_] == 'E' || text_[position_] == '+'))
            ++position_;
        return position_ > start && std::isdigit(static_cast<unsigned char>(text_[position_ - 1]));
    }
    bool string(std::string* out) {
        if (!take('"')) return false;
        while (position_ < text_.size()) {
            const char c = text_[position_++];
            if (c == '"') return true;
            if (static_cast<unsigned char>(c) < 0x20) return false;
            if (c == '\\') {
                if (position_ >= text_.size()) return false;
                const char escaped = text_[position_++];
                if (escaped == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (position_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[position_++]))) return false;
                    }
                } else if (std::strchr("\"\\/bfnrt", escaped) == nullptr) {
                    return false;
                }
                if (out != nullptr) out->push_back('?');
                continue;
            }
            if (out != nullptr) out->push_back(c);
        }
        return false;
    }
    bool take(char c) {
        if (position_ < text_.size() && text_[position_] == c) {
            ++position_;
            return true;
        }
        return false;
    }
    void skip() {
        while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) ++position_;
    }

    const std::string& text_;
    std::size_t position_ = 0;
};

}  // namespace

bool is_json_object_with(const std::string& text, const std::vector<std::string>& members) {
    JsonReader reader(text);
    std::vector<std::string> keys;
    if (!reader.object(&keys) || !reader.at_end()) return false;
    for (const auto& member : members) {
        if (std::find(keys.begin(), keys.end(), member) == keys.end()) return false;
    }
    return true;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream stream(text);
    std::string line;
    while (std::getline(stream, line)) out.push_back(line);
    return out;
}

int count_occurrences(const std::string& text, const std::string& needle) {
    int count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
    return count;
}

}  // namespace harness
