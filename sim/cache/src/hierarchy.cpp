#include "sim/cache/hierarchy.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace sim::cache {

namespace {

CacheGeometry geometry_of(const CacheConfig& level, unsigned line_bytes, std::uint64_t seed) {
    return {level.size_bytes, level.ways, line_bytes, level.replacement, seed};
}

// Distinct seeds per cache so that no two caches draw the same sequence.
std::uint64_t seed_for(std::uint64_t seed, std::uint64_t which) {
    return mix64(seed ^ mix64(which));
}

// One entry per stage-2 translation, keyed by its final descriptor's PA (8 bytes).
std::optional<Cache> ipa_cache_for(const TlbConfig& tlb) {
    if (tlb.ipa_cache_entries == 0) {
        return std::nullopt;
    }
    return Cache(CacheGeometry{std::uint64_t{tlb.ipa_cache_entries} * 8, tlb.ipa_cache_ways, 8,
                               Replacement::lru, 0});
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
        port.bank_conflict_cycles = 0; // the L2's data RAMs have no DRAM rows
        port.bandwidth = config.l2_bandwidth;
        port.arrivals = config.l2_arrivals;
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
            ipa_cache_for(config.tlb),
            CoreMemoryStats{}});
    }
    weave_sync_ = std::make_unique<WeaveSync>(config.cores);
    weave_cores_.resize(config.cores);
}

std::uint32_t Hierarchy::access_data_slow(unsigned core, std::uint64_t pa, unsigned size,
                                          bool is_write, std::uint64_t now) {
    note_now(core, now);
    CoreState& state = cores_[core];
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + std::max(size, 1u) - 1) >> line_shift_;
    std::uint32_t stall = 0;
    for (std::uint64_t line = first; line <= last; ++line) {
        if (line != first) {
            ++state.stats.l1d.accesses; // each further line is one more L1 access
        }
        stall += data_line(core, line, pa, size, is_write, now + stall);
    }
    state.stats.stall_cycles_mem += stall;
    return stall;
}

std::uint32_t Hierarchy::data_line(unsigned core, std::uint64_t line, std::uint64_t pa,
                                   unsigned size, bool is_write, std::uint64_t now) {
    CoreState& state = cores_[core];
    std::uint32_t stall = 0;
    if ((state.prefetch_watch >> (line & 63) & 1) != 0) {
        for (unsigned stream = 0; stream < config_.l1d_prefetch.streams; ++stream) {
            if (line == state.prefetch[stream].watch) {
                stall += use_prefetched(core, stream, now);
                break;
            }
        }
    }
    if (line == state.writes.line) {
        if (!is_write) {
            // A load of the line being written ends the run (TRM: "a load to the
            // same line as is currently being written").
            state.writes.full_lines = 0;
            end_write_line(core, now);
        } else if (state.writes.streamed) {
            note_store(core, line, pa, size, now); // merged in the store buffer
            return stall;
        }
    }
    if (state.l1d.lookup(line, is_write)) {
        if (is_write && line == state.writes.line) {
            note_store(core, line, pa, size, now);
        }
        return stall;
    }
    if (is_write && config_.write_streaming.enabled != 0) {
        end_write_line(core, now); // a new store linefill: the last line's run ends
        state.writes.line = line;
        state.writes.written = 0;
        state.writes.streamed = streaming(state);
        if (state.writes.streamed) {
            ++state.stats.streamed_lines;
            note_store(core, line, pa, size, now); // no linefill: the store buffer writes it out
            return stall;
        }
        stall += data_line_miss(core, line, is_write, now);
        note_store(core, line, pa, size, now);
    } else {
        stall += data_line_miss(core, line, is_write, now);
    }
    if (config_.l1d_prefetch.degree != 0) {
        train_prefetcher(core, line, now + stall);
    }
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
    if (!bound_) {
        ++l2_counters_.accesses; // shared: the weave counts a bound phase's
    }
    // Every L1 linefill holds a miss register until its data arrives: the one
    // that frees first; if none is free now, the core waits. With
    // l1i.own_linefill an instruction refill uses the IFU's own buffer instead
    // (a scratch slot here: it holds none of the core's registers).
    auto* const registers = state.mshr_free_at.data();
    std::uint64_t ifu_buffer = 0;
    auto* const earliest = fetch && config_.l1i_own_linefill != 0
                               ? &ifu_buffer
                               : std::min_element(registers, registers + config_.mem.mshrs);
    mshr_wait = 0;
    if (*earliest > now) {
        mshr_wait = static_cast<std::uint32_t>(*earliest - now);
        state.stats.mshr_stall_cycles += mshr_wait;
    }
    const std::uint64_t start = now + mshr_wait;
    if (bound_) {
        const std::uint32_t latency =
            mshr_wait + l2_refill_bound(core, line, fetch, core_waits, start);
        *earliest = now + latency;
        return latency;
    }
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
    if ((fetch ? config_.l2_inst_allocation : config_.l2_allocation) == L2Allocation::on_fill) {
        write_back(core, l2_.fill(line, false), now);
    }
    return latency;
}

void Hierarchy::l1_victim_to_l2(unsigned core, const Eviction& victim, std::uint64_t now) {
    if (config_.l2_allocation == L2Allocation::on_l1_eviction || victim.dirty) {
        if (bound_) {
            l2_insert_bound(core, victim.line, victim.dirty, now);
            return;
        }
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
    note_now(core, now);
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
        // Instruction lines are clean: the victim is dropped, unless instructions
        // enter the L2 only when the L1 I evicts them (l2.inst_allocation).
        const Eviction victim = state.l1i.fill(line, false);
        if (victim.valid && config_.l2_inst_allocation == L2Allocation::on_l1_eviction && bound_) {
            l2_insert_bound(core, victim.line, false, now + stall);
        } else if (victim.valid && config_.l2_inst_allocation == L2Allocation::on_l1_eviction) {
            ++l2_victim_fills_;
            if (l2_port_) {
                l2_port_->writeback(core, now + stall);
            }
            write_back(core, l2_.insert(victim.line, false), now + stall);
        }
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
    note_now(core, now);
    CoreState& state = cores_[core];
    const bool fetch = kind == AccessKind::fetch;
    Tlb& micro = fetch ? state.itlb : state.dtlb;
    ++(fetch ? state.stats.itlb : state.stats.dtlb).misses;
    ++state.stats.l2tlb.accesses;
    std::uint32_t cycles = config_.tlb.l2_latency;
    std::uint64_t pa = 0;
    const unsigned shift = state.l2tlb.lookup(address, pa);
    if (shift != 0) {
        micro.insert(address, pa, micro_shift(fetch, shift), state.l2tlb.last_global());
        state.stats.stall_cycles_mem += cycles;
        return {pa, cycles, false};
    }
    ++state.stats.l2tlb.misses;
    ++state.stats.walks;
    WalkResult walk;
    walker(address, kind, walk);
    // The IPA cache serves the stage-2 translations inside nested walks; a
    // stage-2-only walk's too when the walk cache holds stage 1 alone, as on
    // the A53 (before that option, such a walk used the walk cache only).
    const bool ipa_path =
        state.ipa_cache && (walk.nested() || (walk.stage2_mask != 0 && !walk_cache_stage2()));
    cycles += ipa_path ? walk_reads_ipa_cached(core, walk, now + cycles)
                       : walk_reads(core, walk, now + cycles);
    state.stats.walk_cycles += cycles;
    state.stats.stall_cycles_mem += cycles;
    if (walk.fault) {
        return {0, cycles, true};
    }
    state.l2tlb.insert(address, walk.pa, walk.page_shift, walk.global);
    micro.insert(address, walk.pa, micro_shift(fetch, walk.page_shift), walk.global);
    return {walk.pa, cycles, false};
}

std::uint32_t Hierarchy::walk_reads(unsigned core, const WalkResult& walk, std::uint64_t now) {
    return walk.read_count == 0 ? 0 : read_descriptors(core, walk, 0, walk.read_count - 1, now);
}

std::uint32_t Hierarchy::read_descriptors(unsigned core, const WalkResult& walk, unsigned first,
                                          unsigned last, std::uint64_t now) {
    CoreState& state = cores_[core];
    std::uint32_t cycles = 0;
    for (unsigned i = first; i <= last; ++i) {
        const std::uint64_t descriptor = walk.reads[i];
        ++state.stats.walk_reads;
        const bool stage2 = (walk.stage2_mask >> i & 1u) != 0;
        if (state.walk_cache && (walk.intermediate_mask >> i & 1u) != 0 &&
            (!stage2 || walk_cache_stage2())) {
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
    return cycles;
}

// A nested walk is a sequence of stage-2 translations (each a run of
// stage2_mask reads ending at its final descriptor), each followed by the
// stage-1 descriptor it located, the last one translating the output IPA.
// On the A53 the walk cache holds stage 1's result up to its last level, so a
// stage-1 table descriptor found there needs no stage-2 translation; the IPA
// cache holds stage-2 translations (Cortex-A53 TRM 5.1, 5.2).
std::uint32_t Hierarchy::walk_reads_ipa_cached(unsigned core, const WalkResult& walk,
                                               std::uint64_t now) {
    CoreState& state = cores_[core];
    std::uint32_t cycles = 0;
    for (unsigned i = 0; i < walk.read_count;) {
        if ((walk.stage2_mask >> i & 1u) == 0) {
            cycles += read_descriptors(core, walk, i, i, now + cycles);
            ++i;
            continue;
        }
        unsigned last = i; // the translation's final descriptor (or its last read)
        while (last + 1 < walk.read_count && (walk.stage2_mask >> (last + 1) & 1u) != 0 &&
               (walk.intermediate_mask >> last & 1u) != 0) {
            ++last;
        }
        const unsigned located = last + 1; // the stage-1 descriptor this translation locates
        const bool table = located < walk.read_count && (walk.stage2_mask >> located & 1u) == 0 &&
                           (walk.intermediate_mask >> located & 1u) != 0;
        if (table && state.walk_cache &&
            state.walk_cache->lookup(walk.reads[located] >> 3, false)) {
            ++state.stats.walk_reads;
            ++state.stats.walk_cache_hits;
            cycles += config_.tlb.walk_cache_latency;
            i = located + 1;
            continue;
        }
        const std::uint64_t entry = walk.reads[last] >> 3;
        if (state.ipa_cache->lookup(entry, false)) {
            ++state.stats.ipa_cache_hits;
            cycles += config_.tlb.ipa_cache_latency;
        } else {
            cycles += read_descriptors(core, walk, i, last, now + cycles);
            if ((walk.intermediate_mask >> last & 1u) == 0) {
                state.ipa_cache->fill(entry, false);
            }
        }
        i = last + 1;
    }
    return cycles;
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
    if (state.ipa_cache) {
        state.ipa_cache->invalidate_all();
    }
}

void Hierarchy::flush_caches(std::uint64_t now) {
    if (bound_) {
        throw std::logic_error("flush_caches during a bound phase (only between quanta)");
    }
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
    if (!bound_) {
        return clean_invalidate_now(core, pa, bytes, now);
    }
    // Other cores' L1s may be running: the maintenance happens in the weave; the
    // issuing core is charged as if a line were dirty only when its own L1 D or
    // the frozen L2 says so.
    note_now(core, now);
    const std::uint64_t first = pa >> line_shift_;
    const std::uint64_t last = (pa + bytes - 1) >> line_shift_;
    bool dirty = false;
    for (std::uint64_t line = first; line <= last && !dirty; ++line) {
        dirty = cores_[core].l1d.is_dirty(line) || l2_bound_.is_dirty(line);
    }
    const std::uint64_t predicted =
        (last - first + 1) * kCleanLineCycles + (dirty ? config_.mem.latency : 0);
    log_shared(core, {SharedAccess::Kind::clean, false, false, false, predicted, now, pa, bytes});
    return predicted;
}

std::uint64_t Hierarchy::clean_invalidate_now(unsigned core, std::uint64_t pa, std::uint64_t bytes,
                                              std::uint64_t now) {
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

CoreMemoryStats Hierarchy::core_memory_stats(unsigned core) const {
    CoreMemoryStats stats = cores_[core].stats;
    // During a bound phase a concurrent weave may be changing the controllers'
    // counts: the values at its start, which only the weave changes.
    const std::int64_t mem = bound_ ? mem_queue_bound_[core] : memory_.core_queue_cycles(core);
    stats.mem_queue_cycles = static_cast<std::uint64_t>(std::max<std::int64_t>(0, mem));
    if (l2_port_) {
        const std::int64_t port =
            bound_ ? port_queue_bound_[core] : l2_port_->core_queue_cycles(core);
        stats.l2_queue_cycles = static_cast<std::uint64_t>(std::max<std::int64_t>(0, port));
    }
    return stats;
}

MemoryStats Hierarchy::stats() const {
    MemoryStats out;
    out.cores.reserve(cores_.size());
    for (unsigned core = 0; core < cores_.size(); ++core) {
        out.cores.push_back(core_memory_stats(core));
    }
    out.l2 = l2_counters_;
    out.l2_writebacks = l2_writebacks_;
    out.l2_victim_fills = l2_victim_fills_;
    out.ipa_cache = config_.tlb.ipa_cache_entries != 0;
    const MemoryControllerStats& memory = memory_.stats();
    out.mem_reads = memory.reads;
    out.mem_writebacks = memory.writebacks;
    out.mem_bytes = memory.bytes;
    out.mem_queue_cycles = memory.queue_cycles;
    out.bank_conflicts = config_.mem.bank_conflict_cycles != 0;
    out.mem_bank_conflict_cycles = memory.bank_conflict_cycles;
    if (l2_port_) {
        out.l2_queue_cycles = l2_port_->stats().queue_cycles;
    }
    return out;
}

} // namespace sim::cache
