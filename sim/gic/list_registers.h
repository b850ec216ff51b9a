// The state machine of a virtual CPU interface over list registers, which
// the GICv2 virtualization extension (sim/gic/virtual_interface.*) and
// GICv3's ICH_*/ICV_* (sim/gic/v3/virtual_interface.*) share: which list
// register is delivered, the maintenance conditions, EOI and deactivation.
// ICH_HCR_EL2 and ICH_VMCR_EL2 keep these fields where GICH_HCR and GICH_VMCR
// do (the gich:: and gicv:: names below), except the virtual priority mask.
// What differs is the version's Layout:
//
//   struct Layout {
//       using Word = ...;                    // uint32_t (GICH_LR), uint64_t (ICH_LR<n>_EL2)
//       static constexpr unsigned kNumListRegisters, kStateShift;
//       static constexpr Word kEoi, kHw, kGroup1;
//       static uint32_t virtual_id(Word lr);
//       static uint32_t physical_id(Word lr);
//       static uint8_t priority(Word lr);    // as an 8-bit priority
//       static uint32_t intid(Word value);   // the INTID an EOIR or DIR write names
//       static bool same_source(Word lr, Word value); // GICv2's SGIs carry their sender
//       static uint8_t pmr(Word vmcr);       // the virtual priority mask, 8 bits
//   };
//
// The register interfaces (GICH/GICV frames, ICH_*/ICV_* system registers)
// stay with each version.
#pragma once

#include "sim/gic/diagnostics.h"
#include "sim/gic/distributor.h"
#include "sim/gic/gic_regs.h"
#include "sim/gic/priority.h"

#include <array>
#include <cstdint>

namespace sim::gic {

template <class Layout> class ListRegisterInterface {
  public:
    using Word = typename Layout::Word;

    // A pending list register is deliverable: HCR.En, its group enabled in
    // the VMCR, above the virtual priority mask and the running priority.
    bool virq_line() const {
        const VirtualCandidate c = highest_pending();
        return deliverable(c) && !as_fiq(c);
    }
    bool vfiq_line() const { // group 0 with VMCR.VFIQEn
        const VirtualCandidate c = highest_pending();
        return deliverable(c) && as_fiq(c);
    }
    // Level of the maintenance interrupt (PPI 25): HCR.En and any MISR bit.
    bool maintenance() const { return (hcr_ & gich::kHcrEn) != 0 && misr() != 0; }

    Word misr() const;
    Word eisr() const;
    Word elrsr() const;
    Word hcr() const { return hcr_; }
    Word vmcr() const { return vmcr_; }
    Word list_register(unsigned index) const { return index < lr_.size() ? lr_[index] : 0; }
    uint8_t running_priority() const { return active_.running(); }
    unsigned core() const { return core_; }
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h): the registers of either version.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(hcr_);
        a.value(vmcr_);
        a.value(lr_);
        a.value(active_);
        a.value(diag_);
    }

  protected:
    ListRegisterInterface(unsigned core, Distributor& distributor, Word vmcr)
        : core_(core), distributor_(&distributor), vmcr_(vmcr) {}

    struct VirtualCandidate {
        bool valid = false;
        unsigned lr = 0;
        uint8_t priority = 0xFF;
        bool group1 = false;
    };

    static Word lr_state(Word lr) { return lr >> Layout::kStateShift & 3; }
    static Word with_state(Word lr, Word state) {
        return (lr & ~(Word{3} << Layout::kStateShift)) | state << Layout::kStateShift;
    }
    // An invalid software entry with EOI set still owes hv its maintenance interrupt.
    static bool eoi_owed(Word lr) {
        return lr_state(lr) == gich::kLrStateInvalid && (lr & Layout::kHw) == 0 &&
               (lr & Layout::kEoi) != 0;
    }

    VirtualCandidate highest_pending() const;
    bool deliverable(const VirtualCandidate& c) const;
    bool as_fiq(const VirtualCandidate& c) const {
        return !c.group1 && (vmcr_ & gicv::kCtlrFiqEn) != 0;
    }
    uint8_t virtual_group_priority(uint8_t priority, bool group1) const;
    // The guest acknowledges c: its list register becomes active.
    void activate(const VirtualCandidate& c) {
        lr_[c.lr] = with_state(lr_[c.lr], gich::kLrStateActive);
        active_.activate(virtual_group_priority(c.priority, c.group1));
    }
    void end_of_interrupt(Word value);
    void deactivate(Word value);

    unsigned core_;
    Distributor* distributor_;
    Word hcr_ = 0;
    Word vmcr_;
    std::array<Word, Layout::kNumListRegisters> lr_{};
    ActivePriorities active_{3}; // GICH_APR, ICH_AP1R0_EL2: 5 preemption bits
    Diagnostics diag_;
};

template <class Layout> auto ListRegisterInterface<Layout>::eisr() const -> Word {
    Word bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        bits |= eoi_owed(lr_[i]) ? 1u << i : 0;
    }
    return bits;
}

template <class Layout> auto ListRegisterInterface<Layout>::elrsr() const -> Word {
    Word bits = 0;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        // An invalid entry still waiting to report its EOI is not free yet.
        const bool free = lr_state(lr_[i]) == gich::kLrStateInvalid && !eoi_owed(lr_[i]);
        bits |= free ? 1u << i : 0;
    }
    return bits;
}

template <class Layout> auto ListRegisterInterface<Layout>::misr() const -> Word {
    unsigned valid = 0;
    bool any_pending = false;
    for (const Word lr : lr_) {
        valid += lr_state(lr) != gich::kLrStateInvalid ? 1 : 0;
        any_pending = any_pending || lr_state(lr) == gich::kLrStatePending;
    }
    const bool eng0 = (vmcr_ & gicv::kCtlrEnableGrp0) != 0;
    const bool eng1 = (vmcr_ & gicv::kCtlrEnableGrp1) != 0;
    const Word eoi_count = hcr_ >> gich::kHcrEoiCountShift;
    Word misr = 0;
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

template <class Layout>
auto ListRegisterInterface<Layout>::highest_pending() const -> VirtualCandidate {
    VirtualCandidate best;
    for (unsigned i = 0; i < lr_.size(); ++i) {
        const Word lr = lr_[i];
        // Pending+active entries wait for their deactivation, like physical ones.
        if (lr_state(lr) != gich::kLrStatePending) {
            continue;
        }
        const bool group1 = (lr & Layout::kGroup1) != 0;
        if ((vmcr_ & (group1 ? gicv::kCtlrEnableGrp1 : gicv::kCtlrEnableGrp0)) == 0) {
            continue;
        }
        const uint8_t priority = Layout::priority(lr);
        if (!best.valid || priority < best.priority) { // ties: the lowest list register
            best = {true, i, priority, group1};
        }
    }
    return best;
}

template <class Layout>
uint8_t ListRegisterInterface<Layout>::virtual_group_priority(uint8_t priority, bool group1) const {
    if (group1 && (vmcr_ & gicv::kCtlrCbpr) == 0) {
        // ABPR (BPR1) n gives group priority priority[7:n], one bit more than BPR n.
        const unsigned abpr = vmcr_ >> gich::kVmcrAbpShift & 7;
        return group_priority(priority, abpr - 1);
    }
    return group_priority(priority, vmcr_ >> gich::kVmcrBpShift & 7);
}

template <class Layout>
bool ListRegisterInterface<Layout>::deliverable(const VirtualCandidate& c) const {
    return (hcr_ & gich::kHcrEn) != 0 && c.valid && c.priority < Layout::pmr(vmcr_) &&
           virtual_group_priority(c.priority, c.group1) < active_.running();
}

template <class Layout> void ListRegisterInterface<Layout>::end_of_interrupt(Word value) {
    if (Layout::intid(value) >= kFirstSpecialId) {
        return;
    }
    if (!active_.drop()) {
        ++diag_.unmatched_eois;
    }
    if ((vmcr_ & gicv::kCtlrEoiMode) == 0) {
        deactivate(value);
    }
}

template <class Layout> void ListRegisterInterface<Layout>::deactivate(Word value) {
    const uint32_t id = Layout::intid(value);
    for (Word& lr : lr_) {
        const Word state = lr_state(lr);
        if ((state != gich::kLrStateActive && state != gich::kLrStatePendingActive) ||
            Layout::virtual_id(lr) != id || !Layout::same_source(lr, value)) {
            continue;
        }
        lr = with_state(lr, state == gich::kLrStateActive ? gich::kLrStateInvalid
                                                          : gich::kLrStatePending);
        if ((lr & Layout::kHw) != 0) {
            // Hardware-linked: the guest's deactivation reaches the physical interrupt.
            const uint32_t physical = Layout::physical_id(lr);
            if (physical >= kNumSgis && physical < kFirstSpecialId) {
                distributor_->deactivate(core_, physical, 0);
            } else {
                ++diag_.bad_inputs;
            }
        }
        return;
    }
    // No list register holds it (hv evicted it): counted in EOIcount, so hv
    // finishes the deactivation on the maintenance interrupt (LRENP).
    const Word count = ((hcr_ >> gich::kHcrEoiCountShift) + 1) & 0x1F;
    hcr_ = (hcr_ & ~(Word{0x1F} << gich::kHcrEoiCountShift)) | count << gich::kHcrEoiCountShift;
}

} // namespace sim::gic
