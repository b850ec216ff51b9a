// The parallel scheduler's bound and weave on the shared levels (docs/parallel.md).
#include "sim/cache/hierarchy.hpp"

#include <algorithm>

namespace sim::cache {

void Hierarchy::begin_bound() {
    for (CoreState& state : cores_) {
        state.bound_log.clear();
        state.bound_lines.clear();
    }
    bound_ = true;
}

bool Hierarchy::l2_holds_bound(const CoreState& state, std::uint64_t line) const {
    return l2_.contains(line) || std::find(state.bound_lines.begin(), state.bound_lines.end(),
                                           line) != state.bound_lines.end();
}

// The port and the memory controller charge the delay of their last closed
// window, which no core changes before the weave: only the L2's hit or miss is
// a guess.
std::uint32_t Hierarchy::l2_refill_bound(unsigned core, std::uint64_t line, bool fetch,
                                         bool core_waits, std::uint64_t start) {
    CoreState& state = cores_[core];
    std::uint32_t latency = (l2_port_ ? l2_port_->current_delay() : 0) + config_.l2.latency;
    if (!l2_holds_bound(state, line)) {
        latency += config_.mem.latency + memory_.current_delay();
        if ((fetch ? config_.l2_inst_allocation : config_.l2_allocation) == L2Allocation::on_fill) {
            state.bound_lines.push_back(line);
        }
    }
    state.bound_log.push_back(
        {SharedAccess::Kind::refill, fetch, core_waits, false, latency, start, line, 0});
    return latency;
}

void Hierarchy::l2_insert_bound(unsigned core, std::uint64_t line, bool dirty, std::uint64_t now) {
    CoreState& state = cores_[core];
    state.bound_lines.push_back(line);
    state.bound_log.push_back({SharedAccess::Kind::victim, false, false, dirty, 0, now, line, 0});
}

// Returns the actual minus the predicted cycles the core waited for.
std::int64_t Hierarchy::weave_access(unsigned core, const SharedAccess& a) {
    CoreState& state = cores_[core];
    switch (a.kind) {
    case SharedAccess::Kind::refill: {
        ++l2_counters_.accesses;
        const std::uint32_t port = l2_port_ ? l2_port_->read(core, a.at, a.core_waits) : 0;
        std::uint64_t latency = port + config_.l2.latency;
        if (!l2_.lookup(a.line, false)) {
            ++state.stats.l2.misses;
            ++l2_counters_.misses;
            ++state.stats.mem_reads;
            latency += memory_.read(core, a.at + port, a.core_waits);
            if ((a.fetch ? config_.l2_inst_allocation : config_.l2_allocation) ==
                L2Allocation::on_fill) {
                write_back(core, l2_.fill(a.line, false), a.at);
            }
        }
        return a.core_waits
                   ? static_cast<std::int64_t>(latency) - static_cast<std::int64_t>(a.predicted)
                   : 0;
    }
    case SharedAccess::Kind::victim:
        ++l2_victim_fills_;
        if (l2_port_) {
            l2_port_->writeback(core, a.at);
        }
        write_back(core, l2_.insert(a.line, a.dirty), a.at);
        return 0;
    case SharedAccess::Kind::mem_writeback:
        memory_.writeback(core, a.at);
        return 0;
    case SharedAccess::Kind::clean:
        return static_cast<std::int64_t>(clean_invalidate_now(core, a.line, a.bytes, a.at)) -
               static_cast<std::int64_t>(a.predicted);
    }
    return 0;
}

void Hierarchy::weave() {
    bound_ = false;
    // The order is (cycle, core, issue order): a total order that no host
    // thread's timing sets. Each core's log is sorted by cycle in place, keeping
    // the issue order of equal cycles (an insertion sort: a log is in order but
    // for a refill's L1 victim, recorded before the refill's MSHR wait ends),
    // then the logs are merged, the lowest core first on equal cycles.
    std::vector<std::size_t>& next = weave_next_;
    next.assign(cores_.size(), 0);
    for (CoreState& state : cores_) {
        std::vector<SharedAccess>& log = state.bound_log;
        for (std::size_t i = 1; i < log.size(); ++i) {
            if (log[i].at >= log[i - 1].at) {
                continue;
            }
            const SharedAccess moved = log[i];
            std::size_t j = i;
            for (; j > 0 && log[j - 1].at > moved.at; --j) {
                log[j] = log[j - 1];
            }
            log[j] = moved;
        }
    }
    for (;;) {
        unsigned core = kNoCore;
        std::uint64_t at = 0;
        for (unsigned c = 0; c < cores_.size(); ++c) {
            const std::vector<SharedAccess>& log = cores_[c].bound_log;
            if (next[c] < log.size() && (core == kNoCore || log[next[c]].at < at)) {
                core = c;
                at = log[next[c]].at;
            }
        }
        if (core == kNoCore) {
            break;
        }
        CoreState& state = cores_[core];
        state.weave_balance += weave_access(core, state.bound_log[next[core]++]);
    }
    for (CoreState& state : cores_) {
        state.bound_log.clear();
        state.bound_lines.clear();
    }
}

std::uint64_t Hierarchy::take_weave_correction(unsigned core) {
    CoreState& state = cores_[core];
    if (state.weave_balance <= 0) {
        return 0;
    }
    const auto cycles = static_cast<std::uint64_t>(state.weave_balance);
    state.weave_balance = 0;
    state.stats.stall_cycles_mem += cycles;
    return cycles;
}

} // namespace sim::cache
