// vigil's log: one line per event on stderr, never stdout. Text for people
// ("vigil: forwarded SIGTERM to pid 7"), or JSON lines for log pipelines
// with ts, level, msg, event and the event's own fields. Writing never
// waits: a line stderr cannot take at once is dropped and counted, and the
// next line that gets through is preceded by a notice of how many were lost.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "log_settings.hpp"

namespace spdlog { class logger; }

namespace vigil {

struct LogField {
    std::string_view key;
    std::variant<std::int64_t, std::string_view> value;
};

// "2026-11-25T15:55:02.114Z" for milliseconds since the epoch, in UTC.
std::string utc_timestamp(std::int64_t milliseconds_since_epoch);

// The JSON members for a message, an event and its fields, without braces:
// "msg":"…","event":"…","pid":7
std::string json_members(std::string_view message, std::string_view event, std::initializer_list<LogField> fields);

class Log {
public:
    Log(LogLevel level, LogFormat format);
    ~Log();
    Log(const Log&) = delete;
    Log& operator=(const Log&) = delete;

    void write(LogLevel level, std::string_view event, std::string_view message, std::initializer_list<LogField> fields = {});
    void error(std::string_view event, std::string_view message, std::initializer_list<LogField> fields = {}) { write(LogLevel::error, event, message, fields); }
    void warn(std::string_view event, std::string_view message, std::initializer_list<LogField> fields = {}) { write(LogLevel::warn, event, message, fields); }
    void info(std::string_view event, std::string_view message, std::initializer_list<LogField> fields = {}) { write(LogLevel::info, event, message, fields); }
    void debug(std::string_view event, std::string_view message, std::initializer_list<LogField> fields = {}) { write(LogLevel::debug, event, message, fields); }
    bool enabled(LogLevel level) const { return level != LogLevel::off && level <= level_; }
    // Lines dropped so far because stderr could not take them at once.
    std::uint64_t dropped_lines() const { return dropped_lines_; }

private:
    LogLevel level_;
    LogFormat format_;
    std::uint64_t dropped_lines_ = 0;
    std::unique_ptr<spdlog::logger> logger_;
};

}  // namespace vigil
