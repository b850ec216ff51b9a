#include "sim/gic/v3/virtual_interface.h"

#include <algorithm>

namespace sim::gic::v3 {

VirtualInterface::VirtualInterface(unsigned core, gic::Distributor& common)
    : ListRegisterInterface(core, common,
                            uint64_t{icc::kMinBpr0} << ich::kVmcrBpr0Shift |
                                uint64_t{icc::kMinBpr1} << ich::kVmcrBpr1Shift) {}

// --- the guest's interface ------------------------------------------------

uint64_t VirtualInterface::acknowledge(bool group1) {
    const VirtualCandidate c = highest_pending();
    if (!deliverable(c) || c.group1 != group1) {
        return kSpuriousId;
    }
    activate(c);
    return Gicv3ListRegister::virtual_id(lr_[c.lr]);
}

void VirtualInterface::write_vmcr(uint64_t value) {
    value &= ich::kVmcrWritable;
    const uint64_t bpr0 = std::max<uint64_t>(value >> ich::kVmcrBpr0Shift & 7, icc::kMinBpr0);
    const uint64_t bpr1 = std::max<uint64_t>(value >> ich::kVmcrBpr1Shift & 7, icc::kMinBpr1);
    const uint64_t pmr = (value >> ich::kVmcrPmrShift & 0xFF) & Gicv3ListRegister::kPriorityMask;
    value &= ~(7ull << ich::kVmcrBpr0Shift | 7ull << ich::kVmcrBpr1Shift |
               0xFFull << ich::kVmcrPmrShift);
    vmcr_ = value | bpr0 << ich::kVmcrBpr0Shift | bpr1 << ich::kVmcrBpr1Shift |
            pmr << ich::kVmcrPmrShift;
}

void VirtualInterface::set_vmcr_field(uint64_t mask, unsigned shift, uint64_t value) {
    write_vmcr((vmcr_ & ~(mask << shift)) | (value & mask) << shift);
}

uint64_t VirtualInterface::read_cpu(CpuRegister reg) {
    using R = CpuRegister;
    switch (reg) {
    case R::IccPmrEl1:
        return vmcr_ >> ich::kVmcrPmrShift & 0xFF;
    case R::IccIar1El1:
        return acknowledge(true);
    case R::IccIar0El1:
        return acknowledge(false);
    case R::IccHppir1El1:
    case R::IccHppir0El1: {
        const VirtualCandidate c = highest_pending();
        const bool group1 = reg == R::IccHppir1El1;
        return c.valid && c.group1 == group1 ? Gicv3ListRegister::virtual_id(lr_[c.lr])
                                             : kSpuriousId;
    }
    case R::IccRprEl1:
        return active_.running();
    case R::IccBpr0El1:
        return vmcr_ >> ich::kVmcrBpr0Shift & 7;
    case R::IccBpr1El1:
        return (vmcr_ & ich::kVmcrCbpr) != 0
                   ? std::min<uint64_t>((vmcr_ >> ich::kVmcrBpr0Shift & 7) + 1, 7)
                   : vmcr_ >> ich::kVmcrBpr1Shift & 7;
    case R::IccCtlrEl1:
        return ((vmcr_ & ich::kVmcrCbpr) != 0 ? icc::kCtlrCbpr : 0) |
               ((vmcr_ & ich::kVmcrEoim) != 0 ? icc::kCtlrEoiMode : 0) |
               uint64_t{4} << icc::kCtlrPriBitsShift;
    case R::IccSreEl1:
        return icc::kSreEl1;
    case R::IccIgrpen0El1:
        return (vmcr_ & ich::kVmcrEng0) != 0 ? 1 : 0;
    case R::IccIgrpen1El1:
        return (vmcr_ & ich::kVmcrEng1) != 0 ? 1 : 0;
    case R::IccAp1r0El1:
        return active_.word(0);
    case R::IccAp0r0El1:
        return 0;
    default:
        ++diag_.reserved_reads;
        return 0;
    }
}

void VirtualInterface::write_cpu(CpuRegister reg, uint64_t value) {
    using R = CpuRegister;
    switch (reg) {
    case R::IccPmrEl1:
        set_vmcr_field(0xFF, ich::kVmcrPmrShift, value);
        return;
    case R::IccEoir1El1:
    case R::IccEoir0El1:
        end_of_interrupt(value);
        return;
    case R::IccDirEl1:
        if ((vmcr_ & ich::kVmcrEoim) != 0) {
            deactivate(value);
        } else {
            ++diag_.unmatched_eois;
        }
        return;
    case R::IccBpr0El1:
        set_vmcr_field(7, ich::kVmcrBpr0Shift, value);
        return;
    case R::IccBpr1El1:
        if ((vmcr_ & ich::kVmcrCbpr) == 0) {
            set_vmcr_field(7, ich::kVmcrBpr1Shift, value);
        }
        return;
    case R::IccCtlrEl1:
        set_vmcr_field(1, 4, (value & icc::kCtlrCbpr) != 0 ? 1 : 0);
        set_vmcr_field(1, 9, (value & icc::kCtlrEoiMode) != 0 ? 1 : 0);
        return;
    case R::IccIgrpen0El1:
        set_vmcr_field(1, 0, value & 1);
        return;
    case R::IccIgrpen1El1:
        set_vmcr_field(1, 1, value & 1);
        return;
    case R::IccAp1r0El1:
        active_.set_word(0, static_cast<uint32_t>(value));
        return;
    case R::IccSreEl1:
    case R::IccAp0r0El1:
        return;
    default:
        // ICC_SGI1R_EL1 traps to the hypervisor before it gets here.
        ++diag_.reserved_writes;
        return;
    }
}

// --- hv's interface -------------------------------------------------------

uint64_t VirtualInterface::read_control(CpuRegister reg, unsigned index) {
    using R = CpuRegister;
    switch (reg) {
    case R::IchHcrEl2:
        return hcr_;
    case R::IchVtrEl2:
        return ich::kVtr;
    case R::IchVmcrEl2:
        return vmcr_;
    case R::IchMisrEl2:
        return misr();
    case R::IchEisrEl2:
        return eisr();
    case R::IchElrsrEl2:
        return elrsr();
    case R::IchAp1r0El2:
        return active_.word(0);
    case R::IchAp0r0El2:
        return 0;
    case R::IchLrEl2:
        if (index < lr_.size()) {
            return lr_[index];
        }
        break;
    default:
        break;
    }
    ++diag_.reserved_reads; // includes list registers beyond ICH_VTR_EL2.ListRegs
    return 0;
}

void VirtualInterface::write_control(CpuRegister reg, uint64_t value, unsigned index) {
    using R = CpuRegister;
    switch (reg) {
    case R::IchHcrEl2:
        hcr_ = value & ich::kHcrWritable;
        return;
    case R::IchVmcrEl2:
        write_vmcr(value);
        return;
    case R::IchAp1r0El2:
        active_.set_word(0, static_cast<uint32_t>(value));
        return;
    case R::IchAp0r0El2:
        return;
    case R::IchLrEl2:
        if (index < lr_.size()) {
            lr_[index] = value & ich::kLrWritable;
            return;
        }
        break;
    default:
        break;
    }
    ++diag_.reserved_writes; // includes the read-only VTR, MISR, EISR and ELRSR
}

} // namespace sim::gic::v3
