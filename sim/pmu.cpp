#include "sim/pmu.h"

#include "sim/cpu/arm64_sysregs.h"

namespace sim {
namespace {

using cpu::sysreg_encoding;

// PMU registers: op0 = 3, CRn = 9 (control) or 14 (counters, types).
constexpr uint32_t pmcr_el0 = sysreg_encoding(3, 3, 9, 12, 0);
constexpr uint32_t pmcntenset_el0 = sysreg_encoding(3, 3, 9, 12, 1);
constexpr uint32_t pmcntenclr_el0 = sysreg_encoding(3, 3, 9, 12, 2);
constexpr uint32_t pmovsclr_el0 = sysreg_encoding(3, 3, 9, 12, 3);
constexpr uint32_t pmswinc_el0 = sysreg_encoding(3, 3, 9, 12, 4);
constexpr uint32_t pmselr_el0 = sysreg_encoding(3, 3, 9, 12, 5);
constexpr uint32_t pmceid0_el0 = sysreg_encoding(3, 3, 9, 12, 6);
constexpr uint32_t pmceid1_el0 = sysreg_encoding(3, 3, 9, 12, 7);
constexpr uint32_t pmccntr_el0 = sysreg_encoding(3, 3, 9, 13, 0);
constexpr uint32_t pmxevtyper_el0 = sysreg_encoding(3, 3, 9, 13, 1);
constexpr uint32_t pmxevcntr_el0 = sysreg_encoding(3, 3, 9, 13, 2);
using cpu::sysreg::pmuserenr_el0;
constexpr uint32_t pmintenset_el1 = sysreg_encoding(3, 0, 9, 14, 1);
constexpr uint32_t pmintenclr_el1 = sysreg_encoding(3, 0, 9, 14, 2);
constexpr uint32_t pmovsset_el0 = sysreg_encoding(3, 3, 9, 14, 3);
constexpr uint32_t pmccfiltr_el0 = sysreg_encoding(3, 3, 14, 15, 7);
// PMEVCNTR<n>_EL0: CRn 14, CRm 0b10:n[4:3], op2 n[2:0]; PMEVTYPER<n>_EL0: CRm 0b11:n[4:3].
constexpr uint32_t pmevcntr0_el0 = sysreg_encoding(3, 3, 14, 8, 0);
constexpr uint32_t pmevtyper0_el0 = sysreg_encoding(3, 3, 14, 12, 0);

constexpr uint64_t pmcr_e = 1, pmcr_p = 1 << 1, pmcr_c = 1 << 2;
constexpr uint64_t pmcr_writable =
    pmcr_e | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6); // E D X DP LC
// IMP = Arm, IDCODE = Cortex-A53, N = the event counters.
constexpr uint64_t pmcr_fixed = (0x41ull << 24) | (0x03ull << 16) | (Pmu::kEventCounters << 11);
constexpr uint32_t counter_mask = (1u << 31) | ((1u << Pmu::kEventCounters) - 1);

// PMCEID0: bit n set when common event n (0x00-0x1f) is counted.
constexpr uint64_t implemented_events =
    (1u << pmu_event::l1i_cache_refill) | (1u << pmu_event::l1i_tlb_refill) |
    (1u << pmu_event::l1d_cache_refill) | (1u << pmu_event::l1d_cache) |
    (1u << pmu_event::l1d_tlb_refill) | (1u << pmu_event::inst_retired) |
    (1u << pmu_event::cpu_cycles) | (1u << pmu_event::mem_access) | (1u << pmu_event::l1i_cache) |
    (1u << pmu_event::l2d_cache) | (1u << pmu_event::l2d_cache_refill);

// The index n of PMEVCNTR<n>/PMEVTYPER<n> at `base`, if `encoding` is one.
std::optional<unsigned> indexed(uint32_t encoding, uint32_t base) {
    const uint32_t n = encoding - base; // CRm:op2 continue n's bits
    if (encoding < base || n >= 31)
        return std::nullopt;
    return n;
}

} // namespace

bool Pmu::counting(unsigned k) const {
    return (pmcr_ & pmcr_e) && ((enabled_ >> k) & 1);
}

uint64_t Pmu::source(unsigned k, const PmuSources& s) const {
    if (k == kCycleCounter)
        return s.cycles;
    switch (type_[k] & 0x3ff) {
    case pmu_event::l1i_cache_refill:
        return s.l1i_refills;
    case pmu_event::l1i_tlb_refill:
        return s.itlb_refills;
    case pmu_event::l1d_cache_refill:
        return s.l1d_refills;
    case pmu_event::l1d_cache:
        return s.l1d_accesses;
    case pmu_event::l1d_tlb_refill:
        return s.dtlb_refills;
    case pmu_event::inst_retired:
        return s.instructions;
    case pmu_event::cpu_cycles:
        return s.cycles;
    case pmu_event::mem_access:
        return s.mem_accesses;
    case pmu_event::l1i_cache:
        return s.l1i_accesses;
    case pmu_event::l2d_cache:
        return s.l2_accesses;
    case pmu_event::l2d_cache_refill:
        return s.l2_refills;
    default:
        return 0; // an event the model does not count
    }
}

uint64_t Pmu::value(unsigned k, const PmuSources& now) const {
    const Counter& c = counters_[k];
    const uint64_t v = counting(k) ? source(k, now) - c.offset : c.frozen;
    return k == kCycleCounter ? v : v & 0xffffffffu; // event counters are 32 bits wide
}

template <typename F> void Pmu::rebase(const PmuSources& now, F change) {
    std::array<uint64_t, kCycleCounter + 1> values{};
    for (unsigned k = 0; k <= kCycleCounter; ++k)
        if ((counter_mask >> k) & 1)
            values[k] = value(k, now);
    change(values);
    for (unsigned k = 0; k <= kCycleCounter; ++k) {
        if (!((counter_mask >> k) & 1))
            continue;
        counters_[k].frozen = values[k];
        counters_[k].offset = source(k, now) - values[k];
    }
}

void Pmu::set_value(unsigned k, uint64_t v, const PmuSources& now) {
    rebase(now, [&](auto& values) { values[k] = v; });
}

std::optional<uint64_t> Pmu::read_counter(unsigned k, const PmuSources& now) const {
    if (k == kCycleCounter || k < kEventCounters)
        return value(k, now);
    return 0; // an event counter this PMU does not have (RAZ)
}

std::optional<uint64_t> Pmu::read(uint32_t encoding, const PmuSources& now) const {
    switch (encoding) {
    case pmcr_el0:
        return pmcr_fixed | pmcr_;
    case pmcntenset_el0:
    case pmcntenclr_el0:
        return enabled_;
    case pmovsclr_el0:
    case pmovsset_el0:
        return 0; // overflow is not modeled
    case pmswinc_el0:
        return 0;
    case pmselr_el0:
        return select_;
    case pmceid0_el0:
        return implemented_events;
    case pmceid1_el0:
        return 0;
    case pmccntr_el0:
        return value(kCycleCounter, now);
    case pmxevtyper_el0:
        return select_ == kCycleCounter ? ccfilter_ : select_ < kEventCounters ? type_[select_] : 0;
    case pmxevcntr_el0:
        return read_counter(select_, now);
    case pmuserenr_el0:
        return userenr_;
    case pmintenset_el1:
    case pmintenclr_el1:
        return interrupts_;
    case pmccfiltr_el0:
        return ccfilter_;
    default:
        break;
    }
    if (auto n = indexed(encoding, pmevcntr0_el0))
        return read_counter(*n, now);
    if (auto n = indexed(encoding, pmevtyper0_el0))
        return *n < kEventCounters ? type_[*n] : 0;
    return std::nullopt;
}

bool Pmu::write(uint32_t encoding, uint64_t value, const PmuSources& now) {
    const uint32_t mask = static_cast<uint32_t>(value) & counter_mask;
    switch (encoding) {
    case pmcr_el0:
        rebase(now, [&](auto& values) {
            pmcr_ = value & pmcr_writable;
            if (value & pmcr_p)
                for (unsigned k = 0; k < kEventCounters; ++k)
                    values[k] = 0;
            if (value & pmcr_c)
                values[kCycleCounter] = 0;
        });
        return true;
    case pmcntenset_el0:
        rebase(now, [&](auto&) { enabled_ |= mask; });
        return true;
    case pmcntenclr_el0:
        rebase(now, [&](auto&) { enabled_ &= ~mask; });
        return true;
    case pmovsclr_el0:
    case pmovsset_el0:
    case pmswinc_el0:
    case pmceid0_el0:
    case pmceid1_el0:
        return true; // no overflow, no software increment; IDs are read-only
    case pmselr_el0:
        select_ = static_cast<uint32_t>(value) & 0x1f;
        return true;
    case pmccntr_el0:
        set_value(kCycleCounter, value, now);
        return true;
    case pmxevtyper_el0:
        if (select_ == kCycleCounter)
            ccfilter_ = value;
        else if (select_ < kEventCounters)
            rebase(now, [&](auto&) { type_[select_] = static_cast<uint32_t>(value); });
        return true;
    case pmxevcntr_el0:
        if (select_ == kCycleCounter || select_ < kEventCounters)
            set_value(select_, select_ == kCycleCounter ? value : value & 0xffffffffu, now);
        return true;
    case pmuserenr_el0:
        userenr_ = static_cast<uint32_t>(value) & 0xf;
        return true;
    case pmintenset_el1:
        interrupts_ |= mask;
        return true;
    case pmintenclr_el1:
        interrupts_ &= ~mask;
        return true;
    case pmccfiltr_el0:
        ccfilter_ = value;
        return true;
    default:
        break;
    }
    if (auto n = indexed(encoding, pmevcntr0_el0)) {
        if (*n < kEventCounters)
            set_value(*n, value & 0xffffffffu, now);
        return true;
    }
    if (auto n = indexed(encoding, pmevtyper0_el0)) {
        if (*n < kEventCounters)
            rebase(now, [&](auto&) { type_[*n] = static_cast<uint32_t>(value); });
        return true;
    }
    return false;
}

} // namespace sim
