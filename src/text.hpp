// Small text helpers shared by the parsers, and reading a whole small file.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// The parts of text cut at every separator, one at a time and without
// allocating: always at least one (possibly empty) part.
class Parts {
public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = std::string_view;
        using difference_type = std::ptrdiff_t;
        using pointer = const std::string_view*;
        using reference = std::string_view;

        iterator() = default;
        iterator(std::string_view text, char separator) : rest_(text), separator_(separator), more_(true), done_(false) { advance(); }
        std::string_view operator*() const { return part_; }
        iterator& operator++() {
            advance();
            return *this;
        }
        iterator operator++(int) {
            auto before = *this;
            advance();
            return before;
        }
        bool operator==(const iterator& other) const { return done_ == other.done_ && (done_ || part_.data() == other.part_.data()); }

    private:
        void advance() {
            if (!more_) {
                done_ = true;
                return;
            }
            const auto at = rest_.find(separator_);
            part_ = rest_.substr(0, at);
            more_ = at != std::string_view::npos;
            rest_.remove_prefix(more_ ? at + 1 : rest_.size());
        }
        std::string_view rest_;
        std::string_view part_;
        char separator_ = 0;
        bool more_ = false;
        bool done_ = true;
    };

    Parts(std::string_view text, char separator) : text_(text), separator_(separator) {}
    iterator begin() const { return {text_, separator_}; }
    static iterator end() { return {}; }

private:
    std::string_view text_;
    char separator_;
};

inline Parts parts(std::string_view text, char separator) { return {text, separator}; }

// The same parts in a vector, for parsers that index fields.
inline std::vector<std::string_view> split(std::string_view text, char separator) {
    const auto cut = parts(text, separator);
    return {cut.begin(), Parts::end()};
}

// All of text as a whole number of type Number in base, or nullopt: empty,
// anything but digits (a leading '-' only where Number is signed), or out
// of range. The one number parser of vigil's own text and the kernel's.
template <typename Number>
std::optional<Number> whole_number(std::string_view text, int base = 10) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Whether a and b are the same text, ASCII letters compared without case
// (host names, URL schemes).
bool equal_no_case(std::string_view a, std::string_view b);

// Text safe for one line of a terminal: control characters become \n, \t,
// \r or \xHH, so a bad value quoted in a message cannot break the line.
std::string printable(std::string_view text);
// Whether printable(text) would be text itself.
bool is_printable(std::string_view text);

// Escapes text for the inside of a JSON string (invalid UTF-8 becomes U+FFFD).
std::string json_escape(std::string_view text);

// Whether a file's first bytes are a binary's rather than a script's, as
// PM2 decides what to run with node: a NUL byte, or more than a tenth of
// bytes that are neither text nor part of a UTF-8 character.
bool looks_binary(std::string_view first_bytes);

// "128 MiB", "2 GiB" (whole GiBs only), "900 bytes".
std::string format_bytes(std::uint64_t bytes);

// "directory/name" in one allocation, without a format string to parse.
std::string join_path(std::string_view directory, std::string_view name);

// The whole file, opened close-on-exec; nullopt with errno set when it cannot
// be read or is larger than limit bytes (errno EFBIG then).
std::optional<std::string> read_whole_file(const char* path, std::size_t limit);
// The same for directory/name, joined on the stack: reading a cgroup's file
// allocates nothing for its path.
std::optional<std::string> read_whole_file(std::string_view directory, std::string_view name, std::size_t limit);
// The same for relative/name (or name alone) below an open directory: the
// directory's own path is not walked again.
std::optional<std::string> read_whole_file_at(int directory, std::string_view relative, std::string_view name, std::size_t limit);

}  // namespace vigil
