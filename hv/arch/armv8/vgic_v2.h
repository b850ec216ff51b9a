// The vGIC's GICv2 interface (IHI 0048B): how the common logic (vgic.cpp,
// vgicd.cpp) reaches the physical GIC. List registers and their control are
// the GICH frame, the physical CPU interface the GICC frame, the distributor
// GICD, all by MMIO through Port::dev_read/dev_write at the platform's frame
// addresses (GicAddrs). Common code sees list registers decoded (Lr) and the
// CPU interface as acknowledge / priority drop / deactivate, so a GICv3
// interface (ICH_LR<n>_EL2 and ICC_ system registers, redistributors for the
// private interrupts, IROUTER routing) is a vgic_v3.h beside this one.
#pragma once

#include <cstdint>

#include "hv/arch/armv8/gicv2.h"
#include "hv/core/config.h"
#include "hv/port.h"

namespace hv::armv8 {

// A list register as the common logic sees it.
struct Lr {
    std::uint16_t id = 0;  // virtual INTID (with hw: the physical one too)
    std::uint8_t src = 0;  // SGI source vCPU (not hw)
    std::uint8_t prio = 0; // 8-bit form; the interface keeps its top 5 bits
    bool pending = false;
    bool active = false;
    bool group1 = false;
    bool hw = false;        // the guest's EOI deactivates physical `id`
    bool eoi_maint = false; // maintenance interrupt at the guest's EOI (not hw)
};

// Virtual interface control (GICH_HCR; ICH_HCR_EL2 has the same bits).
namespace vif {
inline constexpr std::uint32_t kEnable = 1u << 0;
inline constexpr std::uint32_t kUnderflow = 1u << 1; // fewer than two valid list registers
inline constexpr std::uint32_t kNoPending = 1u << 3; // no list register pending
} // namespace vif

class GicV2 {
  public:
    static constexpr std::uint32_t kNumLrs = gicv2::kNumLrs;

    GicV2(Port& p, const GicAddrs& a) : p_(p), a_(a) {}

    // Distributor registers by offset (GICD; the SPI registers have the same
    // layout on GICv3).
    std::uint32_t d(std::uint32_t off) {
        return static_cast<std::uint32_t>(p_.dev_read(a_.gicd + off, 4));
    }
    void d(std::uint32_t off, std::uint32_t v) { p_.dev_write(a_.gicd + off, 4, v); }
    void d8(std::uint32_t off, std::uint8_t v) { p_.dev_write(a_.gicd + off, 1, v); }
    // This CPU's SGI and PPI registers: banked in the GICv2 distributor.
    std::uint32_t r(std::uint32_t off) { return d(off); }
    void r(std::uint32_t off, std::uint32_t v) { d(off, v); }
    void r8(std::uint32_t off, std::uint8_t v) { d8(off, v); }
    // Routes physical SPI `id` to the CPUs of `cpu_mask` (ITARGETSR).
    void route(std::uint32_t id, std::uint8_t cpu_mask) {
        d8(gicv2::gicd::ITARGETSR + id, cpu_mask);
    }
    void dist_enable() { d(gicv2::gicd::CTLR, gicv2::gicd::CTLR_EN); }

    // Physical CPU interface: hv's EOImode 1 (drop and deactivate apart).
    void cpu_enable() {
        c(gicv2::gicc::CTLR, gicv2::gicc::CTLR_EN | gicv2::gicc::CTLR_EOIMODE);
        c(gicv2::gicc::PMR, 0xFF);
        c(gicv2::gicc::BPR, 0);
    }
    std::uint32_t ack() { return c(gicv2::gicc::IAR); } // IAR
    static std::uint32_t ack_id(std::uint32_t iar) { return iar & gicv2::gicc::IAR_ID; }
    void drop(std::uint32_t iar) { c(gicv2::gicc::EOIR, iar); }      // priority drop
    void deactivate(std::uint32_t iar) { c(gicv2::gicc::DIR, iar); } // DIR

    // Virtual interface: list registers and their control.
    std::uint32_t empty_lrs() { return h(gicv2::gich::ELRSR0); } // bit n: LR n is free
    std::uint32_t eoi_lrs() { return h(gicv2::gich::EISR0); }    // bit n: LR n EOIed (maint.)
    Lr lr(std::uint32_t n) { return decode(h(gicv2::gich::LR0 + 4 * n)); }
    void lr(std::uint32_t n, const Lr& l) { h(gicv2::gich::LR0 + 4 * n, encode(l)); }
    void lr_clear(std::uint32_t n) { h(gicv2::gich::LR0 + 4 * n, 0); }
    void control(std::uint32_t hcr) { h(gicv2::gich::HCR, hcr); } // vif:: bits

    static std::uint32_t encode(const Lr& l);
    static Lr decode(std::uint32_t v);

  private:
    std::uint32_t c(std::uint32_t off) {
        return static_cast<std::uint32_t>(p_.dev_read(a_.gicc + off, 4));
    }
    void c(std::uint32_t off, std::uint32_t v) { p_.dev_write(a_.gicc + off, 4, v); }
    std::uint32_t h(std::uint32_t off) {
        return static_cast<std::uint32_t>(p_.dev_read(a_.gich + off, 4));
    }
    void h(std::uint32_t off, std::uint32_t v) { p_.dev_write(a_.gich + off, 4, v); }

    Port& p_;
    const GicAddrs& a_;
};

inline std::uint32_t GicV2::encode(const Lr& l) {
    using namespace gicv2::gich;
    std::uint32_t v = (l.id & LR_VID) | (static_cast<std::uint32_t>(l.prio >> 3) << LR_PRIO_SHIFT) |
                      (l.pending ? LR_PENDING : 0u) | (l.active ? LR_ACTIVE : 0u) |
                      (l.group1 ? LR_GRP1 : 0u);
    if (l.hw) {
        v |= LR_HW | ((l.id & LR_VID) << LR_PID_SHIFT);
    } else {
        v |= ((l.src & 7u) << LR_CPUID_SHIFT) | (l.eoi_maint ? LR_EOI : 0u);
    }
    return v;
}

inline Lr GicV2::decode(std::uint32_t v) {
    using namespace gicv2::gich;
    Lr l;
    l.id = static_cast<std::uint16_t>(v & LR_VID);
    l.prio = static_cast<std::uint8_t>(lr_prio(v));
    l.pending = (v & LR_PENDING) != 0;
    l.active = (v & LR_ACTIVE) != 0;
    l.group1 = (v & LR_GRP1) != 0;
    l.hw = (v & LR_HW) != 0;
    if (!l.hw) {
        l.src = static_cast<std::uint8_t>((v >> LR_CPUID_SHIFT) & 7u);
        l.eoi_maint = (v & LR_EOI) != 0;
    }
    return l;
}

} // namespace hv::armv8
