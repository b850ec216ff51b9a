// Synchronous exceptions delivered to the guest's own EL1 (docs/design.md#faults):
// the `exceptions` guest (workloads/exceptions) has its own vector table and
// checks ESR/FAR/ELR/SPSR_EL1, the vector slot and where ERET returns for
// each case, from EL1 and from EL0. The same guest passes on QEMU
// (workloads.qemu.exceptions), the architectural reference. Also the guest
// stage-1 walker against hand-built tables.
#include "sim/cpu/stage1_walk.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

namespace sim {
namespace {

void expect_every_case(const std::string& config, const std::string& quantum, const char* prefix,
                       uint64_t* delivered, bool fast_forward_uncounted = false) {
    RunOptions o;
    o.config = config;
    o.workload = "exceptions";
    o.workloads_dir = test::workloads_dir();
    if (config == "native")
        o.cores = 1;
    o.sets = {"quantum_cycles=" + quantum};
    if (fast_forward_uncounted) { // never reached: the whole run without the memory hook
        o.fast_forward.until = FastForward::Until::insns;
        o.fast_forward.insns = ~0ull;
        o.fast_forward.uncounted = true;
    }
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    const std::string text = out.str();
    for (const char* c : {"el1 udf",
                          "el1 hlt",
                          "el1 svc",
                          "el1 brk",
                          "el1 mrs hcr_el2",
                          "el1 tlbi alle2",
                          "el1 at s12e1r",
                          "el1 ldxr misaligned",
                          "el1 ldaxp misaligned",
                          "el1 pc alignment",
                          "el0 udf",
                          "el0 svc",
                          "el0 brk",
                          "el0 hvc",
                          "el0 mrs sctlr_el1",
                          "el0 mrs cntv_ctl_el0 (CNTKCTL_EL1.EL0VTEN clear)",
                          "el0 msr icc_pmr_el1",
                          "el0 ldxr misaligned",
                          "el1 udf, an interrupt raised in its block",
                          "el0 udf, an interrupt raised in its block",
                          "el0 sp alignment",
                          "el0 sp alignment (later in a block)",
                          "el0 sp alignment (a block that ran with SP aligned)",
                          "el0 sp misaligned with SA0 clear",
                          "el1 stage-1 translation fault (read)",
                          "el1 stage-1 access flag fault",
                          "el1 stage-1 permission fault (write)",
                          "el1 stage-1 fault beyond T0SZ",
                          "el1 stage-1 level-1 translation fault",
                          "el1 stage-1 instruction abort"})
        EXPECT_NE(text.find(std::string(prefix) + " ok " + c + "\n"), std::string::npos)
            << config << " quantum " << quantum << ": " << c << "\n"
            << text;
    EXPECT_NE(text.find(std::string(prefix) + " exceptions: 32 passed, 0 failed\n"),
              std::string::npos)
        << config << " quantum " << quantum << "\n"
        << text;
    EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;
    *delivered = s.machine().core(0).exceptions_delivered();
}

// Natively and under hv, at several quanta: run boundaries fall at other
// points of the delivery paths (a hook left installed once broke them).
TEST(Exceptions, GuestTakesEveryClassAtEl1FromEl1AndEl0) {
    for (const char* q : {"300", "1200", "2000"}) {
        uint64_t delivered = 0;
        expect_every_case("native", q, "[core0]", &delivered);
        // 30 exceptions + fourteen SVC #0xfff returns from EL0
        EXPECT_EQ(delivered, 31u + 14u);
        expect_every_case("solo", q, "[bench]", &delivered);
        EXPECT_EQ(delivered, 31u + 14u);
    }
}

// On a GICv3 the CPU interface is system registers the machine emulates: EL0
// must not reach them (a Linux process once stopped its kernel's tick
// through them), nor the timer's registers its kernel did not open to it.
TEST(Exceptions, El0ReachesNeitherTheGicv3CpuInterfaceNorAClosedTimer) {
    for (const char* config : {"native", "solo"}) {
        RunOptions o;
        o.config = config;
        o.workload = "exceptions";
        o.workloads_dir = test::workloads_dir();
        if (std::string(config) == "native")
            o.cores = 1;
        o.sets = {"gic.version=3"};
        std::ostringstream out;
        Simulation s(o, &out);
        EXPECT_EQ(s.run().code, ExitCode::ok);
        const std::string text = out.str();
        for (const char* c :
             {"el0 msr icc_pmr_el1", "el0 mrs cntv_ctl_el0 (CNTKCTL_EL1.EL0VTEN clear)",
              "el1 udf, an interrupt raised in its block"})
            EXPECT_NE(text.find(std::string(" ok ") + c + "\n"), std::string::npos)
                << config << ": " << c << "\n"
                << text;
        EXPECT_NE(text.find(" exceptions: 31 passed, 0 failed, 1 skipped\n"), std::string::npos)
            << config << "\n"
            << text;
    }
}

// Without the memory hook (--fast-forward-uncounted) a data abort's FAR and
// WnR come from Unicorn's helpers instead (arm64_uncounted.cpp): the guest
// checks them, and they must not change.
TEST(Exceptions, GuestTakesEveryClassFastForwardedUncounted) {
    uint64_t delivered = 0;
    expect_every_case("native", "1200", "[core0]", &delivered, true);
    EXPECT_EQ(delivered, 31u + 14u);
    expect_every_case("solo", "1200", "[bench]", &delivered, true);
    EXPECT_EQ(delivered, 31u + 14u);
}

// Guest tables in a map: 4 KiB granule, T0SZ = 25 (start at level 1).
struct Tables {
    std::map<uint64_t, uint64_t> mem;
    static bool read(void* ctx, uint64_t ipa, uint64_t& d) {
        auto& m = static_cast<Tables*>(ctx)->mem;
        auto it = m.find(ipa);
        d = it == m.end() ? 0 : it->second;
        return true;
    }
    cpu::Stage1Walk walk(uint64_t va, cpu::Stage1Access a, bool el0 = false) {
        cpu::Stage1Regs r;
        r.sctlr = 1;
        r.tcr = 25 | (1ull << 23); // T0SZ 25 (39-bit VA), EPD1
        r.ttbr0 = 0x1000;
        return cpu::stage1_walk(r, va, a, el0, cpu::DescriptorReader{&Tables::read, this});
    }
};

TEST(Stage1Walk, FaultKindsLevelsAndOutput) {
    using F = cpu::Stage1Walk::Fault;
    Tables t;
    t.mem[0x1000 + 1 * 8] = 0x2000 | 3;                            // L1[1] -> L2 table
    t.mem[0x2000 + 0 * 8] = 0x40000000 | (1 << 10) | 1;            // 2 MiB block, RW EL1
    t.mem[0x2000 + 1 * 8] = 0x40200000 | 1;                        // AF = 0
    t.mem[0x2000 + 2 * 8] = 0x3000 | 3;                            // -> L3 table
    t.mem[0x3000 + 5 * 8] = 0x50005000 | (1 << 10) | (1 << 7) | 3; // RO page
    t.mem[0x3000 + 6 * 8] = 0x50006000 | (1 << 10) | (1 << 6) | 3; // EL0 RW page

    cpu::Stage1Walk w = t.walk(0x40001234, cpu::Stage1Access::read);
    EXPECT_EQ(w.fault, F::none);
    EXPECT_EQ(w.out, 0x40001234u);
    EXPECT_EQ(w.block_size, 2u << 20);
    EXPECT_EQ(w.num_desc, 2u);
    EXPECT_EQ(t.walk(0x40201000, cpu::Stage1Access::read).status_code(), 0x0au); // AF, level 2
    EXPECT_EQ(t.walk(0x80000000, cpu::Stage1Access::read).status_code(), 0x05u); // L1[2] invalid
    EXPECT_EQ(t.walk(0x40600000, cpu::Stage1Access::read).status_code(), 0x06u); // L2[3] invalid
    EXPECT_EQ(t.walk(0x40407000, cpu::Stage1Access::read).status_code(), 0x07u); // L3[7] invalid
    EXPECT_EQ(t.walk(0x40405008, cpu::Stage1Access::read).out, 0x50005008u);
    EXPECT_EQ(t.walk(0x40405008, cpu::Stage1Access::write).status_code(),
              0x0fu); // RO: permission L3
    EXPECT_EQ(t.walk(0x40405008, cpu::Stage1Access::read, true).status_code(), 0x0fu); // EL1 only
    EXPECT_EQ(t.walk(0x40405008, cpu::Stage1Access::fetch, true).fault,
              F::none); // EL0 execute-only
    EXPECT_EQ(t.walk(0x40406000, cpu::Stage1Access::write, true).fault, F::none);
    EXPECT_EQ(t.walk(0x40406000, cpu::Stage1Access::fetch).fault,
              F::permission); // EL0-writable: PXN
    EXPECT_EQ(t.walk(1ull << 39, cpu::Stage1Access::read).status_code(), 0x04u); // beyond T0SZ
    cpu::Stage1Regs off;
    EXPECT_EQ(cpu::stage1_walk(off, 0x1234, cpu::Stage1Access::fetch, true, {}).out, 0x1234u);
}

} // namespace
} // namespace sim
