#include <catch2/catch.hpp>

#include "log.hpp"
#include "text.hpp"

TEST_CASE("json_escape escapes quotes, backslashes and control characters") {
    CHECK(vigil::json_escape("plain") == "plain");
    CHECK(vigil::json_escape("say \"hi\"") == "say \\\"hi\\\"");
    CHECK(vigil::json_escape("a\\b") == "a\\\\b");
    CHECK(vigil::json_escape("line\nbreak\ttab\r") == "line\\nbreak\\ttab\\r");
    CHECK(vigil::json_escape(std::string("nul\0bell\x07", 9)) == "nul\\u0000bell\\u0007");
    CHECK(vigil::json_escape("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("json_members: msg, event, then the fields in order") {
    CHECK(vigil::json_members("forwarded \"TERM\"", "forward", {{"pid", std::int64_t{7}}, {"signal", std::string_view("SIGTERM")}}) ==
          R"("msg":"forwarded \"TERM\"","event":"forward","pid":7,"signal":"SIGTERM")");
    CHECK(vigil::json_members("m", "e", {}) == R"("msg":"m","event":"e")");
}

TEST_CASE("printable keeps one line whatever the text holds") {
    CHECK(vigil::printable("plain 'text'") == "plain 'text'");
    CHECK(vigil::printable("two\nlines\tand\r") == "two\\nlines\\tand\\r");
    CHECK(vigil::printable(std::string("nul\0\x1b[31m", 9)) == "nul\\x00\\x1b[31m");
    CHECK(vigil::printable("caf\xc3\xa9") == "caf\xc3\xa9");
}

TEST_CASE("UTC timestamps for the JSON log") {
    CHECK(vigil::utc_timestamp(0) == "1970-01-01T00:00:00.000Z");
    CHECK(vigil::utc_timestamp(951'782'400'000) == "2000-02-29T00:00:00.000Z");
    CHECK(vigil::utc_timestamp(1'795'620'902'114) == "2026-11-25T15:35:02.114Z");
    CHECK(vigil::utc_timestamp(4'107'542'399'999) == "2100-02-28T23:59:59.999Z");
    CHECK(vigil::utc_timestamp(-1) == "1969-12-31T23:59:59.999Z");
}

TEST_CASE("json_escape keeps valid UTF-8 and turns every invalid byte into U+FFFD") {
    const std::string replacement = "\xef\xbf\xbd";
    // Valid: two, three and four bytes, the highest code point.
    CHECK(vigil::json_escape("\xc2\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf") == "\xc2\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
    // Invalid bytes on their own.
    CHECK(vigil::json_escape("\xff\xfe") == replacement + replacement);
    CHECK(vigil::json_escape("a\x80z") == "a" + replacement + "z");  // stray continuation byte
    // Overlong forms of '/' and of U+07FF and U+FFFF.
    CHECK(vigil::json_escape("\xc0\xaf") == replacement + replacement);
    CHECK(vigil::json_escape("\xe0\x9f\xbf") == replacement + replacement + replacement);
    CHECK(vigil::json_escape("\xf0\x8f\xbf\xbf") == replacement + replacement + replacement + replacement);
    // A surrogate, a code point past U+10FFFF, and sequences cut short.
    CHECK(vigil::json_escape("\xed\xa0\x80") == replacement + replacement + replacement);
    CHECK(vigil::json_escape("\xf4\x90\x80\x80") == replacement + replacement + replacement + replacement);
    CHECK(vigil::json_escape("end\xe2\x82") == "end" + replacement + replacement);
    CHECK(vigil::json_escape("\xf0\x9f\x98 ok") == replacement + replacement + replacement + " ok");
}
