#include "sim/log.h"

#include "sim/error.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

namespace sim {
namespace {

static_assert(static_cast<int>(LogLevel::trace) == spdlog::level::trace &&
                  static_cast<int>(LogLevel::debug) == spdlog::level::debug &&
                  static_cast<int>(LogLevel::info) == spdlog::level::info &&
                  static_cast<int>(LogLevel::warn) == spdlog::level::warn &&
                  static_cast<int>(LogLevel::err) == spdlog::level::err &&
                  static_cast<int>(LogLevel::critical) == spdlog::level::critical &&
                  static_cast<int>(LogLevel::off) == spdlog::level::off,
              "sim::LogLevel has spdlog's values");

constexpr const char* kNames[kLogSources] = {"hv", "vgic", "cpu", "mem", "config", "console"};

struct NamedLevel {
    const char* name;
    LogLevel level;
};
constexpr NamedLevel kLevels[] = {
    {"trace", LogLevel::trace}, {"debug", LogLevel::debug}, {"info", LogLevel::info},
    {"warn", LogLevel::warn},   {"error", LogLevel::err},   {"off", LogLevel::off},
};

std::string known_levels() {
    std::string s;
    for (const NamedLevel& l : kLevels)
        s += std::string(s.empty() ? "" : ", ") + l.name;
    return s;
}

std::string known_loggers() {
    std::string s;
    for (const char* n : kNames)
        s += std::string(s.empty() ? "" : ", ") + n;
    return s;
}

std::shared_ptr<spdlog::logger> make_logger(const char* name, spdlog::sink_ptr sink,
                                            LogLevel level) {
    auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
    // No wall-clock time: the same run logs the same lines (messages that
    // need a time give the simulated cycle themselves).
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        "[%n:%l] %v", spdlog::pattern_time_type::local, "\n"));
    logger->set_level(static_cast<spdlog::level::level_enum>(level));
    logger->flush_on(spdlog::level::trace); // interleaves with what else goes to the stream
    return logger;
}

} // namespace

const char* to_string(LogSource source) {
    return kNames[static_cast<size_t>(source)];
}

LogLevel parse_log_level(const std::string& text, const std::string& option) {
    for (const NamedLevel& l : kLevels)
        if (text == l.name)
            return l.level;
    throw InputError(option + ": unknown level '" + text + "' (levels: " + known_levels() + ")");
}

void parse_log_list(const std::string& list, LogLevels& levels) {
    std::stringstream items(list);
    for (std::string item; std::getline(items, item, ',');) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            throw InputError("--log: '" + item + "': expected LOGGER=LEVEL, e.g. hv=debug");
        const std::string name = item.substr(0, eq);
        size_t i = 0;
        while (i < kLogSources && name != kNames[i])
            ++i;
        if (i == kLogSources)
            throw InputError("--log: unknown logger '" + name + "' (loggers: " + known_loggers() +
                             ")");
        levels.own[i] = parse_log_level(item.substr(eq + 1), "--log " + name);
    }
}

Loggers::Loggers() {
    auto sink = std::make_shared<spdlog::sinks::null_sink_mt>();
    for (size_t i = 0; i < kLogSources; ++i)
        loggers_[i] = make_logger(kNames[i], sink, LogLevel::off);
    levels_.fill(LogLevel::off);
}

Loggers::Loggers(const LogLevels& levels, std::ostream& out) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    for (size_t i = 0; i < kLogSources; ++i) {
        levels_[i] = levels.of(static_cast<LogSource>(i));
        loggers_[i] = make_logger(kNames[i], sink, levels_[i]);
    }
}

} // namespace sim
