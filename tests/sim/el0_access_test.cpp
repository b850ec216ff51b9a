// EL0 access to the machine's timer, PMU and GIC registers as CNTKCTL_EL1 and
// PMUSERENR_EL0 open it (sim/cpu/arm64_el0_access.h; Arm ARM D13.8, D13.11).
#include "sim/cpu/arm64_el0_access.h"

#include <gtest/gtest.h>

namespace sim::cpu::arm64 {
namespace {

// Registers as op1, CRn, CRm, op2.
struct Reg {
    uint32_t op1, crn, crm, op2;
};
constexpr Reg cntfrq{3, 14, 0, 0}, cntpct{3, 14, 0, 1}, cntvct{3, 14, 0, 2};
constexpr Reg cntp_ctl{3, 14, 2, 1}, cntv_cval{3, 14, 3, 2};
constexpr Reg pmcr{3, 9, 12, 0}, pmswinc{3, 9, 12, 4}, pmselr{3, 9, 12, 5}, pmccntr{3, 9, 13, 0};
constexpr Reg pmxevcntr{3, 9, 13, 2}, pmuserenr{3, 9, 14, 0}, pmovsset{3, 9, 14, 3};
constexpr Reg pmevcntr0{3, 14, 8, 0}, pmevtyper8{3, 14, 13, 0}, pmccfiltr{3, 14, 15, 7};
constexpr Reg icc_pmr{0, 4, 6, 0}, icc_ap1r3{0, 12, 9, 3}, cntkctl{0, 14, 1, 0};
constexpr Reg tpidr_el0{3, 13, 0, 2}, dczid{3, 0, 0, 7};

bool read(Reg r, uint64_t control) {
    return el0_access_allowed(r.op1, r.crn, r.crm, r.op2, false, control);
}
bool write(Reg r, uint64_t control) {
    return el0_access_allowed(r.op1, r.crn, r.crm, r.op2, true, control);
}

TEST(El0Access, NoEl1RegisterWhateverTheControls) {
    for (Reg r : {icc_pmr, icc_ap1r3, cntkctl}) {
        EXPECT_EQ(el0_control(r.op1, r.crn, r.crm), El0Control::none);
        EXPECT_FALSE(read(r, ~0ull));
        EXPECT_FALSE(write(r, ~0ull));
    }
    EXPECT_TRUE(read(tpidr_el0, 0));
    EXPECT_TRUE(write(tpidr_el0, 0));
    EXPECT_TRUE(read(dczid, 0));
}

TEST(El0Access, TimersAsCntkctlOpensThem) {
    constexpr uint64_t pcten = 1 << 0, vcten = 1 << 1, vten = 1 << 8, pten = 1 << 9;
    EXPECT_EQ(el0_control(3, 14, 0), El0Control::cntkctl);
    EXPECT_FALSE(read(cntvct, 0));
    EXPECT_TRUE(read(cntvct, vcten)); // what Linux opens
    EXPECT_FALSE(write(cntvct, vcten));
    EXPECT_FALSE(read(cntpct, vcten));
    EXPECT_TRUE(read(cntpct, pcten));
    EXPECT_TRUE(read(cntfrq, vcten));
    EXPECT_TRUE(read(cntfrq, pcten));
    EXPECT_FALSE(read(cntfrq, vten | pten));
    EXPECT_FALSE(read(cntp_ctl, vcten | pcten | vten));
    EXPECT_TRUE(write(cntp_ctl, pten));
    EXPECT_FALSE(write(cntv_cval, pten));
    EXPECT_TRUE(write(cntv_cval, vten));
}

TEST(El0Access, PmuAsPmuserenrOpensIt) {
    constexpr uint64_t en = 1 << 0, sw = 1 << 1, cr = 1 << 2, er = 1 << 3;
    for (Reg r : {pmcr, pmovsset, pmevtyper8, pmccfiltr, pmevcntr0})
        EXPECT_EQ(el0_control(r.op1, r.crn, r.crm), El0Control::pmuserenr);
    // PMUSERENR_EL0 is readable at EL0 whatever its value, never written.
    EXPECT_TRUE(read(pmuserenr, 0));
    EXPECT_FALSE(write(pmuserenr, en));
    for (Reg r : {pmcr, pmovsset, pmevtyper8, pmccfiltr, pmccntr, pmevcntr0}) {
        EXPECT_FALSE(read(r, 0));
        EXPECT_TRUE(read(r, en));
        EXPECT_TRUE(write(r, en));
    }
    EXPECT_TRUE(write(pmswinc, sw));
    EXPECT_FALSE(read(pmswinc, sw));
    EXPECT_TRUE(read(pmccntr, cr));
    EXPECT_FALSE(write(pmccntr, cr));
    EXPECT_FALSE(read(pmccntr, er));
    // ER: the event counters read, PMSELR read and written; not their types.
    EXPECT_TRUE(read(pmevcntr0, er));
    EXPECT_TRUE(read(pmxevcntr, er));
    EXPECT_FALSE(write(pmevcntr0, er));
    EXPECT_TRUE(read(pmselr, er));
    EXPECT_TRUE(write(pmselr, er));
    EXPECT_FALSE(read(pmevtyper8, er));
    EXPECT_FALSE(read(pmccfiltr, er));
    EXPECT_FALSE(read(pmcr, sw | cr | er));
}

} // namespace
} // namespace sim::cpu::arm64
