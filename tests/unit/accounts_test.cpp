#include <catch2/catch.hpp>

#include "accounts.hpp"
#include "capabilities.hpp"

using vigil::resolve_identity;

namespace {
const char* passwd = "root:x:0:0:root:/root:/bin/sh\n"
                     "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"
                     "\n"
                     "web:x:1001:1001::/srv/web:/usr/sbin/nologin\r\n";
const char* group = "root:x:0:\n"
                    "app:x:1000:\n"
                    "web:x:1001:\n"
                    "extra:x:2000:app,other\n"
                    "more:x:3000:web,app\n";
}  // namespace

TEST_CASE("passwd and group lines") {
    const auto entry = vigil::parse_passwd_line("app:x:1000:1001:App:/home/app:/bin/sh");
    REQUIRE(entry.ok());
    CHECK(entry->name == "app");
    CHECK(entry->uid == 1000);
    CHECK(entry->gid == 1001);
    CHECK(entry->home == "/home/app");
    const auto members = vigil::parse_group_line("extra:x:2000:app,,other");
    REQUIRE(members.ok());
    CHECK(members->gid == 2000);
    CHECK(members->members == std::vector<std::string>{"app", "other"});
    CHECK(vigil::parse_group_line("empty:x:5:")->members.empty());
}

TEST_CASE("malformed lines are refused with what is wrong") {
    for (const char* bad : {"app:x:1000:1000:/home/app:/bin/sh", "app:x:1000:1000:App:/home/app:/bin/sh:extra", ":x:1:1::/:/bin/sh",
                            "app:x:abc:1::/:/bin/sh", "app:x:1:-1::/:/bin/sh", "app:x:4294967295:1::/:/bin/sh", "app:x:99999999999:1::/:/bin/sh",
                            "+::::::", "app"}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_passwd_line(bad).ok());
    }
    for (const char* bad : {"g:x:1", "g:x:1:a:b", ":x:1:", "g:x::", "g:x:x:"}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_group_line(bad).ok());
    }
    const auto file = vigil::parse_passwd("root:x:0:0:root:/root:/bin/sh\nbroken line\n");
    REQUIRE_FALSE(file.ok());
    CHECK(file.error() == "/etc/passwd line 2: malformed passwd entry 'broken line': expected 7 fields separated by ':', found 1");
}

TEST_CASE("very long lines parse, and errors quote only their start") {
    const std::string gecos(1 << 20, 'g');
    const auto entry = vigil::parse_passwd_line("long:x:7:7:" + gecos + ":/home/long:/bin/sh");
    REQUIRE(entry.ok());
    CHECK(entry->home == "/home/long");
    std::string members = "big:x:9:";
    for (int i = 0; i < 20000; ++i) members += "user" + std::to_string(i) + ",";
    CHECK(vigil::parse_group_line(members)->members.size() == 20000);
    const auto bad = vigil::parse_passwd_line(std::string(100000, 'x'));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().size() < 200);
}

TEST_CASE("a user by name gets its group, its memberships and its home") {
    const auto identity = resolve_identity("app", passwd, group);
    REQUIRE(identity.ok());
    CHECK(identity->uid == 1000);
    CHECK(identity->gid == 1000);
    CHECK(identity->groups == std::vector<gid_t>{1000, 2000, 3000});
    CHECK(identity->home == "/home/app");
    CHECK(resolve_identity("web", passwd, group)->home == "/srv/web");  // CRLF tolerated
}

TEST_CASE("a user by number, present or absent from passwd") {
    CHECK(resolve_identity("1001", passwd, group)->groups == std::vector<gid_t>{1001, 3000});
    const auto absent = resolve_identity("4242", passwd, group);
    REQUIRE(absent.ok());
    CHECK(absent->uid == 4242);
    CHECK(absent->gid == 0);
    CHECK(absent->groups.empty());
    CHECK_FALSE(absent->home.has_value());
}

TEST_CASE("USER:GROUP by names and numbers") {
    const auto named = resolve_identity("app:extra", passwd, group);
    REQUIRE(named.ok());
    CHECK(named->gid == 2000);
    CHECK(named->groups == std::vector<gid_t>{2000, 3000});
    CHECK(resolve_identity("app:5555", passwd, group)->gid == 5555);
    const auto numeric = resolve_identity("4242:3000", passwd, group);
    CHECK(numeric->uid == 4242);
    CHECK(numeric->gid == 3000);
    CHECK(numeric->groups.empty());
}

TEST_CASE("unknown users and groups, bad specs and bad files are errors") {
    CHECK(resolve_identity("nobody-here", passwd, group).error() == "unknown user 'nobody-here': not in /etc/passwd");
    CHECK(resolve_identity("app:nogroup", passwd, group).error() == "unknown group 'nogroup': not in /etc/group");
    CHECK_FALSE(resolve_identity("", passwd, group).ok());
    CHECK_FALSE(resolve_identity(":1", passwd, group).ok());
    CHECK_FALSE(resolve_identity("app:", passwd, group).ok());
    CHECK(resolve_identity("app", "app:x:1000\n", group).error().find("/etc/passwd line 1") == 0);
    CHECK(resolve_identity("app", passwd, "bad\n").error().find("/etc/group line 1") == 0);
    CHECK(resolve_identity("0", "", "")->uid == 0);  // no files at all: numeric ids still work
}

TEST_CASE("capability names, with or without CAP_, any case") {
    const auto parsed = vigil::parse_capabilities("NET_BIND_SERVICE,cap_chown,Cap_Kill,net_bind_service");
    REQUIRE(parsed.ok());
    CHECK(*parsed == std::vector<int>{10, 0, 5});
    CHECK(vigil::capability_name(10) == "CAP_NET_BIND_SERVICE");
    for (const char* bad : {"", "NOPE", "NET_BIND_SERVICE,", "10", "cap_", "NET BIND"}) {
        INFO(bad);
        CHECK_FALSE(vigil::parse_capabilities(bad).ok());
    }
    CHECK(vigil::parse_capabilities("CHOWN,NOPE").error() == "unknown capability 'NOPE'");
}
