// --memory-restart's pure parts: the setting, the working set from cgroup
// files, the threshold and the one-shot decision.
#include <catch2/catch.hpp>

#include "memory_restart.hpp"

using vigil::CgroupVersion;

TEST_CASE("--memory-restart takes a percentage of the limit or a size") {
    CHECK(vigil::parse_memory_restart("85")->percent == 85);
    CHECK(vigil::parse_memory_restart("85%")->percent == 85);
    CHECK(vigil::parse_memory_restart("1")->percent == 1);
    CHECK(vigil::parse_memory_restart("99%")->percent == 99);
    CHECK(vigil::parse_memory_restart("500M")->bytes == 500u << 20);
    CHECK(vigil::parse_memory_restart("1G")->bytes == 1u << 30);
    CHECK(vigil::parse_memory_restart("1.5G")->bytes == (3u << 30) / 2);
    CHECK(vigil::parse_memory_restart("512MiB")->bytes == 512u << 20);
    CHECK(vigil::parse_memory_restart("300000K")->bytes == 300000u << 10);
    CHECK(vigil::parse_memory_restart("268435456B")->bytes == 268435456u);
    CHECK(vigil::parse_memory_restart("2gb")->bytes == 2u << 30);
    for (const char* bad : {"0", "100", "100%", "0%", "-5", "", "%", "5X", "1.2345G", "0M", "M", "1..5G", "85 %"}) {
        INFO(bad);
        const auto parsed = vigil::parse_memory_restart(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().find(std::string("'") + bad + "'") != std::string::npos);
    }
}

TEST_CASE("the working set is usage minus inactive file pages, as the kubelet counts it") {
    const char* v2_stat = "anon 50000000\nfile 40000000\nactive_file 10000000\ninactive_file 30000000\nslab 100\n";
    CHECK(vigil::working_set(CgroupVersion::v2, "100000000\n", v2_stat) == 70000000u);
    const char* v1_stat = "cache 1\nrss 2\ninactive_file 999\ntotal_cache 40000000\ntotal_inactive_file 25000000\n";
    CHECK(vigil::working_set(CgroupVersion::v1, "100000000\n", v1_stat) == 75000000u);  // total_, the hierarchy's
    CHECK(vigil::working_set(CgroupVersion::v2, "10\n", "inactive_file 20\n") == 0u);    // never below zero
    CHECK_FALSE(vigil::working_set(CgroupVersion::v2, "", v2_stat).has_value());
    CHECK_FALSE(vigil::working_set(CgroupVersion::v2, "100\n", "anon 5\n").has_value());
    CHECK_FALSE(vigil::working_set(CgroupVersion::v1, "100\n", v2_stat).has_value());
    CHECK_FALSE(vigil::working_set(CgroupVersion::v2, "max\n", v2_stat).has_value());
}

TEST_CASE("the threshold: a percentage of the limit, or the size itself; no limit, no percentage") {
    vigil::MemoryRestartSetting percent;
    percent.percent = 80;
    CHECK(vigil::restart_threshold(percent, std::uint64_t{128} << 20) == std::uint64_t{134217728} / 100 * 80);
    CHECK_FALSE(vigil::restart_threshold(percent, std::nullopt).has_value());
    vigil::MemoryRestartSetting size;
    size.bytes = 900u << 20;
    CHECK(vigil::restart_threshold(size, std::uint64_t{1} << 30) == 900u << 20);
    CHECK(vigil::restart_threshold(size, std::nullopt) == 900u << 20);
    CHECK_FALSE(vigil::restart_threshold(vigil::MemoryRestartSetting{}, std::uint64_t{1} << 30).has_value());
}

TEST_CASE("the decision fires once, the first time the threshold is reached, and is never re-armed") {
    vigil::MemoryRestartDecision decision(1000);
    CHECK_FALSE(decision.observe(999));
    CHECK_FALSE(decision.triggered());
    CHECK(decision.observe(1000));  // reaching it is enough
    CHECK(decision.triggered());
    CHECK_FALSE(decision.observe(2000));  // the shutdown is under way: once only
    CHECK_FALSE(decision.observe(10));
    CHECK_FALSE(decision.observe(5000));
}
