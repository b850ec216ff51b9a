// The parallel scheduler's bound and weave on the shared levels (docs/parallel.md).
#include "sim/cache/hierarchy.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sim::cache {

void Hierarchy::begin_bound() {
    std::lock_guard lock(weave_sync_->weaving); // a late weave_some() sees it closed
    weave_sync_->open = false;
    for (unsigned core = 0; core < cores_.size(); ++core) {
        CoreState& state = cores_[core];
        state.bound_log.clear();
        state.bound_lines.clear();
        state.bound_lines_filter = 0;
        state.floor = 0;
        state.published_floor = 0;
        weave_sync_->logs[core].published.store(0, std::memory_order_relaxed);
        weave_sync_->logs[core].watermark.store(0, std::memory_order_relaxed);
        WeaveCore& w = weave_cores_[core];
        w.pending.clear();
        w.head = 0;
        w.copied = 0;
    }
    l2_.update_copy(l2_bound_);
    port_delay_bound_ = l2_port_ ? l2_port_->current_delay() : 0;
    mem_delay_bound_ = memory_.current_delay();
    mem_queue_bound_.resize(cores_.size());
    port_queue_bound_.resize(cores_.size());
    mem_conflict_bound_.resize(cores_.size());
    for (unsigned core = 0; core < cores_.size(); ++core) {
        mem_queue_bound_[core] = memory_.core_queue_cycles(core);
        mem_conflict_bound_[core] = memory_.conflict_delay(core);
        port_queue_bound_[core] = l2_port_ ? l2_port_->core_queue_cycles(core) : 0;
    }
    bound_ = true;
}

void Hierarchy::set_floor(unsigned core, std::uint64_t cycle) {
    note_now(core, cycle);
    if (bound_) {
        publish_floor(core);
    }
}

void Hierarchy::open_weave() {
    std::lock_guard lock(weave_sync_->weaving);
    weave_sync_->open = bound_;
}

// The owner's append. The log is reallocated only under `grow`, which the
// weaver holds while it copies entries out; the count is published after the
// entry is written.
void Hierarchy::log_shared(unsigned core, const SharedAccess& access) {
    CoreState& state = cores_[core];
    if (access.at < state.floor) {
        throw std::logic_error("parallel weave: core " + std::to_string(core) +
                               " logged a shared access at cycle " + std::to_string(access.at) +
                               ", before its watermark " + std::to_string(state.floor) +
                               " (shared access before the watermark)");
    }
    LogSync& sync = weave_sync_->logs[core];
    std::vector<SharedAccess>& log = state.bound_log;
    if (log.size() == log.capacity()) {
        std::lock_guard lock(sync.grow);
        log.reserve(std::max<std::size_t>(256, 2 * log.capacity()));
    }
    log.push_back(access);
    sync.published.store(log.size(), std::memory_order_release);
}

bool Hierarchy::l2_holds_bound(const CoreState& state, std::uint64_t line) const {
    return l2_bound_.contains(line) ||
           ((state.bound_lines_filter >> (line & 63) & 1) != 0 &&
            std::find(state.bound_lines.begin(), state.bound_lines.end(), line) !=
                state.bound_lines.end());
}

void Hierarchy::add_bound_line(CoreState& state, std::uint64_t line) {
    state.bound_lines.push_back(line);
    state.bound_lines_filter |= std::uint64_t{1} << (line & 63);
}

// The port and the memory controller charge the delay of their last closed
// window, and the controller a bank conflict delay from the closed windows,
// which no core changes before the weave: only the L2's hit or miss is a guess.
std::uint32_t Hierarchy::l2_refill_bound(unsigned core, std::uint64_t line, bool fetch,
                                         bool core_waits, std::uint64_t start) {
    CoreState& state = cores_[core];
    std::uint32_t latency = port_delay_bound_ + config_.l2.latency;
    if (!l2_holds_bound(state, line)) {
        latency += config_.mem.latency + mem_conflict_bound_[core] + mem_delay_bound_;
        if ((fetch ? config_.l2_inst_allocation : config_.l2_allocation) == L2Allocation::on_fill) {
            add_bound_line(state, line);
        }
    }
    log_shared(core,
               {SharedAccess::Kind::refill, fetch, core_waits, false, latency, start, line, 0});
    return latency;
}

void Hierarchy::l2_insert_bound(unsigned core, std::uint64_t line, bool dirty, std::uint64_t now) {
    CoreState& state = cores_[core];
    add_bound_line(state, line);
    log_shared(core, {SharedAccess::Kind::victim, false, false, dirty, 0, now, line, 0});
}

// Returns the actual minus the predicted cycles the core waited for.
std::int64_t Hierarchy::weave_access(unsigned core, const SharedAccess& a) {
    WeaveCore& state = weave_cores_[core];
    switch (a.kind) {
    case SharedAccess::Kind::refill: {
        ++l2_counters_.accesses;
        const std::uint32_t port = l2_port_ ? l2_port_->read(core, a.at, a.core_waits) : 0;
        std::uint64_t latency = port + config_.l2.latency;
        if (!l2_.lookup(a.line, false)) {
            ++state.l2_misses; // readers during the quantum see them at its end
            ++l2_counters_.misses;
            ++state.mem_reads;
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

// New entries of the core's log, inserted into its sorted pending list
// (stable: an entry moves only before later cycles). No entry goes before one
// already woven: the weaver wove only up to the watermark.
void Hierarchy::copy_new_entries(unsigned core) {
    LogSync& sync = weave_sync_->logs[core];
    const std::size_t published = sync.published.load(std::memory_order_acquire);
    WeaveCore& w = weave_cores_[core];
    if (published == w.copied) {
        return;
    }
    std::lock_guard lock(sync.grow);
    const SharedAccess* log = cores_[core].bound_log.data();
    std::vector<SharedAccess>& pending = w.pending;
    for (std::size_t i = w.copied; i < published; ++i) {
        const SharedAccess& moved = log[i];
        std::size_t j = pending.size();
        pending.push_back(moved);
        for (; j > w.head && pending[j - 1].at > moved.at; --j) {
            pending[j] = pending[j - 1];
        }
        pending[j] = moved;
    }
    w.copied = published;
}

// At the quantum's end, a log nothing was copied from (always so on one host
// thread) is taken whole and sorted in place: no copy.
void Hierarchy::take_whole_log(unsigned core) {
    WeaveCore& w = weave_cores_[core];
    w.pending.clear();
    w.pending.swap(cores_[core].bound_log);
    w.head = 0;
    w.copied = w.pending.size();
    std::vector<SharedAccess>& log = w.pending;
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

// The order is (cycle, core, issue order): a total order that no host thread's
// timing sets. The next entry in it is woven once no core can still log one
// before it: every core's later entries are at or after its watermark (read
// before its published count, so every entry below the watermark is copied),
// so an entry of core c at cycle t may go if t <= the watermark of c and of
// every higher core and t < that of every lower core. A clean-and-invalidate
// touches every core's L1s: it waits for the end (`all`).
std::size_t Hierarchy::weave_ready(bool all) {
    const unsigned cores = static_cast<unsigned>(cores_.size());
    std::array<std::uint64_t, 64> marks{};
    std::vector<std::uint64_t> many;
    std::uint64_t* mark = marks.data();
    if (cores > marks.size()) {
        many.resize(cores);
        mark = many.data();
    }
    for (unsigned c = 0; c < cores; ++c) {
        mark[c] = all ? ~std::uint64_t{0}
                      : weave_sync_->logs[c].watermark.load(std::memory_order_acquire);
        if (all && weave_cores_[c].copied == 0) {
            take_whole_log(c);
        } else {
            copy_new_entries(c);
        }
    }
    std::size_t woven = 0;
    for (;; ++woven) {
        unsigned core = kNoCore;
        std::uint64_t at = 0;
        for (unsigned c = 0; c < cores; ++c) {
            const WeaveCore& w = weave_cores_[c];
            if (w.head < w.pending.size() && (core == kNoCore || w.pending[w.head].at < at)) {
                core = c;
                at = w.pending[w.head].at;
            }
        }
        if (core == kNoCore) {
            break;
        }
        WeaveCore& w = weave_cores_[core];
        if (!all) {
            bool safe = w.pending[w.head].kind != SharedAccess::Kind::clean;
            for (unsigned c = 0; c < cores && safe; ++c) {
                safe = c < core ? at < mark[c] : at <= mark[c];
            }
            if (!safe) {
                break;
            }
        }
        w.balance += weave_access(core, w.pending[w.head++]);
    }
    return woven;
}

std::size_t Hierarchy::weave_some() {
    std::unique_lock lock(weave_sync_->weaving, std::try_to_lock);
    if (!lock.owns_lock() || !weave_sync_->open) {
        return 0;
    }
    return weave_ready(false);
}

// Every core's quantum is over: the rest of the entries, then the deferred
// counters.
std::size_t Hierarchy::weave() {
    // A weave_some() on another host thread holds the lock for microseconds:
    // wait for it without a system call (a futex wake-up costs more).
    std::mutex& weaving = weave_sync_->weaving;
    for (unsigned spin = 0; spin < 4096 && !weaving.try_lock(); ++spin) {
        if (spin == 4095) {
            weaving.lock();
        }
    }
    std::lock_guard lock(weaving, std::adopt_lock);
    weave_sync_->open = false;
    bound_ = false;
    const std::size_t woven = weave_ready(true);
    for (unsigned core = 0; core < cores_.size(); ++core) {
        CoreState& state = cores_[core];
        WeaveCore& w = weave_cores_[core];
        state.stats.l2.misses += w.l2_misses;
        state.stats.mem_reads += w.mem_reads;
        w.l2_misses = 0;
        w.mem_reads = 0;
        w.pending.clear();
        w.head = 0;
        w.copied = 0;
        state.bound_log.clear();
        state.bound_lines.clear();
        state.bound_lines_filter = 0;
    }
    return woven;
}

std::uint64_t Hierarchy::take_weave_correction(unsigned core) {
    WeaveCore& w = weave_cores_[core];
    if (w.balance <= 0) {
        return 0;
    }
    const auto cycles = static_cast<std::uint64_t>(w.balance);
    w.balance = 0;
    cores_[core].stats.stall_cycles_mem += cycles;
    return cycles;
}

} // namespace sim::cache
