// hv's vGICv3 against a small register-level stand-in for a GICv3 (the
// simulator's model is sim/'s): list registers and their status registers as
// the architecture derives them (ICH_ELRSR/EISR_EL2 from the LRs' state), an
// acknowledge queue per CPU behind ICC_IAR1_EL1, and the distributor and
// redistributors as recorded register writes. The guest side is trapped
// distributor and redistributor accesses and trapped ICC_SGI1R_EL1 writes.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <vector>

#include "fake_port.h"
#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/arch/armv8/vgic_v3.h"
#include "hv/core/hypervisor.h"
#include "test_config.h"

namespace a8 = hv::armv8;
using a8::SysReg;

namespace {

constexpr std::uint64_t kGicd = 0x0800'0000;
constexpr std::uint64_t kGicr = 0x080A'0000;
constexpr std::uint64_t kStride = 0x2'0000;
constexpr std::uint64_t kSgiBase = 0x1'0000;
constexpr std::uint32_t kDevIrqA = 40; // "bench"'s device
constexpr std::uint32_t kDevIrqB = 41; // "interf"'s device

class V3Port final : public hvtest::FakePort {
  public:
    struct Write {
        std::uint64_t pa;
        std::uint32_t size;
        std::uint64_t v;
    };
    std::vector<Write> writes;                   // MMIO writes, in order
    std::map<std::uint64_t, std::uint64_t> mmio; // last value written per address
    std::deque<std::uint32_t> iar[hv::kMaxCpus]; // what ICC_IAR1_EL1 acknowledges next
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ipis; // (cpu, sgi)

    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t) override {
        if (pa == kGicd + a8::gicv3::gicd::TYPER) {
            return 0x1F; // 1024 INTIDs
        }
        if (pa >= kGicr && (pa - kGicr) % kStride == a8::gicv3::gicr::WAKER) {
            return 0; // awake once asked
        }
        const auto it = mmio.find(pa);
        return it == mmio.end() ? 0 : it->second;
    }
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t v) override {
        writes.push_back({pa, size, v});
        mmio[pa] = v;
    }
    std::uint64_t sysreg_read(SysReg r) override {
        if (r == SysReg::ICC_IAR1_EL1) {
            auto& q = iar[current_cpu];
            if (q.empty()) {
                return 1023;
            }
            const std::uint32_t id = q.front();
            q.pop_front();
            return id;
        }
        if (r == SysReg::ICH_ELRSR_EL2 || r == SysReg::ICH_EISR_EL2) {
            std::uint64_t bits = 0;
            for (std::uint32_t n = 0; n < 4; ++n) {
                const std::uint64_t lr = FakePort::sysreg_read(a8::ich_lr(n));
                const bool invalid = (lr >> 62) == 0;
                const bool eoi = (lr & a8::gicv3::ich::LR_HW) == 0 && (lr & a8::gicv3::ich::LR_EOI);
                if (invalid && (r == SysReg::ICH_ELRSR_EL2 ? !eoi : eoi)) {
                    bits |= 1u << n;
                }
            }
            return bits;
        }
        return FakePort::sysreg_read(r);
    }
    void send_ipi(std::uint32_t cpu, std::uint32_t sgi) override { ipis.emplace_back(cpu, sgi); }

    std::uint64_t lr(std::uint32_t cpu, std::uint32_t n) { return sysregs[{cpu, a8::ich_lr(n)}]; }
    bool wrote(std::uint64_t pa, std::uint64_t v) const {
        for (const Write& w : writes) {
            if (w.pa == pa && w.v == v) {
                return true;
            }
        }
        return false;
    }
    bool wrote_bits(std::uint64_t pa, std::uint64_t bits) const {
        for (const Write& w : writes) {
            if (w.pa == pa && (w.v & bits) != 0) {
                return true;
            }
        }
        return false;
    }
};

// "bench": vCPU 0 on cpu 0, vCPU 1 on cpu 2, device SPI 40, IPC interrupt
// 52; "interf": cpu 1, device SPI 41.
hv::ConfigStorage config() {
    auto cfg = hvtest::two_vms();
    cfg.platform.gic = hv::GicAddrs{kGicd, 0, 0, 0, hv::GicVersion::V3, kGicr, kStride};
    cfg.vms[0].cpu_affinity = 0b0101;
    hv::DevStorage d{};
    d.pa = d.va = 0x0a00'0000;
    d.size = 0x1000;
    d.interrupts.push(kDevIrqA);
    cfg.vms[0].devs.push(d);
    d.pa = d.va = 0x0a00'1000;
    d.interrupts[0] = kDevIrqB;
    cfg.vms[1].devs.push(d);
    cfg.shmems.push({0x1000, 0, false, 0});
    hv::IpcStorage ipc{};
    ipc.base = 0x5000'0000;
    ipc.size = 0x1000;
    ipc.interrupts.push(52);
    cfg.vms[0].ipcs.push(ipc);
    return cfg;
}

std::uint64_t gicr_sgi(std::uint32_t cpu) {
    return kGicr + cpu * kStride + kSgiBase;
}

struct Machine {
    V3Port port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);
    hv::ConfigStorage cfg = config(); // what hv's Config points into

    Machine() {
        const hv::Error e = hvtest::init(*hv, cfg.view(), state);
        EXPECT_TRUE(e.ok()) << e.message;
        EXPECT_TRUE(hv->boot().ok());
        // bench's vCPU 1 started by PSCI CPU_ON from vCPU 0.
        port.current_cpu = 0;
        hv::VcpuRegs r{};
        r.x[0] = 0xC400'0003;
        r.x[1] = 1;
        r.x[2] = 0x4000'1000;
        EXPECT_EQ(a8::handle_trap(*hv, a8::hvc64(), r), hv::TrapAction::Resume);
        EXPECT_EQ(r.x[0], 0u);
        for (std::uint32_t c : {0u, 1u, 2u}) {
            port.current_cpu = c;
            EXPECT_TRUE(hv->cpu_init());
        }
    }

    // A trapped access of the guest on `cpu` at IPA `ipa`.
    hv::TrapAction access(std::uint32_t cpu, std::uint64_t ipa, bool is_write, std::uint64_t& v,
                          std::uint32_t size) {
        port.current_cpu = cpu;
        hv::VcpuRegs r{};
        r.x[1] = v;
        r.pc = 0x4000'0100;
        const auto a = a8::handle_trap(*hv, a8::data_abort(ipa, ipa, is_write, size, 1), r);
        v = r.x[1];
        return a;
    }
    std::uint64_t rd(std::uint32_t cpu, std::uint64_t ipa, std::uint32_t size = 4) {
        std::uint64_t v = 0;
        EXPECT_EQ(access(cpu, ipa, false, v, size), hv::TrapAction::Resume);
        return v;
    }
    void wr(std::uint32_t cpu, std::uint64_t ipa, std::uint64_t v, std::uint32_t size = 4) {
        EXPECT_EQ(access(cpu, ipa, true, v, size), hv::TrapAction::Resume);
    }
    // The guest on `cpu` writes ICC_SGI1R_EL1 (x3): trapped, EC 0x18.
    void sgi1r(std::uint32_t cpu, std::uint64_t v) {
        port.current_cpu = cpu;
        hv::VcpuRegs r{};
        r.x[3] = v;
        r.pc = 0x4000'0200;
        EXPECT_EQ(a8::handle_trap(*hv, a8::sys_insn(3, 0, 12, 11, 5, 3, false), r),
                  hv::TrapAction::Resume);
        EXPECT_EQ(r.pc, 0x4000'0204u);
    }
    const a8::VgicCpu& vgic_of(std::uint32_t cpu) { return hv->vcpu_mut(cpu)->vgic; }
    bool has_pending(std::uint32_t cpu, std::uint32_t id) {
        const a8::VgicCpu& c = vgic_of(cpu);
        for (std::uint32_t k = 0; k < c.num_pending; ++k) {
            if (c.pending[k].id == id) {
                return true;
            }
        }
        for (std::uint32_t n = 0; n < 4; ++n) {
            if ((port.lr(cpu, n) & 0x3FF) == id && (port.lr(cpu, n) >> 62) != 0) {
                return true;
            }
        }
        return false;
    }
    // The guest's distributor on, with `id` enabled at priority `prio`.
    void enable_spi(std::uint32_t cpu, std::uint32_t id, std::uint8_t prio = 0xA0) {
        wr(cpu, kGicd, 0x12); // EnableGrp1, ARE
        wr(cpu, kGicd + 0x400 + id, prio, 1);
        wr(cpu, kGicd + 0x100 + 4 * (id / 32), 1u << (id % 32));
    }
    std::uint64_t irouter(std::uint32_t id) { return kGicd + 0x6000 + 8 * id; }
};

} // namespace

TEST(VgicV3, ListRegisterEncodingRoundTrips) {
    a8::Lr l;
    l.id = 40;
    l.prio = 0xA0;
    l.pending = true;
    l.group1 = true;
    l.hw = true;
    const std::uint64_t v = a8::GicV3::encode(l);
    EXPECT_EQ(v & 0xFFFF'FFFFu, 40u);   // vINTID
    EXPECT_EQ((v >> 32) & 0x1FFF, 40u); // pINTID
    EXPECT_EQ((v >> 48) & 0xFF, 0xA0u); // priority
    EXPECT_EQ(v >> 60, 0b0111u);        // pending, HW, Group 1
    const a8::Lr d = a8::GicV3::decode(v);
    EXPECT_EQ(d.id, 40);
    EXPECT_EQ(d.prio, 0xA0);
    EXPECT_TRUE(d.pending && d.hw && d.group1 && !d.active && !d.eoi_maint);

    a8::Lr s; // a software SGI, active and pending, maintenance at EOI
    s.id = 3;
    s.prio = 0x17; // 5 priority bits kept
    s.pending = s.active = true;
    s.eoi_maint = true;
    const std::uint64_t sv = a8::GicV3::encode(s);
    EXPECT_EQ(sv, (3ull) | (0x10ull << 48) | (3ull << 62) | a8::gicv3::ich::LR_EOI);
    const a8::Lr sd = a8::GicV3::decode(sv);
    EXPECT_EQ(sd.id, 3);
    EXPECT_EQ(sd.prio, 0x10);
    EXPECT_TRUE(sd.pending && sd.active && sd.eoi_maint && !sd.hw && !sd.group1);
    EXPECT_EQ(a8::GicV3::decode(0).pending, false);
}

TEST(VgicV3, CpuInitProgramsSystemRegistersAndRedistributors) {
    Machine m;
    for (std::uint32_t c : {0u, 1u, 2u}) {
        EXPECT_EQ((m.port.sysregs[{c, SysReg::ICC_SRE_EL2}]), 0xFu);
        EXPECT_EQ((m.port.sysregs[{c, SysReg::ICC_CTLR_EL1}]), 2u); // EOImode 1
        EXPECT_EQ((m.port.sysregs[{c, SysReg::ICC_IGRPEN1_EL1}]), 1u);
        EXPECT_EQ((m.port.sysregs[{c, SysReg::ICC_PMR_EL1}]), 0xFFu);
        EXPECT_EQ((m.port.sysregs[{c, SysReg::ICH_HCR_EL2}]) & 1u, 1u);
        // Its own redistributor: awake, Group 1, hv's SGI and the maintenance PPI on.
        EXPECT_TRUE(m.port.wrote(kGicr + c * kStride + 0x14, 0));
        EXPECT_TRUE(m.port.wrote(gicr_sgi(c) + 0x080, 0xFFFF'FFFFu));
        EXPECT_TRUE(m.port.wrote_bits(gicr_sgi(c) + 0x100, 1u << 25));
        EXPECT_TRUE(m.port.wrote_bits(gicr_sgi(c) + 0x100, 1u << 0));
    }
    EXPECT_TRUE(m.port.wrote(kGicd, 0x13)); // ARE, Group 0 and 1
    // Pass-through SPIs routed by IROUTER to the CPU of the owner's vCPU 0.
    EXPECT_TRUE(m.port.wrote(m.irouter(kDevIrqA), 0));
    EXPECT_TRUE(m.port.wrote(m.irouter(kDevIrqB), 1));
}

TEST(VgicV3, DistributorIdentifiesAsGicv3) {
    Machine m;
    EXPECT_EQ((m.rd(0, kGicd + 0xFFE8) >> 4) & 0xF, 3u);
    EXPECT_EQ((m.rd(0, kGicr + 0xFFE8) >> 4) & 0xF, 3u);
    EXPECT_EQ(m.rd(0, kGicd + 0x0) & 0x10, 0x10u); // ARE
    EXPECT_EQ(m.rd(0, kGicd + 0x4) & 0x1F, 0x1Fu);
    // GICv2's registers are gone: SGIR and ITARGETSR write nothing.
    const auto before = m.port.writes.size();
    m.wr(0, kGicd + 0xF00, 0x0002'0001);
    m.wr(0, kGicd + 0x800 + kDevIrqA, 0xFF, 1);
    EXPECT_EQ(m.port.writes.size(), before);
    EXPECT_FALSE(m.has_pending(2, 1));
}

TEST(VgicV3, VmSeesRedistributorsOfItsOwnVcpusOnly) {
    Machine m;
    // bench: two vCPUs at affinities 0 and 1, Last on the second.
    EXPECT_EQ(m.rd(0, kGicr + 0x8, 8), 0ull);
    EXPECT_EQ(m.rd(0, kGicr + kStride + 0x8, 8), (1ull << 32) | (1u << 8) | 0x10);
    EXPECT_EQ(m.rd(2, kGicr + kStride + 0xC), 1u); // upper half: Aff0
    // interf: one vCPU, affinity 0, Last.
    EXPECT_EQ(m.rd(1, kGicr + 0x8, 8), 0x10ull);
    // interf reaching for a second redistributor (bench's vCPU 1's
    // physical one is further up): outside its region, its VM stops.
    std::uint64_t v = 0;
    EXPECT_EQ(m.access(1, kGicr + kStride + 0x8, false, v, 4), hv::TrapAction::VmStopped);
    EXPECT_EQ(m.hv->vm(1).state, hv::VmState::Stopped);
    EXPECT_EQ(m.hv->vm(0).state, hv::VmState::Running);
    // bench beyond its two.
    EXPECT_EQ(m.access(0, kGicr + 2 * kStride + 0x8, false, v, 4), hv::TrapAction::VmStopped);
}

TEST(VgicV3, WakerHandshakeCompletesPerVcpu) {
    Machine m;
    EXPECT_EQ(m.rd(0, kGicr + 0x14), 6u); // ProcessorSleep, ChildrenAsleep
    m.wr(0, kGicr + 0x14, 0);
    EXPECT_EQ(m.rd(0, kGicr + 0x14), 0u);
    EXPECT_EQ(m.rd(0, kGicr + kStride + 0x14), 6u); // vCPU 1 still asleep
}

TEST(VgicV3, RedistributorPrivateRegistersReachOwnCpuOnly) {
    Machine m;
    m.port.writes.clear();
    // bench vCPU 0 enables the virtual timer PPI in its own SGI_base frame:
    // it is hardware-backed, so cpu 0's redistributor is enabled too.
    m.wr(0, kGicr + kSgiBase + 0x100, 1u << 27);
    EXPECT_TRUE(m.port.wrote(gicr_sgi(0) + 0x100, 1u << 27));
    EXPECT_EQ(m.rd(0, kGicr + kSgiBase + 0x100) & (1u << 27), 1u << 27);
    // vCPU 0 writing vCPU 1's frame: ignored, no physical access on cpu 2.
    m.port.writes.clear();
    m.wr(0, kGicr + kStride + kSgiBase + 0x100, 1u << 27);
    EXPECT_TRUE(m.port.writes.empty());
    EXPECT_EQ(m.rd(2, kGicr + kStride + kSgiBase + 0x100) & (1u << 27), 0u);
    // ... but may read its configuration (priority of PPI 27 as vCPU 1 set it).
    m.wr(2, kGicr + kStride + kSgiBase + 0x400 + 27, 0x80, 1);
    EXPECT_EQ(m.rd(0, kGicr + kStride + kSgiBase + 0x400 + 27, 1), 0x80u);
    // The distributor's copies of the private registers are RES0 on GICv3.
    m.port.writes.clear();
    m.wr(0, kGicd + 0x100, 1u << 27 | 1u << 26);
    EXPECT_TRUE(m.port.writes.empty());
}

TEST(VgicV3, IrouterRoutesByVirtualAffinityWithinTheVm) {
    Machine m;
    m.port.writes.clear();
    // bench routes its device SPI to vCPU 1 (affinity 0.0.0.1), which runs on cpu 2.
    m.wr(0, m.irouter(kDevIrqA), 1, 8);
    EXPECT_EQ(m.rd(0, m.irouter(kDevIrqA), 8), 1u);
    EXPECT_TRUE(m.port.wrote(m.irouter(kDevIrqA), 2));
    // An affinity that is no vCPU of the VM: ignored, route unchanged.
    m.port.writes.clear();
    m.wr(0, m.irouter(kDevIrqA), 5, 8);
    m.wr(0, m.irouter(kDevIrqA), 0x100, 8); // Aff1 = 1
    m.wr(0, m.irouter(kDevIrqA) + 4, 1);    // Aff3 = 1 by the upper half
    EXPECT_EQ(m.rd(0, m.irouter(kDevIrqA), 8), 1u);
    EXPECT_TRUE(m.port.writes.empty());
    // IRM: any of its vCPUs; by 32-bit halves.
    m.wr(0, m.irouter(kDevIrqA), 1u << 31);
    EXPECT_EQ(m.rd(0, m.irouter(kDevIrqA)), 1u << 31);
    EXPECT_EQ(m.rd(0, m.irouter(kDevIrqA) + 4), 0u);
    // A virtual SPI (IPC) routed to vCPU 1 is raised there.
    m.wr(0, m.irouter(52), 1, 8);
    m.enable_spi(0, 52);
    m.port.current_cpu = 0;
    a8::vgic_raise(*m.hv, m.hv->vm_mut(0), 52);
    EXPECT_TRUE(m.has_pending(2, 52));
    EXPECT_FALSE(m.has_pending(0, 52));
}

TEST(VgicV3, VmCannotEnableRoutePendOrReadAnotherVmsInterrupts) {
    Machine m;
    m.port.writes.clear();
    // interf (cpu 1) on bench's SPI 40: enable, pend, route, priority.
    m.wr(1, kGicd + 0x100 + 4, 1u << (kDevIrqA % 32));
    m.wr(1, kGicd + 0x200 + 4, 1u << (kDevIrqA % 32));
    m.wr(1, m.irouter(kDevIrqA), 0, 8);
    m.wr(1, kGicd + 0x400 + kDevIrqA, 0x00, 1);
    EXPECT_TRUE(m.port.writes.empty());
    EXPECT_EQ(m.rd(1, m.irouter(kDevIrqA), 8), 0u);
    EXPECT_EQ(m.rd(1, kGicd + 0x100 + 4) & (1u << (kDevIrqA % 32)), 0u);
    EXPECT_FALSE(m.has_pending(0, kDevIrqA));
    EXPECT_GE(m.hv->vm(1).vgicd.ignored, 3u);
    // Its own device SPI reaches the physical distributor.
    m.wr(1, kGicd + 0x100 + 4, 1u << (kDevIrqB % 32));
    EXPECT_TRUE(m.port.wrote(kGicd + 0x100 + 4, 1u << (kDevIrqB % 32)));
    EXPECT_EQ(m.rd(0, kGicd + 0x100 + 4) & (1u << (kDevIrqB % 32)), 0u); // bench can't see it
}

TEST(VgicV3, Sgi1rTargetsOnlyTheVmsOwnVcpus) {
    Machine m;
    // bench vCPU 0 -> vCPU 1 (TargetList bit 1), SGI 3.
    m.sgi1r(0, a8::gicv3::icc::sgi1r(3, 1));
    EXPECT_TRUE(m.has_pending(2, 3));
    EXPECT_EQ(m.port.ipis.size(), 1u);
    EXPECT_EQ(m.port.ipis[0].first, 2u); // hv's SGI to vCPU 1's CPU
    // Targets outside the VM: affinity 2 (no such vCPU), Aff1 = 1, RS = 1.
    const auto ignored = m.hv->vm(0).vgicd.ignored;
    m.sgi1r(0, a8::gicv3::icc::sgi1r(4, 2));
    m.sgi1r(0, (4ull << 24) | (1ull << 16) | 1);
    m.sgi1r(0, (4ull << 24) | (1ull << 44) | 1);
    for (std::uint32_t c : {0u, 1u, 2u}) {
        EXPECT_FALSE(m.has_pending(c, 4)) << c;
    }
    EXPECT_EQ(m.hv->vm(0).vgicd.ignored, ignored + 3);
    // IRM: every other vCPU of the VM only.
    m.sgi1r(2, (5ull << 24) | (1ull << 40));
    EXPECT_TRUE(m.has_pending(0, 5));
    EXPECT_FALSE(m.has_pending(1, 5));
    EXPECT_FALSE(m.has_pending(2, 5));
    // interf (one vCPU) naming affinity 1: bench's vCPU 1 gets nothing.
    m.sgi1r(1, a8::gicv3::icc::sgi1r(6, 1));
    EXPECT_FALSE(m.has_pending(2, 6));
    EXPECT_FALSE(m.has_pending(0, 6));
    // To itself: delivered in its list registers (SGIs are always enabled).
    m.sgi1r(1, a8::gicv3::icc::sgi1r(6, 0));
    EXPECT_TRUE(m.has_pending(1, 6));
}

TEST(VgicV3, PhysicalInterruptIsInjectedHardwareLinked) {
    Machine m;
    m.enable_spi(0, kDevIrqA, 0x90);
    m.port.iar[0].push_back(kDevIrqA);
    m.port.current_cpu = 0;
    EXPECT_EQ(a8::handle_irq(*m.hv), a8::IrqOutcome::Injected);
    EXPECT_EQ((m.port.sysregs[{0u, SysReg::ICC_EOIR1_EL1}]), kDevIrqA); // priority drop only
    const a8::Lr l = a8::GicV3::decode(m.port.lr(0, 0));
    EXPECT_EQ(l.id, kDevIrqA);
    EXPECT_TRUE(l.hw && l.pending);
    EXPECT_EQ(l.prio, 0x90);
    EXPECT_EQ((m.port.lr(0, 0) >> 32) & 0x1FFF, kDevIrqA);
    // Spurious: nothing.
    EXPECT_EQ(a8::handle_irq(*m.hv), a8::IrqOutcome::Spurious);
}

TEST(VgicV3, HigherPriorityEvictsAPendingListRegister) {
    Machine m;
    m.wr(0, kGicd, 0x12);
    // Five virtual SGIs of bench vCPU 0: priorities 0xA0 for 1-4, then 0x20 for 5.
    for (std::uint32_t id = 1; id <= 5; ++id) {
        m.wr(0, kGicr + kSgiBase + 0x400 + id, id == 5 ? 0x20 : 0xA0, 1);
    }
    for (std::uint32_t id = 1; id <= 4; ++id) {
        m.sgi1r(0, a8::gicv3::icc::sgi1r(id, 0));
    }
    for (std::uint32_t n = 0; n < 4; ++n) {
        EXPECT_EQ(m.port.lr(0, n) & 0x3FF, n + 1);
    }
    m.sgi1r(0, a8::gicv3::icc::sgi1r(5, 0));
    bool five_in_lr = false;
    for (std::uint32_t n = 0; n < 4; ++n) {
        five_in_lr = five_in_lr || (m.port.lr(0, n) & 0x3FF) == 5;
    }
    EXPECT_TRUE(five_in_lr);
    EXPECT_EQ(m.vgic_of(0).num_pending, 1u); // the evicted one waits
    // Underflow maintenance armed while one waits.
    EXPECT_EQ((m.port.sysregs[{0u, SysReg::ICH_HCR_EL2}]) & 0b11, 0b11u);
}
