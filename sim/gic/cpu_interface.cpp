#include "sim/gic/cpu_interface.h"

#include <algorithm>

namespace sim::gic {

namespace {

constexpr uint32_t kCtlrWritable = 0x21F; // enables, AckCtl, FIQEn, CBPR, EOImode

unsigned min_binary_point(unsigned priority_bits) {
    return priority_bits >= 7 ? 0 : 7 - priority_bits;
}

} // namespace

CpuInterface::CpuInterface(unsigned core, Distributor& distributor)
    : core_(core), distributor_(&distributor),
      min_bpr_(min_binary_point(distributor.config().priority_bits)), bpr_(min_bpr_),
      // The smallest group-priority step is 2^(min_bpr+1): one APR bit per step.
      active_(min_bpr_ + 1) {}

bool CpuInterface::deliverable(const Candidate& c) const {
    return c.valid && c.priority < pmr_ && group_priority(c.priority, bpr_) < active_.running();
}

bool CpuInterface::irq_line() const {
    if (!enabled()) {
        return false;
    }
    return deliverable(distributor_->highest_pending(core_));
}

uint32_t CpuInterface::acknowledge() {
    if (!enabled()) {
        return kSpuriousId;
    }
    const Candidate c = distributor_->highest_pending(core_);
    if (!deliverable(c)) {
        return kSpuriousId;
    }
    active_.activate(group_priority(c.priority, bpr_));
    return distributor_->acknowledge(core_, c);
}

void CpuInterface::end_of_interrupt(uint32_t value) {
    if ((value & gicc::kIdMask) >= kFirstSpecialId) {
        return; // EOI of a spurious ID has no effect
    }
    // Priority drop: the most recent acknowledge is the highest active priority.
    if (!active_.drop()) {
        ++diag_.unmatched_eois;
    }
    if (!split_eoi()) {
        deactivate(value);
    }
}

void CpuInterface::deactivate(uint32_t value) {
    const uint32_t intid = value & gicc::kIdMask;
    if (intid >= kFirstSpecialId) {
        return;
    }
    if (!distributor_->is_active(core_, intid)) {
        ++diag_.unmatched_eois;
        return;
    }
    distributor_->deactivate(core_, intid, value >> gicc::kCpuIdShift & gicc::kCpuIdMask);
}

uint32_t CpuInterface::read(uint32_t offset, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kCpuInterfaceFrameSize) {
        ++diag_.bad_accesses;
        return 0;
    }
    switch (offset) {
    case gicc::kCtlr:
        return ctlr_;
    case gicc::kPmr:
        return pmr_;
    case gicc::kBpr:
    case gicc::kAbpr: // one binary point: groups are not told apart (docs/gic.md)
        return bpr_;
    case gicc::kIar:
    case gicc::kAiar:
        return acknowledge();
    case gicc::kRpr:
        return active_.running();
    case gicc::kHppir:
    case gicc::kAhppir: {
        const Candidate c = enabled() ? distributor_->highest_pending(core_) : Candidate{};
        return c.valid ? c.intid | uint32_t{c.source} << gicc::kCpuIdShift : kSpuriousId;
    }
    case gicc::kIidr:
        return gicc::kIidrGic400;
    default:
        break;
    }
    if (offset >= gicc::kApr0 && offset < gicc::kNsapr0) {
        return active_.word((offset - gicc::kApr0) / 4);
    }
    if (offset >= gicc::kNsapr0 && offset < gicc::kIidr) {
        return 0; // no Non-secure copy without the security extensions
    }
    ++diag_.reserved_reads; // includes the write-only EOIR, AEOIR and DIR
    return 0;
}

void CpuInterface::write(uint32_t offset, uint32_t value, unsigned size) {
    if (size != 4 || offset % 4 != 0 || offset >= kCpuInterfaceFrameSize) {
        ++diag_.bad_accesses;
        return;
    }
    switch (offset) {
    case gicc::kCtlr:
        ctlr_ = value & kCtlrWritable;
        return;
    case gicc::kPmr:
        pmr_ = static_cast<uint8_t>(value) &
               sim::gic::priority_mask(distributor_->config().priority_bits);
        return;
    case gicc::kBpr:
    case gicc::kAbpr:
        bpr_ = std::max(value & 7u, min_bpr_);
        return;
    case gicc::kEoir:
    case gicc::kAeoir:
        end_of_interrupt(value);
        return;
    case gicc::kDir:
        if (split_eoi()) {
            deactivate(value);
        } else {
            ++diag_.unmatched_eois; // DIR is only meaningful with EOImode = 1
        }
        return;
    default:
        break;
    }
    if (offset >= gicc::kApr0 && offset < gicc::kNsapr0) {
        active_.set_word((offset - gicc::kApr0) / 4, value);
        return;
    }
    ++diag_.reserved_writes;
}

} // namespace sim::gic
