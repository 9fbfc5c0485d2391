// The option table that drives the parser, --help, the man page and README
// name the same options: one that is added or renamed in one place and not
// the others fails here.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>

#include "options.hpp"

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The man page as it reads: roff's "\-" is a hyphen.
std::string man_text() {
    auto text = read(VIGIL_MAN_PAGE);
    for (auto at = text.find("\\-"); at != std::string::npos; at = text.find("\\-", at)) text.erase(at, 1);
    return text;
}

}  // namespace

TEST_CASE("every option of the table is in --help, the man page and README, with its short letter and variable") {
    const auto help = vigil::help_text();
    const auto man = man_text();
    const auto readme = read(std::string(VIGIL_SOURCE_ROOT) + "/README.md");
    std::set<std::string> known;
    for (const auto& option : vigil::option_names()) {
        std::string long_name = "--";
        long_name.append(option.long_name);
        known.insert(long_name);
        INFO(long_name);
        // man: an entry ".BI "-t, --drain-timeout " DURATION" or ".B --no-new-privs"; README: a table row.
        // (Appended piece by piece: g++ 12 at -O3 warns falsely, -Wrestrict, about "literal" + string.)
        std::string named;
        if (option.short_name != '\0') named.append("-").append(1, option.short_name).append(", ");
        named.append(long_name);
        CHECK(help.find(named) != std::string::npos);
        std::string entry = "\n\\.BI? \"?";
        entry.append(named).append("[ \"\n]");
        CHECK(std::regex_search(man, std::regex(entry)));
        std::string row = "| `";
        row.append(named);
        CHECK(readme.find(row) != std::string::npos);
        if (!option.variable.empty()) {
            CHECK(man.find(std::string(option.variable)) != std::string::npos);
            std::string quoted = "`";
            quoted.append(option.variable);
            CHECK(readme.find(quoted) != std::string::npos);
        }
    }
    // And nothing the table does not have: every option entry of the man page, every row of README's table.
    const std::regex man_entry("\n\\.TP\n\\.BI? \"?(?:-[a-zA-Z], )?(--[a-z0-9-]+)");
    for (auto it = std::sregex_iterator(man.begin(), man.end(), man_entry); it != std::sregex_iterator(); ++it) {
        INFO("man page: " << (*it)[1]);
        CHECK(known.count((*it)[1]) == 1);
    }
    const std::regex readme_row("\n\\| `(?:-[a-zA-Z], )?(--[a-z0-9-]+)");
    int rows = 0;
    for (auto it = std::sregex_iterator(readme.begin(), readme.end(), readme_row); it != std::sregex_iterator(); ++it, ++rows) {
        INFO("README: " << (*it)[1]);
        CHECK(known.count((*it)[1]) == 1);
    }
    CHECK(rows == static_cast<int>(known.size()));
}

TEST_CASE("src/README.md, the map of the sources, names every source file") {
    const std::string root = VIGIL_SOURCE_ROOT;
    const auto map = read(root + "/src/README.md");
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root + "/src")) {
        const auto name = entry.path().filename().string();
        if (name == "README.md") continue;
        ++files;
        const auto stem = name.substr(0, name.rfind('.'));
        INFO(name);
        // "`x.cpp/hpp`" for a pair, "`x.hpp`" or "`x.hpp.in`" alone.
        CHECK((map.find("`" + name + "`") != std::string::npos || map.find("`" + stem + ".cpp/hpp`") != std::string::npos));
    }
    CHECK(files > 40);
}
