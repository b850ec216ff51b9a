#include "sim/gic/virtual_interface.h"

#include <algorithm>

namespace sim::gic {

namespace {

constexpr unsigned kMinVirtualBpr = 2;  // 5 preemption bits
constexpr unsigned kMinVirtualAbpr = 3; // the group 1 binary point is one coarser

} // namespace

VirtualInterface::VirtualInterface(unsigned core, Distributor& distributor)
    : ListRegisterInterface(core, distributor,
                            kMinVirtualBpr << gich::kVmcrBpShift | kMinVirtualAbpr
                                                                       << gich::kVmcrAbpShift) {}

// The ID the guest sees: a software virtual SGI carries its sender.
uint32_t VirtualInterface::interrupt_id(unsigned index) const {
    using L = Gicv2ListRegister;
    const uint32_t lr = lr_[index];
    const uint32_t id = L::virtual_id(lr);
    if ((lr & L::kHw) == 0 && id < kNumSgis) {
        return id | L::sender(lr) << gicv::kCpuIdShift;
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
    activate(c);
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
