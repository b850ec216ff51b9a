// GICv3 virtualization of one core: the control registers hv programs
// (ICH_HCR/VTR/VMCR/MISR/EISR/ELRSR_EL2, ICH_AP1R0_EL2 and the 64-bit
// ICH_LR<n>_EL2), and the virtual CPU interface a guest reaches with the
// ICC_* encodings while a hypervisor owns its IRQ (ICV_*: IAR1 acknowledges
// the highest-priority pending list register; EOIR1 drops priority and, with
// EOImode 0, deactivates; DIR deactivates with EOImode 1; PMR, BPR0/1, the
// group enables and EOImode live in ICH_VMCR_EL2). Outputs: the core's
// virtual IRQ and the level of the maintenance interrupt (PPI 25). The
// state machine is the GICv2 extension's (sim/gic/virtual_interface.*) over
// GICv3's list-register encoding.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/priority.h"
#include "sim/gic/v3/regs.h"

#include <array>
#include <cstdint>

namespace sim::gic::v3 {

class VirtualInterface {
  public:
    VirtualInterface(unsigned core, gic::Distributor& common);

    // hv's side: ICH_*_EL2 (index selects ICH_LR<n>_EL2). Other registers
    // read 0 and are counted.
    uint64_t read_control(CpuRegister reg, unsigned index = 0);
    void write_control(CpuRegister reg, uint64_t value, unsigned index = 0);

    // The guest's side: the ICC_*_EL1 encodings acting on ICV_*. Reading
    // ICC_IAR1_EL1 acknowledges.
    uint64_t read_cpu(CpuRegister reg);
    void write_cpu(CpuRegister reg, uint64_t value);

    bool virq_line() const;
    // Level of the maintenance interrupt: ICH_HCR_EL2.En and any MISR bit.
    bool maintenance() const { return (hcr_ & ich::kHcrEn) != 0 && misr() != 0; }

    uint64_t misr() const;
    uint64_t eisr() const;
    uint64_t elrsr() const;
    uint64_t hcr() const { return hcr_; }
    uint64_t vmcr() const { return vmcr_; }
    uint64_t list_register(unsigned index) const { return index < lr_.size() ? lr_[index] : 0; }
    uint8_t running_priority() const { return active_.running(); }
    const Diagnostics& diagnostics() const { return diag_; }

  private:
    struct VirtualCandidate {
        bool valid = false;
        unsigned lr = 0;
        uint8_t priority = 0xFF;
        bool group1 = false;
    };

    VirtualCandidate highest_pending() const;
    bool deliverable(const VirtualCandidate& c) const;
    uint8_t virtual_group_priority(uint8_t priority, bool group1) const;
    uint64_t acknowledge(bool group1);
    void end_of_interrupt(uint64_t value);
    void deactivate(uint64_t value);
    void write_vmcr(uint64_t value);
    void set_vmcr_field(uint64_t mask, unsigned shift, uint64_t value);

    unsigned core_;
    gic::Distributor& common_;
    uint64_t hcr_ = 0;
    uint64_t vmcr_;
    std::array<uint64_t, ich::kNumListRegisters> lr_{};
    ActivePriorities active_{3}; // ICH_AP1R0_EL2: 5 preemption bits
    Diagnostics diag_;
};

} // namespace sim::gic::v3
