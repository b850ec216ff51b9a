// The vGIC's state, plain data kept inside the hypervisor context
// (docs/design.md#hv-context): per vCPU (banked private interrupts, the
// list-register shadow and the pending set waiting for a list register), per
// VM (the virtual distributor)
// and global (which VM owns each physical SPI). Each per-vCPU and per-VM
// structure has a PA in hv's memory (`pa`) so the hot paths can report what
// they touch through Port::account (docs/design.md#hv-cost).
#pragma once

#include <cstdint>

#include "hv/arch/armv8/gicv2.h"

namespace hv::armv8 {

inline constexpr std::uint32_t kVgicWords = gicv2::kMaxIrqs / 32;
inline constexpr std::uint32_t kVgicMaxPending = 32;
// Where a vCPU's VgicCpu lives inside its context page (after VcpuRegs).
inline constexpr std::uint64_t kVgicCpuCtxOffset = 0x200;

// An interrupt waiting for a list register.
struct VgicPending {
    std::uint16_t id = 0;
    std::uint8_t src = 0; // SGI source vCPU
    std::uint8_t hw = 0;  // hardware-linked to the physical interrupt `id`
};

struct VgicCpu {
    std::uint64_t pa = 0; // PA of this record (in the vCPU's context page)
    // Banked virtual distributor state of INTIDs 0-31.
    std::uint32_t priv_enabled = 0xFFFF; // SGIs are always enabled (GIC-400)
    std::uint32_t priv_group = 0;
    std::uint8_t priv_prio[gicv2::kNumPrivate]{};
    // GICv3: GICR_WAKER.ProcessorSleep of its virtual redistributor.
    std::uint32_t asleep = 1;
    // GICH_HCR as last written, and what each list register was last given.
    std::uint32_t hcr = 0;
    std::uint16_t lr_id[gicv2::kNumLrs]{};
    std::uint8_t lr_src[gicv2::kNumLrs]{};
    // Pending interrupts not in a list register (the pending set).
    std::uint32_t num_pending = 0;
    VgicPending pending[kVgicMaxPending]{};
    // Another CPU added to `pending`; the owner CPU flushes on its IPI.
    std::uint32_t lock = 0;
    // Statistics.
    std::uint64_t injected = 0;    // list-register writes of a new interrupt
    std::uint64_t maintenance = 0; // maintenance interrupts taken
    std::uint64_t ipis = 0;        // hv IPIs taken
    std::uint64_t dropped = 0;     // pending set full
};

struct VgicDist {
    std::uint64_t pa = 0; // PA of this record (one page of hv's memory)
    std::uint32_t ctlr = 0;
    // Bit i of word n = INTID 32n + i, as in the GICD registers. Word 0 of
    // `enabled` and `group` is unused (banked per vCPU in VgicCpu).
    std::uint32_t owned[kVgicWords]{}; // the VM may see and change it
    std::uint32_t hw[kVgicWords]{};    // backed by the physical interrupt of the same ID
    std::uint32_t enabled[kVgicWords]{};
    std::uint32_t group[kVgicWords]{};
    std::uint32_t edge[kVgicWords]{}; // ICFGR: edge-triggered
    // Virtual level interrupts of an emulated device (the UART's): their list
    // registers ask for a maintenance interrupt at the guest's EOI, where hv
    // raises them again if the device's line is still high.
    std::uint32_t level[kVgicWords]{};
    std::uint8_t prio[gicv2::kMaxIrqs]{};
    std::uint8_t targets[gicv2::kMaxIrqs]{}; // virtual CPU mask (SPIs)
    std::uint32_t irm[kVgicWords]{};         // GICv3: IROUTER.IRM (any of its vCPUs)
    bool phys_ready = false;                 // owned SPIs programmed in the physical GICD
    // Statistics.
    std::uint64_t traps = 0;   // distributor accesses emulated
    std::uint64_t ignored = 0; // reserved offsets, bad sizes, foreign interrupts, bad SGI targets
    std::uint64_t injected = 0;
    std::uint64_t sgis = 0; // virtual SGIs sent through GICD_SGIR or ICC_SGI1R_EL1
};

struct VgicGlobal {
    std::uint64_t pa = 0;                      // PA of this record (one page of hv's memory)
    std::uint8_t spi_owner[gicv2::kMaxIrqs]{}; // VM index + 1 of a pass-through SPI
    bool dist_ready = false;                   // physical GICD enabled
    std::uint64_t spurious = 0;
    std::uint64_t unowned = 0;
};

} // namespace hv::armv8
