// GICv2 virtualization extension of one core: the control interface (GICH)
// that hv programs, with its list registers, and the virtual CPU interface
// (GICV) that the guest sees at its GICC address. Outputs: the virtual IRQ
// (and FIQ) line of the core, and the level of the maintenance interrupt.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/priority.h"

#include <array>
#include <cstdint>

namespace sim::gic {

class VirtualInterface {
  public:
    VirtualInterface(unsigned core, Distributor& distributor);

    // GICH: hv's side. 32-bit, aligned.
    uint32_t read_control(uint32_t offset, unsigned size);
    void write_control(uint32_t offset, uint32_t value, unsigned size);

    // GICV: the guest's side. 32-bit, aligned. Reading IAR acknowledges.
    uint32_t read_cpu(uint32_t offset, unsigned size);
    void write_cpu(uint32_t offset, uint32_t value, unsigned size);

    // A pending list register is deliverable: GICH_HCR.En, its group enabled in
    // the VMCR, above the virtual priority mask and the running priority.
    bool virq_line() const;
    bool vfiq_line() const; // group 0 with VMCR.VFIQEn
    // Level of the maintenance interrupt (PPI 25): GICH_HCR.En and any MISR bit.
    bool maintenance() const { return (hcr_ & gich::kHcrEn) != 0 && misr() != 0; }

    uint32_t misr() const;
    uint32_t eisr() const;
    uint32_t elrsr() const;
    uint32_t hcr() const { return hcr_; }
    uint32_t vmcr() const { return vmcr_; }
    uint32_t list_register(unsigned index) const { return index < lr_.size() ? lr_[index] : 0; }
    uint8_t running_priority() const { return active_.running(); }
    unsigned core() const { return core_; }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h).
    template <class Archive> void checkpoint(Archive& a) {
        a.value(hcr_);
        a.value(vmcr_);
        a.value(lr_);
        a.value(active_);
        a.value(diag_);
    }

  private:
    struct VirtualCandidate {
        bool valid = false;
        unsigned lr = 0;
        uint8_t priority = 0xFF;
        bool group1 = false;
    };

    VirtualCandidate highest_pending() const;
    bool deliverable(const VirtualCandidate& candidate) const;
    uint8_t virtual_group_priority(uint8_t priority, bool group1) const;
    uint32_t interrupt_id(unsigned lr) const;
    uint32_t acknowledge(bool group1_alias);
    uint32_t highest_pending_id(bool group1_alias) const;
    void end_of_interrupt(uint32_t value);
    void deactivate(uint32_t value);
    void write_vmcr(uint32_t value);

    unsigned core_;
    Distributor* distributor_;
    uint32_t hcr_ = 0;
    uint32_t vmcr_;
    std::array<uint32_t, kNumListRegisters> lr_{};
    ActivePriorities active_{3}; // GICH_APR: 5 preemption bits, bit n = priority n << 3
    Diagnostics diag_;
};

} // namespace sim::gic
