// GICv3 register map and fixed numbers (IHI 0069), as QEMU's virt board has
// them with gic-version=3: one security state (GICD_CTLR.DS = 1), affinity
// routing always on, no LPIs or ITS, 5 priority bits and 4 list registers
// like QEMU's GICv3 CPU interface. The GICv2 constants (sim/gic/gic_regs.h)
// still name the distributor's common registers and the PPIs.
#pragma once

#include "sim/gic/gic_regs.h"

#include <cstdint>

namespace sim::gic::v3 {

inline constexpr uint32_t kDistributorFrameSize = 0x1'0000;   // GICD: 64 KiB
inline constexpr uint32_t kRedistributorFrameSize = 0x1'0000; // RD_base, then SGI_base
inline constexpr uint32_t kRedistributorStride = 0x2'0000;    // per CPU (no VLPI frames)

// Physical base addresses; defaults are QEMU virt's.
struct AddressMap {
    uint64_t gicd = 0x0800'0000;
    uint64_t gicr = 0x080A'0000; // CPU n's frames at gicr + n * kRedistributorStride
};

namespace gicd {
inline constexpr uint32_t kCtlr = 0x0000;
inline constexpr uint32_t kTyper = 0x0004;
inline constexpr uint32_t kIidr = 0x0008;
inline constexpr uint32_t kTyper2 = 0x000C;
inline constexpr uint32_t kIgrpmodr = 0x0D00;
inline constexpr uint32_t kIrouter = 0x6000; // 8 bytes per SPI, INTID 32 at 0x6100
inline constexpr uint32_t kIrouterEnd = 0x7FE0;
inline constexpr uint32_t kIdRegisters = 0xFFD0; // PIDR4..7, PIDR0..3, CIDR0..3
inline constexpr uint32_t kPidr2 = 0xFFE8;

inline constexpr uint32_t kCtlrEnableGrp0 = 1u << 0;
inline constexpr uint32_t kCtlrEnableGrp1 = 1u << 1;
inline constexpr uint32_t kCtlrAre = 1u << 4;       // RAO/WI: legacy operation is not modeled
inline constexpr uint32_t kCtlrDs = 1u << 6;        // RAO/WI: one security state
inline constexpr uint32_t kIidrValue = 0x0000'043B; // Arm, as QEMU's GICv3

inline constexpr unsigned kTyperIdBitsShift = 19;   // INTID bits - 1
inline constexpr uint64_t kIrouterIrm = 1ull << 31; // 1 of N: any participating core
} // namespace gicd

namespace gicr {
// RD_base
inline constexpr uint32_t kCtlr = 0x0000;
inline constexpr uint32_t kIidr = 0x0004;
inline constexpr uint32_t kTyper = 0x0008; // 64 bits
inline constexpr uint32_t kStatusr = 0x0010;
inline constexpr uint32_t kWaker = 0x0014;
inline constexpr uint32_t kIdRegisters = 0xFFD0;
inline constexpr uint32_t kPidr2 = 0xFFE8;
// SGI_base (the second 64 KiB): GICD's layout for word 0 / INTIDs 0-31.
inline constexpr uint32_t kSgiBase = 0x1'0000;
inline constexpr uint32_t kIgroupr0 = 0x0080;
inline constexpr uint32_t kIsenabler0 = 0x0100;
inline constexpr uint32_t kIcenabler0 = 0x0180;
inline constexpr uint32_t kIspendr0 = 0x0200;
inline constexpr uint32_t kIcpendr0 = 0x0280;
inline constexpr uint32_t kIsactiver0 = 0x0300;
inline constexpr uint32_t kIcactiver0 = 0x0380;
inline constexpr uint32_t kIpriorityr = 0x0400; // 32 bytes
inline constexpr uint32_t kIcfgr0 = 0x0C00;
inline constexpr uint32_t kIcfgr1 = 0x0C04;
inline constexpr uint32_t kIgrpmodr0 = 0x0D00;
inline constexpr uint32_t kNsacr = 0x0E00;

inline constexpr uint64_t kTyperLast = 1ull << 4;
inline constexpr unsigned kTyperProcessorShift = 8;
inline constexpr unsigned kTyperAffinityShift = 32;
inline constexpr uint32_t kWakerProcessorSleep = 1u << 1;
inline constexpr uint32_t kWakerChildrenAsleep = 1u << 2;
} // namespace gicr

// The CPU interface's system registers (ICC_*_EL1, ICC_SRE_EL2) and the
// virtual interface's control registers (ICH_*_EL2), by name; the
// simulator's MRS/MSR path maps the architecture's encodings onto these.
enum class CpuRegister : uint8_t {
    IccPmrEl1,
    IccIar0El1,
    IccEoir0El1,
    IccHppir0El1,
    IccBpr0El1,
    IccAp0r0El1,
    IccAp1r0El1,
    IccDirEl1,
    IccRprEl1,
    IccSgi1rEl1,
    IccAsgi1rEl1,
    IccSgi0rEl1,
    IccIar1El1,
    IccEoir1El1,
    IccHppir1El1,
    IccBpr1El1,
    IccCtlrEl1,
    IccSreEl1,
    IccIgrpen0El1,
    IccIgrpen1El1,
    IccSreEl2,
    IchAp0r0El2,
    IchAp1r0El2,
    IchHcrEl2,
    IchVtrEl2,
    IchMisrEl2,
    IchEisrEl2,
    IchElrsrEl2,
    IchVmcrEl2,
    IchLrEl2, // with the list register's index
};

namespace icc {
inline constexpr uint64_t kCtlrCbpr = 1u << 0;
inline constexpr uint64_t kCtlrEoiMode = 1u << 1;
inline constexpr unsigned kCtlrPriBitsShift = 8; // priority bits - 1, read-only
inline constexpr uint64_t kSreEl1 = 0x7;         // SRE, DFB, DIB: RAO/WI
inline constexpr uint64_t kSreEl2 = 0xF;         // and Enable
inline constexpr uint64_t kIgrpenEnable = 1u << 0;

// ICC_SGI1R_EL1
inline constexpr uint64_t kSgiTargetListMask = 0xFFFF;
inline constexpr unsigned kSgiAff1Shift = 16;
inline constexpr unsigned kSgiIntIdShift = 24;
inline constexpr unsigned kSgiAff2Shift = 32;
inline constexpr uint64_t kSgiIrm = 1ull << 40; // every core but the sender
inline constexpr unsigned kSgiRsShift = 44;
inline constexpr unsigned kSgiAff3Shift = 48;

inline constexpr unsigned kMinBpr0 = 2; // 5 priority bits
inline constexpr unsigned kMinBpr1 = 3; // group 1's binary point is one coarser
} // namespace icc

namespace ich {
// ICH_HCR_EL2: bits 0-7 and EOIcount as GICH_HCR.
inline constexpr uint64_t kHcrEn = 1u << 0;
inline constexpr uint64_t kHcrWritable = 0xF800'7CFF;
inline constexpr unsigned kHcrEoiCountShift = 27;

// 4 list registers, 16 INTID bits, 5 preemption and 5 priority bits, no vLPIs.
inline constexpr unsigned kNumListRegisters = 4;
inline constexpr uint64_t kVtr =
    (4ull << 29) | (4ull << 26) | (1ull << 20) | (kNumListRegisters - 1);

// ICH_VMCR_EL2: the guest's ICV_CTLR, ICV_IGRPEN0/1, ICV_BPR0/1 and ICV_PMR.
inline constexpr uint64_t kVmcrEng0 = 1u << 0;
inline constexpr uint64_t kVmcrEng1 = 1u << 1;
inline constexpr uint64_t kVmcrAckCtl = 1u << 2;
inline constexpr uint64_t kVmcrFiqEn = 1u << 3;
inline constexpr uint64_t kVmcrCbpr = 1u << 4;
inline constexpr uint64_t kVmcrEoim = 1u << 9;
inline constexpr unsigned kVmcrBpr1Shift = 18;
inline constexpr unsigned kVmcrBpr0Shift = 21;
inline constexpr unsigned kVmcrPmrShift = 24;
inline constexpr uint64_t kVmcrWritable = 0xFFFC'021F;

// ICH_LR<n>_EL2
inline constexpr uint64_t kLrVirtualIdMask = 0xFFFF'FFFF;
inline constexpr unsigned kLrPhysicalIdShift = 32;
inline constexpr uint64_t kLrPhysicalIdMask = 0x1FFF;
inline constexpr uint64_t kLrEoi = 1ull << 41; // when HW = 0: maintenance interrupt on EOI
inline constexpr unsigned kLrPriorityShift = 48;
inline constexpr uint64_t kLrGroup1 = 1ull << 60;
inline constexpr uint64_t kLrHw = 1ull << 61;
inline constexpr unsigned kLrStateShift = 62;
inline constexpr uint64_t kLrWritable = 0xF0FF'1FFF'FFFF'FFFF;

inline constexpr uint64_t kLrStateInvalid = 0;
inline constexpr uint64_t kLrStatePending = 1;
inline constexpr uint64_t kLrStateActive = 2;
inline constexpr uint64_t kLrStatePendingActive = 3;

// Builds a list register value: the form hv writes.
constexpr uint64_t make_lr(uint32_t virtual_id, uint8_t priority, uint64_t state,
                           bool group1 = true) {
    return uint64_t{virtual_id} | uint64_t{priority} << kLrPriorityShift |
           (state & 3) << kLrStateShift | (group1 ? kLrGroup1 : 0);
}

// A hardware-linked list register: the guest's deactivation reaches physical_id.
constexpr uint64_t make_hw_lr(uint32_t virtual_id, uint32_t physical_id, uint8_t priority,
                              uint64_t state, bool group1 = true) {
    return make_lr(virtual_id, priority, state, group1) |
           (physical_id & kLrPhysicalIdMask) << kLrPhysicalIdShift | kLrHw;
}
} // namespace ich

// Affinity of core n on virt: Aff0 = n, Aff1-3 = 0 (MPIDR_EL1 as the
// simulator reports it). Returns the core, or -1 if none has `affinity`
// (Aff3.Aff2.Aff1.Aff0 packed in bits [31:0]).
constexpr int core_of_affinity(uint32_t affinity, unsigned num_cores) {
    return affinity < num_cores ? static_cast<int>(affinity) : -1;
}

} // namespace sim::gic::v3
