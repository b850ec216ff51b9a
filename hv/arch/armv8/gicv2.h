// GICv2 register offsets and fields hv uses (IHI 0048B), named as in the
// architecture. hv reaches the GIC only through Port::dev_read/dev_write at
// the platform's frame addresses (PlatformConfig::gic); it never includes the
// simulator's model.
#pragma once

#include <cstdint>

namespace hv::armv8::gicv2 {

inline constexpr std::uint32_t kNumSgis = 16;
inline constexpr std::uint32_t kNumPrivate = 32; // SGIs and PPIs, banked per CPU
inline constexpr std::uint32_t kMaxIrqs = 1024;  // register space; 1020-1023 special
inline constexpr std::uint32_t kFirstSpecial = 1020;
inline constexpr std::uint32_t kSpurious = 1023;
inline constexpr std::uint32_t kNumLrs = 4; // GIC-400

// PPIs of the Arm generic timers and the virtualization extension.
inline constexpr std::uint32_t kMaintenancePpi = 25;
inline constexpr std::uint32_t kHypTimerPpi = 26;
inline constexpr std::uint32_t kVirtualTimerPpi = 27;

namespace gicd {
inline constexpr std::uint32_t CTLR = 0x000;
inline constexpr std::uint32_t TYPER = 0x004;
inline constexpr std::uint32_t IIDR = 0x008;
inline constexpr std::uint32_t IGROUPR = 0x080;
inline constexpr std::uint32_t ISENABLER = 0x100;
inline constexpr std::uint32_t ICENABLER = 0x180;
inline constexpr std::uint32_t ISPENDR = 0x200;
inline constexpr std::uint32_t ICPENDR = 0x280;
inline constexpr std::uint32_t ISACTIVER = 0x300;
inline constexpr std::uint32_t ICACTIVER = 0x380;
inline constexpr std::uint32_t IPRIORITYR = 0x400;
inline constexpr std::uint32_t ITARGETSR = 0x800;
inline constexpr std::uint32_t ICFGR = 0xC00;
inline constexpr std::uint32_t SGIR = 0xF00;
inline constexpr std::uint32_t CPENDSGIR = 0xF10;
inline constexpr std::uint32_t SPENDSGIR = 0xF20;
inline constexpr std::uint32_t PIDR4 = 0xFD0;
inline constexpr std::uint32_t CIDR3 = 0xFFC;
inline constexpr std::uint32_t kFrameSize = 0x1000;

inline constexpr std::uint32_t CTLR_EN = 0x3; // EnableGrp0 | EnableGrp1
inline constexpr std::uint32_t IIDR_GIC400 = 0x0200'143B;
inline constexpr std::uint32_t TYPER_ITLINES = 0x1F;
inline constexpr std::uint32_t SGIR_FILTER_SHIFT = 24;
inline constexpr std::uint32_t SGIR_TARGETS_SHIFT = 16;
inline constexpr std::uint32_t SGIR_FILTER_LIST = 0;
inline constexpr std::uint32_t SGIR_FILTER_OTHERS = 1;
inline constexpr std::uint32_t SGIR_FILTER_SELF = 2;
} // namespace gicd

namespace gicc { // also the layout of GICV
inline constexpr std::uint32_t CTLR = 0x00;
inline constexpr std::uint32_t PMR = 0x04;
inline constexpr std::uint32_t BPR = 0x08;
inline constexpr std::uint32_t IAR = 0x0C;
inline constexpr std::uint32_t EOIR = 0x10;
inline constexpr std::uint32_t DIR = 0x1000;

inline constexpr std::uint32_t CTLR_EN = 0x3;
inline constexpr std::uint32_t CTLR_EOIMODE = 1u << 9;
inline constexpr std::uint32_t IAR_ID = 0x3FF;
} // namespace gicc

namespace gich {
inline constexpr std::uint32_t HCR = 0x00;
inline constexpr std::uint32_t VTR = 0x04;
inline constexpr std::uint32_t VMCR = 0x08;
inline constexpr std::uint32_t MISR = 0x10;
inline constexpr std::uint32_t EISR0 = 0x20;
inline constexpr std::uint32_t ELRSR0 = 0x30;
inline constexpr std::uint32_t APR = 0xF0;
inline constexpr std::uint32_t LR0 = 0x100;

inline constexpr std::uint32_t HCR_EN = 1u << 0;
inline constexpr std::uint32_t HCR_UIE = 1u << 1;
inline constexpr std::uint32_t HCR_NPIE = 1u << 3;

inline constexpr std::uint32_t LR_VID = 0x3FF;
inline constexpr std::uint32_t LR_PID_SHIFT = 10;   // HW = 1: physical ID [19:10]
inline constexpr std::uint32_t LR_CPUID_SHIFT = 10; // HW = 0: SGI source [12:10]
inline constexpr std::uint32_t LR_PRIO_SHIFT = 23;  // priority[7:3] in [27:23]
inline constexpr std::uint32_t LR_STATE_SHIFT = 28;
inline constexpr std::uint32_t LR_STATE_MASK = 3u << LR_STATE_SHIFT;
inline constexpr std::uint32_t LR_PENDING = 1u << LR_STATE_SHIFT;
inline constexpr std::uint32_t LR_ACTIVE = 2u << LR_STATE_SHIFT;
inline constexpr std::uint32_t LR_EOI = 1u << 19; // HW = 0: maintenance interrupt at its EOI
inline constexpr std::uint32_t LR_GRP1 = 1u << 30;
inline constexpr std::uint32_t LR_HW = 1u << 31;

// A list register: virtual ID `vid`, pending, priority `prio` (8-bit form),
// hardware-linked to physical `pid` when `hw`, else from SGI source `src`.
constexpr std::uint32_t make_lr(std::uint32_t vid, std::uint8_t prio, bool group1, bool hw,
                                std::uint32_t src) {
    std::uint32_t lr = (vid & LR_VID) | (static_cast<std::uint32_t>(prio >> 3) << LR_PRIO_SHIFT) |
                       LR_PENDING | (group1 ? LR_GRP1 : 0u);
    if (hw) {
        lr |= LR_HW | ((vid & LR_VID) << LR_PID_SHIFT);
    } else {
        lr |= (src & 7u) << LR_CPUID_SHIFT;
    }
    return lr;
}
constexpr std::uint32_t lr_prio(std::uint32_t lr) {
    return ((lr >> LR_PRIO_SHIFT) & 0x1F) << 3;
}
} // namespace gich

} // namespace hv::armv8::gicv2
