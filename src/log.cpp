#include "log.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/sink.h>

#include "stderr_writer.hpp"
#include "text.hpp"

namespace vigil {

std::string json_members(std::string_view message, std::string_view event, std::initializer_list<LogField> fields) {
    std::string out = fmt::format(R"("msg":"{}","event":"{}")", json_escape(message), json_escape(event));
    for (const auto& field : fields) {
        if (const auto* number = std::get_if<std::int64_t>(&field.value))
            out += fmt::format(R"(,"{}":{})", json_escape(field.key), *number);
        else
            out += fmt::format(R"(,"{}":"{}")", json_escape(field.key), json_escape(std::get<std::string_view>(field.value)));
    }
    return out;
}

std::string utc_timestamp(std::int64_t milliseconds_since_epoch) {
    // Days to a civil date (proleptic Gregorian), by 400-year eras of 146097 days.
    std::int64_t days = milliseconds_since_epoch / 86'400'000;
    std::int64_t in_day = milliseconds_since_epoch % 86'400'000;
    if (in_day < 0) {
        in_day += 86'400'000;
        --days;
    }
    const std::int64_t shifted = days + 719'468;  // from 1970-01-01 to 0000-03-01
    const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146'096) / 146'097;
    const std::int64_t day_of_era = shifted - era * 146'097;
    const std::int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
    const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t month_index = (5 * day_of_year + 2) / 153;  // March = 0
    const std::int64_t day = day_of_year - (153 * month_index + 2) / 5 + 1;
    const std::int64_t month = month_index < 10 ? month_index + 3 : month_index - 9;
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, month, day, in_day / 3'600'000, in_day / 60'000 % 60,
                       in_day / 1000 % 60, in_day % 1000);
}

namespace {

// Formats and writes each line itself, with one write per line: no stdio
// buffer to lose at exit, and none of spdlog's pattern formatter, whose
// local-time support pulls glibc's time-zone code into the static binary.
// A line stderr cannot take at once is dropped and counted, never waited for.
class StderrLineSink final : public spdlog::sinks::sink {
public:
    StderrLineSink(LogFormat format, std::uint64_t& dropped_total) : format_(format), dropped_total_(dropped_total) {}

    void log(const spdlog::details::log_msg& message) override {
        const std::string_view payload(message.payload.data(), message.payload.size());
        if (dropped_since_last_ > 0) {
            // The next line that gets through says what was lost before it.
            const auto notice = fmt::format("dropped {} log line(s): stderr was not being read", dropped_since_last_);
            const auto notice_payload =
                format_ == LogFormat::json
                    ? json_members(notice, "log_dropped", {{"count", static_cast<std::int64_t>(dropped_since_last_)}})
                    : notice;
            if (!writer_.write_line(format_line(spdlog::level::warn, message.time, notice_payload))) {
                count_dropped();  // the line itself: the notice stays pending
                return;
            }
            dropped_since_last_ = 0;
        }
        if (!writer_.write_line(format_line(message.level, message.time, payload))) count_dropped();
    }
    void flush() override {}
    void set_pattern(const std::string&) override {}
    void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

private:
    void count_dropped() {
        ++dropped_since_last_;
        ++dropped_total_;
    }

    // Plain concatenation into the one string the line needs: no format
    // string to parse and no 500-byte buffer on the stack under every line.
    std::string format_line(spdlog::level::level_enum level, spdlog::log_clock::time_point time, std::string_view payload) const {
        std::string line;
        if (format_ == LogFormat::json) {
            const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
            const auto timestamp = utc_timestamp(since_epoch);
            const auto name = spdlog::level::to_string_view(level);
            constexpr std::string_view open = R"({"ts":")";
            constexpr std::string_view after_ts = R"(","level":")";
            constexpr std::string_view after_level = R"(",)";
            constexpr std::string_view close = "}\n";
            line.reserve(open.size() + timestamp.size() + after_ts.size() + name.size() + after_level.size() + payload.size() +
                         close.size());
            line.append(open).append(timestamp).append(after_ts).append(name.data(), name.size()).append(after_level);
            line.append(payload).append(close);
        } else {
            constexpr std::string_view prefix = "vigil: ";
            line.reserve(prefix.size() + payload.size() + 1);
            line.append(prefix).append(payload).push_back('\n');
        }
        return line;
    }

    LogFormat format_;
    StderrWriter writer_;
    std::uint64_t dropped_since_last_ = 0;
    std::uint64_t& dropped_total_;
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::off: return spdlog::level::off;
        case LogLevel::error: return spdlog::level::err;
        case LogLevel::warn: return spdlog::level::warn;
        case LogLevel::info: return spdlog::level::info;
        case LogLevel::debug: return spdlog::level::debug;
    }
    return spdlog::level::info;
}

}  // namespace

Log::Log(LogLevel level, LogFormat format)
    : level_(level), format_(format), logger_(std::make_unique<spdlog::logger>("vigil", std::make_shared<StderrLineSink>(format, dropped_lines_))) {
    logger_->set_level(to_spdlog(level));
}

Log::~Log() = default;

void Log::write(LogLevel level, std::string_view event, std::string_view message, std::initializer_list<LogField> fields) {
    if (!enabled(level)) return;
    if (format_ == LogFormat::json) {
        logger_->log(to_spdlog(level), json_members(message, event, fields));
    } else if (is_printable(message)) {
        logger_->log(to_spdlog(level), spdlog::string_view_t(message.data(), message.size()));  // as it is: no copy
    } else {
        logger_->log(to_spdlog(level), printable(message));
    }
}

}  // namespace vigil
