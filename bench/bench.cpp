// vigil's benchmark suite: vigil side by side with tini, dumb-init and
// catatonit (and no init at all) on the same machine in the same run.
// Prints Markdown tables. Not a test: it measures, it asserts nothing.
//
//   vigil-bench --vigil PATH [--rounds N] [--source DIR] [--only ROW,...] [--also NAME=PATH ...] [--columns NAME,...]
// --also adds a column for another vigil binary (a variant build), after vigil's two;
// --columns keeps only the columns named (comma-separated).
//     ROW: size, idle, startup, latency, reaping, stop, podman (default: all)
//   vigil-bench --echo            (internal: the program whose signal handler answers over stdout)
//   vigil-bench --orphans N       (internal: creates N orphans, waits until all are reaped)
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../tests/e2e/container.hpp"
#include "cgroup.hpp"
#include "text.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Init {
    std::string name;
    std::vector<std::string> prefix;  // empty: no init
    std::string binary;               // for the size row
    std::string container_binary;     // inside the rootfs, for the podman row
};

// ---- the two internal programs ---------------------------------------------

void answer(int) {
    const char byte = '!';
    [[maybe_unused]] const auto written = ::write(STDOUT_FILENO, &byte, 1);
}

[[noreturn]] void echo_program() {
    struct sigaction action {};
    action.sa_handler = answer;
    ::sigaction(SIGUSR1, &action, nullptr);
    answer(0);  // ready
    while (true) ::pause();
}

int live_others_in_namespace() {
    int count = 0;
    DIR* dir = ::opendir("/proc");
    if (dir == nullptr) return -1;
    const pid_t self = ::getpid();
    while (const dirent* entry = ::readdir(dir)) {
        const int pid = std::atoi(entry->d_name);
        if (pid <= 1 || pid == self) continue;
        ++count;  // zombies count too: they are what must be reaped
    }
    ::closedir(dir);
    return count;
}

[[noreturn]] void orphans_program(int count) {
    for (int made = 0; made < count; ++made) {
        const pid_t middle = ::fork();
        if (middle == 0) {
            if (::fork() == 0) _exit(0);
            _exit(0);
        }
        while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
        }
    }
    while (live_others_in_namespace() > 0) ::usleep(1000);
    _exit(0);
}

// ---- measuring ---------------------------------------------------------------

// execvp's argument array over words, which must outlive it.
std::vector<char*> argv_of(std::vector<std::string>& words) {
    std::vector<char*> argv;
    argv.reserve(words.size() + 1);
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    return argv;
}

pid_t start(const std::vector<std::string>& command, int stdout_fd = -1) {
    std::vector<std::string> words = command;
    const auto argv = argv_of(words);
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int null_fd = ::open("/dev/null", O_RDWR);
        ::dup2(null_fd, 0);
        ::dup2(stdout_fd >= 0 ? stdout_fd : null_fd, 1);
        ::dup2(null_fd, 2);
        for (int fd = 3; fd < 1024; ++fd) ::close(fd);
        ::execvp(argv[0], argv.data());
        _exit(127);
    }
    return pid;
}

int finish(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
}

std::vector<std::string> with(const Init& init, std::vector<std::string> command) {
    std::vector<std::string> all = init.prefix;
    all.insert(all.end(), command.begin(), command.end());
    return all;
}

// COMMAND as PID 1 of a new PID namespace with its own /proc, as in a
// container, its stdout on stdout_fd (-1: /dev/null) and, when cgroup_procs
// is not empty, in that cgroup (its cgroup.procs) before its exec. Unlike
// start(), no other descriptor is closed: the caller's are close-on-exec.
pid_t start_as_pid1(const std::vector<std::string>& command, int stdout_fd, const std::string& cgroup_procs) {
    std::vector<std::string> words = command;
    const auto argv = argv_of(words);
    const long pid = ::syscall(SYS_clone, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
    if (pid == 0) {
        ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr);
        ::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
        if (!cgroup_procs.empty()) {
            const int procs = ::open(cgroup_procs.c_str(), O_WRONLY | O_CLOEXEC);
            if (procs < 0 || ::write(procs, "0", 1) != 1) _exit(126);  // "0": the writer itself
            ::close(procs);
        }
        const int null_fd = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd <= 2; ++fd) ::dup2(fd == 1 && stdout_fd >= 0 ? stdout_fd : null_fd, fd);
        ::execvp(argv[0], argv.data());
        _exit(127);
    }
    return static_cast<pid_t>(pid);
}

// The earliest stop signal: COMMAND as PID 1 of a new PID namespace, SIGTERM
// sent the instant its exec is seen (the close-on-exec pipe reads end of
// file). Whether the signal reached the program: the program (sleep) ends by
// it and so does the init, within a second; a lost signal leaves both
// running, and SIGKILL ends the namespace.
bool stop_signal_reaches(const std::vector<std::string>& command) {
    int exec_seen[2];
    if (::pipe2(exec_seen, O_CLOEXEC) != 0) return false;
    const pid_t pid = start_as_pid1(command, -1, "");
    ::close(exec_seen[1]);
    if (pid < 0) {
        ::close(exec_seen[0]);
        return false;
    }
    char byte = 0;
    while (::read(exec_seen[0], &byte, 1) < 0 && errno == EINTR) {
    }
    ::kill(pid, SIGTERM);
    ::close(exec_seen[0]);
    const auto deadline = Clock::now() + 1s;
    while (Clock::now() < deadline) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return true;
        ::usleep(1000);
    }
    ::kill(pid, SIGKILL);
    finish(pid);
    return false;
}

// Where a cgroup with the CPU controller can be made, as a container runtime
// makes one for each container: the cgroup v1 hierarchy that has the cpu
// controller, else the cgroup v2 root when it gives cpu to its children.
// Empty, with why_not, when there is neither.
std::string cpu_cgroup_parent(std::string& why_not) {
    std::string unified;
    const std::string mountinfo = harness::read_file("/proc/self/mountinfo");
    for (const auto line : vigil::parts(mountinfo, '\n')) {
        const auto mount = vigil::parse_mount(line);
        if (!mount) continue;
        if (mount->fstype == "cgroup" && vigil::has_option(mount->super_options, "cpu")) return vigil::unescape_mountinfo(mount->mount_point);
        if (mount->fstype == "cgroup2" && mount->root == "/" && unified.empty()) unified = vigil::unescape_mountinfo(mount->mount_point);
    }
    if (unified.empty()) {
        why_not = "no cgroup hierarchy with the cpu controller is mounted";
        return "";
    }
    std::string given = " " + harness::read_file(unified + "/cgroup.subtree_control") + " ";
    std::replace(given.begin(), given.end(), '\n', ' ');
    if (given.find(" cpu ") == std::string::npos) {
        why_not = "the cgroup v2 root (" + unified + ") does not give the cpu controller to its children";
        return "";
    }
    return unified;
}

// One order of 0..count-1 for each of `rounds` rounds, each shuffled afresh
// (a fixed seed: the same orders in every run).
std::vector<std::vector<std::size_t>> shuffled_orders(std::size_t count, int rounds) {
    std::mt19937 shuffler(20261203);
    std::vector<std::size_t> order(count);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::vector<std::vector<std::size_t>> orders;
    for (int round = 0; round < rounds; ++round) {
        std::shuffle(order.begin(), order.end(), shuffler);
        orders.push_back(order);
    }
    return orders;
}

double percentile(std::vector<double> values, double fraction) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const auto index = static_cast<std::size_t>(fraction * static_cast<double>(values.size() - 1) + 0.5);
    return values[std::min(index, values.size() - 1)];
}

long status_field(pid_t pid, const std::string& key) {
    for (const auto& line : harness::lines(harness::read_file("/proc/" + std::to_string(pid) + "/status")))
        if (line.rfind(key + ":", 0) == 0) return std::atol(line.c_str() + key.size() + 1);
    return -1;
}

// Whether an ELF64 executable names a program interpreter (PT_INTERP): dynamic.
bool has_interpreter(const std::string& path) {
    const std::string image = harness::read_file(path);
    if (image.size() < sizeof(Elf64_Ehdr) || image.compare(0, 4, "\x7f" "ELF") != 0) return false;
    Elf64_Ehdr header;
    std::memcpy(&header, image.data(), sizeof header);
    for (unsigned i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr program_header;
        const std::size_t at = header.e_phoff + i * static_cast<std::size_t>(header.e_phentsize);
        if (at + sizeof program_header > image.size()) return false;
        std::memcpy(&program_header, image.data() + at, sizeof program_header);
        if (program_header.p_type == PT_INTERP) return true;
    }
    return false;
}

std::string fmt_us(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.0f µs", seconds * 1e6);
    return text;
}

std::string fmt_ms(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", seconds);
    return text;
}

// "a,b,,c" -> {a, b, c}
std::set<std::string> comma_list(const std::string& list) {
    std::set<std::string> items;
    for (std::size_t at = 0; at <= list.size();) {
        const auto comma = std::min(list.find(',', at), list.size());
        if (comma > at) items.insert(list.substr(at, comma - at));
        at = comma + 1;
    }
    return items;
}

}  // namespace

int main(int argc, char** argv) {
    std::string vigil;
    std::string source = ".";
    int rounds = 300;
    int startup_rounds = 12000;
    int signal_rounds = 12000;
    int orphan_count = 20000;
    const int idle_starts = 25;
    std::set<std::string> only;  // the rows asked for; empty: all
    std::vector<std::pair<std::string, std::string>> also;  // extra vigil columns: name, binary
    std::set<std::string> columns;  // the inits asked for; empty: all
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--echo") echo_program();
        if (arg == "--orphans" && i + 1 < argc) orphans_program(std::atoi(argv[i + 1]));
        if (arg == "--vigil" && i + 1 < argc) vigil = argv[++i];
        else if (arg == "--source" && i + 1 < argc) source = argv[++i];
        else if (arg == "--only" && i + 1 < argc) only = comma_list(argv[++i]);
        else if (arg == "--columns" && i + 1 < argc) columns = comma_list(argv[++i]);
        else if (arg == "--also" && i + 1 < argc) {
            const std::string column = argv[++i];
            const auto equals = column.find('=');
            if (equals == std::string::npos || equals == 0 || equals + 1 == column.size()) {
                std::fprintf(stderr, "vigil-bench: --also wants NAME=PATH, not '%s'\n", column.c_str());
                return 2;
            }
            also.emplace_back(column.substr(0, equals), column.substr(equals + 1));
        }
        else if (arg == "--rounds" && i + 1 < argc) {
            rounds = std::atoi(argv[++i]);
            startup_rounds = rounds * 40;
            signal_rounds = rounds * 40;
        }
    }
    if (vigil.empty()) {
        std::fprintf(stderr, "usage: vigil-bench --vigil PATH [--rounds N] [--source DIR] [--only ROW,...] [--also NAME=PATH ...] [--columns NAME,...]\n");
        return 2;
    }
    const std::set<std::string> row_names = {"size", "idle", "startup", "latency", "reaping", "stop", "podman"};
    for (const auto& name : only) {
        if (row_names.count(name) == 0) {
            std::fprintf(stderr, "vigil-bench: unknown row '%s' (size, idle, startup, latency, reaping, stop, podman)\n", name.c_str());
            return 2;
        }
    }
    auto wanted = [&](const char* row) { return only.empty() || only.count(row) == 1; };
    char self_path[4096];
    const ssize_t length = ::readlink("/proc/self/exe", self_path, sizeof self_path - 1);
    self_path[length > 0 ? length : 0] = '\0';
    const std::string self = self_path;

    std::vector<Init> inits = {
        {"no init", {}, "", ""},
        {"vigil", {vigil}, vigil, "/init"},
        {"vigil (log warn)", {vigil, "--log-level", "warn"}, "", ""},
    };
    for (const auto& [name, binary] : also) inits.push_back({name, {binary}, binary, ""});
    inits.insert(inits.end(), {
        {"tini-static", {"/usr/bin/tini-static", "-s", "--"}, "/usr/bin/tini-static", "/tini"},
        {"dumb-init", {"/usr/bin/dumb-init"}, "/usr/bin/dumb-init", "/dumb-init"},
        {"catatonit", {"/usr/bin/catatonit", "--"}, "/usr/bin/catatonit", "/catatonit"},
    });
    for (const auto& name : columns) {
        if (std::none_of(inits.begin(), inits.end(), [&](const Init& init) { return init.name == name; })) {
            std::fprintf(stderr, "vigil-bench: unknown column '%s'\n", name.c_str());
            return 2;
        }
    }
    if (!columns.empty()) {
        inits.erase(std::remove_if(inits.begin(), inits.end(), [&](const Init& init) { return columns.count(init.name) == 0; }), inits.end());
    }
    std::map<std::string, std::map<std::string, std::string>> table;  // row -> init -> cell
    std::vector<std::string> rows;
    auto put = [&](const std::string& row, const std::string& init, const std::string& value) {
        if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
        table[row][init] = value;
    };

    // 1. Binary size.
    for (const auto& init : inits) {
        if (init.binary.empty() || !wanted("size")) continue;
        struct stat info {};
        ::stat(init.binary.c_str(), &info);
        const bool is_static = !has_interpreter(init.binary);
        char text[64];
        std::snprintf(text, sizeof text, "%lld B%s", static_cast<long long>(info.st_size), is_static ? "" : " (dynamic)");
        put("binary size", init.name, text);
    }
    std::fprintf(stderr, "sizes done\n");

    // 2 and 3. Idle RSS and wake-ups, every init at once over the same 10 s,
    // each started idle_starts times: where address-space randomisation puts
    // the stack, the heap and the mappings moves an init's private memory
    // and page tables by a page from one start to the next (page tables: 36
    // or 40 KiB about half the time each, for every init here), so the
    // memory figures are means of its starts; a median of a coin toss would
    // say only how it fell. Wake-ups are the median.
    if (wanted("idle")) {
        std::vector<std::pair<const Init*, pid_t>> idle;
        for (int copy = 0; copy < idle_starts; ++copy) {
            for (const auto& init : inits) {
                if (!init.prefix.empty()) idle.emplace_back(&init, start(with(init, {"sleep", "1000"})));
            }
        }
        std::this_thread::sleep_for(2s);  // let every init settle into its wait
        auto switches = [](pid_t pid) {
            return status_field(pid, "voluntary_ctxt_switches") + status_field(pid, "nonvoluntary_ctxt_switches");
        };
        std::map<pid_t, long> before;
        for (const auto& [init, pid] : idle) before[pid] = switches(pid);
        std::this_thread::sleep_for(10s);
        std::map<std::string, std::map<std::string, std::vector<double>>> figures;  // init -> figure -> one per start
        for (const auto& [init, pid] : idle) {
            auto& of_init = figures[init->name];
            of_init["wake-ups"].push_back(static_cast<double>(switches(pid) - before[pid]));
            for (const char* field : {"VmRSS", "RssAnon", "VmPTE"}) of_init[field].push_back(static_cast<double>(status_field(pid, field)));
        }
        for (const auto& init : inits) {
            if (init.prefix.empty()) continue;
            const auto& of_init = figures[init.name];
            const auto mean = [&](const char* figure) {
                const auto& values = of_init.at(figure);
                char text[32];
                std::snprintf(text, sizeof text, "%.1f", std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size()));
                return std::string(text);
            };
            put("idle wake-ups in 10 s", init.name, std::to_string(std::lround(percentile(of_init.at("wake-ups"), 0.5))));
            put("idle RSS", init.name, mean("VmRSS") + " KiB");
            // Private memory: what this init alone costs (file-backed pages are shared page cache).
            put("idle private memory (RssAnon + page tables)", init.name, mean("RssAnon") + " + " + mean("VmPTE") + " KiB");
        }
        for (const auto& [init, pid] : idle) {
            for (pid_t child : harness::descendants(pid, false)) ::kill(child, SIGKILL);
            ::kill(pid, SIGKILL);
            finish(pid);
        }
    }
    std::fprintf(stderr, "idle done\n");

    // 4. Start-up overhead of INIT /bin/true, rounds interleaved across inits,
    // each round in a new random order, so no init always follows the same
    // one: whichever init runs right after the plain /bin/true is 15-40 µs
    // slower at the median (the same vigil or tini-static binary on three
    // command lines, in every order), and the table's order rotated by one
    // per round kept that place for the first vigil column in all but one
    // start of each round. A p99 wants many thousands: with 3,000 start-ups
    // vigil's two columns (the same binary) had p99 overheads up to 1.7 ms
    // apart, with 12,000 6 to 110 µs (six runs).
    if (wanted("startup")) {
        std::map<std::string, std::vector<double>> times;
        const auto orders = shuffled_orders(inits.size(), startup_rounds);
        for (const auto& order : orders) {
            for (const std::size_t index : order) {
                const auto& init = inits[index];
                const auto began = Clock::now();
                finish(start(with(init, {"/bin/true"})));
                times[init.name].push_back(std::chrono::duration<double>(Clock::now() - began).count());
            }
        }
        const double base_median = percentile(times["no init"], 0.5);
        const double base_p99 = percentile(times["no init"], 0.99);
        for (const auto& init : inits) {
            const auto& sample = times[init.name];
            if (init.prefix.empty()) {
                put("start-up: run of /bin/true (median / p99)", init.name, fmt_us(base_median) + " / " + fmt_us(base_p99));
                continue;
            }
            put("start-up: run of /bin/true (median / p99)", init.name, fmt_us(percentile(sample, 0.5)) + " / " + fmt_us(percentile(sample, 0.99)));
            put("start-up overhead (median / p99)", init.name,
                fmt_us(percentile(sample, 0.5) - base_median) + " / " + fmt_us(percentile(sample, 0.99) - base_p99));
        }
    }
    std::fprintf(stderr, "start-up done\n");

    const bool root = ::geteuid() == 0;
    // 5. Signal forwarding latency: SIGUSR1 to the init until the program's
    // handler answers. Every init runs its echo program at once and the
    // rounds are interleaved across inits, so a noisy moment is shared. Twice:
    // every init a child of this benchmark, in its session; then every init
    // PID 1 of its own PID namespace and cgroup (cpu controller), as a
    // container runtime starts it. In the root cgroup, with the kernel's
    // autogroups on, each session is scheduled as a group of its own, so a
    // program that an init starts in a new session (dumb-init's default) is
    // scheduled apart from the rest; in a cgroup of their own, init and
    // program are one group, as in a container.
    // The rounds are split into one block per init, each with every init
    // started afresh and in a new order (rotated by one), so each init is
    // started first once, second once, and so on: with one start in one
    // order, the order moved the p50s by 1-2 µs (30 runs each way: in the
    // first row the init started first had the highest p50 of vigil,
    // tini-static and catatonit, whichever it was). A block is long enough
    // (2,000 rounds by default) for where the scheduler places init and
    // program to settle: in blocks of 83 rounds, no init's and dumb-init's
    // leads in the first row were gone.
    auto forwarding_latency = [&](const std::string& row, const std::string& cgroup_parent) {
        struct Echo {
            std::size_t init;  // index into inits
            pid_t pid;
            int answers;
            std::string cgroup;
        };
        // Starts inits[index] with its echo program; pid -1 when it could not
        // be started, answers -1 when not even its pipe could be made.
        auto start_echo = [&](std::size_t index) {
            Echo echo{index, -1, -1, ""};
            int pipe_fds[2];
            if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return echo;
            const auto command = with(inits[index], {self, "--echo"});
            if (cgroup_parent.empty()) {
                echo.pid = start(command, pipe_fds[1]);
            } else {
                echo.cgroup = cgroup_parent + "/vigil-bench-" + std::to_string(::getpid()) + "-" + std::to_string(index);
                if (::mkdir(echo.cgroup.c_str(), 0755) != 0) echo.cgroup.clear();
                if (!echo.cgroup.empty()) echo.pid = start_as_pid1(command, pipe_fds[1], echo.cgroup + "/cgroup.procs");
            }
            ::close(pipe_fds[1]);
            echo.answers = pipe_fds[0];
            return echo;
        };
        auto stop_echo = [](Echo& echo) {
            if (echo.pid > 0) {
                // As PID 1 of its namespace, the init's end ends the program too.
                if (echo.cgroup.empty()) {
                    for (pid_t child : harness::descendants(echo.pid, false)) ::kill(child, SIGKILL);
                }
                ::kill(echo.pid, SIGKILL);
                finish(echo.pid);
            }
            if (echo.answers >= 0) ::close(echo.answers);
            if (!echo.cgroup.empty() && !harness::wait_for([&] { return ::rmdir(echo.cgroup.c_str()) == 0 || errno == ENOENT; })) {
                std::fprintf(stderr, "cannot remove the cgroup %s: %s\n", echo.cgroup.c_str(), std::strerror(errno));
            }
        };
        std::vector<std::vector<double>> latencies(inits.size());
        const std::size_t blocks = inits.size();
        const int block_rounds = std::max(1, signal_rounds / static_cast<int>(blocks));
        bool all_ready = true;
        for (std::size_t block = 0; all_ready && block < blocks; ++block) {
            std::vector<Echo> echoes;
            for (std::size_t started = 0; all_ready && started < inits.size(); ++started) {
                echoes.push_back(start_echo((started + block) % inits.size()));
                char byte = 0;
                all_ready = echoes.back().pid > 0 && ::read(echoes.back().answers, &byte, 1) == 1;
            }
            // Each round in a new order, so that whatever an init still does
            // after its program answered falls on every other init alike.
            for (const auto& order : shuffled_orders(echoes.size(), all_ready ? block_rounds : 0)) {
                for (const std::size_t turn : order) {
                    const auto& echo = echoes[turn];
                    char byte = 0;
                    const auto began = Clock::now();
                    ::kill(echo.pid, SIGUSR1);  // the init itself (the program, for no init)
                    if (::read(echo.answers, &byte, 1) != 1) continue;
                    latencies[echo.init].push_back(std::chrono::duration<double>(Clock::now() - began).count());
                }
            }
            for (auto& echo : echoes) stop_echo(echo);
        }
        for (std::size_t index = 0; all_ready && index < inits.size(); ++index) {
            put(row, inits[index].name, fmt_us(percentile(latencies[index], 0.5)) + " / " + fmt_us(percentile(latencies[index], 0.99)));
        }
        return all_ready;
    };
    if (wanted("latency")) {
        if (!forwarding_latency("signal forwarding latency (p50 / p99)", "")) {
            std::fprintf(stderr, "latency row failed: an init's program did not answer\n");
        }
        std::string why_not = root ? "" : "needs root";
        const std::string cgroup_parent = root ? cpu_cgroup_parent(why_not) : "";
        if (cgroup_parent.empty()) {
            std::fprintf(stderr, "latency row in cgroups skipped: %s\n", why_not.c_str());
        } else if (!forwarding_latency("signal forwarding latency, as PID 1 in a cgroup (p50 / p99)", cgroup_parent)) {
            std::fprintf(stderr, "latency row in cgroups failed: cannot make a cgroup in %s, or an init's program did not answer\n",
                         cgroup_parent.c_str());
        }
    }
    std::fprintf(stderr, "latency done\n");

    // 6. Reaping throughput, each init as PID 1 of its own PID namespace.
    for (const auto& init : inits) {
        if (!root || !wanted("reaping")) break;
        if (init.prefix.empty()) {
            put("reaping: orphans per second", init.name, "never (nothing reaps)");
            continue;
        }
        std::vector<std::string> command = {"unshare", "--pid", "--fork", "--mount-proc"};
        const auto wrapped = with(init, {self, "--orphans", std::to_string(orphan_count)});
        command.insert(command.end(), wrapped.begin(), wrapped.end());
        const auto began = Clock::now();
        finish(start(command));
        const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
        char text[64];
        std::snprintf(text, sizeof text, "%.0f /s", orphan_count / seconds);
        put("reaping: orphans per second", init.name, text);
    }
    std::fprintf(stderr, "reaping done\n");

    // 7. The earliest stop signal, runs interleaved across inits, each round
    // in a new random order (as the start-ups).
    if (root && wanted("stop")) {
        const int runs = std::max(rounds / 3, 1);
        std::map<std::string, int> reached;
        for (const auto& order : shuffled_orders(inits.size(), runs)) {
            for (const std::size_t index : order) {
                if (stop_signal_reaches(with(inits[index], {"sleep", "1000"}))) ++reached[inits[index].name];
            }
        }
        for (const auto& init : inits) {
            char text[64];
            std::snprintf(text, sizeof text, "%d of %d", runs - reached[init.name], runs);
            put("SIGTERM at exec, as PID 1: lost", init.name, text);
        }
    }
    std::fprintf(stderr, "earliest stop signal done\n");

    // 8. Stop time of a real Node server in a podman container.
    std::string why_not;
    if (!wanted("podman")) {
        // not asked for
    } else if (root && e2e::run_command({"sh", "-c", "command -v podman && command -v node"}) == 0) {
        harness::TempDir dir;
        const auto rootfs = e2e::build_rootfs(dir, vigil, source + "/tests/e2e/apps", source + "/docker/example/server.js");
        for (const auto& init : inits) {
            if (!init.container_binary.empty() && init.container_binary != "/init") {
                std::filesystem::copy_file(init.binary, rootfs + init.container_binary);
            }
        }
        const e2e::PodmanStore store;
        if (const auto runtime = e2e::find_runtime(rootfs, store, why_not)) {
            for (const auto& init : inits) {
                if (!init.prefix.empty() && init.container_binary.empty()) continue;
                std::vector<std::string> command;
                if (!init.prefix.empty()) {
                    command.push_back(init.container_binary);
                    command.insert(command.end(), init.prefix.begin() + 1, init.prefix.end());
                }
                for (const char* word : {"node", "/app/server.js"}) command.emplace_back(word);
                std::vector<double> stops;
                for (int round = 0; round < 3; ++round) {
                    harness::TempDir run_dir;
                    e2e::ContainerSpec spec;
                    spec.command = command;
                    spec.environment = {"SOCKET=/work/http.sock"};
                    e2e::Container container(*runtime, rootfs, run_dir, spec);
                    if (!harness::wait_for([&] { return container.out().find("listening on") != std::string::npos; })) break;
                    container.stop(10);
                    container.wait_exit();
                    stops.push_back(container.seconds_since_stop());
                }
                put("podman stop of a Node server (median of 3)", init.name, stops.empty() ? "failed" : fmt_ms(percentile(stops, 0.5)));
            }
        }
    } else {
        why_not = "needs root, podman and node";
    }
    if (!why_not.empty()) std::fprintf(stderr, "podman row skipped: %s\n", why_not.c_str());

    // The table.
    utsname machine{};
    ::uname(&machine);
    std::string cpu = "unknown CPU";
    for (const auto& line : harness::lines(harness::read_file("/proc/cpuinfo"))) {
        if (line.rfind("model name", 0) == 0) {
            cpu = line.substr(line.find(':') + 2);
            break;
        }
    }
    std::printf("Machine: %s, %u cores, Linux %s. Rounds: %d idle starts (memory: means), %d start-ups, %d signals, %d orphans per init.\n\n",
                cpu.c_str(), std::thread::hardware_concurrency(), machine.release, idle_starts, startup_rounds, signal_rounds, orphan_count);
    std::printf("| |");
    for (const auto& init : inits) std::printf(" %s |", init.name.c_str());
    std::printf("\n|---|");
    for (std::size_t i = 0; i < inits.size(); ++i) std::printf("---|");
    std::printf("\n");
    for (const auto& row : rows) {
        std::printf("| %s |", row.c_str());
        for (const auto& init : inits) {
            const auto found = table[row].find(init.name);
            std::printf(" %s |", found == table[row].end() ? "–" : found->second.c_str());
        }
        std::printf("\n");
    }
    return 0;
}
