// GICv3 register offsets and fields hv uses (IHI 0069), named as in the
// architecture. The distributor and redistributors are MMIO (Port::dev_read/
// dev_write at GicAddrs::gicd and gicr); the CPU interface and the virtual
// interface control are system registers (ArmPort::sysreg_read/write).
// LPIs and the ITS are not used.
#pragma once

#include <cstdint>

namespace hv::armv8::gicv3 {

namespace gicd {
inline constexpr std::uint32_t CTLR = 0x0000;
inline constexpr std::uint32_t TYPER = 0x0004;
inline constexpr std::uint32_t IGROUPR = 0x0080;
inline constexpr std::uint32_t IROUTER = 0x6000; // 64-bit per INTID (SPIs: 32..1019)
inline constexpr std::uint32_t IROUTER_END = IROUTER + 8 * 1024;
inline constexpr std::uint32_t PIDR4 = 0xFFD0;
inline constexpr std::uint32_t PIDR2 = 0xFFE8;
inline constexpr std::uint32_t CIDR3 = 0xFFFC;

inline constexpr std::uint32_t CTLR_EN_GRP0 = 1u << 0;
inline constexpr std::uint32_t CTLR_EN_GRP1 = 1u << 1;
inline constexpr std::uint32_t CTLR_ARE = 1u << 4;       // affinity routing (one security state)
inline constexpr std::uint32_t CTLR_DS = 1u << 6;        // one security state
inline constexpr std::uint32_t TYPER_IDBITS = 9u << 19;  // 10 INTID bits: no LPIs
inline constexpr std::uint64_t IROUTER_IRM = 1ull << 31; // any participating CPU
// IROUTER's affinity fields: Aff0 [7:0], Aff1 [15:8], Aff2 [23:16], Aff3 [39:32].
inline constexpr std::uint64_t IROUTER_AFF = 0xFF'00FF'FFFFull;
} // namespace gicd

// ArchRev in GICD_PIDR2 / GICR_PIDR2 bits [7:4]: how a guest tells v2 from v3.
inline constexpr std::uint32_t kPidr2ArchRev3 = 0x3B;
inline constexpr std::uint32_t kPidr2ArchRevShift = 4;

namespace gicr {
// RD_base frame.
inline constexpr std::uint32_t CTLR = 0x0000;
inline constexpr std::uint32_t IIDR = 0x0004;
inline constexpr std::uint32_t TYPER = 0x0008; // 64-bit
inline constexpr std::uint32_t STATUSR = 0x0010;
inline constexpr std::uint32_t WAKER = 0x0014;
inline constexpr std::uint32_t PIDR2 = 0xFFE8;
// SGI_base frame, 64 KiB above RD_base: the SGI/PPI registers at the
// distributor's offsets (IGROUPR0, I[SC]ENABLER0, I[SC]PENDR0,
// I[SC]ACTIVER0, IPRIORITYR0-7, ICFGR0-1).
inline constexpr std::uint32_t kSgiBase = 0x1'0000;
inline constexpr std::uint32_t IGRPMODR0 = 0x0D00;

inline constexpr std::uint64_t TYPER_LAST = 1u << 4;
inline constexpr std::uint32_t TYPER_PROC_SHIFT = 8;
inline constexpr std::uint32_t TYPER_AFF_SHIFT = 32;
inline constexpr std::uint32_t WAKER_PROCESSOR_SLEEP = 1u << 1;
inline constexpr std::uint32_t WAKER_CHILDREN_ASLEEP = 1u << 2;
} // namespace gicr

namespace icc {
inline constexpr std::uint64_t SRE_SRE = 1u << 0;
inline constexpr std::uint64_t SRE_DFB = 1u << 1;
inline constexpr std::uint64_t SRE_DIB = 1u << 2;
inline constexpr std::uint64_t SRE_ENABLE = 1u << 3; // EL2: lower ELs may use ICC_SRE_EL1
inline constexpr std::uint64_t CTLR_EOIMODE = 1u << 1;
inline constexpr std::uint32_t IAR_ID = 0xFF'FFFF;

// ICC_SGI1R_EL1.
inline constexpr std::uint64_t SGI1R_TARGETS = 0xFFFF;
inline constexpr std::uint32_t SGI1R_AFF1_SHIFT = 16;
inline constexpr std::uint32_t SGI1R_INTID_SHIFT = 24;
inline constexpr std::uint32_t SGI1R_AFF2_SHIFT = 32;
inline constexpr std::uint64_t SGI1R_IRM = 1ull << 40;
inline constexpr std::uint32_t SGI1R_RS_SHIFT = 44;
inline constexpr std::uint32_t SGI1R_AFF3_SHIFT = 48;
constexpr std::uint64_t sgi1r(std::uint32_t intid, std::uint32_t aff0) {
    return (static_cast<std::uint64_t>(intid & 0xF) << SGI1R_INTID_SHIFT) |
           (static_cast<std::uint64_t>(aff0 >> 4) << SGI1R_RS_SHIFT) | (1u << (aff0 & 15));
}

// The ISS of an MSR/MRS trap (EC 0x18) naming ICC_SGI1R_EL1 (op0 3, op1 0,
// CRn 12, CRm 11, op2 5), ICC_ASGI1R_EL1 (op2 6) and ICC_SGI0R_EL1 (op2 7),
// with Rt and the direction masked out.
inline constexpr std::uint32_t kIssSysRegMask = 0x3F'FC1E; // op0 op2 op1 CRn CRm
constexpr std::uint32_t iss_sysreg(std::uint32_t op0, std::uint32_t op1, std::uint32_t crn,
                                   std::uint32_t crm, std::uint32_t op2) {
    return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (crm << 1);
}
inline constexpr std::uint32_t kIssSgi1r = iss_sysreg(3, 0, 12, 11, 5);
inline constexpr std::uint32_t kIssAsgi1r = iss_sysreg(3, 0, 12, 11, 6);
inline constexpr std::uint32_t kIssSgi0r = iss_sysreg(3, 0, 12, 11, 7);
} // namespace icc

namespace ich {
// ICH_LR<n>_EL2.
inline constexpr std::uint64_t LR_VINTID = 0xFFFF'FFFFull;
inline constexpr std::uint32_t LR_PINTID_SHIFT = 32; // HW = 1: physical INTID [44:32]
inline constexpr std::uint64_t LR_PINTID = 0x1FFFull << LR_PINTID_SHIFT;
inline constexpr std::uint64_t LR_EOI = 1ull << 41; // HW = 0: maintenance interrupt at EOI
inline constexpr std::uint32_t LR_PRIO_SHIFT = 48;
inline constexpr std::uint64_t LR_GROUP = 1ull << 60;
inline constexpr std::uint64_t LR_HW = 1ull << 61;
inline constexpr std::uint64_t LR_PENDING = 1ull << 62;
inline constexpr std::uint64_t LR_ACTIVE = 1ull << 63;
inline constexpr std::uint64_t VTR_LISTREGS = 0x1F; // number of list registers - 1
} // namespace ich

} // namespace hv::armv8::gicv3
