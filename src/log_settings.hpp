// How much vigil logs and in which form: what --log-level and --log-format
// choose (options) and the log obeys (log). Pure, and below both.
#pragma once

namespace vigil {

enum class LogLevel { off, error, warn, info, debug };
enum class LogFormat { text, json };

}  // namespace vigil
