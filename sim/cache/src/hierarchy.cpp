#include "sim/cache/hierarchy.hpp"

#include <algorithm>
#include <bit>

namespace sim::cache {

namespace {

CacheGeometry geometry_of(const CacheConfig& level, unsigned line_bytes, std::uint64_t seed) {
    return {level.size_bytes, level.ways, line_bytes, level.replacement, seed};
}

// Distinct seeds per cache so that no two caches draw the same sequence.
std::uint64_t seed_for(std::uint64_t seed, std::uint64_t which) {
    return mix64(seed ^ mix64(which));
}

} // namespace

Hierarchy::Hierarchy(const HierarchyConfig& config)
    : config_((validate(config), config)),
      line_shift_(static_cast<unsigned>(std::countr_zero(config.line_bytes))),
      l2_(geometry_of(config.l2, config.line_bytes, seed_for(config.seed, 0))),
      memory_(config.mem, config.cores, config.line_bytes) {
    if (config.l2_bandwidth > 0.0) {
        MemoryConfig port = config.mem;
        port.latency = 0;
        port.bandwidth = config.l2_bandwidth;
        l2_port_.emplace(port, config.cores, config.line_bytes);
    }
    cores_.reserve(config.cores);
    for (unsigned core = 0; core < config.cores; ++core) {
        const std::uint64_t base = 1 + 2 * std::uint64_t{core};
        std::optional<Cache> walk_cache;
        if (config.tlb.walk_cache_entries != 0) {
            // A descriptor is 8 bytes: the walk cache holds descriptors, not lines.
            walk_cache.emplace(CacheGeometry{std::uint64_t{config.tlb.walk_cache_entries} * 8,
                                             config.tlb.walk_cache_ways, 8, Replacement::lru, 0});
        }
        cores_.push_back(CoreState{
            Cache(geometry_of(config.l1i, config.line_bytes, seed_for(config.seed, base))),
            Cache(geometry_of(config.l1d, config.line_bytes, seed_for(config.seed, base + 1))),
            Tlb(config.tlb.l1i_entries, config.tlb.l1i_entries),
            Tlb(config.tlb.l1d_entries, config.tlb.l1d_entries),
            Tlb(config.tlb.l2_entries, config.tlb.l2_ways),
            std::move(walk_cache),
            {},
            CoreMemoryStats{}});
    }
}

std::uint32_t Hierarchy::access_data_slow(unsigned core, std::uint64_t pa, unsigned size,
                                          bool is_write, std::uint64_t now) {
    CoreState& state = cores_[core];
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + std::max(size, 1u) - 1) >> line_shift_;
    std::uint32_t stall = 0;
    for (std::uint64_t line = first; line <= last; ++line) {
        if (line != first) {
            ++state.stats.l1d.accesses; // each further line is one more L1 access
        }
        if (!state.l1d.lookup(line, is_write)) {
            stall += data_line_miss(core, line, is_write, now + stall);
        }
    }
    state.stats.stall_cycles_mem += stall;
    return stall;
}

std::uint32_t Hierarchy::data_line_miss(unsigned core, std::uint64_t line, bool is_write,
                                        std::uint64_t now) {
    CoreState& state = cores_[core];
    ++state.stats.l1d.misses;
    std::uint32_t mshr_wait = 0;
    // A store miss is absorbed by the store buffer: the core only waits for a miss
    // register. A load waits for the data.
    const bool core_waits = !is_write;
    const std::uint32_t latency = l2_refill(core, line, false, core_waits, now, mshr_wait);
    const Eviction victim = state.l1d.fill(line, is_write);
    if (victim.valid) {
        l1_victim_to_l2(core, victim, now);
    }
    return core_waits ? latency - config_.l1d.latency : mshr_wait;
}

std::uint32_t Hierarchy::l2_refill(unsigned core, std::uint64_t line, bool fetch, bool core_waits,
                                   std::uint64_t now, std::uint32_t& mshr_wait) {
    CoreState& state = cores_[core];
    ++state.stats.l2.accesses;
    ++l2_counters_.accesses;
    // Every L1 linefill holds a miss register until its data arrives: the one
    // that frees first; if none is free now, the core waits.
    auto* const registers = state.mshr_free_at.data();
    auto* const earliest = std::min_element(registers, registers + config_.mem.mshrs);
    mshr_wait = 0;
    if (*earliest > now) {
        mshr_wait = static_cast<std::uint32_t>(*earliest - now);
        state.stats.mshr_stall_cycles += mshr_wait;
    }
    const std::uint64_t start = now + mshr_wait;
    // Then the shared L2 port (l2.bandwidth), hit or miss.
    const std::uint32_t port = l2_port_ ? l2_port_->read(core, start, core_waits) : 0;
    std::uint32_t latency = mshr_wait + port + config_.l2.latency;
    if (l2_.lookup(line, false)) {
        *earliest = now + latency;
        return latency;
    }
    ++state.stats.l2.misses;
    ++l2_counters_.misses;
    ++state.stats.mem_reads;
    latency += memory_.read(core, start + port, core_waits);
    *earliest = now + latency;
    // Cortex-A53 TRM 7.6: instruction refills allocate in the L2, data refills do
    // not (data enters the L2 when the L1 evicts it) unless configured otherwise.
    if (fetch || config_.l2_allocation == L2Allocation::on_fill) {
        write_back(core, l2_.fill(line, false), now);
    }
    return latency;
}

void Hierarchy::l1_victim_to_l2(unsigned core, const Eviction& victim, std::uint64_t now) {
    if (config_.l2_allocation == L2Allocation::on_l1_eviction || victim.dirty) {
        ++l2_victim_fills_;
        if (l2_port_) {
            l2_port_->writeback(core, now); // the victim's data crosses the L2 port
        }
        write_back(core, l2_.insert(victim.line, victim.dirty), now);
    }
}

void Hierarchy::write_back(unsigned core, const Eviction& victim, std::uint64_t now) {
    if (victim.valid && victim.dirty) {
        ++l2_writebacks_;
        memory_.writeback(core, now);
    }
}

std::uint32_t Hierarchy::fetch_block_slow(unsigned core, std::uint64_t pa, unsigned bytes,
                                          std::uint64_t now) {
    CoreState& state = cores_[core];
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + std::max(bytes, 1u) - 1) >> line_shift_;
    std::uint32_t stall = 0;
    for (std::uint64_t line = first; line <= last; ++line) {
        // A single-line block was counted and looked up by the inline path; the
        // lookup changed nothing on its miss, so repeating it is exact.
        if (first != last) {
            ++state.stats.l1i.accesses;
        }
        if (state.l1i.lookup(line, false)) {
            continue;
        }
        ++state.stats.l1i.misses;
        std::uint32_t mshr_wait = 0;
        const std::uint32_t latency = l2_refill(core, line, true, true, now + stall, mshr_wait);
        state.l1i.fill(line, false); // instruction lines are clean: the victim is dropped
        // After the block's first line the refill was started by the prefetcher
        // while the previous line executed.
        const std::uint32_t hidden = line == first ? 0 : config_.l1i_prefetch_overlap;
        const std::uint32_t exposed = latency - config_.l1i.latency;
        stall += exposed > hidden ? exposed - hidden : 0;
    }
    state.stats.stall_cycles_mem += stall;
    return stall;
}

std::uint32_t Hierarchy::access_range(unsigned core, std::uint64_t pa, std::uint64_t bytes,
                                      bool is_write, std::uint64_t now) {
    if (bytes == 0) {
        return 0;
    }
    const std::uint64_t line_bytes = config_.line_bytes;
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + bytes - 1) >> line_shift_;
    std::uint32_t stall = 0;
    for (std::uint64_t line = first; line <= last; ++line) {
        stall += access_data(core, line * line_bytes, 1, is_write, now + stall);
    }
    return stall;
}

std::uint32_t Hierarchy::descriptor_read(unsigned core, std::uint64_t pa, std::uint64_t now) {
    CoreState& state = cores_[core];
    ++state.stats.l1d.accesses;
    const std::uint64_t line = pa >> line_shift_;
    if (state.l1d.lookup(line, false)) {
        return config_.l1d.latency;
    }
    return config_.l1d.latency + data_line_miss(core, line, false, now);
}

Translation Hierarchy::translate_slow(unsigned core, std::uint64_t address, AccessKind kind,
                                      std::uint64_t now, WalkerRef walker) {
    CoreState& state = cores_[core];
    const bool fetch = kind == AccessKind::fetch;
    Tlb& micro = fetch ? state.itlb : state.dtlb;
    ++(fetch ? state.stats.itlb : state.stats.dtlb).misses;
    ++state.stats.l2tlb.accesses;
    std::uint32_t cycles = config_.tlb.l2_latency;
    std::uint64_t pa = 0;
    const unsigned shift = state.l2tlb.lookup(address, pa);
    if (shift != 0) {
        micro.insert(address, pa, shift, state.l2tlb.last_global());
        state.stats.stall_cycles_mem += cycles;
        return {pa, cycles, false};
    }
    ++state.stats.l2tlb.misses;
    ++state.stats.walks;
    WalkResult walk;
    walker(address, kind, walk);
    for (unsigned i = 0; i < walk.read_count; ++i) {
        const std::uint64_t descriptor = walk.reads[i];
        ++state.stats.walk_reads;
        if (state.walk_cache && (walk.intermediate_mask >> i & 1u) != 0) {
            const std::uint64_t entry = descriptor >> 3;
            if (state.walk_cache->lookup(entry, false)) {
                ++state.stats.walk_cache_hits;
                cycles += config_.tlb.walk_cache_latency;
                continue;
            }
            state.walk_cache->fill(entry, false);
        }
        cycles += descriptor_read(core, descriptor, now + cycles);
    }
    state.stats.walk_cycles += cycles;
    state.stats.stall_cycles_mem += cycles;
    if (walk.fault) {
        return {0, cycles, true};
    }
    state.l2tlb.insert(address, walk.pa, walk.page_shift, walk.global);
    micro.insert(address, walk.pa, walk.page_shift, walk.global);
    return {walk.pa, cycles, false};
}

void Hierarchy::set_asid(unsigned core, std::uint16_t asid) {
    CoreState& state = cores_[core];
    state.itlb.set_asid(asid);
    state.dtlb.set_asid(asid);
    state.l2tlb.set_asid(asid);
}

void Hierarchy::invalidate_tlb_address(unsigned core, std::uint64_t address, std::uint16_t asid,
                                       bool all_asids) {
    CoreState& state = cores_[core];
    state.itlb.invalidate_address(address, asid, all_asids);
    state.dtlb.invalidate_address(address, asid, all_asids);
    state.l2tlb.invalidate_address(address, asid, all_asids);
    if (state.walk_cache) {
        state.walk_cache->invalidate_all();
    }
}

void Hierarchy::invalidate_tlb_asid(unsigned core, std::uint16_t asid) {
    CoreState& state = cores_[core];
    state.itlb.invalidate_asid(asid);
    state.dtlb.invalidate_asid(asid);
    state.l2tlb.invalidate_asid(asid);
    if (state.walk_cache) {
        state.walk_cache->invalidate_all();
    }
}

void Hierarchy::flush_tlbs(unsigned core) {
    CoreState& state = cores_[core];
    state.itlb.flush();
    state.dtlb.flush();
    state.l2tlb.flush();
    if (state.walk_cache) {
        state.walk_cache->invalidate_all();
    }
}

void Hierarchy::flush_caches(std::uint64_t now) {
    std::uint64_t dirty = l2_.invalidate_all();
    for (CoreState& state : cores_) {
        state.l1i.invalidate_all();
        dirty += state.l1d.invalidate_all(); // cleaned to memory (point of coherency)
    }
    for (std::uint64_t i = 0; i < dirty; ++i) {
        ++l2_writebacks_;
        memory_.writeback(0, now);
    }
}

std::uint64_t Hierarchy::clean_invalidate(unsigned core, std::uint64_t pa, std::uint64_t bytes,
                                          std::uint64_t now) {
    if (bytes == 0) {
        return 0;
    }
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + bytes - 1) >> line_shift_;
    std::uint64_t dirty = 0;
    for (std::uint64_t line = first; line <= last; ++line) {
        bool line_dirty = false;
        for (CoreState& state : cores_) {
            state.l1i.invalidate(line);
            line_dirty |= state.l1d.invalidate(line);
        }
        line_dirty |= l2_.invalidate(line);
        if (line_dirty) {
            ++dirty;
            ++l2_writebacks_;
            memory_.writeback(core, now);
        }
    }
    // The DSB waits for the last write-back to reach memory; their bandwidth
    // reaches the core as contention (memory_.writeback above).
    return (last - first + 1) * kCleanLineCycles + (dirty != 0 ? config_.mem.latency : 0);
}

std::uint64_t Hierarchy::take_contention_stall(unsigned core) {
    const std::uint64_t cycles =
        memory_.take_adjustment(core) + (l2_port_ ? l2_port_->take_adjustment(core) : 0);
    cores_[core].stats.stall_cycles_mem += cycles;
    return cycles;
}

MemoryStats Hierarchy::stats() const {
    MemoryStats out;
    out.cores.reserve(cores_.size());
    for (unsigned core = 0; core < cores_.size(); ++core) {
        CoreMemoryStats stats = cores_[core].stats;
        stats.mem_queue_cycles =
            static_cast<std::uint64_t>(std::max<std::int64_t>(0, memory_.core_queue_cycles(core)));
        if (l2_port_) {
            stats.l2_queue_cycles = static_cast<std::uint64_t>(
                std::max<std::int64_t>(0, l2_port_->core_queue_cycles(core)));
        }
        out.cores.push_back(stats);
    }
    out.l2 = l2_counters_;
    out.l2_writebacks = l2_writebacks_;
    out.l2_victim_fills = l2_victim_fills_;
    const MemoryControllerStats& memory = memory_.stats();
    out.mem_reads = memory.reads;
    out.mem_writebacks = memory.writebacks;
    out.mem_bytes = memory.bytes;
    out.mem_queue_cycles = memory.queue_cycles;
    if (l2_port_) {
        out.l2_queue_cycles = l2_port_->stats().queue_cycles;
    }
    return out;
}

} // namespace sim::cache
