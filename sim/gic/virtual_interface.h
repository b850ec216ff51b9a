// GICv2 virtualization extension of one core: the control interface (GICH)
// that hv programs, with its list registers, and the virtual CPU interface
// (GICV) that the guest sees at its GICC address. Outputs: the virtual IRQ
// (and FIQ) line of the core, and the level of the maintenance interrupt.
// The list-register state machine is shared with GICv3 (sim/gic/list_registers.h).
#pragma once

#include "sim/gic/distributor.h"
#include "sim/gic/gic_regs.h"
#include "sim/gic/list_registers.h"

#include <cstdint>

namespace sim::gic {

// GICH_LR: 32 bits, 5 priority bits; a software virtual SGI carries its
// sender, which the guest's EOI names again.
struct Gicv2ListRegister {
    using Word = uint32_t;
    static constexpr unsigned kNumListRegisters = gic::kNumListRegisters;
    static constexpr unsigned kStateShift = gich::kLrStateShift;
    static constexpr Word kEoi = gich::kLrEoi;
    static constexpr Word kHw = gich::kLrHw;
    static constexpr Word kGroup1 = gich::kLrGroup1;
    static constexpr uint32_t virtual_id(Word lr) { return lr & gich::kLrVirtualIdMask; }
    static constexpr uint32_t physical_id(Word lr) {
        return lr >> gich::kLrPhysicalIdShift & gich::kLrPhysicalIdMask;
    }
    static constexpr uint32_t sender(Word lr) {
        return lr >> gich::kLrCpuIdShift & gich::kLrCpuIdMask;
    }
    static constexpr uint8_t priority(Word lr) {
        return static_cast<uint8_t>((lr >> gich::kLrPriorityShift & gich::kLrPriorityMask) << 3);
    }
    static constexpr uint32_t intid(Word value) { return value & gicv::kIdMask; }
    static constexpr bool same_source(Word lr, Word value) {
        return (lr & kHw) != 0 || virtual_id(lr) >= kNumSgis ||
               sender(lr) == (value >> gicv::kCpuIdShift & gicv::kCpuIdMask);
    }
    static constexpr uint8_t pmr(Word vmcr) {
        return static_cast<uint8_t>(vmcr >> gich::kVmcrPmrShift << 3);
    }
};

class VirtualInterface : public ListRegisterInterface<Gicv2ListRegister> {
  public:
    VirtualInterface(unsigned core, Distributor& distributor);

    // GICH: hv's side. 32-bit, aligned.
    uint32_t read_control(uint32_t offset, unsigned size);
    void write_control(uint32_t offset, uint32_t value, unsigned size);

    // GICV: the guest's side. 32-bit, aligned. Reading IAR acknowledges.
    uint32_t read_cpu(uint32_t offset, unsigned size);
    void write_cpu(uint32_t offset, uint32_t value, unsigned size);

  private:
    uint32_t interrupt_id(unsigned lr) const;
    uint32_t acknowledge(bool group1_alias);
    uint32_t highest_pending_id(bool group1_alias) const;
    void write_vmcr(uint32_t value);
};

} // namespace sim::gic
