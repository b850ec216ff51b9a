// GICv3 virtualization of one core: the control registers hv programs
// (ICH_HCR/VTR/VMCR/MISR/EISR/ELRSR_EL2, ICH_AP1R0_EL2 and the 64-bit
// ICH_LR<n>_EL2), and the virtual CPU interface a guest reaches with the
// ICC_* encodings while a hypervisor owns its IRQ (ICV_*: IAR1 acknowledges
// the highest-priority pending list register; EOIR1 drops priority and, with
// EOImode 0, deactivates; DIR deactivates with EOImode 1; PMR, BPR0/1, the
// group enables and EOImode live in ICH_VMCR_EL2). Outputs: the core's
// virtual IRQ and the level of the maintenance interrupt (PPI 25). The
// state machine is the GICv2 extension's (sim/gic/list_registers.h) over
// GICv3's list-register encoding.
#pragma once

#include "sim/gic/distributor.h"
#include "sim/gic/list_registers.h"
#include "sim/gic/v3/regs.h"

#include <cstdint>

namespace sim::gic::v3 {

// ICH_LR<n>_EL2: 64 bits, 32-bit INTIDs, an 8-bit priority field of which 5
// bits are implemented (ICH_VTR_EL2.PRIbits); ICH_VMCR_EL2's PMR is 8 bits.
struct Gicv3ListRegister {
    using Word = uint64_t;
    static constexpr unsigned kNumListRegisters = ich::kNumListRegisters;
    static constexpr unsigned kStateShift = ich::kLrStateShift;
    static constexpr Word kEoi = ich::kLrEoi;
    static constexpr Word kHw = ich::kLrHw;
    static constexpr Word kGroup1 = ich::kLrGroup1;
    static constexpr uint8_t kPriorityMask = 0xF8;
    static constexpr uint32_t virtual_id(Word lr) {
        return static_cast<uint32_t>(lr & ich::kLrVirtualIdMask);
    }
    static constexpr uint32_t physical_id(Word lr) {
        return static_cast<uint32_t>(lr >> ich::kLrPhysicalIdShift & ich::kLrPhysicalIdMask);
    }
    static constexpr uint8_t priority(Word lr) {
        return static_cast<uint8_t>(lr >> ich::kLrPriorityShift) & kPriorityMask;
    }
    static constexpr uint32_t intid(Word value) { return static_cast<uint32_t>(value & 0xFF'FFFF); }
    static constexpr bool same_source(Word, Word) { return true; }
    static constexpr uint8_t pmr(Word vmcr) {
        return static_cast<uint8_t>(vmcr >> ich::kVmcrPmrShift);
    }
};

class VirtualInterface : public ListRegisterInterface<Gicv3ListRegister> {
  public:
    VirtualInterface(unsigned core, gic::Distributor& common);

    // Group 0 would be a virtual FIQ with VFIQEn, which is not modeled.
    bool vfiq_line() const { return false; }

    // hv's side: ICH_*_EL2 (index selects ICH_LR<n>_EL2). Other registers
    // read 0 and are counted.
    uint64_t read_control(CpuRegister reg, unsigned index = 0);
    void write_control(CpuRegister reg, uint64_t value, unsigned index = 0);

    // The guest's side: the ICC_*_EL1 encodings acting on ICV_*. Reading
    // ICC_IAR1_EL1 acknowledges.
    uint64_t read_cpu(CpuRegister reg);
    void write_cpu(CpuRegister reg, uint64_t value);

  private:
    uint64_t acknowledge(bool group1);
    void write_vmcr(uint64_t value);
    void set_vmcr_field(uint64_t mask, unsigned shift, uint64_t value);
};

} // namespace sim::gic::v3
