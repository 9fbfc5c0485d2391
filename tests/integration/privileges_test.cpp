// --user, --caps and --no-new-privs, proven from the program's own
// /proc/self/status. vigil reads the container's /etc/passwd and /etc/group:
// here they are test files bind-mounted over /etc in a private mount
// namespace, with a private network namespace for the port test.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "harness.hpp"

using namespace harness;

namespace {

const std::string helper = helper_binary();

// The value of a /proc/PID/status line, without the trailing space the kernel leaves after Groups.
std::string status_value(const std::string& status, const std::string& key) {
    for (const auto& line : lines(status)) {
        if (line.rfind(key + ":", 0) != 0) continue;
        auto value = line.substr(key.size() + 2);
        while (!value.empty() && value.back() == ' ') value.pop_back();
        return value;
    }
    return "(missing)";
}

std::string own_status(const std::string& key) { return status_value(read_file("/proc/self/status"), key); }

struct Accounts {
    explicit Accounts(const TempDir& dir) : passwd(dir.path("passwd")), group(dir.path("group")) {
        std::ofstream(passwd) << "root:x:0:0:root:/root:/bin/sh\n"
                                 "app:x:1000:1000:App:/home/app:/bin/sh\n";
        std::ofstream(group) << "root:x:0:\n"
                                "app:x:1000:\n"
                                "extra:x:2000:app\n"
                                "staff:x:3000:\n";
    }
    // Runs vigil with these files as /etc/passwd and /etc/group, in its own network namespace.
    LaunchOptions options() const {
        LaunchOptions launch;
        launch.prefix = {"unshare", "--mount", "--net", "--propagation", "private", "sh", "-c",
                         "mount --bind \"$1\" /etc/passwd && mount --bind \"$2\" /etc/group && shift 2 && exec \"$@\"", "accounts", passwd, group};
        launch.removed_variables = {"HOME"};
        return launch;
    }
    std::string passwd;
    std::string group;
};

// Runs the helper under vigil with these options; the helper's /proc/self/status.
std::string status_under(const TempDir& dir, const Accounts& accounts, std::vector<std::string> options) {
    const auto path = dir.path("status");
    for (const auto& word : {helper, std::string("status"), path, std::string("env"), std::string("HOME"), dir.path("home"), std::string("exit"), std::string("0")})
        options.push_back(word);
    Vigil vigil(dir, options, accounts.options());
    const auto code = vigil.wait_exit();
    INFO(vigil.err());
    REQUIRE(code == 0);
    return read_file(path);
}

}  // namespace

TEST_CASE("--user by name: uid, gid, supplementary groups, no capabilities, HOME") {
    TempDir dir;
    Accounts accounts(dir);
    const auto status = status_under(dir, accounts, {"--user", "app"});
    CHECK(status_value(status, "Uid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(status, "Gid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(status, "Groups") == "1000 2000");
    for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapAmb"}) CHECK(status_value(status, set) == "0000000000000000");
    CHECK(status_value(status, "CapBnd") == own_status("CapBnd"));
    CHECK(status_value(status, "NoNewPrivs") == "0");
    CHECK(read_file(dir.path("home")) == "/home/app\n");
}

TEST_CASE("--user by number absent from passwd, and with a group") {
    TempDir dir;
    Accounts accounts(dir);
    const auto numeric = status_under(dir, accounts, {"-u", "4242"});
    CHECK(status_value(numeric, "Uid") == "4242\t4242\t4242\t4242");
    CHECK(status_value(numeric, "Gid") == "0\t0\t0\t0");
    CHECK(status_value(numeric, "Groups") == "");
    CHECK(read_file(dir.path("home")) == "(unset)\n");

    const auto grouped = status_under(dir, accounts, {"-u", "app:staff"});
    CHECK(status_value(grouped, "Uid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(grouped, "Gid") == "3000\t3000\t3000\t3000");
    CHECK(status_value(grouped, "Groups") == "2000 3000");

    const auto by_variable = [&] {
        LaunchOptions options = accounts.options();
        options.environment = {"VIGIL_USER=1000:2000"};
        const auto path = dir.path("status-variable");
        Vigil vigil(dir, {helper, "status", path, "exit", "0"}, options);
        REQUIRE(vigil.wait_exit() == 0);
        return read_file(path);
    }();
    CHECK(status_value(by_variable, "Uid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(by_variable, "Gid") == "2000\t2000\t2000\t2000");
}

TEST_CASE("--user with --caps keeps exactly those capabilities, as ambient ones") {
    TempDir dir;
    Accounts accounts(dir);
    const auto status = status_under(dir, accounts, {"--user", "app", "--caps", "NET_BIND_SERVICE"});
    CHECK(status_value(status, "Uid") == "1000\t1000\t1000\t1000");
    for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
        INFO(set);
        CHECK(status_value(status, set) == "0000000000000400");
    }
}

TEST_CASE("--caps as root narrows every set, the bounding set included") {
    TempDir dir;
    Accounts accounts(dir);
    const auto status = status_under(dir, accounts, {"--caps", "CHOWN,KILL", "--no-new-privs"});
    CHECK(status_value(status, "Uid") == "0\t0\t0\t0");
    for (const char* set : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"}) {
        INFO(set);
        CHECK(status_value(status, set) == "0000000000000021");
    }
    CHECK(status_value(status, "NoNewPrivs") == "1");
}

TEST_CASE("--no-new-privs and VIGIL_NO_NEW_PRIVS") {
    TempDir dir;
    Accounts accounts(dir);
    CHECK(status_value(status_under(dir, accounts, {"--no-new-privs", "-u", "app"}), "NoNewPrivs") == "1");
    LaunchOptions options = accounts.options();
    options.environment = {"VIGIL_NO_NEW_PRIVS=1"};
    Vigil vigil(dir, {helper, "status", dir.path("nnp"), "exit", "0"}, options);
    REQUIRE(vigil.wait_exit() == 0);
    CHECK(status_value(read_file(dir.path("nnp")), "NoNewPrivs") == "1");
}

TEST_CASE("a non-root program binds port 80 with --caps NET_BIND_SERVICE, and not without") {
    TempDir dir;
    Accounts accounts(dir);
    Vigil with_cap(dir, {"-u", "app", "--caps", "NET_BIND_SERVICE", helper, "bind", "80", dir.path("with"), "exit", "0"}, accounts.options());
    REQUIRE(with_cap.wait_exit() == 0);
    CHECK(read_file(dir.path("with")) == "bound\n");
    Vigil without(dir, {"-u", "app", helper, "bind", "80", dir.path("without"), "exit", "0"}, accounts.options());
    REQUIRE(without.wait_exit() == 0);
    CHECK(read_file(dir.path("without")) == "Permission denied\n");
}

TEST_CASE("bad privilege input exits 2 before anything starts") {
    TempDir dir;
    Accounts accounts(dir);
    struct Case {
        std::vector<std::string> options;
        std::string message;
    };
    const std::vector<Case> cases = {
        {{"-u", "nobody-here"}, "vigil: unknown user 'nobody-here': not in /etc/passwd\n"},
        {{"-u", "app:nogroup"}, "vigil: unknown group 'nogroup': not in /etc/group\n"},
        {{"--caps", "NOT_A_CAP"}, "vigil: unknown capability 'NOT_A_CAP' (see 'vigil --help')\n"},
    };
    for (const auto& bad : cases) {
        auto arguments = bad.options;
        for (const auto& word : {helper, std::string("ready"), dir.path("started")}) arguments.push_back(word);
        Vigil vigil(dir, arguments, accounts.options());
        CHECK(vigil.wait_exit() == 2);
        CHECK(vigil.err() == bad.message);
        CHECK_FALSE(file_exists(dir.path("started")));
    }
    // A malformed passwd line is named, even when another entry would match.
    std::ofstream(accounts.passwd, std::ios::app) << "broken\n";
    Vigil malformed(dir, {"-u", "app", helper, "ready", dir.path("started")}, accounts.options());
    CHECK(malformed.wait_exit() == 2);
    CHECK(malformed.err() == "vigil: /etc/passwd line 3: malformed passwd entry 'broken': expected 7 fields separated by ':', found 1\n");
    CHECK_FALSE(file_exists(dir.path("started")));
}

TEST_CASE("a capability vigil does not hold is refused; a switch vigil may not make is 126") {
    TempDir dir;
    Accounts accounts(dir);
    // Run vigil itself without CAP_NET_RAW in its bounding set (capsh is not needed: a first vigil drops it).
    LaunchOptions options = accounts.options();
    options.prefix.insert(options.prefix.end(), {vigil_binary(), "--log-level", "off", "--caps", "CHOWN,SETPCAP,SETUID,SETGID"});
    Vigil missing(dir, {"--caps", "NET_RAW", helper, "ready", dir.path("started")}, options);
    CHECK(missing.wait_exit() == 2);
    CHECK(missing.err() == "vigil: cannot keep capability CAP_NET_RAW: vigil does not hold it\n");

    LaunchOptions as_app = accounts.options();
    as_app.prefix.insert(as_app.prefix.end(), {vigil_binary(), "--log-level", "off", "-u", "app"});
    Vigil refused(dir, {"-u", "root", helper, "ready", dir.path("started")}, as_app);
    CHECK(refused.wait_exit() == 126);
    CHECK(refused.err() == "vigil: cannot switch to user 'root': Operation not permitted\n");
    CHECK_FALSE(file_exists(dir.path("started")));
}

TEST_CASE("--user naming the identity vigil already has works without privileges") {
    TempDir dir;
    LaunchOptions options;
    // vigil itself runs as an unprivileged uid with no supplementary groups.
    options.prefix = {"setpriv", "--reuid=54321", "--regid=54321", "--clear-groups", "--"};
    Vigil vigil(dir, {"--user", "54321:54321", helper, "status", dir.path("status"), "exit", "0"}, options);
    const auto code = vigil.wait_exit();
    INFO(vigil.err());
    REQUIRE(code == 0);
    CHECK(status_value(read_file(dir.path("status")), "Uid") == "54321\t54321\t54321\t54321");
    // A switch that would change something is still refused, as before.
    Vigil refused(dir, {"--user", "54322", helper, "exit", "0"}, options);
    CHECK(refused.wait_exit() == 126);
}

TEST_CASE("--user naming vigil's own user, whose runtime gave it fewer groups, goes on with the groups it has") {
    TempDir dir;
    Accounts accounts(dir);
    // vigil runs as app (1000:1000) with no supplementary groups, as a runtime
    // that sets only uid and gid leaves it; /etc/group lists app in 1000 and 2000.
    LaunchOptions options = accounts.options();
    options.prefix.insert(options.prefix.end(), {"setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"});
    Vigil vigil(dir, {"--log-level", "debug", "--user", "app", helper, "status", dir.path("status"), "exit", "0"}, options);
    const auto code = vigil.wait_exit();
    INFO(vigil.err());
    REQUIRE(code == 0);
    const auto status = read_file(dir.path("status"));
    CHECK(status_value(status, "Uid") == "1000\t1000\t1000\t1000");
    CHECK(status_value(status, "Groups") == "");
    CHECK(contains(vigil.err(), "vigil: --user app: vigil is that user and group already, without the right to set groups: the program keeps vigil's "
                                "supplementary groups (none), which grant no more than the user's\n"));
    // Groups the user does not have would grant more: that is still refused.
    LaunchOptions more = accounts.options();
    more.prefix.insert(more.prefix.end(), {"setpriv", "--reuid=1000", "--regid=1000", "--groups=3000", "--"});
    Vigil refused(dir, {"--user", "app", helper, "ready", dir.path("started")}, more);
    CHECK(refused.wait_exit() == 126);
    CHECK(refused.err() == "vigil: cannot switch to user 'app': Operation not permitted\n");
    CHECK_FALSE(file_exists(dir.path("started")));
}

TEST_CASE("a program running as another user cannot redirect the termination message vigil writes as root") {
    TempDir dir;  // writable by everyone, as a shared volume might be
    const auto message = dir.path("termination");
    const auto secret = dir.path("root-only");
    std::ofstream(secret) << "root's\n";
    REQUIRE(::chmod(secret.c_str(), 0600) == 0);
    // As uid 65534 the program swaps the message file for a symlink to root's file.
    const std::string swap = "rm -f " + message + " && ln -s " + secret + " " + message;
    Vigil vigil(dir, {"--user", "65534", "--termination-log", message, "/bin/sh", "-c", swap});
    CHECK(vigil.wait_exit() == 0);
    CHECK(read_file(secret) == "root's\n");
    // A symlink already there at start is refused, with a warning.
    Vigil refused(dir, {"--termination-log", message, helper, "exit", "0"});
    CHECK(refused.wait_exit() == 0);
    CHECK(refused.err().find("refusing " + message + ": it is a symbolic link") != std::string::npos);
    CHECK(read_file(secret) == "root's\n");
}

TEST_CASE("--from-pm2 evaluates the ecosystem file with the app's user, capabilities and no_new_privs") {
    TempDir dir;
    Accounts accounts(dir);
    INFO("node is not installed: --from-pm2 needs it (tests/run.sh installs it)");
    REQUIRE(std::system("command -v node >/dev/null 2>&1") == 0);
    // The file is the app's code: what it sees of itself is what the app gets.
    std::ofstream(dir.path("ecosystem.config.js")) << "const fs = require('fs');\n"
                                                      "fs.writeFileSync('" << dir.path("evaluated") << "', fs.readFileSync('/proc/self/status', 'utf8'));\n"
                                                      "module.exports = { apps: [{ script: '" << helper << "', interpreter: 'none', cwd: '.',\n"
                                                      "  args: ['status', '" << dir.path("status") << "', 'exit', '0'] }] };\n";
    {
        Vigil vigil(dir, {"--user", "app", "--caps", "NET_BIND_SERVICE", "--no-new-privs", "--from-pm2", dir.path("ecosystem.config.js")}, accounts.options());
        REQUIRE(vigil.wait_exit() == 0);
        INFO(vigil.err());
        for (const auto& path : {dir.path("evaluated"), dir.path("status")}) {
            INFO(path);
            const auto status = read_file(path);
            CHECK(status_value(status, "Uid") == "1000\t1000\t1000\t1000");
            CHECK(status_value(status, "CapEff") == "0000000000000400");
            CHECK(status_value(status, "CapBnd") == "0000000000000400");
            CHECK(status_value(status, "NoNewPrivs") == "1");
        }
    }
    // A user that does not exist is refused before anything is evaluated.
    ::unlink(dir.path("evaluated").c_str());
    Vigil unknown(dir, {"--user", "nobody-here", "--from-pm2", dir.path("ecosystem.config.js")}, accounts.options());
    CHECK(unknown.wait_exit() == 2);
    CHECK(lines(unknown.err()).size() == 1);
    CHECK_FALSE(file_exists(dir.path("evaluated")));
}

namespace {

// A DNS server and an HTTP server in a private network namespace (root: it
// takes port 53), with test files over /etc/resolv.conf and /etc/hosts: the
// lookups a static vigil makes without glibc's NSS modules.
const char* const name_servers = R"(
import os, signal, socket, socketserver, struct, sys, threading, http.server
signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
directory = sys.argv[1]
records = {('web.svc.test', 1): bytes([127, 0, 0, 1]), ('six.test', 28): bytes(15) + b'\1'}
known = {name for name, _ in records}
dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dns.bind(('127.0.0.1', 53))
def answer():
    while True:
        query, client = dns.recvfrom(512)
        ident, flags, count = struct.unpack('>HHH', query[:6])
        at, labels = 12, []
        while query[at]:
            labels.append(query[at + 1:at + 1 + query[at]].decode()); at += 1 + query[at]
        name = '.'.join(labels)
        qtype = struct.unpack('>H', query[at + 1:at + 3])[0]
        with open(directory + '/queries', 'a') as log: log.write('%s %d\n' % (name, qtype))
        data = records.get((name, qtype))
        rcode = 0 if name in known else 3
        reply = struct.pack('>HHHHHH', ident, 0x8180 | rcode, 1, 1 if data else 0, 0, 0) + query[12:at + 5]
        if data: reply += struct.pack('>HHHIH', 0xC00C, qtype, 1, 60, len(data)) + data
        dns.sendto(reply, client)
threading.Thread(target=answer, daemon=True).start()
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self): self.send_response(200); self.end_headers(); self.wfile.write(b'ok\n')
    def log_message(self, *args): pass
class DualStack(http.server.HTTPServer):
    address_family = socket.AF_INET6
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        socketserver.TCPServer.server_bind(self)  # HTTPServer's would look its own host name up
        self.server_name, self.server_port = 'test', 8080
server = DualStack(('::', 8080), Ok)
open(directory + '/ready', 'w').close()
server.serve_forever()
)";

struct NameServers {
    explicit NameServers(const TempDir& dir) : directory(dir.path("")) {
        std::ofstream(dir.path("servers.py")) << name_servers;
        std::ofstream(dir.path("resolv.conf")) << "nameserver 127.0.0.2\nnameserver 127.0.0.1\nsearch svc.test\noptions ndots:2\n";
        std::ofstream(dir.path("hosts")) << "127.0.0.1 localhost\n127.0.0.1 from-hosts web.svc.test\n";
    }
    // Runs vigil in the namespace while the servers run; the servers end with it.
    LaunchOptions options() const {
        LaunchOptions launch;
        launch.prefix = {"unshare", "--mount", "--net", "--propagation", "private", "sh", "-c",
                         "d=$1; shift; busybox ip link set lo up && mount --bind $d/resolv.conf /etc/resolv.conf && "
                         "mount --bind $d/hosts /etc/hosts || exit 99; python3 $d/servers.py $d 2>$d/servers.err & servers=$!; "
                         "i=0; while [ ! -e $d/ready ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
                         "\"$@\"; code=$?; kill $servers; wait $servers; exit $code",
                         "name-servers", directory};
        return launch;
    }
    std::string queries() const { return file_exists(directory + "queries") ? read_file(directory + "queries") : ""; }
    std::string directory;
};

}  // namespace

TEST_CASE("--health-check finds a host in /etc/hosts, then asks DNS with the search list; a name nobody knows is unhealthy") {
    struct Case {
        std::string host;
        int code;
        std::string said;     // in the one line, out or err
        std::string queries;  // what the DNS server was asked, in order
    };
    const std::vector<Case> cases = {
        // /etc/hosts first: no DNS query at all.
        {"from-hosts", 0, "answered 200 OK", ""},
        // Fewer dots than ndots: the search domain first. 127.0.0.2 refuses (nothing listens), 127.0.0.1 answers.
        {"web", 0, "answered 200 OK", "web.svc.test 1\n"},
        // No A record: the AAAA record, and the check goes over IPv6.
        {"six.test.", 0, "answered 200 OK", "six.test 1\nsix.test 28\n"},
        // No such name anywhere: each name once (no AAAA after "no such name").
        {"nowhere", 1, "cannot resolve 'nowhere': not in /etc/hosts, and the DNS server (127.0.0.2, 127.0.0.1) has no address for it",
         "nowhere.svc.test 1\nnowhere 1\n"},
    };
    for (const auto& [host, code, said, queries] : cases) {
        INFO(host);
        TempDir dir;
        const NameServers servers(dir);
        Vigil vigil(dir, {"--health-timeout", "20s", "--health-check", "http://" + host + ":8080/healthz"}, servers.options());
        CHECK(vigil.wait_exit() == code);
        CHECK(contains(code == 0 ? vigil.out() : vigil.err(), said));
        INFO(vigil.out() + vigil.err());
        CHECK(lines(vigil.out() + vigil.err()).size() == 1);
        CHECK(servers.queries() == queries);
        CHECK(read_file(dir.path("servers.err")).empty());
    }
}
