#include "log.hpp"

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace vigil {

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (byte < 0x20 || byte == 0x7f) out += fmt::format("\\x{:02x}", byte);
        else out += c;
    }
    return out;
}

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (byte < 0x20 || byte == 0x7f) out += fmt::format("\\u{:04x}", byte);
                else out += c;
        }
    }
    return out;
}

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

namespace {

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
    : level_(level),
      format_(format),
      logger_(std::make_unique<spdlog::logger>("vigil", std::make_shared<spdlog::sinks::stderr_sink_st>())) {
    logger_->set_level(to_spdlog(level));
    // The JSON object's message members come already escaped from json_members.
    const char* pattern = format == LogFormat::json
        ? R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})"
        : "vigil: %v";
    logger_->set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern, spdlog::pattern_time_type::utc));
}

Log::~Log() = default;

void Log::write(LogLevel level, std::string_view event, std::string_view message, std::initializer_list<LogField> fields) {
    if (!enabled(level)) return;
    if (format_ == LogFormat::json) {
        logger_->log(to_spdlog(level), json_members(message, event, fields));
    } else {
        logger_->log(to_spdlog(level), printable(message));
    }
}

}  // namespace vigil
