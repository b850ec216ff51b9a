// hv's vGIC against the register-level GIC model (sim/gic): hv reaches the
// model through its port's dev_read/dev_write, exactly as in the simulator,
// and the "guest" side uses the GICV frame and trapped distributor accesses.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "fake_port.h"
#include "hv/arch/armv8/trap.h"
#include "hv/arch/armv8/vgic.h"
#include "hv/core/hypervisor.h"
#include "sim/gic/gic.h"
#include "test_config.h"

namespace a8 = hv::armv8;
namespace g = sim::gic;
using a8::IrqOutcome;

namespace {

// The hv port of the tests' FakePort, with device registers on a real GIC.
class GicPort final : public hv::armv8::ArmPort {
  public:
    hvtest::FakePort mem;
    g::Gic gic{g::GicConfig{}};
    std::uint32_t current_cpu = 0;
    struct Access {
        std::uint64_t pa;
        std::size_t len;
        bool is_write;
    };
    std::vector<Access> accounted;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ipis; // (cpu, sgi)

    std::uint32_t cpu_id() override { return current_cpu; }
    void mem_read(std::uint64_t pa, void* d, std::size_t n) override { mem.mem_read(pa, d, n); }
    void mem_write(std::uint64_t pa, const void* s, std::size_t n) override {
        mem.mem_write(pa, s, n);
    }
    void mem_copy(std::uint64_t d, std::uint64_t s, std::size_t n) override {
        mem.mem_copy(d, s, n);
    }
    void mem_zero(std::uint64_t pa, std::size_t n) override { mem.mem_zero(pa, n); }
    void account(std::uint64_t pa, std::size_t len, bool is_write) override {
        accounted.push_back({pa, len, is_write});
    }
    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override {
        const auto w = g::decode(g::AddressMap{}, pa);
        EXPECT_TRUE(w.has_value()) << std::hex << pa;
        return w ? gic.mmio_read(w->frame, current_cpu, w->offset, size) : 0;
    }
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t v) override {
        const auto w = g::decode(g::AddressMap{}, pa);
        EXPECT_TRUE(w.has_value()) << std::hex << pa;
        if (w) {
            gic.mmio_write(w->frame, current_cpu, w->offset, static_cast<std::uint32_t>(v), size);
        }
    }
    std::uint64_t sysreg_read(hv::armv8::SysReg r) override { return mem.sysreg_read(r); }
    void sysreg_write(hv::armv8::SysReg r, std::uint64_t v) override { mem.sysreg_write(r, v); }
    void tlb_flush_vm(std::uint16_t) override {}
    void tlb_flush_ipa(std::uint16_t, std::uint64_t) override {}
    void cache_clean_invalidate(std::uint64_t, std::uint64_t) override {}
    // As the simulator must: a physical SGI to `cpu` through GICD_SGIR.
    void send_ipi(std::uint32_t cpu, std::uint32_t sgi) override {
        ipis.emplace_back(cpu, sgi);
        gic.mmio_write(g::Frame::Distributor, current_cpu, g::gicd::kSgir,
                       (1u << (16 + cpu)) | (sgi & 0xF), 4);
    }
    void mark(std::uint32_t, hv::Mark) override {}
    void console_putc(char) override {}
    void cpu_on(std::uint32_t) override {}
    void cpu_stop(std::uint32_t) override {}
    void cpu_idle() override {}
    void vm_stopped(std::uint32_t) override {}
    void power_off() override {}
};

constexpr std::uint64_t kGicd = 0x0800'0000;
constexpr std::uint32_t kDevIrqA = 40; // "bench"'s device
constexpr std::uint32_t kDevIrqB = 41; // "interf"'s device

// "bench": vCPU 0 on cpu 0, vCPU 1 on cpu 2, device SPI 40, IPC interrupts
// 52-57; "interf": cpu 1, device SPI 41, IPC interrupts 60-61.
hv::ConfigStorage config() {
    auto cfg = hvtest::two_vms();
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
    for (std::uint32_t i = 52; i < 58; ++i) {
        ipc.interrupts.push(i);
    }
    cfg.vms[0].ipcs.push(ipc);
    ipc.interrupts.clear();
    ipc.interrupts.push(60);
    ipc.interrupts.push(61);
    cfg.vms[1].ipcs.push(ipc);
    return cfg;
}

struct Machine {
    GicPort port;
    std::vector<std::byte> state; // hv's run-time state
    std::unique_ptr<hv::Hypervisor> hv = std::make_unique<hv::Hypervisor>(port);
    hv::ConfigStorage cfg = config(); // what hv's Config points into

    Machine() {
        const hv::Error e = hvtest::init(*hv, cfg.view(), state);
        EXPECT_TRUE(e.ok()) << e.message;
        EXPECT_TRUE(hv->boot().ok());
        for (std::uint32_t c : {0u, 1u, 2u}) {
            port.current_cpu = c;
            EXPECT_TRUE(hv->cpu_init());
        }
    }

    // The guest on `cpu` reads or writes its distributor (a trapped access).
    std::uint32_t gicd(std::uint32_t cpu, std::uint32_t off, bool is_write, std::uint32_t v = 0,
                       std::uint32_t size = 4) {
        port.current_cpu = cpu;
        hv::VcpuRegs r{};
        r.x[1] = v;
        r.pc = 0x4000'0100;
        const auto a =
            a8::handle_trap(*hv, a8::data_abort(kGicd + off, kGicd + off, is_write, size, 1), r);
        EXPECT_EQ(a, hv::TrapAction::Resume);
        EXPECT_EQ(r.pc, 0x4000'0104u);
        return static_cast<std::uint32_t>(r.x[1]);
    }
    void wr(std::uint32_t cpu, std::uint32_t off, std::uint32_t v, std::uint32_t size = 4) {
        gicd(cpu, off, true, v, size);
    }
    std::uint32_t rd(std::uint32_t cpu, std::uint32_t off, std::uint32_t size = 4) {
        return gicd(cpu, off, false, 0, size);
    }
    // The guest's CPU interface (GICV at its GICC IPA).
    std::uint32_t gicv_read(std::uint32_t cpu, std::uint32_t off) {
        return port.gic.mmio_read(g::Frame::VirtualCpuInterface, cpu, off, 4);
    }
    void gicv_write(std::uint32_t cpu, std::uint32_t off, std::uint32_t v) {
        port.gic.mmio_write(g::Frame::VirtualCpuInterface, cpu, off, v, 4);
    }
    // A guest's GIC bring-up: its CPU interface and distributor enabled.
    void guest_init(std::uint32_t cpu) {
        gicv_write(cpu, g::gicv::kCtlr, 1);
        gicv_write(cpu, g::gicv::kPmr, 0xF8);
        wr(cpu, 0x000, 1);
    }
    void enable(std::uint32_t cpu, std::uint32_t id, std::uint8_t prio = 0xA0) {
        wr(cpu, 0x400 + id, prio, 1);
        wr(cpu, 0x100 + 4 * (id / 32), 1u << (id % 32));
    }
    // What the simulator does while a core's physical IRQ line is high.
    std::vector<IrqOutcome> take_irqs(std::uint32_t cpu) {
        std::vector<IrqOutcome> out;
        port.current_cpu = cpu;
        for (int i = 0; i < 16 && port.gic.irq_line(cpu); ++i) {
            out.push_back(a8::handle_irq(*hv));
        }
        EXPECT_FALSE(port.gic.irq_line(cpu));
        return out;
    }
    bool phys_active(std::uint32_t cpu, std::uint32_t id) {
        return port.gic.distributor().is_active(cpu, id);
    }
    std::uint64_t hvc(std::uint32_t cpu, std::uint64_t x0, std::uint64_t x1, std::uint64_t x2) {
        port.current_cpu = cpu;
        hv::VcpuRegs r{};
        r.x[0] = x0;
        r.x[1] = x1;
        r.x[2] = x2;
        EXPECT_EQ(a8::handle_trap(*hv, a8::hvc64(), r), hv::TrapAction::Resume);
        return r.x[0];
    }
};

} // namespace

TEST(Vgic, CpuInitProgramsThePhysicalInterfaces) {
    Machine m;
    for (unsigned c : {0u, 1u, 2u}) {
        EXPECT_EQ(m.port.gic.mmio_read(g::Frame::CpuInterface, c, g::gicc::kCtlr, 4) &
                      (g::gicc::kCtlrEoiMode | 1u),
                  g::gicc::kCtlrEoiMode | 1u);
        EXPECT_EQ(m.port.gic.mmio_read(g::Frame::VirtualControl, c, g::gich::kHcr, 4) & 1u, 1u);
        EXPECT_TRUE(m.port.gic.distributor().is_enabled(c, g::kMaintenancePpi));
    }
    EXPECT_TRUE(m.port.gic.distributor().forwarding());
    // Pass-through SPIs routed to the owner's vCPU 0, disabled until the guest enables.
    EXPECT_EQ(m.port.gic.distributor().targets(kDevIrqA), 0b001);
    EXPECT_EQ(m.port.gic.distributor().targets(kDevIrqB), 0b010);
    EXPECT_FALSE(m.port.gic.distributor().is_enabled(0, kDevIrqA));
}

TEST(Vgic, PassThroughSpiIsInjectedHardwareLinked) {
    Machine m;
    m.guest_init(0);
    m.enable(0, kDevIrqA, 0x80);
    EXPECT_TRUE(m.port.gic.distributor().is_enabled(0, kDevIrqA)); // applied physically
    EXPECT_EQ(m.port.gic.distributor().priority(0, kDevIrqA), 0x80);
    m.port.gic.raise(kDevIrqA);
    EXPECT_TRUE(m.port.gic.irq_line(0));
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Injected});
    // hv dropped the priority; the physical interrupt stays active for the guest.
    EXPECT_EQ(m.port.gic.mmio_read(g::Frame::CpuInterface, 0, g::gicc::kRpr, 4), 0xFFu);
    EXPECT_TRUE(m.phys_active(0, kDevIrqA));
    EXPECT_TRUE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), kDevIrqA);
    m.gicv_write(0, g::gicv::kEoir, kDevIrqA);
    EXPECT_FALSE(m.phys_active(0, kDevIrqA)); // the guest's EOI deactivated it
    EXPECT_FALSE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.hv->vm(0).vgicd.injected, 1u);
    // A second one goes the same way.
    m.port.gic.raise(kDevIrqA);
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Injected});
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), kDevIrqA);
}

TEST(Vgic, VirtualTimerReachesTheRunningVcpu) {
    Machine m;
    m.guest_init(1);
    m.enable(1, 27, 0x40);
    EXPECT_TRUE(m.port.gic.distributor().is_enabled(1, 27));
    EXPECT_FALSE(m.port.gic.distributor().is_enabled(0, 27)); // banked: only cpu 1's
    m.port.gic.set_ppi_level(1, 27, true);
    EXPECT_EQ(m.take_irqs(1), std::vector<IrqOutcome>{IrqOutcome::Injected});
    EXPECT_FALSE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.gicv_read(1, g::gicv::kIar), 27u);
    m.port.gic.set_ppi_level(1, 27, false); // the handler masks its timer
    m.gicv_write(1, g::gicv::kEoir, 27);
    EXPECT_FALSE(m.phys_active(1, 27));
    EXPECT_FALSE(m.port.gic.irq_line(1));
}

TEST(Vgic, PrioritiesWithMorePendingThanListRegisters) {
    Machine m;
    m.guest_init(0);
    const std::uint8_t prio[6] = {0x60, 0x20, 0xA0, 0x40, 0x80, 0x10}; // ids 52..57
    for (std::uint32_t i = 0; i < 6; ++i) {
        m.enable(0, 52 + i, prio[i]);
    }
    for (std::uint32_t i = 0; i < 6; ++i) {
        m.wr(0, 0x200 + 4, 1u << (52 + i - 32)); // ISPENDR1
    }
    // The four highest are in the list registers, the other two wait in hv.
    std::vector<std::uint32_t> in_lrs;
    for (std::uint32_t n = 0; n < 4; ++n) {
        const std::uint32_t lr =
            m.port.gic.mmio_read(g::Frame::VirtualControl, 0, g::gich::kLr0 + 4 * n, 4);
        EXPECT_EQ((lr >> 28) & 3, 1u); // pending
        in_lrs.push_back(lr & 0x3FF);
    }
    std::sort(in_lrs.begin(), in_lrs.end());
    EXPECT_EQ(in_lrs, (std::vector<std::uint32_t>{52, 53, 55, 57}));
    EXPECT_EQ(m.hv->vcpu_on_cpu(0)->vgic.num_pending, 2u);
    EXPECT_EQ(m.rd(0, 0x200 + 4) >> 20, 0b111111u); // ISPENDR1 shows all six
    // The guest takes them in priority order; the last two arrive through
    // the maintenance interrupt as it EOIs.
    std::vector<std::uint32_t> order;
    for (int i = 0; i < 6; ++i) {
        m.take_irqs(0);
        const std::uint32_t id = m.gicv_read(0, g::gicv::kIar);
        order.push_back(id);
        m.gicv_write(0, g::gicv::kEoir, id);
    }
    EXPECT_EQ(order, (std::vector<std::uint32_t>{57, 53, 55, 52, 56, 54}));
    EXPECT_GE(m.hv->vcpu_on_cpu(0)->vgic.maintenance, 1u);
    m.take_irqs(0);
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), 1023u);
    EXPECT_FALSE(m.port.gic.maintenance(0));
}

TEST(Vgic, HigherPriorityEvictsAPendingListRegister) {
    Machine m;
    m.guest_init(0);
    for (std::uint32_t i = 0; i < 5; ++i) {
        m.enable(0, 52 + i, static_cast<std::uint8_t>(0xA0 - 0x10 * i)); // 56 highest
        m.wr(0, 0x204, 1u << (52 + i - 32));
    }
    EXPECT_EQ(m.hv->vcpu_on_cpu(0)->vgic.pending[0].id, 52); // the lowest waits
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), 56u);
}

TEST(Vgic, AVmCannotTouchAnotherVmsInterrupts) {
    Machine m;
    m.guest_init(1);
    // "interf" (cpu 1) tries to enable, pend and reprioritise bench's SPI 40.
    m.wr(1, 0x104, 1u << (kDevIrqA - 32));
    m.wr(1, 0x204, 1u << (kDevIrqA - 32));
    m.wr(1, 0x400 + kDevIrqA, 0x10, 1);
    m.wr(1, 0x800 + kDevIrqA, 0x1, 1);
    EXPECT_FALSE(m.port.gic.distributor().is_enabled(0, kDevIrqA));
    EXPECT_FALSE(m.port.gic.distributor().is_pending(0, kDevIrqA));
    EXPECT_EQ(m.port.gic.distributor().priority(0, kDevIrqA), 0u);
    EXPECT_EQ(m.rd(1, 0x104), 0u);
    EXPECT_EQ(m.rd(1, 0x400 + kDevIrqA, 1), 0u);
    EXPECT_EQ(m.rd(1, 0x800 + kDevIrqA, 1), 0u);
    EXPECT_GE(m.hv->vm(1).vgicd.ignored, 4u);
    // Its own SPI 41 works; bench sees that as zero.
    m.wr(1, 0x104, 1u << (kDevIrqB - 32));
    EXPECT_EQ(m.rd(1, 0x104), 1u << (kDevIrqB - 32));
    EXPECT_TRUE(m.port.gic.distributor().is_enabled(1, kDevIrqB));
    EXPECT_EQ(m.rd(0, 0x104), 0u);
    // Bench's own view of 40 is untouched.
    m.enable(0, kDevIrqA, 0x30);
    EXPECT_EQ(m.rd(0, 0x104), 1u << (kDevIrqA - 32));
    EXPECT_EQ(m.rd(0, 0x400 + kDevIrqA, 1), 0x30u);
    EXPECT_EQ(m.rd(0, 0x800 + 40, 4) & 0xFF, 1u); // vCPU 0
    // Identification and type: its own vCPU count.
    EXPECT_EQ((m.rd(0, 0x004) >> 5) & 7, 1u);
    EXPECT_EQ((m.rd(1, 0x004) >> 5) & 7, 0u);
    EXPECT_EQ(m.rd(0, 0x008), 0x0200'143Bu);
    // Reserved offsets and bad sizes are ignored, never fatal.
    m.wr(1, 0x040, 0xFFFF'FFFF);
    EXPECT_EQ(m.rd(1, 0x040), 0u);
    m.wr(1, 0x104, 0xFF, 1);
    EXPECT_EQ(m.hv->vm(1).state, hv::VmState::Running);
}

TEST(Vgic, RetargetingAPassThroughSpiMovesItPhysically) {
    Machine m;
    m.guest_init(0);
    m.wr(0, 0x800 + kDevIrqA, 0b10, 1); // vCPU 1 -> physical cpu 2
    EXPECT_EQ(m.port.gic.distributor().targets(kDevIrqA), 0b100);
    EXPECT_EQ(m.rd(0, 0x800 + kDevIrqA, 1), 0b10u);
}

TEST(Vgic, SgirReachesOnlyTheVmsOtherVcpu) {
    Machine m;
    m.guest_init(0);
    m.gicv_write(2, g::gicv::kCtlr, 1);
    m.gicv_write(2, g::gicv::kPmr, 0xF8);
    m.gicv_write(1, g::gicv::kCtlr, 1);
    m.gicv_write(1, g::gicv::kPmr, 0xF8);
    m.wr(0, 0xF00, (0b10u << 16) | 3); // SGI 3 to virtual CPU 1
    EXPECT_EQ(m.port.ipis.size(), 1u);
    EXPECT_EQ(m.port.ipis[0].first, 2u);
    EXPECT_FALSE(m.port.gic.irq_line(1));
    EXPECT_EQ(m.take_irqs(2), std::vector<IrqOutcome>{IrqOutcome::Ipi});
    EXPECT_EQ(m.gicv_read(2, g::gicv::kIar), 3u); // from vCPU 0
    m.gicv_write(2, g::gicv::kEoir, 3);
    EXPECT_FALSE(m.port.gic.virq_line(1));
    EXPECT_FALSE(m.port.gic.virq_line(0));
    // A target outside the VM: nothing sent, counted.
    const auto ignored = m.hv->vm(0).vgicd.ignored;
    m.wr(0, 0xF00, (0b100u << 16) | 4);
    EXPECT_EQ(m.port.ipis.size(), 1u);
    EXPECT_GT(m.hv->vm(0).vgicd.ignored, ignored);
    // "Self" stays on the sender's CPU, source in IAR[12:10].
    EXPECT_EQ(m.hvc(0, 0xC400'0003, 1, 0x4000'1000), 0u); // PSCI CPU_ON vCPU 1
    m.wr(2, 0xF00, (2u << 24) | 5);
    EXPECT_EQ(m.gicv_read(2, g::gicv::kIar), 5u | (1u << 10));
    EXPECT_EQ(m.hv->vm(0).vgicd.sgis, 3u);
}

TEST(Vgic, IpcNotifyInjectsIntoThePeerAcrossCpus) {
    Machine m;
    m.guest_init(1);
    // Raised before the peer enabled it: it waits.
    EXPECT_EQ(m.hvc(0, 0x8600'0001, 0, 1), 0u);
    m.take_irqs(1);
    EXPECT_EQ(m.gicv_read(1, g::gicv::kIar), 1023u);
    EXPECT_EQ(m.rd(1, 0x204) & (1u << (61 - 32)), 1u << (61 - 32));
    // Enabling delivers it.
    m.enable(1, 61, 0x50);
    EXPECT_EQ(m.gicv_read(1, g::gicv::kIar), 61u);
    m.gicv_write(1, g::gicv::kEoir, 61);
    // Enabled: bench's notify on cpu 0 reaches cpu 1 through hv's SGI.
    m.enable(1, 60, 0x50);
    const auto ipis = m.port.ipis.size();
    EXPECT_EQ(m.hvc(0, 0x8600'0001, 0, 0), 0u);
    ASSERT_EQ(m.port.ipis.size(), ipis + 1);
    EXPECT_EQ(m.port.ipis.back(), (std::pair<std::uint32_t, std::uint32_t>{1, a8::kHvIpiSgi}));
    EXPECT_FALSE(m.port.gic.virq_line(1));
    EXPECT_EQ(m.take_irqs(1), std::vector<IrqOutcome>{IrqOutcome::Ipi});
    EXPECT_TRUE(m.port.gic.virq_line(1));
    EXPECT_EQ(m.gicv_read(1, g::gicv::kIar), 60u);
    m.gicv_write(1, g::gicv::kEoir, 60);
    EXPECT_FALSE(m.port.gic.virq_line(0)); // not the sender
    EXPECT_EQ(m.hv->vm(1).ipc_notifications, 2u);
}

TEST(Vgic, SpuriousAndUnownedInterrupts) {
    Machine m;
    m.port.current_cpu = 0;
    EXPECT_EQ(a8::handle_irq(*m.hv), IrqOutcome::Spurious);
    // SPI 70 belongs to nobody; something enabled it behind hv's back.
    m.port.gic.mmio_write(g::Frame::Distributor, 0, g::gicd::kIsenabler + 8, 1u << (70 - 64), 4);
    m.port.gic.mmio_write(g::Frame::Distributor, 0, g::gicd::kItargetsr + 70, 1, 1);
    m.port.gic.set_level(70, true);
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Unowned});
    EXPECT_FALSE(m.phys_active(0, 70));
    EXPECT_FALSE(m.port.gic.distributor().is_enabled(0, 70)); // no storm
    EXPECT_EQ(m.hv->vgic().unowned, 1u);
    EXPECT_EQ(m.hv->vgic().spurious, 1u);
    EXPECT_FALSE(m.port.gic.virq_line(0));
    // The physical EL1 timer PPI is not the VM's either.
    m.port.gic.mmio_write(g::Frame::Distributor, 0, g::gicd::kIsenabler, 1u << 30, 4);
    m.port.gic.set_ppi_level(0, 30, true);
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Unowned});
    EXPECT_EQ(m.hv->vgic().unowned, 2u);
    // A CPU without a vCPU: handled, nothing injected.
    m.port.current_cpu = 3;
    EXPECT_EQ(a8::handle_irq(*m.hv), IrqOutcome::Spurious);
}

TEST(Vgic, IrqPathAccountsOnlyHvMemory) {
    Machine m;
    m.guest_init(0);
    m.enable(0, kDevIrqA, 0x80);
    m.port.accounted.clear();
    m.port.gic.raise(kDevIrqA);
    m.take_irqs(0);
    ASSERT_FALSE(m.port.accounted.empty());
    auto in = [](std::uint64_t pa, std::size_t len, std::uint64_t base) {
        return pa >= base && pa + len <= base + 4096;
    };
    bool ctx_save = false;
    for (const auto& a : m.port.accounted) {
        bool ok = in(a.pa, a.len, m.hv->vgic().pa);
        for (std::uint32_t c = 0; c < 3; ++c) {
            ok = ok || in(a.pa, a.len, m.hv->vcpu_on_cpu(c)->ctx_pa);
        }
        for (std::uint32_t v = 0; v < m.hv->num_vms(); ++v) {
            ok = ok || in(a.pa, a.len, m.hv->vm(v).vgicd.pa);
        }
        EXPECT_TRUE(ok) << std::hex << a.pa;
        ctx_save = ctx_save || (a.pa == m.hv->vcpu_on_cpu(0)->ctx_pa && a.is_write);
        // Never a VM's memory.
        for (std::uint32_t v = 0; v < m.hv->num_vms(); ++v) {
            const auto w = m.hv->walk(v, 0x4000'0000);
            EXPECT_FALSE(a.pa >= w.pa && a.pa < w.pa + (16u << 20));
        }
    }
    EXPECT_TRUE(ctx_save);
    // The vGIC records live in hv's own pages, distinct per CPU and per VM.
    EXPECT_EQ(m.hv->vcpu_on_cpu(0)->vgic.pa, m.hv->vcpu_on_cpu(0)->ctx_pa + a8::kVgicCpuCtxOffset);
    EXPECT_NE(m.hv->vm(0).vgicd.pa, m.hv->vm(1).vgicd.pa);
}

TEST(Vgic, ClearPendingAndAStoppedOwner) {
    Machine m;
    m.guest_init(0);
    m.enable(0, 52, 0x40);
    m.wr(0, 0x104, 0);                   // nothing
    m.wr(0, 0x180 + 4, 1u << (52 - 32)); // ICENABLER: it will wait
    m.wr(0, 0x200 + 4, 1u << (52 - 32)); // ISPENDR
    EXPECT_EQ(m.rd(0, 0x200 + 4), 1u << (52 - 32));
    m.wr(0, 0x280 + 4, 1u << (52 - 32)); // ICPENDR drops it
    EXPECT_EQ(m.rd(0, 0x200 + 4), 0u);
    m.wr(0, 0x100 + 4, 1u << (52 - 32));
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), 1023u);
    // Once its owner stopped, a pass-through SPI is unowned.
    m.enable(0, kDevIrqA, 0x80);
    m.port.current_cpu = 0;
    hv::VcpuRegs r{};
    r.x[0] = 0x8400'0008; // PSCI SYSTEM_OFF
    EXPECT_EQ(a8::handle_trap(*m.hv, a8::hvc64(), r), hv::TrapAction::VmStopped);
    m.port.gic.raise(kDevIrqA);
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Unowned});
    EXPECT_FALSE(m.phys_active(0, kDevIrqA));
}

namespace {
constexpr std::uint32_t kUartIrq = 33;

// The guest on `cpu` accesses its virtual UART (a trapped access).
std::uint32_t uart(Machine& m, std::uint32_t cpu, std::uint64_t off, bool is_write,
                   std::uint32_t v = 0) {
    m.port.current_cpu = cpu;
    hv::VcpuRegs r{};
    r.x[1] = v;
    const std::uint64_t ipa = 0x0900'0000 + off;
    EXPECT_EQ(a8::handle_trap(*m.hv, a8::data_abort(ipa, ipa, is_write, 4, 1), r),
              hv::TrapAction::Resume);
    return static_cast<std::uint32_t>(r.x[1]);
}
} // namespace

// Each VM's virtual UART raises SPI 33 in that VM's own vGIC, and only there.
TEST(Vgic, VirtualUartInterruptReachesOnlyItsVm) {
    Machine m;
    for (std::uint32_t cpu : {0u, 1u}) {
        m.guest_init(cpu);
        m.enable(cpu, kUartIrq);
    }
    EXPECT_EQ(m.hv->vm(0).vgicd.targets[kUartIrq], 1u); // vCPU 0, virtual
    uart(m, 0, hv::pl011::IMSC, true, hv::pl011::INT_TX);
    EXPECT_FALSE(m.port.gic.virq_line(0)); // TX enabled before any write: nothing (TRM)
    uart(m, 0, hv::pl011::DR, true, 'a');  // drains at once: TXIS
    EXPECT_TRUE(m.port.gic.virq_line(0));
    EXPECT_FALSE(m.port.gic.virq_line(1));
    EXPECT_FALSE(m.port.gic.virq_line(2));
    EXPECT_EQ(m.rd(1, 0x204) & (1u << (kUartIrq - 32)), 0u);        // interf: not pending
    EXPECT_FALSE(m.port.gic.distributor().is_enabled(0, kUartIrq)); // never physical
    // amba-pl011's handler: IAR, MIS, nothing more to send (TXIM masked), EOI.
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), kUartIrq);
    EXPECT_EQ(uart(m, 0, hv::pl011::MIS, false), hv::pl011::INT_TX);
    uart(m, 0, hv::pl011::IMSC, true, 0);
    m.gicv_write(0, g::gicv::kEoir, kUartIrq);
    EXPECT_FALSE(m.port.gic.virq_line(0));
    // The EOI asks for maintenance (a level interrupt is resampled): MIS is 0 now.
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Maintenance});
    EXPECT_FALSE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.hv->vm(0).vuart.raised, 1u);
    EXPECT_EQ(m.hv->vm(1).vuart.raised, 0u);
    // interf's UART raises it in interf's vGIC (cpu 1) only.
    uart(m, 1, hv::pl011::IMSC, true, hv::pl011::INT_TX);
    uart(m, 1, hv::pl011::DR, true, 'b');
    EXPECT_TRUE(m.port.gic.virq_line(1));
    EXPECT_FALSE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.gicv_read(1, g::gicv::kIar), kUartIrq);
    m.gicv_write(1, g::gicv::kEoir, kUartIrq);
}

// The line is a level: a cause that goes away before the guest took it
// withdraws the interrupt; one still there at the guest's EOI is signalled
// again.
TEST(Vgic, VirtualUartInterruptFollowsTheLevel) {
    Machine m;
    m.guest_init(0);
    uart(m, 0, hv::pl011::IMSC, true, hv::pl011::INT_TX);
    uart(m, 0, hv::pl011::DR, true, 'a'); // raised while the guest has it disabled
    EXPECT_EQ(m.rd(0, 0x204) & (1u << (kUartIrq - 32)), 1u << (kUartIrq - 32));
    uart(m, 0, hv::pl011::ICR, true, hv::pl011::INT_TX); // cleared: withdrawn
    EXPECT_EQ(m.rd(0, 0x204) & (1u << (kUartIrq - 32)), 0u);
    m.enable(0, kUartIrq);
    EXPECT_FALSE(m.port.gic.virq_line(0));
    uart(m, 0, hv::pl011::DR, true, 'b'); // the line rises again
    EXPECT_TRUE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), kUartIrq);
    uart(m, 0, hv::pl011::DR, true, 'c'); // TXIS still set: the line stays high
    EXPECT_FALSE(m.port.gic.virq_line(0));
    m.gicv_write(0, g::gicv::kEoir, kUartIrq);
    EXPECT_EQ(m.hv->vm(0).vuart.raised, 2u);
    // Still high at the EOI: the maintenance interrupt signals it again.
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Maintenance});
    EXPECT_TRUE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.hv->vm(0).vuart.raised, 3u);
    EXPECT_EQ(m.gicv_read(0, g::gicv::kIar), kUartIrq);
    uart(m, 0, hv::pl011::IMSC, true, 0); // the handler: nothing more to send
    m.gicv_write(0, g::gicv::kEoir, kUartIrq);
    EXPECT_EQ(m.take_irqs(0), std::vector<IrqOutcome>{IrqOutcome::Maintenance});
    EXPECT_FALSE(m.port.gic.virq_line(0));
    EXPECT_EQ(m.hv->vm(0).vuart.raised, 3u);
}

// A `devs` entry that passes the console through lists its SPI 33: that is
// the VM's virtual UART interrupt, never a hardware-linked one of the VM.
TEST(Vgic, PassedThroughConsoleKeepsAVirtualInterrupt) {
    GicPort port;
    std::vector<std::byte> state;
    auto hv = std::make_unique<hv::Hypervisor>(port);
    auto cfg = config();
    hv::DevStorage d{};
    d.pa = d.va = 0x0900'0000;
    d.size = 0x1'0000;
    d.interrupts.push(kUartIrq);
    cfg.vms[1].devs.push(d);
    const hv::Error e = hvtest::init(*hv, cfg.view(), state);
    ASSERT_TRUE(e.ok()) << e.message;
    const auto& vgicd = hv->vm(1).vgicd;
    const auto bit = [](const std::uint32_t* w, std::uint32_t id) {
        return (w[id / 32] >> (id % 32)) & 1u;
    };
    EXPECT_EQ(bit(vgicd.owned, kUartIrq), 1u);
    EXPECT_EQ(bit(vgicd.level, kUartIrq), 1u);
    EXPECT_EQ(bit(vgicd.hw, kUartIrq), 0u);
    EXPECT_EQ(hv->vgic().spi_owner[kUartIrq], 0u);
    EXPECT_EQ(hv->vgic().spi_owner[kDevIrqB], 2u); // its other device's SPI stays hardware
}

// A `devs` entry listing an SGI or the maintenance PPI: neither can be a
// device's (hv's IPIs and the VM's own virtual SGIs; hv's maintenance
// interrupt), so init refuses the config naming the VM and the interrupt
// rather than leaving the interrupt out unsaid. The timer's PPI 27 passes.
TEST(Vgic, DevsListingAnSgiOrTheMaintenancePpiIsRefused) {
    const auto refusal = [](std::initializer_list<std::uint32_t> irqs) {
        GicPort port;
        std::vector<std::byte> state;
        auto hv = std::make_unique<hv::Hypervisor>(port);
        auto cfg = config();
        hv::DevStorage d{}; // interrupts only, as Bao's {.interrupts = {27}}
        for (std::uint32_t id : irqs)
            d.interrupts.push(id);
        cfg.vms[1].devs.push(d);
        const hv::Error e = hvtest::init(*hv, cfg.view(), state);
        return e.ok() ? std::string("ok") : std::string(e.message);
    };
    EXPECT_EQ(refusal({27}), "ok");
    EXPECT_EQ(refusal({27, 1}),
              "vms[1] (\"interf\").devs[1].interrupts[1]: interrupt 1 is an SGI (0-15): SGIs are "
              "hv's and each VM's own (virtual, sent through its distributor), never a device's");
    EXPECT_EQ(refusal({15}), "vms[1] (\"interf\").devs[1].interrupts[0]: interrupt 15 is an SGI "
                             "(0-15): SGIs are hv's and each VM's own (virtual, sent through its "
                             "distributor), never a device's");
    EXPECT_EQ(refusal({25}), "vms[1] (\"interf\").devs[1].interrupts[0]: interrupt 25 is the "
                             "GIC's maintenance interrupt, hv's own");
    EXPECT_EQ(refusal({16}), "ok"); // the first PPI
}
