// Armv8-A's extension of hv's port: what only this architecture asks of the
// machine (its EL2 system registers and maintenance operations). The generic
// hv::Port (hv/port.h) keeps memory, devices, time, IPIs, the vCPU life
// cycle, the console and marks. hv is constructed with this port
// (arch::ArchPort), so arch code reaches these entries without a cast; core
// sees only hv::Port.
#pragma once

#include <cstdint>

#include "hv/port.h"

namespace hv::armv8 {

// System registers hv owns at EL2. The simulator keeps them per CPU (the
// stage-2 base and control feed its software TLB); the target maps each to an
// MSR/MRS.
enum class SysReg : std::uint8_t {
    VTTBR_EL2,   // stage-2 table base and VMID of the VM running on this CPU
    VTCR_EL2,    // stage-2 translation control (granule, IPA size, start level)
    HCR_EL2,     // trap and routing controls (VM, IMO/FMO, TWI, TSC, RW...)
    VMPIDR_EL2,  // MPIDR value the guest reads (its virtual CPU id)
    VPIDR_EL2,   // MIDR value the guest reads
    CNTVOFF_EL2, // virtual counter offset
    // GICv3 virtual interface control (hv's vGIC on a GICv3, vgic_v3.h).
    ICH_HCR_EL2,   // virtual interface enable, maintenance interrupt enables
    ICH_VTR_EL2,   // number of list registers, priority bits
    ICH_VMCR_EL2,  // the guest's virtual CPU interface state (PMR, BPR, enables)
    ICH_MISR_EL2,  // maintenance interrupt causes
    ICH_EISR_EL2,  // list registers whose EOI wants a maintenance interrupt
    ICH_ELRSR_EL2, // empty list registers
    ICH_LR0_EL2,
    ICH_LR1_EL2,
    ICH_LR2_EL2,
    ICH_LR3_EL2,
    ICH_LR4_EL2,
    ICH_LR5_EL2,
    ICH_LR6_EL2,
    ICH_LR7_EL2,
    ICH_LR8_EL2,
    ICH_LR9_EL2,
    ICH_LR10_EL2,
    ICH_LR11_EL2,
    ICH_LR12_EL2,
    ICH_LR13_EL2,
    ICH_LR14_EL2,
    ICH_LR15_EL2,
    // GICv3 physical CPU interface: hv's own interrupts (gicv3.h).
    ICC_SRE_EL2,
    ICC_IAR1_EL1,
    ICC_EOIR1_EL1,
    ICC_DIR_EL1,
    ICC_PMR_EL1,
    ICC_BPR1_EL1,
    ICC_CTLR_EL1,
    ICC_IGRPEN1_EL1,
    ICC_SGI1R_EL1, // hv's SGIs to other CPUs (a guest's write traps, EC 0x18)
    ICC_SRE_EL1,
    Count
};

// ICH_LR<n>_EL2 as a SysReg.
constexpr SysReg ich_lr(std::uint32_t n) {
    return static_cast<SysReg>(static_cast<std::uint32_t>(SysReg::ICH_LR0_EL2) + (n & 15u));
}

class ArmPort : public Port {
  public:
    // EL2 system registers of the current CPU.
    virtual std::uint64_t sysreg_read(SysReg reg) = 0;
    virtual void sysreg_write(SysReg reg, std::uint64_t value) = 0;

    // Stage-2 TLB maintenance for a VMID on all CPUs (TLBI VMALLS12E1IS), and
    // for one IPA page (TLBI IPAS2E1IS). The simulator flushes its software TLB.
    virtual void tlb_flush_vm(std::uint16_t vmid) = 0;
    virtual void tlb_flush_ipa(std::uint16_t vmid, std::uint64_t ipa) = 0;

    // Cleans and invalidates [pa, pa + size) to the point of coherency, line
    // by line (DC CIVAC), and waits for it (DSB): what a guest's set/way
    // maintenance becomes (trap.cpp). The simulator drops those lines from its
    // caches and charges the time.
    virtual void cache_clean_invalidate(std::uint64_t pa, std::uint64_t size) = 0;

  protected:
    ArmPort() = default;
    ~ArmPort() = default;
    ArmPort(const ArmPort&) = default;
    ArmPort& operator=(const ArmPort&) = default;
};

} // namespace hv::armv8
