// The A53's L1 D policies, one switch each (docs/timing-model.md, "The A53's
// cache policies"): the stride prefetcher and write streaming. Members of
// Hierarchy, kept apart from the access paths in hierarchy.cpp that call them.
#include "sim/cache/hierarchy.hpp"

#include <algorithm>
#include <bit>

namespace sim::cache {

// The stride prefetcher (Cortex-A53 TRM 6.6.2): misses at one stride of at most
// max_stride lines, `trigger` in a row, start a stream that keeps linefills in
// flight ahead of the demand accesses (`degree` for all streams together:
// CPUACTLR_EL1.L1PCTL counts the L1 memory system's outstanding prefetches),
// within the 4 KiB page (the model sees physical addresses only). A prefetch
// needs a free miss register now; without one it is dropped (the TRM: prefetch
// linefills can be dropped). With `streams` > 1 (CPUACTLR_EL1.NPFSTRM) each
// stream trains on its own misses.
void Hierarchy::train_prefetcher(unsigned core, std::uint64_t line, std::uint64_t now) {
    CoreState& state = cores_[core];
    const unsigned stream = stream_for(state, line);
    PrefetchStream& pf = state.prefetch[stream];
    pf.trained_at = ++state.prefetch_clock;
    const auto max_stride = static_cast<std::int64_t>(config_.l1d_prefetch.max_stride);
    const std::int64_t delta = static_cast<std::int64_t>(line - pf.last_miss);
    const bool strided = pf.last_miss != Cache::kInvalid && delta != 0 && delta <= max_stride &&
                         delta >= -max_stride;
    pf.run = !strided ? 1 : (delta == pf.stride ? pf.run + 1 : 2);
    pf.stride = strided ? delta : 0;
    pf.last_miss = line;
    if (pf.run < config_.l1d_prefetch.trigger) {
        return;
    }
    const std::uint64_t page_lines = std::max<std::uint64_t>(1, 4096 >> line_shift_);
    if (!pf.active || pf.next != line + static_cast<std::uint64_t>(pf.stride)) {
        pf.active = true;
        pf.count = 0;
        pf.head = 0;
        pf.watch = Cache::kInvalid;
        pf.next = line + static_cast<std::uint64_t>(pf.stride);
        pf.page = line / page_lines;
    }
    issue_prefetches(core, stream, now);
}

// The stream a miss extends: the one whose stride it continues, else one whose
// last miss lies within max_stride (a stream in training), else the least
// recently trained (its training restarts; lines it has in flight stay). With
// one stream, every miss trains it, as before.
unsigned Hierarchy::stream_for(CoreState& state, std::uint64_t line) const {
    const unsigned streams = config_.l1d_prefetch.streams;
    if (streams == 1) {
        return 0;
    }
    const auto max_stride = static_cast<std::int64_t>(config_.l1d_prefetch.max_stride);
    unsigned near = kMaxPrefetchStreams;
    unsigned oldest = 0;
    for (unsigned i = 0; i < streams; ++i) {
        const PrefetchStream& pf = state.prefetch[i];
        if (pf.last_miss != Cache::kInvalid) {
            const std::int64_t delta = static_cast<std::int64_t>(line - pf.last_miss);
            if (pf.stride != 0 && delta == pf.stride) {
                return i;
            }
            if (near == kMaxPrefetchStreams && delta != 0 && delta <= max_stride &&
                delta >= -max_stride) {
                near = i;
            }
        }
        if (pf.trained_at < state.prefetch[oldest].trained_at) {
            oldest = i;
        }
    }
    if (near != kMaxPrefetchStreams) {
        return near;
    }
    // The stream replaced forgets its training, as a new stream starts.
    PrefetchStream& fresh = state.prefetch[oldest];
    fresh.last_miss = Cache::kInvalid;
    fresh.stride = 0;
    fresh.run = 0;
    return oldest;
}

void Hierarchy::issue_prefetches(unsigned core, unsigned stream, std::uint64_t now) {
    CoreState& state = cores_[core];
    PrefetchStream& pf = state.prefetch[stream];
    const std::uint64_t page_lines = std::max<std::uint64_t>(1, 4096 >> line_shift_);
    auto* const registers = state.mshr_free_at.data();
    // Every stream's prefetches count against the core's limit (L1PCTL); how
    // the A53 shares it is not public: each stream takes at most its share.
    const unsigned streams = config_.l1d_prefetch.streams;
    const unsigned degree = config_.l1d_prefetch.degree;
    const unsigned share = (degree + streams - 1) / streams;
    unsigned in_flight = 0;
    for (unsigned i = 0; i < streams; ++i) {
        in_flight += state.prefetch[i].count;
    }
    for (unsigned tries = 0;
         pf.active && in_flight < degree && pf.count < share && tries < 2 * degree; ++tries) {
        const std::uint64_t line = pf.next;
        if (line / page_lines != pf.page) {
            pf.active = false; // the stream left its page
            break;
        }
        if (state.l1d.contains(line)) {
            pf.next += static_cast<std::uint64_t>(pf.stride);
            continue;
        }
        if (*std::min_element(registers, registers + config_.mem.mshrs) > now) {
            break; // no free miss register: dropped, retried at the next use
        }
        std::uint32_t mshr_wait = 0;
        const std::uint32_t latency = l2_refill(core, line, false, false, now, mshr_wait);
        const Eviction victim = state.l1d.fill(line, false);
        if (victim.valid) {
            l1_victim_to_l2(core, victim, now);
        }
        ++state.stats.prefetches;
        const unsigned slot = (pf.head + pf.count) % kMaxPrefetchDegree;
        pf.lines[slot] = line;
        pf.ready[slot] = now + latency;
        ++pf.count;
        ++in_flight;
        pf.next += static_cast<std::uint64_t>(pf.stride);
    }
    pf.watch = pf.count != 0 ? pf.lines[pf.head] : Cache::kInvalid;
    update_prefetch_watch(state);
}

void Hierarchy::update_prefetch_watch(CoreState& state) const {
    std::uint64_t bits = 0;
    for (unsigned i = 0; i < config_.l1d_prefetch.streams; ++i) {
        if (state.prefetch[i].watch != Cache::kInvalid) {
            bits |= std::uint64_t{1} << (state.prefetch[i].watch & 63);
        }
    }
    state.prefetch_watch = bits;
}

std::uint32_t Hierarchy::use_prefetched(unsigned core, unsigned stream, std::uint64_t now) {
    CoreState& state = cores_[core];
    PrefetchStream& pf = state.prefetch[stream];
    // Evicted before its use: the demand access misses as if never prefetched.
    const std::uint64_t ready = state.l1d.contains(pf.watch) ? pf.ready[pf.head] : 0;
    pf.head = (pf.head + 1) % kMaxPrefetchDegree;
    --pf.count;
    ++state.stats.prefetch_hits;
    // The demand access waits for the rest of the prefetch's refill (a late
    // prefetch still saves the part already done).
    const std::uint64_t hit_at = now + config_.l1d.latency;
    const auto wait = static_cast<std::uint32_t>(ready > hit_at ? ready - hit_at : 0);
    issue_prefetches(core, stream, now);
    return wait;
}

namespace {

// Bits of the granules (line / 64 bytes each) of `line` that [pa, pa + size) covers
// whole; a store smaller than a granule covers none.
std::uint64_t granules_written(std::uint64_t line, unsigned line_shift, std::uint64_t pa,
                               unsigned size) {
    const std::uint64_t line_bytes = std::uint64_t{1} << line_shift;
    const std::uint64_t granule = std::max<std::uint64_t>(1, line_bytes / 64);
    const std::uint64_t base = line << line_shift;
    const std::uint64_t begin = std::max(pa, base) - base;
    const std::uint64_t end = std::min(pa + size, base + line_bytes) - base;
    const std::uint64_t first = (begin + granule - 1) / granule;
    const std::uint64_t last = end / granule; // exclusive
    if (last <= first) {
        return 0;
    }
    const std::uint64_t count = last - first;
    return (count >= 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << count) - 1)) << first;
}

} // namespace

void Hierarchy::note_store(unsigned core, std::uint64_t line, std::uint64_t pa, unsigned size,
                           std::uint64_t now) {
    WriteRun& run = cores_[core].writes;
    run.written |= granules_written(line, line_shift_, pa, size);
    const std::uint64_t granules = std::min<std::uint64_t>(64, config_.line_bytes);
    const std::uint64_t full =
        granules >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << granules) - 1;
    if (run.written == full) {
        ++run.full_lines;
        end_write_line(core, now);
    }
}

// The tracked line's run is over: fully written (full_lines already counted) or
// abandoned (a partial line ends streaming: the TRM's "write burst that is not a
// full cache line"). A streamed line's data leaves the store buffer now: to the
// L2 below the L2 threshold, to memory above it.
void Hierarchy::end_write_line(unsigned core, std::uint64_t now) {
    CoreState& state = cores_[core];
    WriteRun& run = state.writes;
    if (run.line == Cache::kInvalid) {
        return;
    }
    const std::uint64_t granules = std::min<std::uint64_t>(64, config_.line_bytes);
    const std::uint64_t full =
        granules >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << granules) - 1;
    if (run.written != full) {
        run.full_lines = 0;
    }
    if (run.streamed) {
        // Counted with this line: the lines after the first l2_lines skip the L2.
        if (run.full_lines > config_.write_streaming.l2_lines) {
            if (bound_) {
                log_shared(core, {SharedAccess::Kind::mem_writeback, false, false, false, 0, now,
                                  run.line, 0});
            } else {
                memory_.writeback(core, now);
            }
        } else {
            l1_victim_to_l2(core, Eviction{true, true, run.line}, now);
        }
    }
    run.line = Cache::kInvalid;
    run.written = 0;
    run.streamed = false;
}

} // namespace sim::cache
