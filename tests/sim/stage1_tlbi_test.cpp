// The guest's own TLB maintenance as the stage-1 timing model decodes it
// from the instruction (sim/cpu/stage1_timing.cpp: op2, the operand's VA and
// ASID), end to end: the `stage1` guest over a 4 MiB array in 2 MiB blocks
// (two TLB entries), 8 passes, with a TLBI or an ASID switch after each
// pass, natively. The TLB model's own rules are tests/cache/tlb_test.cpp's.
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sim {
namespace {

constexpr uint64_t kPasses = 8, kBlocks = 2; // 4 MiB in 2 MiB blocks

// Page-table walks of core 0 over the whole run. `tlbi`: guest parameter 4,
// `not_global`: 5 (the array's pages nG under ASID 1), `asid_switch`: 8.
uint64_t walks(unsigned tlbi, bool not_global, bool asid_switch = false) {
    RunOptions o;
    o.config = "native";
    o.cores = 1;
    o.image = test::workloads_dir() + "/stage1.elf";
    o.workloads_dir = test::workloads_dir();
    o.guest_params = {"0=2",
                      "1=4096",
                      "2=" + std::to_string(kPasses),
                      "4=" + std::to_string(tlbi),
                      std::string("5=") + (not_global ? "1" : "0"),
                      std::string("8=") + (asid_switch ? "1" : "0")};
    o.sets = {"tlb.guest_stage1=1"};
    std::ostringstream out;
    Simulation s(o, &out);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail << out.str();
    EXPECT_NE(out.str().find("stage1: mapping 2, 8 passes"), std::string::npos) << out.str();
    return s.machine().hierarchy()->stats().cores[0].walks;
}

// Every pass after a flush walks the array's blocks again.
constexpr uint64_t kRewalks = kBlocks * (kPasses - 1);

TEST(GuestTlbi, ByVaOfTheCurrentAsidDropsItsEntries) {
    const uint64_t kept = walks(0, true);
    EXPECT_GE(walks(3, true), kept + kRewalks); // TLBI VAE1IS, ASID 1
    EXPECT_GE(walks(6, true), kept + kRewalks); // TLBI VAAE1IS: every ASID
    EXPECT_EQ(walks(5, true), kept);            // VAE1IS naming ASID 2: not these entries
    const uint64_t global = walks(0, false);
    EXPECT_GE(walks(5, false), global + kRewalks); // ... but global ones go whatever the ASID
}

TEST(GuestTlbi, ByAsidDropsOnlyNonGlobalEntries) {
    const uint64_t kept = walks(0, true);
    EXPECT_GE(walks(4, true), kept + kRewalks); // TLBI ASIDE1IS, ASID 1: the nG blocks
    const uint64_t global = walks(0, false);
    EXPECT_EQ(walks(4, false), global); // global entries survive a TLBI by ASID
}

// TTBR0 alternates between ASIDs 1 and 2 over the same tables: each ASID
// walks the non-global blocks once and then hits its own entries (ASID-tagged,
// no flush on the switch); global blocks are shared by both.
TEST(GuestTlbi, AsidSwitchKeepsEachAsidsEntries) {
    const uint64_t one_asid = walks(0, true);
    EXPECT_EQ(walks(0, true, true), one_asid + kBlocks);
    const uint64_t global = walks(0, false);
    EXPECT_EQ(walks(0, false, true), global);
}

} // namespace
} // namespace sim
