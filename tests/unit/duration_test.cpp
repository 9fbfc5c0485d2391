#include <catch2/catch.hpp>

#include "duration.hpp"

using vigil::Milliseconds;
using vigil::parse_duration;

TEST_CASE("durations in every accepted spelling") {
    CHECK(*parse_duration("250ms") == Milliseconds{250});
    CHECK(*parse_duration("25s") == Milliseconds{25'000});
    CHECK(*parse_duration("1m30s") == Milliseconds{90'000});
    CHECK(*parse_duration("2h") == Milliseconds{7'200'000});
    CHECK(*parse_duration("1h1m1s1ms") == Milliseconds{3'661'001});
    CHECK(*parse_duration("25") == Milliseconds{25'000});
    CHECK(*parse_duration("0") == Milliseconds{0});
    CHECK(*parse_duration("0s") == Milliseconds{0});
}

TEST_CASE("malformed, negative and absurd durations are refused with the text named") {
    for (const char* bad : {"", "-1", "-5s", "5x", "s", "1m30", "1.5s", " 5s", "5s ", "ms", "5 s", "99999999999999999999h"}) {
        INFO(bad);
        const auto parsed = parse_duration(bad);
        REQUIRE_FALSE(parsed.ok());
        CHECK(parsed.error().find(std::string("'") + bad + "'") != std::string::npos);
    }
}

TEST_CASE("format_duration reads back to the same value") {
    for (long long ms : {0LL, 1LL, 999LL, 1000LL, 1500LL, 90'000LL, 3'661'001LL, 7'200'000LL}) {
        const auto text = vigil::format_duration(Milliseconds{ms});
        INFO(text);
        CHECK(*parse_duration(text) == Milliseconds{ms});
    }
    CHECK(vigil::format_duration(Milliseconds{90'000}) == "1m30s");
    CHECK(vigil::format_duration(Milliseconds{1500}) == "1s500ms");
}
