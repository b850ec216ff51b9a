#include "sim/cache/memory_controller.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace sim::cache {

MemoryController::MemoryController(const MemoryConfig& config, unsigned cores, unsigned line_bytes)
    : config_(config), cores_(cores), line_bytes_(line_bytes), window_bytes_(kRing, 0),
      waiting_(kRing * cores, 0), charged_(kRing * cores, 0), balance_(cores, 0),
      core_queue_cycles_(cores, 0), window_arrivals_(kRing, 0), window_positions_(kRing, 0),
      last_arrival_(cores, kNoArrival), burst_position_(cores, 0), core_bytes_(kRing * cores, 0),
      others_share_(cores, 0.0), conflict_delay_(cores, 0) {
    if (config.window == 0 || !(config.bandwidth > 0.0)) {
        throw std::invalid_argument("memory window and bandwidth must be positive");
    }
}

std::size_t MemoryController::slot_for(std::uint64_t now) {
    std::uint64_t index = now / config_.window;
    // A request in an already closed window (a core behind the close point) is
    // accounted in the oldest open one.
    index = std::max(index, next_to_close_);
    // A request far ahead: close old windows to make room (only when the machine
    // does not call close_until itself).
    if (index >= next_to_close_ + kRing) {
        close_before(index - kRing + 1);
    }
    return static_cast<std::size_t>(index % kRing);
}

// A request within one service time of its core's previous one (or before it:
// a write-back stamped at the store that caused the refill) joins that burst.
void MemoryController::note_arrival(unsigned core, std::uint64_t now, std::size_t slot) {
    if (config_.arrivals != Arrivals::bursts) {
        return;
    }
    const double service = static_cast<double>(line_bytes_) / config_.bandwidth;
    const std::uint64_t last = last_arrival_[core];
    const bool joins =
        last != kNoArrival && static_cast<double>(now) < static_cast<double>(last) + service;
    burst_position_[core] = joins ? burst_position_[core] + 1 : 1;
    last_arrival_[core] = last == kNoArrival ? now : std::max(last, now);
    ++window_arrivals_[slot];
    window_positions_[slot] += burst_position_[core];
}

void MemoryController::add_bytes(unsigned core, std::size_t slot) {
    window_bytes_[slot] += line_bytes_;
    open_bytes_ += line_bytes_;
    stats_.bytes += line_bytes_;
    if (config_.bank_conflict_cycles != 0) {
        core_bytes_[slot * cores_ + core] += line_bytes_;
    }
}

std::uint32_t MemoryController::read(unsigned core, std::uint64_t now, bool core_waits) {
    const std::size_t slot = slot_for(now);
    note_arrival(core, now, slot);
    add_bytes(core, slot);
    ++stats_.reads;
    // The bank's row: from the closed windows only, so the same for any order of
    // the cores within a round.
    const std::uint32_t unloaded = config_.latency + conflict_delay_[core];
    stats_.bank_conflict_cycles += conflict_delay_[core];
    if (!core_waits) {
        return unloaded + current_delay_;
    }
    ++waiting_[slot * cores_ + core];
    charged_[slot * cores_ + core] += current_delay_;
    stats_.queue_cycles += current_delay_;
    core_queue_cycles_[core] += current_delay_;
    return unloaded + current_delay_;
}

void MemoryController::writeback(unsigned core, std::uint64_t now) {
    const std::size_t slot = slot_for(now);
    note_arrival(core, now, slot);
    add_bytes(core, slot);
    ++stats_.writebacks;
}

// The chance that a bank's open row is another core's is taken as the other
// cores' share of the bytes moved: with requests spread over the banks, the
// bank's last access came from them in that proportion. An empty window leaves
// the rows as they were.
void MemoryController::close_shares(std::size_t slot, std::uint64_t bytes) {
    if (config_.bank_conflict_cycles == 0) {
        return;
    }
    for (unsigned core = 0; core < cores_; ++core) {
        const std::size_t cell = slot * cores_ + core;
        if (bytes != 0) {
            const double others =
                static_cast<double>(bytes - core_bytes_[cell]) / static_cast<double>(bytes);
            others_share_[core] += config_.smoothing * (others - others_share_[core]);
            conflict_delay_[core] = static_cast<std::uint32_t>(
                std::llround(config_.bank_conflict_cycles * others_share_[core]));
        }
        core_bytes_[cell] = 0;
    }
}

// M/D/1 (Pollaczek-Khinchine) mean wait for a deterministic service time
// s = line / bandwidth: Wq = s * rho / (2 (1 - rho)), rho clamped to
// max_utilization; above it, the excess work of a window (rho - max) * window is
// waited for on average by half: + (rho - max) * window / 2. Continuous and
// increasing in rho, so the cores' feedback settles. With bursts (M^X/D/1, a
// single request arriving behind bursts of size X) the first term is multiplied
// by E[X^2] / E[X].
double MemoryController::delay_at(double rho) const {
    const double service = static_cast<double>(line_bytes_) / config_.bandwidth;
    const double clamped = std::min(rho, config_.max_utilization);
    const double overload = std::max(0.0, rho - config_.max_utilization);
    return burst_factor_ * service * clamped / (2.0 * (1.0 - clamped)) +
           overload * static_cast<double>(config_.window) / 2.0;
}

void MemoryController::close_oldest() {
    const std::size_t slot = static_cast<std::size_t>(next_to_close_ % kRing);
    const std::uint64_t bytes = window_bytes_[slot];
    close_shares(slot, bytes);
    const double capacity = config_.bandwidth * static_cast<double>(config_.window);
    utilization_ += config_.smoothing * (static_cast<double>(bytes) / capacity - utilization_);
    if (const std::uint64_t n = window_arrivals_[slot]; n != 0) {
        // sum(X^2) = sum over requests of (2 position - 1): 1 + 3 + ... + (2X - 1).
        const double squares =
            2.0 * static_cast<double>(window_positions_[slot]) - static_cast<double>(n);
        burst_factor_ += config_.smoothing * (squares / static_cast<double>(n) - burst_factor_);
        window_arrivals_[slot] = 0;
        window_positions_[slot] = 0;
    }
    const auto exact = static_cast<std::int64_t>(std::llround(delay_at(utilization_)));
    for (unsigned core = 0; core < cores_; ++core) {
        const std::size_t cell = slot * cores_ + core;
        const std::int64_t owed =
            exact * waiting_[cell] - static_cast<std::int64_t>(charged_[cell]);
        balance_[core] += owed;
        core_queue_cycles_[core] += owed;
        stats_.queue_cycles =
            static_cast<std::uint64_t>(static_cast<std::int64_t>(stats_.queue_cycles) + owed);
        waiting_[cell] = 0;
        charged_[cell] = 0;
    }
    stats_.busiest_window_bytes = std::max(stats_.busiest_window_bytes, bytes);
    ++stats_.windows_closed;
    current_delay_ = static_cast<std::uint32_t>(exact);
    open_bytes_ -= bytes;
    window_bytes_[slot] = 0;
    ++next_to_close_;
}

void MemoryController::close_until(std::uint64_t cycle) {
    close_before(cycle / config_.window);
}

void MemoryController::close_before(std::uint64_t first_open) {
    while (next_to_close_ < first_open) {
        if (open_bytes_ == 0) {
            // Idle stretch: every remaining window is empty; the average decays.
            const std::uint64_t idle = first_open - next_to_close_;
            utilization_ *= std::pow(1.0 - config_.smoothing, static_cast<double>(idle));
            current_delay_ = static_cast<std::uint32_t>(std::llround(delay_at(utilization_)));
            stats_.windows_closed += idle;
            next_to_close_ = first_open;
            break;
        }
        close_oldest();
    }
}

std::uint64_t MemoryController::take_adjustment(unsigned core) {
    const std::int64_t balance = balance_[core];
    if (balance <= 0) {
        return 0;
    }
    balance_[core] = 0;
    return static_cast<std::uint64_t>(balance);
}

} // namespace sim::cache
