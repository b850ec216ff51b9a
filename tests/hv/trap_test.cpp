// Trap dispatch: PSCI, hypercalls, IPC, emulated UART, stage-2 faults.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "fake_port.h"
#include "hv/arch/armv8/psci.h"
#include "hv/arch/armv8/sysregs.h"
#include "hv/arch/armv8/trap.h"
#include "hv/core/hypercall.h"
#include "hv/core/hypervisor.h"
#include "hv/core/vuart.h"
#include "test_config.h"

using hv::TrapAction;
using hvtest::FakePort;
namespace a8 = hv::armv8;

namespace {

constexpr std::uint64_t neg(std::int64_t v) {
    return static_cast<std::uint64_t>(v);
}

// "bench": vCPU 0 on cpu 0, vCPU 1 on cpu 2; "interf": cpu 1. Booted.
struct Machine {
    FakePort port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);

    hv::ConfigStorage cfg; // what hv's Config points into

    explicit Machine(const hv::ConfigStorage& config_ = config()) : cfg(config_) {
        const hv::Error e = hvtest::init(*hv, cfg.view(), state);
        EXPECT_TRUE(e.ok()) << e.message;
        EXPECT_TRUE(hv->boot().ok());
    }
    static hv::ConfigStorage config() {
        auto cfg = hvtest::two_vms();
        cfg.vms[0].cpu_affinity = 0b0101;
        return cfg;
    }
    TrapAction trap(std::uint32_t cpu, const a8::TrapSyndrome& syn, hv::VcpuRegs& regs) {
        port.current_cpu = cpu;
        return a8::handle_trap(*hv, syn, regs);
    }
    // An HVC with x0..x3; returns x0.
    std::uint64_t hvc(std::uint32_t cpu, std::uint64_t x0, std::uint64_t x1 = 0,
                      std::uint64_t x2 = 0, std::uint64_t x3 = 0,
                      TrapAction expect = TrapAction::Resume) {
        hv::VcpuRegs r{};
        r.x[0] = x0;
        r.x[1] = x1;
        r.x[2] = x2;
        r.x[3] = x3;
        r.pc = 0x4000'0104;
        EXPECT_EQ(trap(cpu, a8::hvc64(), r), expect);
        EXPECT_EQ(r.pc, 0x4000'0104u); // ELR already past the HVC
        return r.x[0];
    }
};

} // namespace

TEST(Psci, VersionFeaturesAndUnknownIds) {
    Machine m;
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::VERSION), 0x10001u);
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::FEATURES, hv::armv8::psci::CPU_ON64), 0u);
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::FEATURES, hv::armv8::psci::SYSTEM_RESET), neg(-1));
    EXPECT_EQ(m.hvc(0, 0x8400'001f), neg(hv::armv8::psci::NOT_SUPPORTED));
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::SYSTEM_RESET), neg(hv::armv8::psci::NOT_SUPPORTED));
    EXPECT_EQ(m.hvc(0, 0x8200'0000), neg(-1)); // SiP service: not PSCI, not Bao
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::MIGRATE_INFO_TYPE), 2u);
}

TEST(Psci, CpuOnTranslatesVirtualIdsToTheVmsCpus) {
    Machine m;
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::AFFINITY_INFO64, 1, 0), 1u); // OFF
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x4000'1000, 0x77), 0u);
    EXPECT_EQ(m.port.cpus_on, (std::vector<std::uint32_t>{0, 1, 2}));
    const hv::Vcpu* v = m.hv->vcpu_on_cpu(2);
    EXPECT_EQ(v->state, hv::VcpuState::Running);
    EXPECT_EQ(v->boot.pc, 0x4000'1000u);
    EXPECT_EQ(v->boot.x0, 0x77u);
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::AFFINITY_INFO64, 1, 0), 0u); // ON
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x4000'1000, 0),
              neg(hv::armv8::psci::ALREADY_ON));
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 0, 0x4000'1000, 0),
              neg(hv::armv8::psci::ALREADY_ON));
    // Virtual CPU 2 does not exist in a 2-vCPU VM, whatever physical CPUs exist.
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 2, 0x4000'1000, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 0x100, 0x4000'1000, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS)); // Aff1 set
    // The other VM's CPU is invisible to "interf" too.
    EXPECT_EQ(m.hvc(1, hv::armv8::psci::CPU_ON64, 1, 0x4000'0000, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::AFFINITY_INFO64, 1, 1),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::AFFINITY_INFO64, 7, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
}

// Virtual MPIDRs as Bao presents them: Aff0 = the vCPU id and RES1 bit 31,
// plus the U bit in a VM of one vCPU; PSCI names CPUs by these affinities
// (the RES1, U and MT bits of a target are ignored, as Bao does).
TEST(Psci, VirtualMpidrsAndTargetsByAffinity) {
    auto cfg = Machine::config();
    cfg.platform.cpu_num = 5;
    cfg.vms[0].cpu_affinity = 0b11100; // vCPUs 0, 1, 2 on cpus 2, 3, 4
    cfg.vms[1].cpu_affinity = 0b00010; // one vCPU on cpu 1
    Machine m(cfg);
    EXPECT_EQ(m.hv->vcpu_on_cpu(2)->vmpidr, 0x8000'0000u);
    EXPECT_EQ(m.hv->vcpu_on_cpu(3)->vmpidr, 0x8000'0001u);
    EXPECT_EQ(m.hv->vcpu_on_cpu(4)->vmpidr, 0x8000'0002u);
    EXPECT_EQ(m.hv->vcpu_on_cpu(1)->vmpidr, 0xc000'0000u); // uniprocessor
    auto& bench = m.hv->vm_mut(0);
    EXPECT_EQ(a8::vcpu_by_affinity(*m.hv, bench, 0x8000'0002), m.hv->vcpu_on_cpu(4));
    EXPECT_EQ(a8::vcpu_by_affinity(*m.hv, bench, 0xc100'0001), m.hv->vcpu_on_cpu(3));
    EXPECT_EQ(a8::vcpu_by_affinity(*m.hv, bench, 0x0000'0003), nullptr);
    EXPECT_EQ(a8::vcpu_by_affinity(*m.hv, bench, 0x01'0000'0001), nullptr); // Aff3
    // Bao's guests start cores 1, 2, ... until one is refused.
    EXPECT_EQ(m.hvc(2, hv::armv8::psci::CPU_ON64, 0x8000'0001, 0x4000'1000, 0), 0u);
    EXPECT_EQ(m.hvc(2, hv::armv8::psci::CPU_ON64, 2, 0x4000'1000, 0), 0u);
    EXPECT_EQ(m.hvc(2, hv::armv8::psci::CPU_ON64, 3, 0x4000'1000, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
    EXPECT_EQ(m.port.cpus_on, (std::vector<std::uint32_t>{2, 1, 3, 4}));       // boot, then CPU_ON
    EXPECT_EQ(m.hvc(2, hv::armv8::psci::AFFINITY_INFO64, 0xc000'0002, 0), 0u); // ON
    // The uniprocessor VM has no vCPU 1, and cannot name bench's.
    EXPECT_EQ(m.hvc(1, hv::armv8::psci::CPU_ON64, 1, 0x4000'0000, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
    EXPECT_EQ(m.hvc(1, hv::armv8::psci::AFFINITY_INFO64, 2, 0),
              neg(hv::armv8::psci::INVALID_PARAMETERS));
}

TEST(Psci, CpuOnRejectsAnUnmappedEntry) {
    Machine m;
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x9000'0000, 0),
              neg(hv::armv8::psci::INVALID_ADDRESS));
    EXPECT_EQ(m.hv->vcpu_on_cpu(2)->state, hv::VcpuState::Off);
}

TEST(Psci, CpuOffThenOnAgain) {
    Machine m;
    ASSERT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON, 1, 0x4000'1000, 0), 0u);
    m.hvc(2, hv::armv8::psci::CPU_OFF, 0, 0, 0, TrapAction::VcpuOff);
    EXPECT_EQ(m.port.cpus_stopped, (std::vector<std::uint32_t>{2}));
    EXPECT_EQ(m.hv->vcpu_on_cpu(2)->state, hv::VcpuState::Off);
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::AFFINITY_INFO, 1, 0), 1u);
    hv::VcpuRegs r{};
    EXPECT_EQ(m.trap(2, a8::hvc64(), r), TrapAction::NoVcpu); // an off vCPU cannot trap
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON, 1, 0x4000'2000, 0), 0u);
}

TEST(Psci, SmcConduitAdvancesPastTheSmc) {
    Machine m;
    hv::VcpuRegs r{};
    r.x[0] = hv::armv8::psci::VERSION;
    r.pc = 0x4000'0100; // ELR points at the trapped SMC
    EXPECT_EQ(m.trap(0, a8::smc64(), r), TrapAction::Resume);
    EXPECT_EQ(r.x[0], 0x10001u);
    EXPECT_EQ(r.pc, 0x4000'0104u);
    // Bao hypercalls only come through HVC.
    r.x[0] = hv::hc::kBase | hv::hc::MARK;
    EXPECT_EQ(m.trap(0, a8::smc64(), r), TrapAction::Resume);
    EXPECT_EQ(r.x[0], neg(-1));
    EXPECT_TRUE(m.port.marks.empty());
}

TEST(Psci, SystemOffStopsOnlyThatVmAndTheLastOnePowersOff) {
    Machine m;
    ASSERT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x4000'1000, 0), 0u);
    m.hvc(1, hv::armv8::psci::SYSTEM_OFF, 0, 0, 0, TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(1).state, hv::VmState::Stopped);
    EXPECT_EQ(m.hv->vm(1).exit_kind, hv::ExitKind::PowerOff);
    EXPECT_STREQ(m.hv->vm(1).exit_reason,
                 "vm 1 (\"interf\") core 1: powered off (PSCI SYSTEM_OFF)");
    EXPECT_EQ(m.port.vms_stopped, (std::vector<std::uint32_t>{1}));
    EXPECT_FALSE(m.port.powered_off);
    EXPECT_EQ(m.hv->vm(0).state, hv::VmState::Running);
    m.hvc(0, hv::armv8::psci::SYSTEM_OFF, 0, 0, 0, TrapAction::VmStopped);
    EXPECT_EQ(m.port.cpus_stopped, (std::vector<std::uint32_t>{2})); // bench's other vCPU
    EXPECT_TRUE(m.port.powered_off);
}

TEST(Hypercall, MarkStartAndEnd) {
    Machine m;
    EXPECT_EQ(m.hvc(1, 0x8600'0010, 0), 0u);
    EXPECT_EQ(m.hvc(1, 0x8600'0010, 1), 0u);
    EXPECT_EQ(m.hvc(1, 0x8600'0010, 2), neg(-hv::hc::E_INVAL_ARGS));
    ASSERT_EQ(m.port.marks.size(), 2u);
    EXPECT_EQ(m.port.marks[0], std::make_pair(1u, hv::Mark::Start));
    EXPECT_EQ(m.port.marks[1], std::make_pair(1u, hv::Mark::End));
}

TEST(Hypercall, SampleReachesThePortWithTheCallersVmAndFullValue) {
    Machine m;
    EXPECT_EQ(m.hvc(1, 0x8600'0011, 123), 0u);
    EXPECT_EQ(m.hvc(0, 0x8600'0011, 0xfedc'ba98'7654'3210ull), 0u);
    EXPECT_EQ(m.hvc(1, 0x8600'0011, 0), 0u); // any value is a sample, 0 included
    const std::vector<std::pair<std::uint32_t, std::uint64_t>> want{
        {1u, 123u}, {0u, 0xfedc'ba98'7654'3210ull}, {1u, 0u}};
    EXPECT_EQ(m.port.samples, want);
    EXPECT_TRUE(m.port.marks.empty());
    // Only through HVC, like every Bao hypercall.
    hv::VcpuRegs r{};
    r.x[0] = hv::hc::kBase | hv::hc::SAMPLE;
    r.x[1] = 7;
    EXPECT_EQ(m.trap(0, a8::smc64(), r), TrapAction::Resume);
    EXPECT_EQ(r.x[0], neg(-1));
    EXPECT_EQ(m.port.samples.size(), 3u);
}

TEST(Hypercall, UnknownIdReturnsBaosInvalidId) {
    Machine m;
    EXPECT_EQ(m.hvc(0, 0x8600'0000), neg(-2));
    EXPECT_EQ(m.hvc(0, 0x8600'0007), neg(-2));
    EXPECT_EQ(m.hvc(0, 0x8600'ffff), neg(-hv::hc::E_INVAL_ID));
}

TEST(Hypercall, IpcNotifyRaisesThePeersConfiguredInterrupt) {
    auto cfg = Machine::config();
    cfg.shmems.push({0x1000, 0, false, 0});
    hv::IpcStorage ipc{};
    ipc.base = 0x5000'0000;
    ipc.size = 0x1000;
    ipc.interrupts.push(52);
    ipc.interrupts.push(53);
    cfg.vms[0].ipcs.push(ipc);
    ipc.interrupts[0] = 60;
    ipc.interrupts[1] = 61;
    cfg.vms[1].ipcs.push(ipc);
    Machine m(cfg);
    // Both VMs see the same shared page.
    EXPECT_EQ(m.hv->walk(0, 0x5000'0000).pa, m.hv->walk(1, 0x5000'0000).pa);
    EXPECT_EQ(m.hvc(0, 0x8600'0001, 0, 1), 0u);
    EXPECT_TRUE(m.hv->vm(1).virq_is_pending(61));
    EXPECT_FALSE(m.hv->vm(1).virq_is_pending(60));
    EXPECT_FALSE(m.hv->vm(0).virq_is_pending(53)); // not the sender
    EXPECT_EQ(m.hv->vm(1).ipc_notifications, 1u);
    EXPECT_EQ(m.hvc(1, 0x8600'0001, 0, 0), 0u);
    EXPECT_TRUE(m.hv->vm(0).virq_is_pending(52));
    // Bad object: Bao's -HC_E_INVAL_ARGS. An event the peer lacks is dropped.
    EXPECT_EQ(m.hvc(0, 0x8600'0001, 1, 0), neg(-hv::hc::E_INVAL_ARGS));
    EXPECT_EQ(m.hvc(0, 0x8600'0001, 0, 9), 0u);
    EXPECT_EQ(m.hv->vm(1).ipc_notifications, 1u);
}

TEST(Isolation, WriteOutsideMemoryStopsThatVmOnly) {
    Machine m;
    ASSERT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x4000'1000, 0), 0u);
    hv::VcpuRegs r{};
    r.pc = 0x4000'0200;
    r.x[3] = 0xdead;
    EXPECT_EQ(m.trap(0, a8::data_abort(0x8000'0000, 0x8000'0000, true, 8, 3), r),
              TrapAction::VmStopped);
    const hv::Vm& bench = m.hv->vm(0);
    EXPECT_EQ(bench.state, hv::VmState::Stopped);
    EXPECT_EQ(bench.exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_STREQ(
        bench.exit_reason,
        "vm 0 (\"bench\") vcpu 0 on core 0: stage-2 fault on write of 8 bytes at IPA 0x80000000 "
        "(pc 0x40000200)");
    EXPECT_EQ(m.port.cpus_stopped, (std::vector<std::uint32_t>{2}));
    EXPECT_EQ(m.port.vms_stopped, (std::vector<std::uint32_t>{0}));
    EXPECT_FALSE(m.port.powered_off);
    // The other VM is untouched and keeps working.
    const hv::Vm& interf = m.hv->vm(1);
    EXPECT_EQ(interf.state, hv::VmState::Running);
    EXPECT_EQ(interf.exit_kind, hv::ExitKind::None);
    EXPECT_EQ(m.hv->vcpu_on_cpu(1)->state, hv::VcpuState::Running);
    EXPECT_EQ(m.hvc(1, hv::armv8::psci::VERSION), 0x10001u);
    EXPECT_EQ(m.hvc(1, 0x8600'0010, 1), 0u);
    // The stopped VM's CPUs no longer run a vCPU.
    EXPECT_EQ(m.trap(0, a8::hvc64(), r), TrapAction::NoVcpu);
}

TEST(Isolation, ReadAndFetchFaultsAreNamed) {
    Machine m;
    hv::VcpuRegs r{};
    r.pc = 0x4000'0300;
    EXPECT_EQ(m.trap(1, a8::data_abort(0x4100'0008, 0x4100'0008, false, 4, 1), r),
              TrapAction::VmStopped);
    EXPECT_STREQ(
        m.hv->vm(1).exit_reason,
        "vm 1 (\"interf\") vcpu 0 on core 1: stage-2 fault on read of 4 bytes at IPA 0x41000008 "
        "(pc 0x40000300)");
    r.pc = 0x7000'0000;
    EXPECT_EQ(m.trap(0, a8::inst_abort(0x7000'0000, 0x7000'0000), r), TrapAction::VmStopped);
    EXPECT_STREQ(m.hv->vm(0).exit_reason,
                 "vm 0 (\"bench\") vcpu 0 on core 0: stage-2 fault on instruction "
                 "fetch at IPA 0x70000000 (pc 0x70000000)");
    EXPECT_TRUE(m.port.powered_off);
}

// A stage-2 fault on a stage-1 walk (S1PTW) names the walk and the table's
// page, not a read of the access's size: no ISV, and the IPA is the table's.
// One in a page hv emulates (vm 0's virtual UART) stops the VM the same way:
// a walk is no access hv could replay.
TEST(Isolation, WalkFaultsAreNamed) {
    Machine m;
    hv::VcpuRegs r{};
    r.pc = 0x4000'0400;
    EXPECT_EQ(m.trap(1, a8::walk_abort(0x1'4080'0010, 0x9000'0000), r), TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(1).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_STREQ(m.hv->vm(1).exit_reason,
                 "vm 1 (\"interf\") vcpu 0 on core 1: stage-2 fault on the stage-1 table walk of "
                 "a read at table IPA page 0x90000000 (virtual address 0x140800010, pc "
                 "0x40000400)");
    EXPECT_EQ(m.trap(0, a8::walk_abort(0x1'4080'0000, 0x0900'0000, true), r),
              TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(0).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_STREQ(m.hv->vm(0).exit_reason,
                 "vm 0 (\"bench\") vcpu 0 on core 0: stage-2 fault on the stage-1 table walk of "
                 "an address translation or cache maintenance instruction at table IPA page "
                 "0x9000000 (virtual address 0x140800000, pc 0x40000400)");
    Machine f;
    r.pc = 0x1'4080'0000;
    EXPECT_EQ(f.trap(1, a8::inst_abort(0x1'4080'0000, 0x9000'0000, true), r),
              TrapAction::VmStopped);
    EXPECT_STREQ(f.hv->vm(1).exit_reason,
                 "vm 1 (\"interf\") vcpu 0 on core 1: stage-2 fault on the stage-1 table walk of "
                 "an instruction fetch at table IPA page 0x90000000 (virtual address 0x140800000, "
                 "pc 0x140800000)");
}

// A data cache instruction by VA (CM set, no ISV) on a page hv emulates is
// skipped, as KVM does: a device has nothing to clean. Elsewhere outside
// the VM's memory it stops the VM, named as such.
TEST(Isolation, CacheMaintenanceOnAnEmulatedPageIsSkipped) {
    Machine m;
    hv::VcpuRegs r{};
    r.pc = 0x4000'0500;
    EXPECT_EQ(m.trap(0, a8::cache_maintenance_abort(0x0900'0000, 0x0900'0000), r),
              TrapAction::Resume);
    EXPECT_EQ(r.pc, 0x4000'0504u);
    EXPECT_EQ(m.hv->vm(0).state, hv::VmState::Running);
    EXPECT_EQ(m.trap(0, a8::cache_maintenance_abort(0x8000'0040, 0x8000'0040), r),
              TrapAction::VmStopped);
    EXPECT_STREQ(m.hv->vm(0).exit_reason,
                 "vm 0 (\"bench\") vcpu 0 on core 0: stage-2 fault on a cache maintenance or "
                 "address translation instruction at IPA 0x80000040 (pc 0x40000504)");
}

TEST(Emulation, VirtualUartPrefixesEachLineWithTheVmName) {
    Machine m;
    auto put = [&](std::uint32_t cpu, char c) {
        hv::VcpuRegs r{};
        r.pc = 0x4000'0400;
        r.x[1] = static_cast<unsigned char>(c) | 0xff00; // only the low byte is stored
        EXPECT_EQ(m.trap(cpu, a8::data_abort(0x0900'0000, 0x0900'0000, true, 1, 1), r),
                  TrapAction::Resume);
        EXPECT_EQ(r.pc, 0x4000'0404u);
    };
    for (char c : std::string("hi\nyo\n")) {
        put(0, c);
    }
    put(1, 'x');
    put(1, '\n');
    EXPECT_EQ(m.port.console, "[bench] hi\n[bench] yo\n[interf] x\n");
    hv::VcpuRegs r{};
    r.x[2] = ~0ull;
    EXPECT_EQ(m.trap(0, a8::data_abort(0x0900'0018, 0x0900'0018, false, 4, 2, false, false), r),
              TrapAction::Resume);
    EXPECT_EQ(r.x[2], 0x90u); // TXFE | RXFE
    EXPECT_EQ(m.hv->vm(0).state, hv::VmState::Running);
}

// No guest can print a line that starts with another VM's name: long lines
// are wrapped and the next piece carries the writer's prefix again; control
// characters a terminal would act on are escaped; a VM's two CPUs each start
// their own line (the console assembles lines per CPU).
TEST(Emulation, VirtualUartPrefixSurvivesLongLinesAndControlCharacters) {
    Machine m;
    auto put = [&](std::uint32_t cpu, const std::string& text) {
        for (char c : text) {
            hv::VcpuRegs r{};
            r.x[1] = static_cast<unsigned char>(c);
            EXPECT_EQ(m.trap(cpu, a8::data_abort(0x0900'0000, 0x0900'0000, true, 1, 1), r),
                      TrapAction::Resume);
        }
    };
    const std::string fill(hv::kVuartLineMax, 'a');
    put(1, fill + "[bench] checksum_ok=1\n");
    EXPECT_EQ(m.port.console, "[interf] " + fill + "\n[interf] [bench] checksum_ok=1\n");
    m.port.console.clear();
    put(0, std::string("\x1b[2J\0\x7f\t\r\n", 9));
    EXPECT_EQ(m.port.console, "[bench] \\x1b[2J\\x00\\x7f\t\r\n");
    m.port.console.clear();
    EXPECT_EQ(m.hvc(0, hv::armv8::psci::CPU_ON64, 1, 0x4000'1000, 0), 0u); // bench's vCPU 1, cpu 2
    put(0, "x");
    put(2, "y\n");
    put(0, "\n");
    EXPECT_EQ(m.port.console, "[bench] x[bench] y\n\n");
}

TEST(Emulation, AccessWithoutSyndromeStopsTheVm) {
    Machine m;
    hv::VcpuRegs r{};
    a8::TrapSyndrome s = a8::data_abort(0x0900'0000, 0x0900'0000, true, 4, 1);
    s.esr &= ~(1ull << 24); // ISV clear: e.g. a load pair
    EXPECT_EQ(m.trap(0, s, r), TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(0).exit_kind, hv::ExitKind::EmulationFault);
}

// A 32-bit access by vCPU 0 to the virtual PL011 at 0x0900_0000, through the
// trap path, as the guest's driver makes it (x2 the transfer register).
static std::uint64_t vuart_read(Machine& m, std::uint64_t off) {
    hv::VcpuRegs r{};
    EXPECT_EQ(m.trap(0, a8::data_abort(0x0900'0000 + off, 0x0900'0000 + off, false, 4, 2), r),
              TrapAction::Resume);
    return r.x[2];
}

static void vuart_write(Machine& m, std::uint64_t off, std::uint64_t v) {
    hv::VcpuRegs r{};
    r.x[2] = v;
    EXPECT_EQ(m.trap(0, a8::data_abort(0x0900'0000 + off, 0x0900'0000 + off, true, 4, 2), r),
              TrapAction::Resume);
}

// Console input reaches the VM's receive FIFO and raises its UART interrupt
// (platform.console_irq) through the vGIC; the guest reads it from DR.
TEST(Emulation, VirtualUartReceivesConsoleInput) {
    auto cfg = Machine::config();
    cfg.platform.console_irq = 33;
    Machine m(cfg);
    auto rd = [&](std::uint64_t off) { return vuart_read(m, off); };
    auto wr = [&](std::uint64_t off, std::uint64_t v) { vuart_write(m, off, v); };
    wr(hv::pl011::LCR_H, 0x70);
    wr(hv::pl011::IMSC, hv::pl011::INT_RX | hv::pl011::INT_RT);
    const std::uint8_t text[] = {'j', 'o', 'b', '\n'};
    m.port.current_cpu = 0;
    EXPECT_EQ(hv::vuart_receive(*m.hv, m.hv->vm_mut(0), text, 4), 4u);
    EXPECT_EQ(m.hv->vm(0).vuart.raised, 1u);
    EXPECT_EQ(m.hv->vm(1).vuart.raised, 0u); // only that VM's UART
    EXPECT_EQ(rd(hv::pl011::MIS), hv::pl011::INT_RT);
    std::string got;
    while ((rd(hv::pl011::FR) & hv::pl011::FR_RXFE) == 0)
        got += static_cast<char>(rd(hv::pl011::DR));
    EXPECT_EQ(got, "job\n");
    EXPECT_EQ(rd(hv::pl011::MIS), 0u);
    EXPECT_FALSE(m.hv->vm(0).vuart.irq_level);
}

TEST(Trap, WfiIdlesWfeResumesAndAccountsTheContext) {
    Machine m;
    hv::VcpuRegs r{};
    r.pc = 0x4000'0500;
    const auto w0 = m.port.bytes_written;
    const auto r0 = m.port.bytes_read;
    EXPECT_EQ(m.trap(0, a8::wfi(), r), TrapAction::Idle);
    EXPECT_EQ(r.pc, 0x4000'0504u);
    EXPECT_EQ(m.port.idles, 1);
    EXPECT_EQ(m.hv->vcpu_on_cpu(0)->state, hv::VcpuState::Idle);
    EXPECT_EQ(m.port.bytes_written - w0, sizeof(hv::VcpuRegs));
    EXPECT_EQ(m.port.bytes_read - r0, sizeof(hv::VcpuRegs));
    EXPECT_EQ(m.hvc(1, hv::armv8::psci::AFFINITY_INFO, 0, 0), 0u); // interf's own vCPU 0 is on
    EXPECT_EQ(m.trap(0, a8::wfe(), r), TrapAction::Resume);
    EXPECT_EQ(r.pc, 0x4000'0508u);
    EXPECT_EQ(m.hv->vcpu_on_cpu(0)->state, hv::VcpuState::Running);
}

TEST(Trap, UnhandledTrapsStopTheVmAndUnownedCpusHaveNoVcpu) {
    Machine m;
    hv::VcpuRegs r{};
    EXPECT_EQ(m.trap(3, a8::hvc64(), r), TrapAction::NoVcpu);
    r.pc = 0x4000'0600;
    const a8::TrapSyndrome sysreg{a8::make_esr(a8::Ec::SysReg64, 0x30'0c01), 0, 0};
    EXPECT_EQ(m.trap(1, sysreg, r), TrapAction::VmStopped);
    EXPECT_STREQ(m.hv->vm(1).exit_reason,
                 "vm 1 (\"interf\") vcpu 0 on core 1: unhandled trap, EC 0x18 ISS 0x300c01 "
                 "(pc 0x40000600)");
    EXPECT_EQ(m.hv->vm(1).exit_kind, hv::ExitKind::UnhandledTrap);
}

// Set/way maintenance (issue 13, defect 6): HCR_EL2.TSW traps it, hv cleans
// and invalidates the VM's own memory by PA (never another VM's), once per
// set/way loop, and steps over the instruction.
TEST(SetWay, CleansOnlyTheVmsOwnMemoryOncePerLoop) {
    Machine m;
    EXPECT_NE(a8::kHcrGuest & a8::hcr::TSW, 0u); // what cpu_init programs
    const auto dc_cisw = a8::sys_insn(1, 0, 7, 14, 2, 3, false);
    hv::VcpuRegs r{};
    r.pc = 0x4000'0200;
    EXPECT_EQ(m.trap(0, dc_cisw, r), TrapAction::Resume);
    EXPECT_EQ(r.pc, 0x4000'0204u);
    ASSERT_FALSE(m.port.cleaned.empty());
    // Exactly the pages stage 2 maps for VM 0's regions, and none of VM 1's.
    std::set<std::uint64_t> own_pages;
    for (const auto& reg : m.hv->vm(0).cfg->regions)
        for (std::uint64_t ipa = reg.base; ipa < reg.base + reg.size; ipa += hv::kPageSize)
            own_pages.insert(m.hv->walk(0, ipa).pa);
    std::set<std::uint64_t> cleaned_pages;
    for (auto [pa, size] : m.port.cleaned)
        for (std::uint64_t off = 0; off < size; off += hv::kPageSize)
            cleaned_pages.insert(pa + off);
    EXPECT_EQ(cleaned_pages, own_pages);
    // The rest of the loop (DC ISW, DC CSW too) only traps.
    const std::size_t calls = m.port.cleaned.size();
    r.pc = 0x4000'0204;
    EXPECT_EQ(m.trap(0, a8::sys_insn(1, 0, 7, 6, 2, 3, false), r), TrapAction::Resume);
    EXPECT_EQ(m.trap(0, a8::sys_insn(1, 0, 7, 10, 2, 3, false), r), TrapAction::Resume);
    EXPECT_EQ(m.port.cleaned.size(), calls);
    EXPECT_EQ(r.pc, 0x4000'020cu);
    // After any other trap, the next set/way operation cleans again.
    m.hvc(0, hv::armv8::psci::VERSION);
    EXPECT_EQ(m.trap(0, dc_cisw, r), TrapAction::Resume);
    EXPECT_EQ(m.port.cleaned.size(), 2 * calls);
}

TEST(SetWay, OtherSystemInstructionsStopTheVm) {
    Machine m;
    hv::VcpuRegs r{};
    r.pc = 0x4000'0200;
    // DC CIVAC is not trapped on hardware: a trap of it is named, as any unhandled one.
    EXPECT_EQ(m.trap(0, a8::sys_insn(1, 3, 7, 14, 1, 3, false), r), TrapAction::VmStopped);
    EXPECT_NE(std::string(m.hv->vm(0).exit_reason).find("unhandled trap, EC 0x18"),
              std::string::npos);
}

// The marker page: user space's 32-bit store of 0 / 1 is the mark hypercall.
TEST(Emulation, MarkerPageStoresAreTheMarkCall) {
    hv::ConfigStorage cfg = Machine::config();
    cfg.vms[1].has_marker = true;
    cfg.vms[1].marker = 0x0b00'0000;
    Machine m(cfg);
    auto access = [&](std::uint32_t cpu, std::uint64_t off, bool is_write, std::uint64_t v,
                      std::uint32_t size = 4) {
        hv::VcpuRegs r{};
        r.pc = 0x4000'0400;
        r.x[3] = v;
        const std::uint64_t ipa = 0x0b00'0000 + off;
        EXPECT_EQ(m.trap(cpu, a8::data_abort(ipa, ipa, is_write, size, 3), r), TrapAction::Resume);
        EXPECT_EQ(r.pc, 0x4000'0404u);
        return r.x[3];
    };
    access(1, 0, true, 0);
    access(1, 0, true, 1);
    EXPECT_EQ(m.port.marks, (std::vector<std::pair<std::uint32_t, hv::Mark>>{{1, hv::Mark::Start},
                                                                             {1, hv::Mark::End}}));
    // Not a mark: another value, offset or size; reads return 0.
    access(1, 0, true, 2);
    access(1, 4, true, 0);
    access(1, 0, true, 0, 1);
    EXPECT_EQ(access(1, 0, false, 0x55), 0u);
    EXPECT_EQ(m.port.marks.size(), 2u);
    EXPECT_EQ(m.hv->vm(1).marker_ignored, 3u);
    // The hypercall gives the same record.
    EXPECT_EQ(m.hvc(1, 0x8600'0010, 0), 0u);
    EXPECT_EQ(m.port.marks.back(), (std::pair<std::uint32_t, hv::Mark>{1, hv::Mark::Start}));
    // Only the VM that has the page traps there: for bench it is a stage-2 fault.
    hv::VcpuRegs r{};
    EXPECT_EQ(m.trap(0, a8::data_abort(0x0b00'0000, 0x0b00'0000, true, 4, 3), r),
              TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(0).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_EQ(m.hv->vm(1).state, hv::VmState::Running);
}

// The PL011 registers amba-pl011 probes and programs, through the trap path.
TEST(Emulation, VirtualUartRegistersForAmbaPl011) {
    Machine m;
    auto rd = [&](std::uint64_t off) { return vuart_read(m, off); };
    auto wr = [&](std::uint64_t off, std::uint64_t v) { vuart_write(m, off, v); };
    std::uint32_t periph = 0, cell = 0;
    for (std::uint32_t i = 0; i < 4; ++i) {
        periph |= static_cast<std::uint32_t>(rd(0xfe0 + 4 * i)) << (8 * i);
        cell |= static_cast<std::uint32_t>(rd(0xff0 + 4 * i)) << (8 * i);
    }
    EXPECT_EQ(periph & 0xfffff, 0x41011u);
    EXPECT_EQ(cell, 0xb105f00du);
    EXPECT_EQ(rd(hv::pl011::CR), 0x301u);
    wr(hv::pl011::LCR_H, 0x70);
    wr(hv::pl011::IFLS, 0x12);
    wr(hv::pl011::DMACR, 0); // accepted, no effect
    EXPECT_EQ(rd(hv::pl011::LCR_H), 0x70u);
    wr(hv::pl011::DR, '\r');
    wr(hv::pl011::DR, '\n');
    EXPECT_EQ(m.port.console, "[bench] \r\n"); // CR and LF as written
    EXPECT_EQ(rd(hv::pl011::FR), 0x90u);       // drained at once: TXFE | RXFE, not BUSY
    EXPECT_EQ(rd(hv::pl011::RIS), hv::pl011::INT_TX);
    EXPECT_EQ(rd(hv::pl011::MIS), 0u);
    wr(hv::pl011::ICR, 0x7ff);
    EXPECT_EQ(rd(hv::pl011::RIS), 0u);
    EXPECT_EQ(rd(hv::pl011::DR), 0u);            // nothing received
    EXPECT_EQ(m.hv->vm(1).vuart.regs.lcr_h, 0u); // interf's UART is its own
}
