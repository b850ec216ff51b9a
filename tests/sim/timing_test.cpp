// Integration: time a guest cannot stall (issue 13). A hostile VM that keeps
// an interrupt pending with interrupts masked, or floods its own distributor,
// costs only its own core's time: the measured VM on another core still
// finishes, and no core runs far past its quantum. These tests hung before the
// fix; CTest gives them a timeout.
#include "sim/hv_host.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sim {
namespace {

// One hv path plus one basic block at most (docs/timing-model.md). hv's IRQ
// path with its code cold in the caches costs about 7 K cycles (14 K under
// interference); measured overruns after the fix: 6.9 K (the hostile guests),
// 9.4 K (real-ipc), 13.6 K (interf; 12.9 K since); before it real-ipc overran by 27.4 K and
// the masked-interrupt guest never gave the other cores a turn.
constexpr uint64_t kOverrunBound = 20'000;

// Arms the virtual timer (PPI 27) through the VM's vGIC, masks IRQs and
// computes forever: the interrupt stays pending and is never taken.
const std::vector<uint32_t> masked_timer_guest = {
    0xd2a10000, // mov  x0, #0x08000000      GICD
    0x52800021, // mov  w1, #1
    0xb9000001, // str  w1, [x0]             GICD_CTLR = 1
    0x52a10001, // mov  w1, #(1 << 27)
    0xb9010001, // str  w1, [x0, #0x100]     GICD_ISENABLER0: the virtual timer
    0xd2a10022, // mov  x2, #0x08010000      GICC (the VM's GICV)
    0x52800023, // mov  w3, #1
    0xb9000043, // str  w3, [x2]             GICC_CTLR = 1
    0x52801fe3, // mov  w3, #0xff
    0xb9000443, // str  w3, [x2, #4]         GICC_PMR = 0xff
    0xd2800c84, // mov  x4, #100
    0xd51be304, // msr  cntv_tval_el0, x4
    0xd2800024, // mov  x4, #1
    0xd51be324, // msr  cntv_ctl_el0, x4     timer on, interrupt unmasked
    0xd50342df, // msr  daifset, #2          IRQs masked
    0x910004a5, // 1: add x5, x5, #1
    0x17ffffff, // b 1b
};

// Writes all-ones to GICD_ISENABLER0-2 and GICD_ISPENDR0-2 (every interrupt
// the VM may name pending and enabled), then computes with IRQs masked.
const std::vector<uint32_t> pending_storm_guest = {
    0xd2a10000, // mov  x0, #0x08000000      GICD
    0x52800021, // mov  w1, #1
    0xb9000001, // str  w1, [x0]             GICD_CTLR = 1
    0x12800001, // mov  w1, #0xffffffff
    0xb9010001, // str  w1, [x0, #0x100]     ISENABLER0
    0xb9010401, // str  w1, [x0, #0x104]     ISENABLER1
    0xb9010801, // str  w1, [x0, #0x108]     ISENABLER2
    0xb9020001, // str  w1, [x0, #0x200]     ISPENDR0
    0xb9020401, // str  w1, [x0, #0x204]     ISPENDR1
    0xb9020801, // str  w1, [x0, #0x208]     ISPENDR2
    0xd2a10022, // mov  x2, #0x08010000      GICC
    0x52800023, // mov  w3, #1
    0xb9000043, // str  w3, [x2]
    0x52801fe3, // mov  w3, #0xff
    0xb9000443, // str  w3, [x2, #4]
    0xd50342df, // msr  daifset, #2
    0x910004a5, // 1: add x5, x5, #1
    0x17ffffff, // b 1b
};

// VM "hostile" (core 0, not measured) runs `words`; VM "bench" (core 1,
// measured) runs hello and powers off, which ends the run (docs/design.md#end-of-run).
RunOptions hostile_beside_hello(const std::string& name, const std::vector<uint32_t>& words) {
    const std::string image = test::write_raw_guest(name, words);
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    auto path = dir / (name + "-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"hv\"\n"
                           "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                           "[[vms]]\nname = \"hostile\"\ncpu_affinity = [0]\n"
                           "image = { path = \"" +
                               image +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n"
                               "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [1]\n"
                               "image = { workload = \"hello\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o;
    o.config = path.string();
    o.workloads_dir = test::workloads_dir();
    return o;
}

void expect_bench_finishes(const RunOptions& o) {
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
    EXPECT_LE(s.machine().max_overrun_cycles(), kOverrunBound);
    // The hostile core kept its own clock moving with global time.
    EXPECT_GT(s.machine().stats(0).cycles, 0u);
}

TEST(Timing, MaskedPendingInterruptCostsOnlyItsVm) {
    expect_bench_finishes(hostile_beside_hello("masked-timer", masked_timer_guest));
}

TEST(Timing, PendingStormCostsOnlyItsVm) {
    expect_bench_finishes(hostile_beside_hello("pending-storm", pending_storm_guest));
}

// Every quantum closes within one block plus one hv path of its end: in the
// IPC demo (timer interrupts on both cores, a notification between them), in
// the latency benchmark under interference, and colored, where hv's boot
// recolors the VM's image (0.49 M cycles in solo-col, one action every core
// waits for: Machine::note_boot_end) before the quanta it counts.
TEST(Timing, QuantaAreNotOverrun) {
    for (const char* config : {"real-ipc", "interf", "solo-col"}) {
        RunOptions o;
        o.config = config;
        o.workloads_dir = test::workloads_dir();
        if (std::string(config) != "real-ipc") {
            // 20 of its 50 samples: interf's largest overrun (12.9 K cycles)
            // is the same as over all 50, in a third of the time (decision 36).
            o.workload = "irqlat-quick";
            o.guest_params = {"0=20"};
        }
        Simulation s(o, nullptr);
        RunOutcome r = s.run();
        EXPECT_EQ(r.code, ExitCode::ok) << config << ": " << r.detail;
        EXPECT_LE(s.machine().max_overrun_cycles(), kOverrunBound) << config;
        if (std::string(config) == "solo-col") { // the boot is longer than a quantum
            EXPECT_GT(s.hv_host()->boot_cycles(), kOverrunBound);
        }
    }
}

// A quantum so long that now + quantum would wrap is refused by name (the
// config loader may refuse the text first; either way it is an input error).
TEST(Timing, HugeQuantumIsANamedError) {
    for (const char* value : {"-1", "18446744073709551615", "4294967297"}) {
        RunOptions o;
        o.config = "solo";
        o.workload = "hello";
        o.workloads_dir = test::workloads_dir();
        o.sets = {std::string("quantum_cycles=") + value};
        try {
            Simulation s(o, nullptr);
            s.run();
            ADD_FAILURE() << "quantum_cycles=" << value << " was accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("quantum_cycles"), std::string::npos) << e.what();
        }
    }
}

// The longest accepted quantum still runs to the end.
TEST(Timing, LongestQuantumRuns) {
    RunOptions o;
    o.config = "solo";
    o.workload = "hello";
    o.workloads_dir = test::workloads_dir();
    o.sets = {"quantum_cycles=" + std::to_string(kMaxQuantumCycles)};
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
}

} // namespace
} // namespace sim

namespace sim {
namespace {

// hv's TLB maintenance (issue 13, defect 7) reaches the model's TLBs and costs
// the issuing core time: after a run of hello in `solo`, core 0's TLB holds
// the guest's code page; TLBI for the VM drops it and the next translation walks.
TEST(Timing, HvTlbMaintenanceFlushesTheModelsTlbs) {
    RunOptions o;
    o.config = "solo";
    o.workload = "hello";
    o.workloads_dir = test::workloads_dir();
    Simulation s(o, nullptr);
    ASSERT_EQ(s.run().code, ExitCode::ok);
    cache::Hierarchy* h = s.machine().hierarchy();
    ASSERT_NE(h, nullptr);
    unsigned walks = 0;
    auto walker = [&walks](uint64_t address, cache::AccessKind, cache::WalkResult& out) {
        ++walks;
        out.pa = address;
        out.page_shift = 12;
    };
    const cache::WalkerRef ref(walker);
    const uint64_t code = 0x40000000; // hello's entry page, fetched during the run
    const uint64_t now = s.machine().now(0);
    h->translate(0, code, cache::AccessKind::fetch, now, ref);
    EXPECT_EQ(walks, 0u) << "the run left the page in core 0's TLB";
    // The port is hv's; the test plays hv issuing TLBI VMALLS12E1IS for VM 0.
    auto& host = const_cast<HvHost&>(*s.hv_host());
    host.tlb_flush_vm(host.hypervisor().vm(0).vmid);
    EXPECT_GT(s.machine().now(0), now) << "TLB maintenance costs the issuing core time";
    h->translate(0, code, cache::AccessKind::fetch, s.machine().now(0), ref);
    EXPECT_EQ(walks, 1u) << "the flushed entry is walked again";
    const uint64_t before_ipa = s.machine().now(0);
    host.tlb_flush_ipa(host.hypervisor().vm(0).vmid, code);
    EXPECT_GT(s.machine().now(0), before_ipa);
    h->translate(0, code, cache::AccessKind::fetch, s.machine().now(0), ref);
    EXPECT_EQ(walks, 2u);
}

} // namespace
} // namespace sim

namespace sim {
namespace {

// Set/way maintenance (issue 13, defect 6) traps to hv (HCR_EL2.TSW), which
// cleans and invalidates the VM's own memory, charged to the VM's core: the
// line the guest dirtied leaves every cache, and the other VM still finishes.
TEST(Timing, SetWayCleaningIsTrappedAndCostsItsVm) {
    const std::vector<uint32_t> guest = {
        0xd2a80201, // mov  x1, #0x40100000
        0xf9000021, // str  x1, [x1]             a dirty line
        0xd2800000, // mov  x0, #0
        0xd5087e40, // dc   cisw, x0
        0x910004a5, // 1: add x5, x5, #1
        0x17ffffff, // b 1b
    };
    std::ostringstream out;
    Simulation s(hostile_beside_hello("set-way", guest), &out);
    RunOutcome r = s.run();
    ASSERT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
    const hv::Hypervisor& hv = s.hv_host()->hypervisor();
    EXPECT_EQ(hv.vm(0).exit_kind, hv::ExitKind::None) << hv.vm(0).exit_reason;
    const uint64_t pa = const_cast<hv::Hypervisor&>(hv).walk(0, 0x40100000).pa;
    const cache::Hierarchy& h = *s.machine().hierarchy();
    const uint64_t line = pa >> h.l2().line_shift();
    EXPECT_FALSE(h.l1d(0).contains(line));
    EXPECT_FALSE(h.l2().contains(line));
    // 16 MiB cleaned line by line, on core 0 only.
    const uint64_t lines = (16u << 20) >> h.l2().line_shift();
    EXPECT_GE(s.machine().stats(0).stall_cycles, lines * cache::Hierarchy::kCleanLineCycles);
    EXPECT_LT(s.machine().stats(1).stall_cycles, lines);
}

} // namespace
} // namespace sim
