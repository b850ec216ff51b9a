#include "sim/gic/v3/virtual_interface.h"

#include <algorithm>

namespace sim::gic::v3 {

namespace {

constexpr uint32_t kIntIdMask = 0xFF'FFFF;
constexpr uint8_t kPriorityMask = 0xF8; // 5 implemented priority bits (ICH_VTR_EL2.PRIbits)

constexpr uint64_t lr_state(uint64_t lr) {
    return lr >> ich::kLrStateShift & 3;
}
constexpr bool lr_hw(uint64_t lr) {
    return (lr & ich::kLrHw) != 0;
}
constexpr bool lr_group1(uint64_t lr) {
    return (lr & ich::kLrGroup1) != 0;
}
constexpr uint32_t lr_id(uint64_t lr) {
    return static_cast<uint32_t>(lr & ich::kLrVirtualIdMask);
}
constexpr uint8_t lr_priority(uint64_t lr) {
    return static_cast<uint8_t>(lr >> ich::kLrPriorityShift) & kPriorityMask;
}
constexpr uint64_t with_state(uint64_t lr, uint64_t state) {
    return (lr & ~(3ull << ich::kLrStateShift)) | state << ich::kLrStateShift;
}
// An invalid software entry with EOI set still owes hv its maintenance interrupt.
constexpr bool eoi_owed(uint64_t lr) {
    return lr_state(lr) == ich::kLrStateInvalid && !lr_hw(lr) && (lr & ich::kLrEoi) != 0;
}

} // namespace

VirtualInterface::VirtualInterface(unsigned core, gic::Distributor& common)
    : core_(core), common_(common), vmcr_(uint64_t{icc::kMinBpr0} << ich::kVmcrBpr0Shift |
                                          uint64_t{icc::kMinBpr1} << ich::kVmcrBpr1Shift) {}

// --- state derived from the list registers --------------------------------

uint64_t VirtualInterface::eisr() const {
    uint64_t bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        bits |= eoi_owed(lr_[i]) ? 1u << i : 0;
    }
    return bits;
}

uint64_t VirtualInterface::elrsr() const {
    uint64_t bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        const bool free = lr_state(lr_[i]) == ich::kLrStateInvalid && !eoi_owed(lr_[i]);
        bits |= free ? 1u << i : 0;
    }
    return bits;
}

uint64_t VirtualInterface::misr() const {
    unsigned valid = 0;
    bool any_pending = false;
    for (const uint64_t lr : lr_) {
        valid += lr_state(lr) != ich::kLrStateInvalid ? 1 : 0;
        any_pending = any_pending || lr_state(lr) == ich::kLrStatePending;
    }
    // Bits 0-7 of ICH_HCR_EL2 and ICH_MISR_EL2 are GICH_HCR's and GICH_MISR's.
    const bool eng0 = (vmcr_ & ich::kVmcrEng0) != 0;
    const bool eng1 = (vmcr_ & ich::kVmcrEng1) != 0;
    const uint64_t eoi_count = hcr_ >> ich::kHcrEoiCountShift;
    uint64_t misr = 0;
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
        const uint64_t lr = lr_[i];
        // Pending+active entries wait for their deactivation, like physical ones.
        if (lr_state(lr) != ich::kLrStatePending) {
            continue;
        }
        const bool group1 = lr_group1(lr);
        if ((vmcr_ & (group1 ? ich::kVmcrEng1 : ich::kVmcrEng0)) == 0) {
            continue;
        }
        if (!best.valid || lr_priority(lr) < best.priority) { // ties: lowest LR
            best = {true, i, lr_priority(lr), group1};
        }
    }
    return best;
}

uint8_t VirtualInterface::virtual_group_priority(uint8_t priority, bool group1) const {
    if (group1 && (vmcr_ & ich::kVmcrCbpr) == 0) {
        const unsigned bpr1 = vmcr_ >> ich::kVmcrBpr1Shift & 7;
        return group_priority(priority, bpr1 - 1); // priority[7:bpr1]
    }
    return group_priority(priority, vmcr_ >> ich::kVmcrBpr0Shift & 7);
}

bool VirtualInterface::deliverable(const VirtualCandidate& c) const {
    const uint8_t pmr = static_cast<uint8_t>(vmcr_ >> ich::kVmcrPmrShift);
    return (hcr_ & ich::kHcrEn) != 0 && c.valid && c.priority < pmr &&
           virtual_group_priority(c.priority, c.group1) < active_.running();
}

// Group 0 would be a virtual FIQ with VFIQEn, which is not modeled.
bool VirtualInterface::virq_line() const {
    const VirtualCandidate c = highest_pending();
    return deliverable(c) && (c.group1 || (vmcr_ & ich::kVmcrFiqEn) == 0);
}

// --- the guest's interface ------------------------------------------------

uint64_t VirtualInterface::acknowledge(bool group1) {
    const VirtualCandidate c = highest_pending();
    if (!deliverable(c) || c.group1 != group1) {
        return kSpuriousId;
    }
    lr_[c.lr] = with_state(lr_[c.lr], ich::kLrStateActive);
    active_.activate(virtual_group_priority(c.priority, c.group1));
    return lr_id(lr_[c.lr]);
}

void VirtualInterface::end_of_interrupt(uint64_t value) {
    if ((value & kIntIdMask) >= kFirstSpecialId) {
        return;
    }
    if (!active_.drop()) {
        ++diag_.unmatched_eois;
    }
    if ((vmcr_ & ich::kVmcrEoim) == 0) {
        deactivate(value);
    }
}

void VirtualInterface::deactivate(uint64_t value) {
    const uint32_t id = static_cast<uint32_t>(value & kIntIdMask);
    for (uint64_t& lr : lr_) {
        const uint64_t state = lr_state(lr);
        if ((state != ich::kLrStateActive && state != ich::kLrStatePendingActive) ||
            lr_id(lr) != id) {
            continue;
        }
        lr = with_state(lr,
                        state == ich::kLrStateActive ? ich::kLrStateInvalid : ich::kLrStatePending);
        if (lr_hw(lr)) {
            // Hardware-linked: the guest's deactivation reaches the physical interrupt.
            const uint32_t physical =
                static_cast<uint32_t>(lr >> ich::kLrPhysicalIdShift & ich::kLrPhysicalIdMask);
            if (physical >= kNumSgis && physical < kFirstSpecialId) {
                common_.deactivate(core_, physical, 0);
            } else {
                ++diag_.bad_inputs;
            }
        }
        return;
    }
    // No list register holds it (hv evicted it): counted in EOIcount, so hv
    // finishes the deactivation on the maintenance interrupt (LRENP).
    const uint64_t count = ((hcr_ >> ich::kHcrEoiCountShift) + 1) & 0x1F;
    hcr_ = (hcr_ & ~(0x1Full << ich::kHcrEoiCountShift)) | count << ich::kHcrEoiCountShift;
}

void VirtualInterface::write_vmcr(uint64_t value) {
    value &= ich::kVmcrWritable;
    const uint64_t bpr0 = std::max<uint64_t>(value >> ich::kVmcrBpr0Shift & 7, icc::kMinBpr0);
    const uint64_t bpr1 = std::max<uint64_t>(value >> ich::kVmcrBpr1Shift & 7, icc::kMinBpr1);
    const uint64_t pmr = (value >> ich::kVmcrPmrShift & 0xFF) & kPriorityMask;
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
        return c.valid && c.group1 == group1 ? lr_id(lr_[c.lr]) : kSpuriousId;
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
