#include "sim/gic/virtual_interface.h"

#include <algorithm>

namespace sim::gic {

namespace {

constexpr unsigned kMinVirtualBpr = 2;  // 5 preemption bits
constexpr unsigned kMinVirtualAbpr = 3; // the group 1 binary point is one coarser

constexpr uint32_t lr_state(uint32_t lr) {
    return lr >> gich::kLrStateShift & gich::kLrStateMask;
}
constexpr bool lr_hw(uint32_t lr) {
    return (lr & gich::kLrHw) != 0;
}
constexpr bool lr_group1(uint32_t lr) {
    return (lr & gich::kLrGroup1) != 0;
}
constexpr uint8_t lr_priority(uint32_t lr) {
    return static_cast<uint8_t>((lr >> gich::kLrPriorityShift & gich::kLrPriorityMask) << 3);
}
constexpr uint32_t with_state(uint32_t lr, uint32_t state) {
    return (lr & ~(gich::kLrStateMask << gich::kLrStateShift)) | state << gich::kLrStateShift;
}

} // namespace

VirtualInterface::VirtualInterface(unsigned core, Distributor& distributor)
    : core_(core), distributor_(&distributor),
      vmcr_(kMinVirtualBpr << gich::kVmcrBpShift | kMinVirtualAbpr << gich::kVmcrAbpShift) {}

// --- state derived from the list registers --------------------------------

uint32_t VirtualInterface::eisr() const {
    uint32_t bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        const uint32_t lr = lr_[i];
        if (lr_state(lr) == gich::kLrStateInvalid && !lr_hw(lr) && (lr & gich::kLrEoi) != 0) {
            bits |= 1u << i;
        }
    }
    return bits;
}

uint32_t VirtualInterface::elrsr() const {
    uint32_t bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        const uint32_t lr = lr_[i];
        // An invalid entry still waiting to report its EOI is not free yet.
        if (lr_state(lr) == gich::kLrStateInvalid && (lr_hw(lr) || (lr & gich::kLrEoi) == 0)) {
            bits |= 1u << i;
        }
    }
    return bits;
}

uint32_t VirtualInterface::misr() const {
    unsigned valid = 0;
    bool any_pending = false;
    for (const uint32_t lr : lr_) {
        valid += lr_state(lr) != gich::kLrStateInvalid ? 1 : 0;
        any_pending = any_pending || lr_state(lr) == gich::kLrStatePending;
    }
    const bool eng0 = (vmcr_ & gicv::kCtlrEnableGrp0) != 0;
    const bool eng1 = (vmcr_ & gicv::kCtlrEnableGrp1) != 0;
    const uint32_t eoi_count = hcr_ >> gich::kHcrEoiCountShift;
    uint32_t misr = 0;
    misr |= eisr() != 0 ? gich::kMisrEoi : 0;
    misr |= (hcr_ & gich::kHcrUie) != 0 && valid <= 1 ? gich::kMisrU : 0;
    misr |= (hcr_ & gich::kHcrLrenpie) != 0 && eoi_count != 0 ? gich::kMisrLrenp : 0;
    misr |= (hcr_ & gich::kHcrNpie) != 0 && !any_pending ? gich::kMisrNp : 0;
    misr |= (hcr_ & gich::kHcrVgrp0eie) != 0 && eng0 ? gich::kMisrVgrp0e : 0;
    misr |= (hcr_ & gich::kHcrVgrp0die) != 0 && !eng0 ? gich::kMisrVgrp0d : 0;
    misr |= (hcr_ & gich::kHcrVgrp1eie) != 0 && eng1 ? gich::kMisrVgrp1e : 0;
    misr |= (hcr_ & gich::kHcrVgrp1die) != 0 && !eng1 ? gich::kMisrVgrp1d : 0;
    return misr;
}

VirtualInterface::VirtualCandidate VirtualInterface::highest_pending() const {
    VirtualCandidate best;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        const uint32_t lr = lr_[i];
        // Pending+active entries wait for their deactivation, like physical ones.
        if (lr_state(lr) != gich::kLrStatePending) {
            continue;
        }
        const bool group1 = lr_group1(lr);
        const uint32_t enable = group1 ? gicv::kCtlrEnableGrp1 : gicv::kCtlrEnableGrp0;
        if ((vmcr_ & enable) == 0) {
            continue;
        }
        // Ties go to the lowest list register.
        if (!best.valid || lr_priority(lr) < best.priority) {
            best = {true, i, lr_priority(lr), group1};
        }
    }
    return best;
}

uint8_t VirtualInterface::virtual_group_priority(uint8_t priority, bool group1) const {
    const bool common = (vmcr_ & gicv::kCtlrCbpr) != 0;
    if (group1 && !common) {
        // ABPR n gives group priority priority[7:n], one bit more than BPR n.
        const unsigned abpr = vmcr_ >> gich::kVmcrAbpShift & 7;
        return group_priority(priority, abpr - 1);
    }
    return group_priority(priority, vmcr_ >> gich::kVmcrBpShift & 7);
}

bool VirtualInterface::deliverable(const VirtualCandidate& c) const {
    const uint8_t pmr = static_cast<uint8_t>(vmcr_ >> gich::kVmcrPmrShift << 3);
    return (hcr_ & gich::kHcrEn) != 0 && c.valid && c.priority < pmr &&
           virtual_group_priority(c.priority, c.group1) < active_.running();
}

bool VirtualInterface::virq_line() const {
    const VirtualCandidate c = highest_pending();
    const bool fiq = !c.group1 && (vmcr_ & gicv::kCtlrFiqEn) != 0;
    return deliverable(c) && !fiq;
}

bool VirtualInterface::vfiq_line() const {
    const VirtualCandidate c = highest_pending();
    const bool fiq = !c.group1 && (vmcr_ & gicv::kCtlrFiqEn) != 0;
    return deliverable(c) && fiq;
}

// The ID the guest sees: a software virtual SGI carries its sender.
uint32_t VirtualInterface::interrupt_id(unsigned index) const {
    const uint32_t lr = lr_[index];
    const uint32_t id = lr & gich::kLrVirtualIdMask;
    if (!lr_hw(lr) && id < kNumSgis) {
        return id | (lr >> gich::kLrCpuIdShift & gich::kLrCpuIdMask) << gicv::kCpuIdShift;
    }
    return id;
}

// --- the guest's interface ------------------------------------------------

uint32_t VirtualInterface::acknowledge(bool group1_alias) {
    const VirtualCandidate c = highest_pending();
    if (!deliverable(c)) {
        return kSpuriousId;
    }
    if (!group1_alias && c.group1 && (vmcr_ & gicv::kCtlrAckCtl) == 0) {
        return kGroup1SpuriousId; // group 1 is acknowledged through AIAR
    }
    if (group1_alias && !c.group1) {
        return kSpuriousId;
    }
    lr_[c.lr] = with_state(lr_[c.lr], gich::kLrStateActive);
    active_.activate(virtual_group_priority(c.priority, c.group1));
    return interrupt_id(c.lr);
}

uint32_t VirtualInterface::highest_pending_id(bool group1_alias) const {
    const VirtualCandidate c = highest_pending();
    if (!c.valid || (group1_alias && !c.group1)) {
        return kSpuriousId;
    }
    if (!group1_alias && c.group1 && (vmcr_ & gicv::kCtlrAckCtl) == 0) {
        return kGroup1SpuriousId;
    }
    return interrupt_id(c.lr);
}

void VirtualInterface::end_of_interrupt(uint32_t value) {
    if ((value & gicv::kIdMask) >= kFirstSpecialId) {
        return;
    }
    if (!active_.drop()) {
        ++diag_.unmatched_eois;
    }
    if ((vmcr_ & gicv::kCtlrEoiMode) == 0) {
        deactivate(value);
    }
}

void VirtualInterface::deactivate(uint32_t value) {
    const uint32_t id = value & gicv::kIdMask;
    const uint32_t sender = value >> gicv::kCpuIdShift & gicv::kCpuIdMask;
    for (uint32_t& lr : lr_) {
        const uint32_t state = lr_state(lr);
        if ((state != gich::kLrStateActive && state != gich::kLrStatePendingActive) ||
            (lr & gich::kLrVirtualIdMask) != id) {
            continue;
        }
        if (!lr_hw(lr) && id < kNumSgis &&
            (lr >> gich::kLrCpuIdShift & gich::kLrCpuIdMask) != sender) {
            continue;
        }
        lr = with_state(lr, state == gich::kLrStateActive ? gich::kLrStateInvalid
                                                          : gich::kLrStatePending);
        if (lr_hw(lr)) {
            // Hardware-linked: the guest's deactivation reaches the physical interrupt.
            const uint32_t physical = lr >> gich::kLrPhysicalIdShift & gich::kLrPhysicalIdMask;
            if (physical >= kNumSgis && physical < kFirstSpecialId) {
                distributor_->deactivate(core_, physical, 0);
            } else {
                ++diag_.bad_inputs;
            }
        }
        return;
    }
    // No list register holds it (hv evicted it): count it so hv can finish the
    // deactivation on the maintenance interrupt (LRENP).
    const uint32_t count = (hcr_ >> gich::kHcrEoiCountShift) + 1;
    hcr_ = (hcr_ & ~(0x1Fu << gich::kHcrEoiCountShift)) | (count & 0x1F) << gich::kHcrEoiCountShift;
}

void VirtualInterface::write_vmcr(uint32_t value) {
    value &= gich::kVmcrWritable;
    const unsigned bp = std::max(value >> gich::kVmcrBpShift & 7, kMinVirtualBpr);
    const unsigned abp = std::max(value >> gich::kVmcrAbpShift & 7, kMinVirtualAbpr);
    value &= ~(7u << gich::kVmcrBpShift | 7u << gich::kVmcrAbpShift);
    vmcr_ = value | bp << gich::kVmcrBpShift | abp << gich::kVmcrAbpShift;
}

uint32_t VirtualInterface::read_cpu(uint32_t offset, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kVirtualCpuInterfaceFrameSize) {
        ++diag_.bad_accesses;
        return 0;
    }
    switch (offset) {
    case gicv::kCtlr:
        return vmcr_ & gich::kVmcrCtlrMask;
    case gicv::kPmr:
        return vmcr_ >> gich::kVmcrPmrShift << 3;
    case gicv::kBpr:
        return vmcr_ >> gich::kVmcrBpShift & 7;
    case gicv::kAbpr:
        return vmcr_ >> gich::kVmcrAbpShift & 7;
    case gicv::kIar:
        return acknowledge(false);
    case gicv::kAiar:
        return acknowledge(true);
    case gicv::kRpr:
        return active_.running();
    case gicv::kHppir:
        return highest_pending_id(false);
    case gicv::kAhppir:
        return highest_pending_id(true);
    case gicv::kApr0:
        return active_.word(0);
    case gicv::kIidr:
        return gicc::kIidrGic400;
    default:
        break;
    }
    if (offset > gicv::kApr0 && offset < gicv::kIidr) {
        return 0; // APR1-3 and NSAPRn: not implemented with 5 preemption bits
    }
    ++diag_.reserved_reads;
    return 0;
}

void VirtualInterface::write_cpu(uint32_t offset, uint32_t value, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kVirtualCpuInterfaceFrameSize) {
        ++diag_.bad_accesses;
        return;
    }
    switch (offset) {
    case gicv::kCtlr:
        write_vmcr((vmcr_ & ~gich::kVmcrCtlrMask) | (value & gich::kVmcrCtlrMask));
        return;
    case gicv::kPmr:
        write_vmcr((vmcr_ & ~(0x1Fu << gich::kVmcrPmrShift)) | (value >> 3 & 0x1F)
                                                                   << gich::kVmcrPmrShift);
        return;
    case gicv::kBpr:
        write_vmcr((vmcr_ & ~(7u << gich::kVmcrBpShift)) | (value & 7) << gich::kVmcrBpShift);
        return;
    case gicv::kAbpr:
        write_vmcr((vmcr_ & ~(7u << gich::kVmcrAbpShift)) | (value & 7) << gich::kVmcrAbpShift);
        return;
    case gicv::kEoir:
    case gicv::kAeoir:
        end_of_interrupt(value);
        return;
    case gicv::kDir:
        if ((vmcr_ & gicv::kCtlrEoiMode) != 0) {
            deactivate(value);
        } else {
            ++diag_.unmatched_eois;
        }
        return;
    case gicv::kApr0:
        active_.set_word(0, value);
        return;
    default:
        ++diag_.reserved_writes;
        return;
    }
}

// --- hv's interface -------------------------------------------------------

uint32_t VirtualInterface::read_control(uint32_t offset, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kVirtualControlFrameSize) {
        ++diag_.bad_accesses;
        return 0;
    }
    switch (offset) {
    case gich::kHcr:
        return hcr_;
    case gich::kVtr:
        return gich::kVtrGic400;
    case gich::kVmcr:
        return vmcr_;
    case gich::kMisr:
        return misr();
    case gich::kEisr0:
        return eisr();
    case gich::kElrsr0:
        return elrsr();
    case gich::kEisr1:
    case gich::kElrsr1:
        return 0; // only 4 list registers
    case gich::kApr:
        return active_.word(0);
    default:
        break;
    }
    if (offset >= gich::kLr0 && offset < gich::kLrEnd) {
        const unsigned index = (offset - gich::kLr0) / 4;
        if (index < lr_.size()) {
            return lr_[index];
        }
    }
    ++diag_.reserved_reads; // includes list registers beyond GICH_VTR.ListRegs
    return 0;
}

void VirtualInterface::write_control(uint32_t offset, uint32_t value, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kVirtualControlFrameSize) {
        ++diag_.bad_accesses;
        return;
    }
    switch (offset) {
    case gich::kHcr:
        hcr_ = value & gich::kHcrWritable;
        return;
    case gich::kVmcr:
        write_vmcr(value);
        return;
    case gich::kApr:
        active_.set_word(0, value);
        return;
    default:
        break;
    }
    if (offset >= gich::kLr0 && offset < gich::kLrEnd) {
        const unsigned index = (offset - gich::kLr0) / 4;
        if (index < lr_.size()) {
            lr_[index] = value & gich::kLrWritable;
            return;
        }
    }
    ++diag_.reserved_writes; // includes the read-only VTR, MISR, EISR and ELRSR
}

} // namespace sim::gic
