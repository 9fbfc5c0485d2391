// --memory-restart's pure parts: the setting, the working set from cgroup
// files, the threshold and the one-shot decision.
#include <catch2/catch.hpp>

#include "memory_restart.hpp"

using vigil::CgroupVersion;

TEST_CASE("--memory-restart takes a percentage of the limit or a size") {
    // A bare number is a percentage, decimals too; a size needs its unit.
    CHECK(vigil::parse_memory_restart("85.5")->percent_thousandths == 85500);
    CHECK(vigil::parse_memory_restart("99.5")->percent_thousandths == 99500);
    CHECK(vigil::parse_memory_restart("1.5")->percent_thousandths == 1500);
    CHECK(vigil::parse_memory_restart("0.5%")->percent_thousandths == 500);
    CHECK(vigil::parse_memory_restart("99.99")->percent_thousandths == 99990);
    CHECK(vigil::parse_memory_restart("85.5")->bytes == 0);
    CHECK(vigil::parse_memory_restart("0.001")->percent_thousandths == 1);
    CHECK(vigil::parse_memory_restart("99.999")->percent_thousandths == 99999);
    CHECK(vigil::percent_text(85500) == "85.5");
    CHECK(vigil::percent_text(85000) == "85");
    CHECK(vigil::percent_text(99999) == "99.999");
    CHECK(vigil::percent_text(1) == "0.001");
    CHECK(vigil::parse_memory_restart("85")->percent_thousandths == 85000);
    CHECK(vigil::parse_memory_restart("85%")->percent_thousandths == 85000);
    CHECK(vigil::parse_memory_restart("1")->percent_thousandths == 1000);
    CHECK(vigil::parse_memory_restart("99%")->percent_thousandths == 99000);
    CHECK(vigil::parse_memory_restart("500M")->bytes == 500u << 20);
    CHECK(vigil::parse_memory_restart("1G")->bytes == 1u << 30);
    CHECK(vigil::parse_memory_restart("1.5G")->bytes == (3u << 30) / 2);
    CHECK(vigil::parse_memory_restart("512MiB")->bytes == 512u << 20);
    CHECK(vigil::parse_memory_restart("300000K")->bytes == 300000u << 10);
    CHECK(vigil::parse_memory_restart("268435456B")->bytes == 268435456u);
    CHECK(vigil::parse_memory_restart("2gb")->bytes == 2u << 30);
    for (const char* bad : {"0", "100", "100%", "0%", "-5", "", "%", "5X", "1.2345G", "0M", "M", "1..5G", "85 %", "0.0", "100.0", "99.",
                            ".5", "85,5", "1e2", "inf", "nan", "5M%", "1000", "+5", "85.5.5", "99.9999", "0.0001", "00100"}) {
        INFO(bad);
        const auto parsed = vigil::parse_memory_restart(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error() == std::string("invalid memory restart '") + bad +
                                    "': expected a percentage of the memory limit, more than 0 and less than 100 (85, 85.5), or a size with its unit (900M, 1.5G)");
    }
}

TEST_CASE("a size has its unit") {
    CHECK(*vigil::parse_memory_size("1000B") == 1000u);
    const auto unitless = vigil::parse_memory_size("1000");
    REQUIRE_FALSE(unitless.ok());
    CHECK(unitless.error() == "invalid size '1000': expected a number and its unit, e.g. 500M, 1G, 1.5G or 1000B");
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
    percent.percent_thousandths = 80000;
    CHECK(vigil::restart_threshold(percent, std::uint64_t{128} << 20) == 107374182u);  // 134217728 x 0.8, rounded down
    CHECK_FALSE(vigil::restart_threshold(percent, std::nullopt).has_value());
    percent.percent_thousandths = 85500;
    CHECK(vigil::restart_threshold(percent, std::uint64_t{256} << 20) == 229512314u);  // 268435456 x 0.855, rounded down
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

TEST_CASE("the working set is read once a second far from the threshold, and sooner as a leak closes in") {
    using vigil::Milliseconds;
    using vigil::next_sample_delay;
    constexpr std::uint64_t mib = 1 << 20;
    // Still, shrinking, or growing slowly: once a second.
    CHECK(next_sample_delay(40 * mib, 40 * mib, Milliseconds{1000}, 217 * mib) == Milliseconds{1000});
    CHECK(next_sample_delay(50 * mib, 40 * mib, Milliseconds{1000}, 217 * mib) == Milliseconds{1000});
    CHECK(next_sample_delay(40 * mib, 41 * mib, Milliseconds{1000}, 217 * mib) == Milliseconds{1000});  // 176 s away
    // 100 MiB/s with 100 MiB to go: crossed in 1 s, read again half way there.
    CHECK(next_sample_delay(17 * mib, 117 * mib, Milliseconds{1000}, 217 * mib) == Milliseconds{500});
    // 200 MiB/s with 10 MiB to go: 50 ms away, read in 25.
    CHECK(next_sample_delay(190 * mib, 207 * mib, Milliseconds{85}, 217 * mib) == Milliseconds{25});
    // With 1 MiB to go, never sooner than the floor.
    CHECK(next_sample_delay(206 * mib, 216 * mib, Milliseconds{50}, 217 * mib) == vigil::memory_sample_floor);
    CHECK(vigil::memory_sample_floor == Milliseconds{5});
    // No time between the reads (the same millisecond): no rate to go by.
    CHECK(next_sample_delay(40 * mib, 80 * mib, Milliseconds{0}, 217 * mib) == Milliseconds{1000});
    // Close to the threshold, reads keep coming even when the last two saw no growth (a leak grows in steps):
    // 2 s x the share still to go.
    CHECK(next_sample_delay(216 * mib, 216 * mib, Milliseconds{7}, 217 * mib) == Milliseconds{9});    // 2000 x 1/217
    CHECK(next_sample_delay(196 * mib, 195 * mib, Milliseconds{100}, 217 * mib) == Milliseconds{202});  // 2000 x 22/217
    CHECK(next_sample_delay(100 * mib, 100 * mib, Milliseconds{1000}, 200 * mib) == Milliseconds{1000}); // half way: once a second
}

TEST_CASE("the decision's threshold moves with the limit") {
    vigil::MemoryRestartDecision decision(1000);
    decision.move_threshold(2000);
    CHECK_FALSE(decision.observe(1500));
    decision.move_threshold(1200);
    CHECK(decision.observe(1500));
}
