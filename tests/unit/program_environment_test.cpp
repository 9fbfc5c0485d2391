#include "program_environment.hpp"

#include <catch2/catch.hpp>
#include <string>

TEST_CASE("the program's environment: copied, read as getenv reads it, set in place or at the end") {
    char path[] = "PATH=/bin";
    char node_options[] = "NODE_OPTIONS=--inspect";
    char again[] = "NODE_OPTIONS=--second";
    char odd[] = "NO_EQUALS_SIGN";
    char* inherited[] = {path, node_options, again, odd, nullptr};
    vigil::ProgramEnvironment environment(inherited);
    CHECK(environment.entries().size() == 4);
    CHECK(environment.get("PATH") == "/bin");
    CHECK(environment.get("NODE_OPTIONS") == "--inspect");  // the first, as getenv
    CHECK_FALSE(environment.get("NODE").has_value());         // a prefix is not a name
    CHECK_FALSE(environment.get("NO_EQUALS_SIGN").has_value());

    environment.set("NODE_OPTIONS", "--max-old-space-size=100");
    environment.set_entry("HOME=/home/app");
    environment.set_entry("EMPTY=");
    CHECK(environment.get("NODE_OPTIONS") == "--max-old-space-size=100");
    CHECK(environment.get("HOME") == "/home/app");
    CHECK(environment.get("EMPTY") == "");
    CHECK(environment.entries()[1] == "NODE_OPTIONS=--max-old-space-size=100");  // in place
    CHECK(environment.entries()[2] == "NODE_OPTIONS=--second");
    CHECK(environment.entries().size() == 6);

    const auto array = environment.for_exec();
    REQUIRE(array.size() == 7);
    CHECK(array.back() == nullptr);
    CHECK(std::string(array[0]) == "PATH=/bin");
    CHECK(std::string(array[4]) == "HOME=/home/app");
    // The original array is untouched: the environment is a copy.
    CHECK(std::string(inherited[1]) == "NODE_OPTIONS=--inspect");
}

TEST_CASE("an empty environment gives execve an array holding only its null") {
    vigil::ProgramEnvironment from_null(nullptr);
    CHECK(from_null.entries().empty());
    const auto array = from_null.for_exec();
    REQUIRE(array.size() == 1);
    CHECK(array[0] == nullptr);
}
