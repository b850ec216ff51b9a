// The memory system beyond the L2: a fixed unloaded latency plus a queueing delay
// set by the traffic of all cores in a window of simulated time.
//
// Cores are simulated one after another in quanta, so when core 0 runs a window
// the other cores' requests in that window are not known yet. To keep results
// independent of that order:
//  * while a window is open, a request that a core waits for is charged the delay
//    of the last CLOSED window (known to every core alike), and the controller
//    records, per core and window, how many such requests it made and what it was
//    charged;
//  * the machine closes windows once every core has passed them (close_until);
//    closing a window folds the bytes all cores moved in it into a smoothed
//    utilisation (exponential moving average over windows: a lagged estimate fed
//    back into the cores that generate the load oscillates without it), whose
//    queueing delay (M/D/1 plus an overload term) becomes the exact delay of that
//    window's requests and the estimate for the next; each core's balance
//    receives (requests x exact delay - charged);
//  * the machine adds take_adjustment(core) to that core's clock.
// The sums depend only on per-core request counts per window, never on the order
// in which cores were simulated. docs/timing-model.md gives the formula.
//
// With arrivals = bursts the formula is M^X/D/1: a request that comes within one
// service time of the same core's previous one joins its burst (a core that
// fills its miss registers at once offers them together, not one by one), and
// the wait is M/D/1's times the bursts' mean square size over their mean size,
// sum(X^2) / sum(X) over the window's bursts. Each core's burst positions
// depend only on its own requests, so the window's sums keep the order
// independence above.
#pragma once

#include "sim/cache/config.hpp"

#include <cstdint>
#include <vector>

namespace sim::cache {

struct MemoryControllerStats {
    std::uint64_t reads = 0;
    std::uint64_t writebacks = 0;
    std::uint64_t bytes = 0;
    std::uint64_t queue_cycles = 0; // queueing charged to waiting requests, all cores
    std::uint64_t windows_closed = 0;
    std::uint64_t busiest_window_bytes = 0;
    std::uint64_t bank_conflict_cycles = 0; // added to reads by mem.bank_conflict_cycles
};

class MemoryController {
  public:
    MemoryController(const MemoryConfig& config, unsigned cores, unsigned line_bytes);

    // A line refill at core-local cycle `now`. Returns the cycles it adds beyond the
    // L2 lookup (unloaded latency + current queueing estimate). `core_waits` is
    // false for refills the core does not stall on (store misses absorbed by the
    // store buffer): they load the memory system but receive no correction.
    std::uint32_t read(unsigned core, std::uint64_t now, bool core_waits);

    // A dirty line written back to memory: only loads the memory system.
    void writeback(unsigned core, std::uint64_t now);

    // Closes every window that ends at or before `cycle` (all cores have passed it).
    void close_until(std::uint64_t cycle);

    // Positive correction owed by `core` (cycles to add to its clock); resets it.
    // A negative balance is kept as credit against later corrections.
    std::uint64_t take_adjustment(unsigned core);

    // Queueing delay per waiting request of the last closed window.
    std::uint32_t current_delay() const { return current_delay_; }
    // Queueing delay per request at utilisation `rho` (offered bytes / capacity),
    // with the current burst factor.
    double delay_at(double rho) const;
    // sum(X^2) / sum(X) of the arrivals' bursts, smoothed as the utilisation;
    // 1 with arrivals = poisson.
    double burst_factor() const { return burst_factor_; }
    double utilization() const { return utilization_; } // smoothed, closed windows
    // mem.bank_conflict_cycles: the other cores' smoothed share of the bytes of
    // the closed windows, and the cycles a read of `core` adds for it now.
    double others_share(unsigned core) const { return others_share_[core]; }
    std::uint32_t conflict_delay(unsigned core) const { return conflict_delay_[core]; }

    const MemoryControllerStats& stats() const { return stats_; }
    // Queueing cycles charged to one core (estimates + corrections).
    std::int64_t core_queue_cycles(unsigned core) const { return core_queue_cycles_[core]; }

    // Checkpoints (sim/checkpoint.h): the open windows, queues and counters.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(next_to_close_);
        a.value(utilization_);
        a.value(current_delay_);
        a.value(open_bytes_);
        a.values(window_bytes_);
        a.values(waiting_);
        a.values(charged_);
        a.values(balance_);
        a.values(core_queue_cycles_);
        a.value(burst_factor_);
        a.values(window_arrivals_);
        a.values(window_positions_);
        a.values(last_arrival_);
        a.values(burst_position_);
        a.values(core_bytes_);
        a.values(others_share_);
        a.values(conflict_delay_);
        a.value(stats_);
    }

  private:
    std::size_t slot_for(std::uint64_t now);
    void close_oldest();
    void close_before(std::uint64_t first_open); // closes windows with index < first_open
    void note_arrival(unsigned core, std::uint64_t now, std::size_t slot);
    void add_bytes(unsigned core, std::size_t slot);
    void close_shares(std::size_t slot, std::uint64_t bytes);

    static constexpr std::size_t kRing = 64; // windows kept open at once

    MemoryConfig config_;
    unsigned cores_;
    unsigned line_bytes_;
    std::uint64_t next_to_close_ = 0; // index of the oldest open window
    double utilization_ = 0.0;        // moving average of closed windows' utilisation
    std::uint32_t current_delay_ = 0;
    std::uint64_t open_bytes_ = 0;            // bytes in all open windows
    std::vector<std::uint64_t> window_bytes_; // kRing slots, window i in slot i % kRing
    std::vector<std::uint32_t> waiting_;      // [slot * cores + core] waiting requests
    std::vector<std::uint64_t> charged_;      // [slot * cores + core] delay charged
    std::vector<std::int64_t> balance_;       // per core: correction not yet taken
    std::vector<std::int64_t> core_queue_cycles_;
    // arrivals = bursts: the smoothed factor, per window the requests and the sum
    // of their positions in their bursts (1, 2, ...), per core the last request's
    // cycle (kNoArrival before the first) and its position.
    static constexpr std::uint64_t kNoArrival = ~std::uint64_t{0};
    double burst_factor_ = 1.0;
    std::vector<std::uint64_t> window_arrivals_;
    std::vector<std::uint64_t> window_positions_;
    std::vector<std::uint64_t> last_arrival_;
    std::vector<std::uint32_t> burst_position_;
    // mem.bank_conflict_cycles: per window and core the bytes moved
    // ([slot * cores + core]), per core the others' smoothed share and the
    // cycles it sets.
    std::vector<std::uint64_t> core_bytes_;
    std::vector<double> others_share_;
    std::vector<std::uint32_t> conflict_delay_;
    MemoryControllerStats stats_;
};

} // namespace sim::cache
