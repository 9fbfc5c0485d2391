#include "pm2_comparison.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iomanip>
#include <optional>
#include <sstream>

namespace e2e {

using namespace harness;
namespace fs = std::filesystem;

namespace {


std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t found = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++found;
    return found;
}

ContainerSpec under_pm2(const Pm2Comparison& comparison, const std::string& file) {
    auto spec = comparison.spec({"node", "/pm2/node_modules/pm2/bin/pm2-runtime", file});
    // PM2 keeps its home (sockets, pid files, log files) where the host can look at it.
    spec.environment.push_back("PM2_HOME=/work/.pm2");
    spec.run_options.insert(spec.run_options.end(), {"-v", comparison.modules + ":/pm2:ro"});
    return spec;
}

ContainerSpec under_vigil(const Pm2Comparison& comparison, const std::string& file) { return comparison.spec({"/init", "--from-pm2", file}); }

struct StopResult {
    double seconds = 0;  // from `stop` to the container's exit
    HttpResponse response;  // of the request in flight
    std::optional<int> exit_code;
};

// The example server with a 3 s request in flight, stopped with the runtime's 10 s.
StopResult stop_with_request_in_flight(const Pm2Comparison& comparison, ContainerSpec spec,
                                       const std::function<void(const TempDir&, ContainerSpec&)>& prepare = nullptr) {
    TempDir dir;
    if (prepare) prepare(dir, spec);
    Container server(comparison.runtime, comparison.image, dir, spec);
    INFO(server.out() << server.err());
    REQUIRE(wait_for([&] { return contains(server.out(), "listening on"); }));
    auto request = std::async(std::launch::async, [&] { return http_get(dir.path("work/http.sock"), "/slow?ms=3000"); });
    REQUIRE(wait_for([&] { return contains(server.out(), "GET /slow?ms=3000 started"); }));
    server.stop(10);
    StopResult result;
    result.response = request.get();
    result.exit_code = server.wait_exit();
    result.seconds = server.seconds_since_stop();
    return result;
}

std::string code_text(const std::optional<int>& code) { return code ? std::to_string(*code) : "none (timed out)"; }

std::string request_text(const HttpResponse& response) {
    return response.status == 200 ? "completed (200)" : response.status == 0 ? "cut off (no response)" : "HTTP " + std::to_string(response.status);
}

}  // namespace

std::string pm2_modules(std::string& why_not) {
    const char* cache = std::getenv("VIGIL_TEST_CACHE");
    const fs::path directory = fs::path(cache != nullptr ? cache : "/var/cache/vigil-tests") / ("pm2-" + std::string(pm2_version));
    const fs::path runtime = directory / "node_modules" / "pm2" / "bin" / "pm2-runtime";
    if (fs::exists(runtime)) return directory.string();
    fs::create_directories(directory);
    std::string output;
    std::string errors;
    const int code = run_command({"npm", "install", "--prefix", directory.string(), "--no-audit", "--no-fund", std::string("pm2@") + pm2_version},
                                 &output, &errors);
    if (code == 0 && fs::exists(runtime)) return directory.string();
    why_not = "npm install pm2@" + std::string(pm2_version) + " exited " + std::to_string(code) + ": " + errors;
    fs::remove_all(directory);
    return {};
}

void compare_with_pm2(const Pm2Comparison& comparison) {
    // Stopped with a 3 s request in flight; the file sets no kill_timeout.
    const auto vigil_stop = stop_with_request_in_flight(comparison, under_vigil(comparison, comparison.server_file));
    CHECK(vigil_stop.response.status == 200);
    CHECK(vigil_stop.response.body == "slow response after 3000 ms\n");
    CHECK(vigil_stop.exit_code == 0);
    CHECK(vigil_stop.seconds < 8.0);

    const auto pm2_stop = stop_with_request_in_flight(comparison, under_pm2(comparison, comparison.server_file));
    // PM2 SIGKILLs the app after its 1.6 s kill_timeout, then exits 0.
    CHECK(pm2_stop.response.status != 200);
    CHECK(pm2_stop.exit_code == 0);

    TempDir dir;
    std::optional<int> vigil_crash;
    std::string vigil_out;
    std::string vigil_err;
    {
        Container crash(comparison.runtime, comparison.image, dir, under_vigil(comparison, comparison.crash_file));
        vigil_crash = crash.wait_exit();
        vigil_out = crash.out();
        vigil_err = crash.err();
    }
    INFO(vigil_out << vigil_err);
    CHECK(vigil_crash == 3);
    CHECK(count(vigil_out, "crash: starting") == 1);
    CHECK(contains(vigil_err, "vigil: exiting with code 3"));
    CHECK(!fs::exists(dir.path("work/.pm2")));

    std::string pm2_running;
    std::size_t pm2_starts = 0;
    std::optional<int> pm2_crash_stop;
    bool pm2_log_file = false;
    {
        Container crash(comparison.runtime, comparison.image, dir, under_pm2(comparison, comparison.crash_file));
        // The container does not end: PM2 restarts the app in place.
        CHECK(wait_for([&] { return count(crash.out(), "crash: starting") >= 3; }));
        pm2_running = crash.inspect("{{.State.Running}}");
        pm2_starts = count(crash.out(), "crash: starting");
        crash.stop(10);
        pm2_crash_stop = crash.wait_exit();
        pm2_log_file = contains(read_file(dir.path("work/.pm2/logs/crash-out.log")), "crash: starting");
    }
    CHECK(pm2_running == "true");
    CHECK(pm2_log_file);

    // Apps written to PM2's guides, each stopped with a 3 s request in flight
    // (their kill_timeout is 5 s, so PM2 lets it finish too).
    struct Guided {
        std::string label;
        std::string file;
        bool yaml = false;
    };
    const auto& apps = comparison.apps_directory;
    const std::vector<Guided> guided = {{"an app that drains on SIGINT only (PM2's stop signal)", apps + "/sigint.config.js"},
                                        {"a wait_ready app: process.send('ready') once listening", apps + "/ready.config.js"},
                                        {"the same app started with `npm start`", apps + "/npm.config.js"},
                                        {"the SIGINT-only app in a YAML process file", "/work/process.yml", true}};
    // The YAML file in /work, read with PM2's own js-yaml (the pm2 package's, as the app's node_modules).
    const auto with_yaml = [&](const TempDir& work, ContainerSpec& spec) {
        fs::create_directories(work.path("work/node_modules"));
        std::ofstream(work.path("work/process.yml")) << "# The form PM2's Docker page uses.\napps:\n  - name: yaml\n    script: " << apps
                                                     << "/graceful.js\n    kill_timeout: 5000\n    env:\n      SOCKET: /work/http.sock\n";
        spec.run_options.insert(spec.run_options.end(), {"-v", comparison.modules + "/node_modules:/work/node_modules:ro"});
    };
    std::ostringstream guided_rows;
    for (const auto& one : guided) {
        INFO(one.label);
        const auto prepare = one.yaml ? std::function<void(const TempDir&, ContainerSpec&)>(with_yaml) : nullptr;
        const auto under_vigil_guided = stop_with_request_in_flight(comparison, under_vigil(comparison, one.file), prepare);
        const auto under_pm2_guided = stop_with_request_in_flight(comparison, under_pm2(comparison, one.file), prepare);
        CHECK(under_vigil_guided.response.status == 200);
        CHECK(under_vigil_guided.exit_code == 0);
        CHECK(under_pm2_guided.response.status == 200);
        CHECK(under_pm2_guided.exit_code == 0);
        guided_rows << "| " << one.label << ": the request in flight; exit code on stop | " << request_text(under_pm2_guided.response) << "; "
                    << code_text(under_pm2_guided.exit_code) << " | " << request_text(under_vigil_guided.response) << "; "
                    << code_text(under_vigil_guided.exit_code) << " |\n";
    }

    std::ostringstream table;
    table << std::fixed << std::setprecision(1);
    table << "| " << comparison.runtime.description << " | pm2-runtime " << pm2_version << " | vigil --from-pm2 |\n|---|---|---|\n"
          << "| stop with a 3 s request in flight: time to exit | " << pm2_stop.seconds << " s | " << vigil_stop.seconds << " s |\n"
          << "| the request in flight | " << request_text(pm2_stop.response) << " | " << request_text(vigil_stop.response) << " |\n"
          << "| exit code on stop | " << code_text(pm2_stop.exit_code) << " | " << code_text(vigil_stop.exit_code) << " |\n"
          << "| app exits 3 after 0.5 s | restarted in place (" << pm2_starts << " starts seen), container running: " << pm2_running
          << "; exit code when stopped: " << code_text(pm2_crash_stop) << " | container exits " << code_text(vigil_crash) << " |\n"
          << "| the app's output | container log and " << (pm2_log_file ? "$PM2_HOME/logs/crash-out.log" : "(no log file found)")
          << " inside the container | container log only |\n"
          << guided_rows.str();
    std::printf("\nComing from PM2, measured in this run:\n\n%s\n", table.str().c_str());
}

}  // namespace e2e
