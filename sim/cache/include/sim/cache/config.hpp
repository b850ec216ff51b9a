// Parameters of the memory-hierarchy timing model, with the Cortex-A53 / ZCU104
// defaults. docs/timing-model.md gives the source of every default.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sim::cache {

// Largest core count the model supports (per-core state is sized at construction).
inline constexpr unsigned kMaxCores = 16;
// Most prefetches one core keeps in flight (the L1 D prefetcher's degree).
inline constexpr unsigned kMaxPrefetchDegree = 8;
// Most independent prefetch streams one core tracks (CPUACTLR_EL1.NPFSTRM: 1-4).
inline constexpr unsigned kMaxPrefetchStreams = 4;

enum class Replacement : std::uint8_t {
    lru,    // true least-recently-used
    plru,   // binary-tree pseudo-LRU (ways must be a power of two)
    random, // seeded, deterministic per-set pseudo-random
    // One linear-feedback shift register per cache, stepped at every victim
    // choice, as a hardware pseudo-random policy is built: a set's victims then
    // depend on every other set's (and core's) misses. Deterministic for a seed
    // and a simulation order, but not independent of the order.
    lfsr,
};

// When a data line enters the (non-inclusive) L2.
enum class L2Allocation : std::uint8_t {
    on_l1_eviction, // Cortex-A53 TRM 7.6: data allocated in L2 only when evicted from L1
    on_fill,        // classic non-inclusive: allocated in L2 on the refill from memory
};

// The L1 D stride prefetcher (Cortex-A53 TRM, DDI 0500D 6.6.2 "Data prefetching
// and monitoring"): a run of L1 D misses at one stride within +-4 lines starts
// linefills ahead of the demand stream, into the L1 D. On by default in the
// A53's reset configuration of CPUACTLR_EL1 (issue 21's calibration,
// docs/results.md); degree 0 turns it off (the model before).
struct PrefetchConfig {
    unsigned degree = 5;     // prefetches in flight, all streams together (L1PCTL); 0 = off
    unsigned trigger = 3;    // misses at one stride that start a stream (STRIDE: 2 strides)
    unsigned max_stride = 4; // largest stride recognised, in lines (either sign)
    // Independent streams trained at once (CPUACTLR_EL1.NPFSTRM; the A53 resets
    // to 2): a miss continues the stream it extends, else retrains the least
    // recently used one. 1: every miss trains one stream (the model before).
    unsigned streams = 2;
};

// Write streaming ("read allocate mode", Cortex-A53 TRM DDI 0500D chapter 6, pages 6-4
// and 6-5): after `l1_lines` consecutive store linefills whose whole line was
// written, store misses stop allocating in the L1 D and write to the L2; after
// `l2_lines` they stop allocating in the L2 too and write to memory. A load of
// the line being written, or a store run that does not fill its line, ends it.
// Off by default.
struct WriteStreamingConfig {
    unsigned enabled = 0;
    unsigned l1_lines = 4;   // CPUACTLR_EL1.L1RADIS threshold
    unsigned l2_lines = 128; // CPUACTLR_EL1.RADIS threshold
};

struct CacheConfig {
    std::uint64_t size_bytes;
    unsigned ways;
    Replacement replacement;
    unsigned latency; // load-to-use cycles when this level hits
};

struct TlbConfig {
    unsigned l1d_entries = 10;        // data micro-TLB, fully associative
    unsigned l1i_entries = 10;        // instruction micro-TLB, fully associative
    unsigned l2_entries = 512;        // unified main TLB
    unsigned l2_ways = 4;             //
    unsigned l2_latency = 2;          // cycles added by a micro-TLB miss that hits the main TLB
    unsigned walk_cache_entries = 64; // the A53's walk cache (TRM 5.1): intermediate walk reads
    unsigned walk_cache_ways = 4;     //
    unsigned walk_cache_latency = 1;  // cycles per descriptor found in the walk cache
    // 1: the walk cache also keeps stage 2's table descriptors (the model
    // before). 0: the A53's (TRM 5.2.4): it holds stage-1 walks only, and a
    // stage-2 translation, a stage-2-only walk's included, is found whole in
    // the IPA cache or read in full (docs/timing-model.md, "Stage 2 and the
    // walk cache").
    unsigned walk_cache_stage2 = 1;
    // The A53's 64-entry 4-way IPA cache (TRM 5.1): stage-2 translations made
    // inside nested walks, one entry per stage-2 page or block; a hit skips
    // that translation's descriptor reads. 0 = off (every nested walk reads them).
    unsigned ipa_cache_entries = 64;
    unsigned ipa_cache_ways = 4;
    unsigned ipa_cache_latency = 1; // cycles per translation found in the IPA cache
    // 1: the data micro-TLB keeps a block mapping whole (the model before). 0:
    // it keeps the 4 KiB piece an access used, as measured on the Juno board's
    // Cortex-A53 (docs/timing-model.md, "The A53's MMU from its sources").
    unsigned l1d_huge_pages = 1;
    // 1: with a guest's MMU on, translate its virtual addresses by walking its own
    // stage-1 tables (then hv's stage 2), tagged by ASID. 0: the addresses Unicorn
    // reports are taken as (intermediate) physical, as before (identity maps only).
    unsigned guest_stage1 = 0;
};

// How the queueing formula models the requests' arrivals (docs/timing-model.md,
// "Memory controller").
enum class Arrivals : std::uint8_t {
    poisson, // M/D/1: requests arrive one by one, independently
    // M^X/D/1: requests arrive in bursts (a core's miss registers filled within
    // one service time); the wait grows with the bursts' mean square size,
    // measured per window from each core's own requests.
    bursts,
};

struct MemoryConfig {
    unsigned latency = 64;         // cycles a refill adds beyond the L2 lookup, unloaded
    double bandwidth = 4.0;        // bytes per core cycle the memory system sustains
    std::uint64_t window = 1200;   // cycles per contention-accounting window (1 us)
    unsigned mshrs = 4;            // outstanding refills per core
    double max_utilization = 0.95; // M/D/1 clamp; above it a linear overload term
    double smoothing = 0.25;       // weight of the newest window in the utilisation average
    Arrivals arrivals = Arrivals::poisson;
    // Cycles a read adds when the DRAM bank it needs holds a row another core
    // opened (an open-page controller must precharge that row and activate its
    // own: DDR4 tRP + tRCD). Charged as this times the other cores' share of the
    // bytes moved in the closed windows (smoothed as the utilisation): the chance
    // that the bank's last access was theirs. A core alone never pays it; its own
    // row misses are in `latency`. 34 = tRP + tRCD of a ZynqMP PS DDR4-2400
    // configuration (17 + 17 clocks at 1200 MHz), the default since issue 21's
    // calibration on both boards, whose memory system is the ZCU104's either way
    // (docs/timing-model.md); 0 is the model before.
    unsigned bank_conflict_cycles = 34;
};

struct HierarchyConfig {
    unsigned cores = 4;
    unsigned line_bytes = 64; // one line size for every level
    CacheConfig l1i{32 * 1024, 2, Replacement::random, 3};
    CacheConfig l1d{32 * 1024, 4, Replacement::random, 3};
    CacheConfig l2{1024 * 1024, 16, Replacement::random, 13};
    L2Allocation l2_allocation = L2Allocation::on_l1_eviction;
    // When an instruction line enters the L2: on_fill (TRM 7.6: "Instructions are
    // allocated to the L2 cache when fetched from the system") or on_l1_eviction
    // (as data: only when the L1 I drops it).
    L2Allocation l2_inst_allocation = L2Allocation::on_fill;
    PrefetchConfig l1d_prefetch{};
    WriteStreamingConfig write_streaming{};
    // Instruction prefetch (Cortex-A53 TRM, "Instruction Fetch Unit"): within a
    // sequential run of code the next line's refill overlaps the execution of
    // the current line's instructions, hiding up to this many cycles of each
    // following line's miss (16 A64 instructions per line at ~1 cycle each).
    // 0 turns it off. An L2 hit is hidden; a DRAM refill mostly is not.
    unsigned l1i_prefetch_overlap = 16;
    // The IFU's own linefill buffer (Cortex-A53 TRM 2.1.x, "Instruction Fetch
    // Unit": "the instruction cache controller and its associated linefill
    // buffer"); 1, the default since issue 21's calibration (0 = the model
    // before it, docs/timing-model.md). Off, an instruction refill takes
    // one of the core's mem.mshrs miss registers (the DCU's linefill buffers)
    // like a data refill, and the hidden refills of a sequential run, issued
    // in one cycle, wait for them; on, it takes none (the IFU fetches a run's
    // lines one after another, which l1i.prefetch_overlap already charges).
    unsigned l1i_own_linefill = 1;
    // The shared L2's data port: bytes per cycle it moves for all cores together
    // (refills to the L1s and L1 victims written into it); above that, requests
    // queue as at the memory controller (same windows and formula). 0 = no limit.
    // Estimate (docs/timing-model.md): a 512-bit fetch path, one data-RAM access
    // per 2 cycles.
    double l2_bandwidth = 32.0;
    // The port's queueing formula (mem.arrivals' for the L2 port).
    Arrivals l2_arrivals = Arrivals::poisson;
    TlbConfig tlb{};
    MemoryConfig mem{};
    std::uint64_t seed = 1; // seeds every random replacement decision
};

// Sets one field from its documented key ("l2.ways", "mem.bandwidth", ...).
// Throws std::invalid_argument naming the key for an unknown key or a bad value.
void set_config_field(HierarchyConfig& config, std::string_view key, std::string_view value);

// Parses "key=value" (the --set option) and applies it.
void apply_setting(HierarchyConfig& config, std::string_view assignment);

// Every key with its current value, in documentation order (for run metadata).
std::vector<std::pair<std::string, std::string>> config_fields(const HierarchyConfig& config);

// Throws std::invalid_argument if the geometry cannot be built (not a power of two,
// ways that do not divide the size, too many cores, ...).
void validate(const HierarchyConfig& config);

std::string_view to_string(Replacement replacement);
std::string_view to_string(L2Allocation allocation);
std::string_view to_string(Arrivals arrivals);

} // namespace sim::cache
