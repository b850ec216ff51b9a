// The vGIC's GICv3 interface (IHI 0069): the same members as GicV2
// (vgic_v2.h) over GICv3's registers. List registers are ICH_LR<n>_EL2 (the
// 64-bit encoding of Lr), their control ICH_HCR/ELRSR/EISR_EL2, the physical
// CPU interface ICC_IAR1/EOIR1/DIR_EL1, all through ArmPort::sysreg_read/
// write; the distributor is MMIO at GicAddrs::gicd, this CPU's SGI/PPI
// registers the SGI_base frame of its redistributor (GicAddrs::gicr), SPIs
// are routed by GICD_IROUTER. hv's interrupts are Group 1 (ICC_IAR1_EL1
// acknowledges Group 1 only).
#pragma once

#include <cstdint>

#include "hv/arch/armv8/gicv3.h"
#include "hv/arch/armv8/port_armv8.h"
#include "hv/arch/armv8/vgic_v2.h"
#include "hv/core/config.h"

namespace hv::armv8 {

class GicV3 {
  public:
    // QEMU's GICv3 and the simulator's both have 4 (ICH_VTR_EL2.ListRegs).
    static constexpr std::uint32_t kNumLrs = gicv2::kNumLrs;

    GicV3(ArmPort& p, const GicAddrs& a) : p_(p), a_(a) {}

    // Distributor registers by offset (the SPI registers as on GICv2).
    std::uint32_t d(std::uint32_t off) {
        return static_cast<std::uint32_t>(p_.dev_read(a_.gicd + off, 4));
    }
    void d(std::uint32_t off, std::uint32_t v) { p_.dev_write(a_.gicd + off, 4, v); }
    void d8(std::uint32_t off, std::uint8_t v) { p_.dev_write(a_.gicd + off, 1, v); }
    // This CPU's SGI and PPI registers (its redistributor's SGI_base frame),
    // at the distributor's offsets.
    std::uint32_t r(std::uint32_t off) {
        return static_cast<std::uint32_t>(p_.dev_read(sgi_base() + off, 4));
    }
    void r(std::uint32_t off, std::uint32_t v) { p_.dev_write(sgi_base() + off, 4, v); }
    void r8(std::uint32_t off, std::uint8_t v) { p_.dev_write(sgi_base() + off, 1, v); }
    // Routes physical SPI `id` to the lowest CPU of `cpu_mask` (IROUTER takes
    // one CPU; QEMU virt's CPU n has affinity 0.0.0.n).
    void route(std::uint32_t id, std::uint8_t cpu_mask) {
        std::uint32_t cpu = 0;
        while (cpu < 8 && ((cpu_mask >> cpu) & 1u) == 0) {
            ++cpu;
        }
        p_.dev_write(a_.gicd + gicv3::gicd::IROUTER + 8 * id, 8, cpu < 8 ? cpu : 0);
    }

    // The distributor on with affinity routing, every SPI Group 1.
    void dist_enable() {
        using namespace gicv3::gicd;
        for (std::uint32_t n = 1; n < 32; ++n) {
            d(IGROUPR + 4 * n, 0xFFFF'FFFFu);
        }
        d(CTLR, CTLR_ARE | CTLR_EN_GRP1 | CTLR_EN_GRP0);
    }

    // This CPU's redistributor awake, its SGIs and PPIs Group 1, and the
    // system-register CPU interface on with EOImode 1 (drop and deactivate
    // apart), PMR = 0xFF.
    void cpu_enable() {
        using namespace gicv3;
        p_.sysreg_write(SysReg::ICC_SRE_EL2,
                        icc::SRE_SRE | icc::SRE_DFB | icc::SRE_DIB | icc::SRE_ENABLE);
        const std::uint64_t waker = rd_base() + gicr::WAKER;
        p_.dev_write(waker, 4, p_.dev_read(waker, 4) & ~gicr::WAKER_PROCESSOR_SLEEP);
        // Bounded: a model that never clears ChildrenAsleep must not hang hv.
        for (int i = 0; i < 1000 && (p_.dev_read(waker, 4) & gicr::WAKER_CHILDREN_ASLEEP) != 0;
             ++i) {
        }
        r(gicv2::gicd::IGROUPR, 0xFFFF'FFFFu);
        p_.sysreg_write(SysReg::ICC_PMR_EL1, 0xFF);
        p_.sysreg_write(SysReg::ICC_BPR1_EL1, 0);
        p_.sysreg_write(SysReg::ICC_CTLR_EL1, icc::CTLR_EOIMODE);
        p_.sysreg_write(SysReg::ICC_IGRPEN1_EL1, 1);
    }
    std::uint32_t ack() { return static_cast<std::uint32_t>(p_.sysreg_read(SysReg::ICC_IAR1_EL1)); }
    static std::uint32_t ack_id(std::uint32_t iar) { return iar & gicv3::icc::IAR_ID; }
    void drop(std::uint32_t iar) { p_.sysreg_write(SysReg::ICC_EOIR1_EL1, iar); }
    void deactivate(std::uint32_t iar) { p_.sysreg_write(SysReg::ICC_DIR_EL1, iar); }

    // Virtual interface: list registers and their control.
    std::uint32_t empty_lrs() {
        return static_cast<std::uint32_t>(p_.sysreg_read(SysReg::ICH_ELRSR_EL2));
    }
    std::uint32_t eoi_lrs() {
        return static_cast<std::uint32_t>(p_.sysreg_read(SysReg::ICH_EISR_EL2));
    }
    Lr lr(std::uint32_t n) { return decode(p_.sysreg_read(ich_lr(n))); }
    void lr(std::uint32_t n, const Lr& l) { p_.sysreg_write(ich_lr(n), encode(l)); }
    void lr_clear(std::uint32_t n) { p_.sysreg_write(ich_lr(n), 0); }
    void control(std::uint32_t hcr) { p_.sysreg_write(SysReg::ICH_HCR_EL2, hcr); } // vif::

    static std::uint64_t encode(const Lr& l);
    static Lr decode(std::uint64_t v);

  private:
    std::uint64_t rd_base() { return a_.gicr + p_.cpu_id() * a_.gicr_stride; }
    std::uint64_t sgi_base() { return rd_base() + gicv3::gicr::kSgiBase; }

    ArmPort& p_;
    const GicAddrs& a_;
};

// GICv3 list registers have no SGI source (a virtual SGI's ICV_IAR1_EL1
// gives the INTID only): `src` is not kept.
inline std::uint64_t GicV3::encode(const Lr& l) {
    using namespace gicv3::ich;
    std::uint64_t v = l.id | (static_cast<std::uint64_t>(l.prio & 0xF8) << LR_PRIO_SHIFT) |
                      (l.pending ? LR_PENDING : 0) | (l.active ? LR_ACTIVE : 0) |
                      (l.group1 ? LR_GROUP : 0);
    if (l.hw) {
        v |= LR_HW | (static_cast<std::uint64_t>(l.id) << LR_PINTID_SHIFT);
    } else if (l.eoi_maint) {
        v |= LR_EOI;
    }
    return v;
}

inline Lr GicV3::decode(std::uint64_t v) {
    using namespace gicv3::ich;
    Lr l;
    l.id = static_cast<std::uint16_t>(v & 0x3FF);
    l.prio = static_cast<std::uint8_t>((v >> LR_PRIO_SHIFT) & 0xF8);
    l.pending = (v & LR_PENDING) != 0;
    l.active = (v & LR_ACTIVE) != 0;
    l.group1 = (v & LR_GROUP) != 0;
    l.hw = (v & LR_HW) != 0;
    l.eoi_maint = !l.hw && (v & LR_EOI) != 0;
    return l;
}

} // namespace hv::armv8
