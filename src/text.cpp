#include "text.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "fd.hpp"

namespace vigil {

namespace {

std::optional<std::string> read_all(const Fd& fd, std::size_t limit) {
    if (!fd.valid()) return std::nullopt;
    // Read straight into the string, grown as the file turns out longer.
    std::string text;
    std::size_t used = 0;
    while (true) {
        if (text.size() - used < 512) text.resize(text.size() < 4096 ? 4096 : text.size() * 2);
        const ssize_t got = ::read(fd.get(), text.data() + used, text.size() - used);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::nullopt;
        if (got == 0) {
            text.resize(used);
            return text;
        }
        used += static_cast<std::size_t>(got);
        if (used > limit) {
            errno = EFBIG;
            return std::nullopt;
        }
    }
}

}  // namespace

std::optional<std::string> read_whole_file(const char* path, std::size_t limit) { return read_all(Fd(::open(path, O_RDONLY | O_CLOEXEC)), limit); }

std::string join_path(std::string_view directory, std::string_view name) {
    std::string path;
    path.reserve(directory.size() + 1 + name.size());
    path.append(directory).append(1, '/').append(name);
    return path;
}

std::optional<std::string> read_whole_file(std::string_view directory, std::string_view name, std::size_t limit) {
    return read_whole_file(join_path(directory, name).c_str(), limit);
}

std::optional<std::string> read_whole_file_at(int directory, std::string_view relative, std::string_view name, std::size_t limit) {
    const std::string path = relative.empty() ? std::string(name) : join_path(relative, name);
    return read_all(Fd(::openat(directory, path.c_str(), O_RDONLY | O_CLOEXEC)), limit);
}

bool equal_no_case(std::string_view a, std::string_view b) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

bool is_printable(std::string_view text) {
    return std::none_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

std::string printable(std::string_view text) {
    // Nearly always there is nothing to escape: one pass, one copy.
    if (is_printable(text)) return std::string(text);
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

namespace {

// The length of the well-formed UTF-8 sequence (RFC 3629) that starts text,
// or 0 when it is not one: a stray continuation byte, an overlong form, a
// surrogate, a code point past U+10FFFF, or a sequence cut short.
std::size_t utf8_sequence_length(std::string_view text) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char second_low = 0x80;
    unsigned char second_high = 0xbf;
    if (lead < 0x80) return 1;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) second_low = 0xa0;   // overlong below U+0800
        if (lead == 0xed) second_high = 0x9f;  // surrogates U+D800..U+DFFF
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) second_low = 0x90;   // overlong below U+10000
        if (lead == 0xf4) second_high = 0x8f;  // past U+10FFFF
    } else {
        return 0;  // a continuation byte, 0xc0, 0xc1 or 0xf5..0xff
    }
    if (text.size() < length || byte(1) < second_low || byte(1) > second_high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
    }
    return length;
}

}  // namespace

std::string json_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const char c = text.front();
        const auto byte = static_cast<unsigned char>(c);
        std::size_t consumed = 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (byte < 0x20 || byte == 0x7f) {
                    out += fmt::format("\\u{:04x}", byte);
                } else if (byte < 0x80) {
                    out += c;
                } else if (const auto length = utf8_sequence_length(text); length > 0) {
                    out.append(text.substr(0, length));
                    consumed = length;
                } else {
                    out += "\xef\xbf\xbd";  // U+FFFD for each byte that is not valid UTF-8
                }
        }
        text.remove_prefix(consumed);
    }
    return out;
}

std::string format_bytes(std::uint64_t bytes) {
    constexpr std::uint64_t mib = 1 << 20;
    constexpr std::uint64_t gib = 1 << 30;
    if (bytes >= gib && bytes % gib == 0) return fmt::format("{} GiB", bytes / gib);
    if (bytes >= mib) return fmt::format("{} MiB", bytes / mib);
    return fmt::format("{} bytes", bytes);
}

bool looks_binary(std::string_view first_bytes) {
    std::size_t odd = 0;
    for (std::size_t index = 0; index < first_bytes.size(); ++index) {
        const auto byte = static_cast<unsigned char>(first_bytes[index]);
        if (byte == 0) return true;
        if (byte >= 32 && byte < 127) continue;
        if (byte >= 7 && byte <= 13) continue;  // \a \b \t \n \v \f \r
        // A UTF-8 lead byte and its continuation bytes are text.
        const std::size_t length = byte >= 0xC2 && byte <= 0xDF ? 2 : byte >= 0xE0 && byte <= 0xEF ? 3 : byte >= 0xF0 && byte <= 0xF4 ? 4 : 0;
        bool character = length != 0 && index + length <= first_bytes.size();
        for (std::size_t next = 1; character && next < length; ++next)
            character = (static_cast<unsigned char>(first_bytes[index + next]) & 0xC0) == 0x80;
        if (character) {
            index += length - 1;
            continue;
        }
        ++odd;
    }
    return odd * 10 > first_bytes.size();
}

}  // namespace vigil
