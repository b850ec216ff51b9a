// The memory hierarchy of the simulated cluster: per-core L1 I and L1 D caches and
// TLBs, a shared unified L2 indexed by physical address, and the memory
// controller. Every entry point takes a core id and that core's local cycle and
// returns the cycles the core stalls beyond an L1 hit (which the base CPI covers).
// Nothing on the access paths allocates, locks or calls virtually.
#pragma once

#include "sim/cache/cache.hpp"
#include "sim/cache/config.hpp"
#include "sim/cache/memory_controller.hpp"
#include "sim/cache/stats.hpp"
#include "sim/cache/tlb.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace sim::cache {

inline constexpr unsigned kMaxMshrs = 32;

struct Translation {
    std::uint64_t pa = 0;
    std::uint32_t cycles = 0; // stall: main-TLB lookup and walk (0 on a micro-TLB hit)
    bool fault = false;       // the walker found no mapping; nothing was cached
};

class Hierarchy {
  public:
    explicit Hierarchy(const HierarchyConfig& config); // validates; throws invalid_argument

    // One guest load or store of `size` bytes at physical address `pa`.
    std::uint32_t access_data(unsigned core, std::uint64_t pa, unsigned size, bool is_write,
                              std::uint64_t now) {
        CoreState& state = cores_[core];
        ++state.stats.l1d.accesses;
        const std::uint64_t line = pa >> line_shift_;
        // The watched lines (the prefetch streams' next lines, as bits of a
        // filter, and the line being written in a store run) are empty /
        // Cache::kInvalid unless those policies are on.
        if (((pa + size - 1) >> line_shift_) == line &&
            (state.prefetch_watch >> (line & 63) & 1) == 0 && line != state.writes.line &&
            state.l1d.lookup(line, is_write)) {
            return 0;
        }
        return access_data_slow(core, pa, size, is_write, now);
    }

    // One basic block of `bytes` bytes of code at physical address `pa`: every L1 I
    // line it touches is one access.
    std::uint32_t fetch_block(unsigned core, std::uint64_t pa, unsigned bytes, std::uint64_t now) {
        CoreState& state = cores_[core];
        const std::uint64_t line = pa >> line_shift_;
        if (((pa + bytes - 1) >> line_shift_) == line) {
            ++state.stats.l1i.accesses;
            if (state.l1i.lookup(line, false)) {
                return 0;
            }
        }
        return fetch_block_slow(core, pa, bytes, now);
    }

    // A physical range host code touches on a core's behalf (hv's account(): vGIC
    // state, page tables, the recoloring copy): one access per line.
    std::uint32_t access_range(unsigned core, std::uint64_t pa, std::uint64_t bytes, bool is_write,
                               std::uint64_t now);

    // Translates `address` (a VA, or an IPA with stage 1 off) through the core's
    // micro-TLB for `kind` and the main TLB; on a miss calls `walker` and charges
    // each descriptor read through L1 D / L2 / memory.
    Translation translate(unsigned core, std::uint64_t address, AccessKind kind, std::uint64_t now,
                          WalkerRef walker) {
        CoreState& state = cores_[core];
        const bool fetch = kind == AccessKind::fetch;
        Tlb& micro = fetch ? state.itlb : state.dtlb;
        ++(fetch ? state.stats.itlb : state.stats.dtlb).accesses;
        std::uint64_t pa = 0;
        if (micro.lookup(address, pa) != 0) {
            return {pa, 0, false};
        }
        return translate_slow(core, address, kind, now, walker);
    }

    // TLB maintenance (a TLBI, a stage-2 change): drops the core's TLB entries and
    // walk cache.
    void flush_tlbs(unsigned core);
    // The guest's address-space identifier on `core` (its TTBR write): later
    // lookups match entries of this ASID and global ones; other ASIDs' stay.
    void set_asid(unsigned core, std::uint16_t asid);
    // The guest's TLBI by VA (of `asid`, or of every ASID) and by ASID on `core`'s
    // TLBs. The walk cache is dropped whole (it is not tagged).
    void invalidate_tlb_address(unsigned core, std::uint64_t address, std::uint16_t asid,
                                bool all_asids);
    void invalidate_tlb_asid(unsigned core, std::uint16_t asid);
    // Cache maintenance: drops every line of every cache; dirty lines are counted as
    // write-backs at `now`.
    void flush_caches(std::uint64_t now);
    // Clean and invalidate by address (DC CIVAC over [pa, pa + bytes), then DSB),
    // issued by `core`: drops those lines from every core's L1s and the L2 and
    // writes dirty ones back. Returns the issuing core's cycles: one issue per
    // line (kCleanLineCycles) plus one memory latency if any line was dirty.
    std::uint64_t clean_invalidate(unsigned core, std::uint64_t pa, std::uint64_t bytes,
                                   std::uint64_t now);
    static constexpr std::uint64_t kCleanLineCycles = 2; // an estimate: not calibrated

    // Every core has reached `cycle`: closes the memory controller's windows before
    // it. Call after each round of quanta, then add take_contention_stall() to each
    // core's clock before its next quantum.
    void end_quantum(std::uint64_t cycle) {
        memory_.close_until(cycle);
        if (l2_port_) {
            l2_port_->close_until(cycle);
        }
    }
    std::uint64_t take_contention_stall(unsigned core);

    // The parallel scheduler's bound and weave (docs/parallel.md). Between
    // begin_bound() and weave() the shared L2, its port and the memory controller
    // are left as they were: each core's accesses to them are predicted from that
    // frozen L2 plus the lines the core itself put in it since, and recorded in the
    // core's own log, so cores on different host threads touch only their own
    // state. weave() applies every log in timestamp order (ties: core id, then
    // issue order) and adds each waiting access's actual minus predicted latency
    // to that core's correction; take_weave_correction() hands it out (a negative
    // balance is kept as credit, as the memory controller does).
    //
    // The weave may also run while cores still run their bound parts (the
    // concurrent weave): between open_weave() and weave(), weave_some() from
    // any host thread applies the accesses that no core can still precede in
    // that order, and weave() the rest, so the result is the same whoever
    // wove how much when. What makes it exact: every access a core logs is at
    // or after the `now` of the call that logs it, so the last `now` each core
    // passed (its watermark, published with release) bounds its later
    // accesses; set_floor() raises it from the scheduler (a slice's end), and
    // an access below it is a logic_error ("shared access before the
    // watermark"), as the order would then depend on the weave's progress.
    // Meanwhile the predictions read a copy of the L2's tags and the delays
    // taken at begin_bound(), and the counters readers see during a quantum
    // (per-core L2 misses and memory reads, queueing cycles) change only at
    // weave(), as with a weave after the quantum.
    void begin_bound();
    void set_floor(unsigned core, std::uint64_t cycle);
    void open_weave();
    // Return how many accesses they wove; weave_some() does nothing if another
    // thread is weaving or the weave is not open.
    std::size_t weave_some();
    std::size_t weave();
    bool in_bound() const { return bound_; }
    std::uint64_t take_weave_correction(unsigned core);

    MemoryStats stats() const;
    // One core's part of stats() (touches no other core's counters).
    CoreMemoryStats core_memory_stats(unsigned core) const;
    // One core's raw counters (the PMU reads them at every MRS, without copying all).
    const CoreMemoryStats& core_stats(unsigned core) const { return cores_[core].stats; }
    const HierarchyConfig& config() const { return config_; }
    unsigned cores() const { return static_cast<unsigned>(cores_.size()); }

    // Read-only views for tests and reports.
    const Cache& l2() const { return l2_; }
    const Cache& l1d(unsigned core) const { return cores_[core].l1d; }
    const Cache& l1i(unsigned core) const { return cores_[core].l1i; }
    const MemoryController& memory() const { return memory_; }

    // Checkpoints (sim/checkpoint.h): every cache's and TLB's contents, the
    // prefetchers, write streams, MSHRs, memory controllers and counters.
    template <class Archive> void checkpoint(Archive& a) {
        a.same_size(cores_, "memory model cores");
        for (CoreState& c : cores_) {
            c.l1i.checkpoint(a);
            c.l1d.checkpoint(a);
            c.itlb.checkpoint(a);
            c.dtlb.checkpoint(a);
            c.l2tlb.checkpoint(a);
            if (c.walk_cache) {
                c.walk_cache->checkpoint(a);
            }
            if (c.ipa_cache) {
                c.ipa_cache->checkpoint(a);
            }
            a.value(c.mshr_free_at);
            a.value(c.stats);
            a.value(c.prefetch);
            a.value(c.prefetch_watch);
            a.value(c.prefetch_clock);
            a.value(c.writes);
        }
        l2_.checkpoint(a);
        memory_.checkpoint(a);
        if (l2_port_) {
            l2_port_->checkpoint(a);
        }
        a.value(l2_counters_);
        a.value(l2_writebacks_);
        a.value(l2_victim_fills_);
    }

  private:
    // The L1 D stride prefetcher's state (PrefetchConfig): training on misses,
    // then the lines in flight ahead of the stream, oldest first.
    struct PrefetchStream {
        std::uint64_t watch = Cache::kInvalid;     // oldest line in flight (the next use)
        std::uint64_t last_miss = Cache::kInvalid; // training: the last demand linefill
        std::int64_t stride = 0;                   // in lines
        unsigned run = 0;                          // consecutive misses at `stride`
        bool active = false;                       // a stream is prefetching
        std::uint64_t next = 0;                    // next line to prefetch
        std::uint64_t page = 0;                    // the stream stays in this 4 KiB page
        std::array<std::uint64_t, kMaxPrefetchDegree> lines{};
        std::array<std::uint64_t, kMaxPrefetchDegree> ready{}; // cycle its data arrives
        unsigned head = 0;
        unsigned count = 0;
        std::uint64_t trained_at = 0; // the core's prefetch_clock when last trained (LRU)
    };
    // Write streaming (WriteStreamingConfig): the line a store run is writing and
    // which parts of it were written.
    struct WriteRun {
        std::uint64_t line = Cache::kInvalid;
        std::uint64_t written = 0; // one bit per granule (line / 64 bytes)
        unsigned full_lines = 0;   // consecutive store linefills fully written
        bool streamed = false;     // `line` was not allocated in the L1 D
    };

    // One access of a core to the shared levels, recorded in the bound phase.
    struct SharedAccess {
        enum class Kind : std::uint8_t { refill, victim, mem_writeback, clean };
        Kind kind = Kind::refill;
        bool fetch = false;          // refill: an instruction refill
        bool core_waits = false;     // refill: the core stalls on its data
        bool dirty = false;          // victim
        std::uint64_t predicted = 0; // refill, clean: the cycles the bound phase charged
        std::uint64_t at = 0;        // core-local cycle
        std::uint64_t line = 0;      // clean: first PA
        std::uint64_t bytes = 0;     // clean
    };

    // Cache-line aligned: under the parallel scheduler neighbouring cores' state
    // is written by different host threads (one core's log next to the next
    // core's L1 I most-recent line).
    struct alignas(64) CoreState {
        Cache l1i;
        Cache l1d;
        Tlb itlb;
        Tlb dtlb;
        Tlb l2tlb;
        std::optional<Cache> walk_cache;
        std::array<std::uint64_t, kMaxMshrs> mshr_free_at{};
        std::optional<Cache> ipa_cache; // tlb.ipa_cache
        CoreMemoryStats stats;
        std::array<PrefetchStream, kMaxPrefetchStreams> prefetch{};
        // One bit per (line mod 64) of every stream's watched line: the inline
        // path's filter (0 with the prefetcher off).
        std::uint64_t prefetch_watch = 0;
        std::uint64_t prefetch_clock = 0; // demand linefills that trained a stream
        WriteRun writes{};
        std::vector<SharedAccess> bound_log{};    // this quantum's shared accesses (bound phase)
        std::vector<std::uint64_t> bound_lines{}; // lines this core put in the L2 this quantum
        // One bit per (line mod 64) of bound_lines: most predictions miss it
        // and skip the search.
        std::uint64_t bound_lines_filter = 0;
        std::uint64_t floor = 0;           // no later access of this bound phase is before it
        std::uint64_t published_floor = 0; // the floor last published as the watermark
    };
    // A core's log as the weaver sees it: the count of entries it may read,
    // the watermark, and the lock under which the owner reallocates the log.
    // The owner writes the count and the watermark, the weaver takes `grow`
    // on every copy: apart, so that neither write moves the other's line.
    struct alignas(64) LogSync {
        std::mutex grow;
        alignas(64) std::atomic<std::size_t> published{0};
        std::atomic<std::uint64_t> watermark{0};
    };
    // The weaver's side of a core: its log's entries copied out and kept
    // sorted by cycle (issue order on ties), the latency balance, and the
    // counters the weave defers to its end.
    struct alignas(64) WeaveCore {
        std::vector<SharedAccess> pending;
        std::size_t head = 0;   // pending[head] is the next to weave
        std::size_t copied = 0; // log entries copied into pending
        std::int64_t balance = 0;
        std::uint64_t l2_misses = 0;
        std::uint64_t mem_reads = 0;
    };
    struct WeaveSync {
        explicit WeaveSync(unsigned cores) : logs(new LogSync[cores]) {}
        std::unique_ptr<LogSync[]> logs;
        std::mutex weaving; // the weaver's state, the L2, its port, the controller
        bool open = false;  // guarded by `weaving`
    };

    std::uint32_t access_data_slow(unsigned core, std::uint64_t pa, unsigned size, bool is_write,
                                   std::uint64_t now);
    std::uint32_t fetch_block_slow(unsigned core, std::uint64_t pa, unsigned bytes,
                                   std::uint64_t now);
    Translation translate_slow(unsigned core, std::uint64_t address, AccessKind kind,
                               std::uint64_t now, WalkerRef walker);
    // One line of a data access, past the inline L1 hit check.
    std::uint32_t data_line(unsigned core, std::uint64_t line, std::uint64_t pa, unsigned size,
                            bool is_write, std::uint64_t now);
    // Prefetcher: a demand access reached the oldest line in flight (returns the
    // wait for its data); a demand linefill trains it.
    std::uint32_t use_prefetched(unsigned core, unsigned stream, std::uint64_t now);
    void train_prefetcher(unsigned core, std::uint64_t line, std::uint64_t now);
    // The stream a demand linefill of `line` trains (NPFSTRM streams).
    unsigned stream_for(CoreState& state, std::uint64_t line) const;
    void issue_prefetches(unsigned core, unsigned stream, std::uint64_t now);
    void update_prefetch_watch(CoreState& state) const;
    // Write streaming: a store's bytes of `line`; a finished or abandoned run line.
    void note_store(unsigned core, std::uint64_t line, std::uint64_t pa, unsigned size,
                    std::uint64_t now);
    void end_write_line(unsigned core, std::uint64_t now);
    bool streaming(const CoreState& state) const {
        return config_.write_streaming.enabled != 0 &&
               state.writes.full_lines >= config_.write_streaming.l1_lines;
    }
    // An L1 D line miss; returns the core's stall.
    std::uint32_t data_line_miss(unsigned core, std::uint64_t line, bool is_write,
                                 std::uint64_t now);
    // A demand lookup in the L2 for an L1 refill; returns the load-to-use latency;
    // `mshr_wait` receives the part spent waiting for a miss register.
    std::uint32_t l2_refill(unsigned core, std::uint64_t line, bool fetch, bool core_waits,
                            std::uint64_t now, std::uint32_t& mshr_wait);
    void l1_victim_to_l2(unsigned core, const Eviction& victim, std::uint64_t now);
    void write_back(unsigned core, const Eviction& victim, std::uint64_t now);
    // Bound phase: the prediction and record of an L2 refill, an L2 insertion.
    std::uint32_t l2_refill_bound(unsigned core, std::uint64_t line, bool fetch, bool core_waits,
                                  std::uint64_t start);
    void l2_insert_bound(unsigned core, std::uint64_t line, bool dirty, std::uint64_t now);
    bool l2_holds_bound(const CoreState& state, std::uint64_t line) const;
    static void add_bound_line(CoreState& state, std::uint64_t line);
    std::int64_t weave_access(unsigned core, const SharedAccess& access);
    // Bound phase: the core passed the hierarchy at `now`; its log's append.
    // The watermark a weaver reads is published only every kWatermarkStep
    // cycles (a lower one is only more cautious: the weave's order and
    // result do not change): each store the weaver has read since costs
    // the core a host cache miss.
    void note_now(unsigned core, std::uint64_t now) {
        CoreState& state = cores_[core];
        if (bound_ && now > state.floor) {
            state.floor = now;
            if (now >= state.published_floor + kWatermarkStep) {
                publish_floor(core);
            }
        }
    }
    void publish_floor(unsigned core) {
        cores_[core].published_floor = cores_[core].floor;
        weave_sync_->logs[core].watermark.store(cores_[core].floor, std::memory_order_release);
    }
    static constexpr std::uint64_t kWatermarkStep = 64;
    void log_shared(unsigned core, const SharedAccess& access);
    // Copies each core's new log entries, then weaves every entry no core can
    // precede any more (all of them if `all`); the caller holds `weaving`.
    std::size_t weave_ready(bool all);
    void copy_new_entries(unsigned core);
    void take_whole_log(unsigned core);
    std::uint64_t clean_invalidate_now(unsigned core, std::uint64_t pa, std::uint64_t bytes,
                                       std::uint64_t now);
    // Full latency of one walk descriptor read (a dependent load).
    std::uint32_t descriptor_read(unsigned core, std::uint64_t pa, std::uint64_t now);
    // A walk's descriptor reads through the walk cache, one at a time.
    std::uint32_t walk_reads(unsigned core, const WalkResult& walk, std::uint64_t now);
    // The same with the IPA cache on: a nested walk's stage-2 translations
    // are looked up in it whole, and skipped for a stage-1 table descriptor
    // the walk cache holds.
    std::uint32_t walk_reads_ipa_cached(unsigned core, const WalkResult& walk, std::uint64_t now);
    // Reads [first, last] of a walk through the walk cache.
    std::uint32_t read_descriptors(unsigned core, const WalkResult& walk, unsigned first,
                                   unsigned last, std::uint64_t now);
    // Whether the walk cache keeps stage 2's table descriptors too (tlb.walk_cache.stage2).
    bool walk_cache_stage2() const { return config_.tlb.walk_cache_stage2 != 0; }
    // The size a micro-TLB entry keeps of a mapping (tlb.l1d.huge_pages).
    unsigned micro_shift(bool fetch, unsigned shift) const {
        return fetch || config_.tlb.l1d_huge_pages != 0 ? shift : std::min(shift, kPageShift4K);
    }

    HierarchyConfig config_;
    unsigned line_shift_;
    std::vector<CoreState> cores_;
    Cache l2_;
    MemoryController memory_;
    // The shared L2's data port (l2.bandwidth): the memory controller's queueing
    // model with no latency of its own; absent when the bandwidth is unlimited.
    std::optional<MemoryController> l2_port_;
    CacheCounters l2_counters_;
    std::uint64_t l2_writebacks_ = 0;
    std::uint64_t l2_victim_fills_ = 0;
    // Read by every core's hot path during a bound phase: not on a host
    // cache line with the counters above, which the weave writes meanwhile.
    alignas(64) bool bound_ = false;
    // The concurrent weave (begin_bound ... weave): per-core sync and weaver
    // state, the L2's tags and the delays the predictions read, the queueing
    // cycles readers see until the weave ends.
    std::unique_ptr<WeaveSync> weave_sync_;
    std::vector<WeaveCore> weave_cores_;
    TagCopy l2_bound_;
    std::uint32_t port_delay_bound_ = 0;
    std::uint32_t mem_delay_bound_ = 0;
    std::vector<std::uint32_t> mem_conflict_bound_; // per core: mem.bank_conflict_cycles
    std::vector<std::int64_t> mem_queue_bound_;
    std::vector<std::int64_t> port_queue_bound_;
    static constexpr unsigned kNoCore = ~0u;
};

} // namespace sim::cache
