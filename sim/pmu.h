// The performance monitors (PMUv3) a guest reads and programs with MRS/MSR:
// every count comes from the simulator's own deterministic counters, never
// from the host's clock (issue 13), so a guest that measures itself gets the
// same numbers in every run. The events that exist are listed in
// docs/timing-model.md; any other event number counts nothing.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace sim {

// One core's counts at one instant, as the model keeps them.
struct PmuSources {
    uint64_t cycles = 0;       // active (not idle) cycles, hv's work on the core included
    uint64_t instructions = 0; // guest instructions retired
    uint64_t mem_accesses = 0; // guest loads and stores
    uint64_t l1i_accesses = 0, l1i_refills = 0;
    uint64_t l1d_accesses = 0, l1d_refills = 0;
    uint64_t l2_accesses = 0, l2_refills = 0;
    uint64_t itlb_refills = 0, dtlb_refills = 0;
};

// PMUv3 common event numbers the model counts (Arm ARM D7.10).
namespace pmu_event {
inline constexpr uint16_t l1i_cache_refill = 0x01;
inline constexpr uint16_t l1i_tlb_refill = 0x02;
inline constexpr uint16_t l1d_cache_refill = 0x03;
inline constexpr uint16_t l1d_cache = 0x04;
inline constexpr uint16_t l1d_tlb_refill = 0x05;
inline constexpr uint16_t inst_retired = 0x08;
inline constexpr uint16_t cpu_cycles = 0x11;
inline constexpr uint16_t mem_access = 0x13;
inline constexpr uint16_t l1i_cache = 0x14;
inline constexpr uint16_t l2d_cache = 0x16;
inline constexpr uint16_t l2d_cache_refill = 0x17;
} // namespace pmu_event

class Pmu {
  public:
    static constexpr unsigned kEventCounters = 6; // as the Cortex-A53

    // The value of a PMU register (encoding as in cpu::sysreg_encoding), or
    // nullopt when `encoding` is not a PMU register.
    std::optional<uint64_t> read(uint32_t encoding, const PmuSources& now) const;
    // Applies an MSR to a PMU register; false when `encoding` is not one.
    bool write(uint32_t encoding, uint64_t value, const PmuSources& now);
    // Checkpoints (sim/checkpoint.h): the PMU is plain data.
    template <class Archive> void checkpoint(Archive& a) { a.value(*this); }

  private:
    static constexpr unsigned kCycleCounter = 31; // index of PMCCNTR in the enable masks
    struct Counter {
        uint64_t frozen = 0; // the value while not counting
        uint64_t offset = 0; // source - value while counting
    };
    bool counting(unsigned k) const;
    uint64_t source(unsigned k, const PmuSources& now) const;
    uint64_t value(unsigned k, const PmuSources& now) const;
    // Changes the counting state through `change` while every counter keeps its value.
    template <typename F> void rebase(const PmuSources& now, F change);
    void set_value(unsigned k, uint64_t v, const PmuSources& now);
    std::optional<uint64_t> read_counter(unsigned k, const PmuSources& now) const;

    uint64_t pmcr_ = 0;       // E, D, LC (P and C act on write)
    uint32_t enabled_ = 0;    // PMCNTENSET: bit 31 the cycle counter, bits 0-5 the event counters
    uint32_t interrupts_ = 0; // PMINTENSET (no overflow interrupt is raised)
    uint32_t select_ = 0;     // PMSELR.SEL
    uint32_t userenr_ = 0;
    uint64_t ccfilter_ = 0; // PMCCFILTR (kept, not applied: hv's cycles count)
    std::array<uint32_t, kEventCounters> type_{};
    std::array<Counter, kCycleCounter + 1> counters_{}; // 0-5 events, 31 cycles
};

} // namespace sim
