// The simulator's loggers, one per subsystem (docs/observability.md): hv
// (hv's events: VMs booting and stopping, traps, PSCI/SBI calls, hypercalls,
// recoloring), vgic (interrupt injections, physical IRQs taken by hv, IPIs),
// cpu (cores powered on, idle, stopped, faults), mem (the memory map and the
// model's maintenance), config (loading, overrides, images, hv's validation)
// and console (every guest console line, at trace).
//
// A run's Loggers are made from its options (--log-level, --log) and handed
// down to the parts that log; copies share the same loggers. Nothing is
// registered in spdlog's global registry. Levels are fixed for a run, so a
// part may ask enabled() once and skip a whole path when it is off; a call
// such as log.hv().debug(...) checks the level before it formats anything.
//
// This header does not include spdlog (about 96,000 lines with fmt, in
// every file that includes the machine): only the files that write log
// lines include <spdlog/logger.h> themselves (docs/design.md#test-tiers).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

namespace spdlog {
class logger;
}

namespace sim {

enum class LogSource : unsigned { hv, vgic, cpu, mem, config, console };
inline constexpr size_t kLogSources = 6;
const char* to_string(LogSource source);

// spdlog's levels, with spdlog's values (log.cpp checks them).
enum class LogLevel : int { trace, debug, info, warn, err, critical, off };

// The level of each logger: --log-level for all, --log NAME=LEVEL for one.
struct LogLevels {
    LogLevel all = LogLevel::warn;
    std::array<std::optional<LogLevel>, kLogSources> own{};

    LogLevel of(LogSource source) const { return own[static_cast<size_t>(source)].value_or(all); }
};

// "trace", "debug", "info", "warn", "error" or "off"; anything else is an
// InputError naming `option` and the levels.
LogLevel parse_log_level(const std::string& text, const std::string& option);
// --log's "hv=debug,vgic=trace": sets those loggers' own levels; an unknown
// logger or level is an InputError naming it and what is known.
void parse_log_list(const std::string& list, LogLevels& levels);

class Loggers {
  public:
    // Every logger off, writing nowhere (the default of a machine built
    // without a run's options, e.g. in tests and benchmarks).
    Loggers();
    // Lines "[name:level] message" to `out`, which must outlive every copy.
    Loggers(const LogLevels& levels, std::ostream& out);

    spdlog::logger& get(LogSource source) const { return *loggers_[static_cast<size_t>(source)]; }
    spdlog::logger& hv() const { return get(LogSource::hv); }
    spdlog::logger& vgic() const { return get(LogSource::vgic); }
    spdlog::logger& cpu() const { return get(LogSource::cpu); }
    spdlog::logger& mem() const { return get(LogSource::mem); }
    spdlog::logger& config() const { return get(LogSource::config); }
    spdlog::logger& console() const { return get(LogSource::console); }
    bool enabled(LogSource source, LogLevel level) const {
        return level >= levels_[static_cast<size_t>(source)];
    }

  private:
    std::array<std::shared_ptr<spdlog::logger>, kLogSources> loggers_;
    std::array<LogLevel, kLogSources> levels_{}; // each logger's, fixed for the run
};

} // namespace sim
