#include "sim/gic/v3/cpu_interface.h"

#include <algorithm>

namespace sim::gic::v3 {

namespace {

constexpr uint64_t kCtlrWritable = icc::kCtlrCbpr | icc::kCtlrEoiMode;
constexpr uint32_t kIntIdMask = 0xFF'FFFF; // 24 INTID bits in IAR/EOIR/DIR

} // namespace

CpuInterface::CpuInterface(unsigned core, gic::Distributor& common,
                           const Redistributor& redistributor)
    : core_(core), common_(common), redistributor_(redistributor) {}

// What the redistributor forwards: nothing while its core sleeps.
Candidate CpuInterface::candidate() const {
    return redistributor_.awake() ? common_.highest_pending(core_) : Candidate{};
}

// Group 1's binary point n gives group priority priority[7:n]; with CBPR
// group 1 uses BPR0 (priority[7:n+1]), as the GICv2 interface's BPR.
uint8_t CpuInterface::group_priority_of(uint8_t priority) const {
    if ((ctlr_ & icc::kCtlrCbpr) != 0) {
        return group_priority(priority, bpr0_);
    }
    return group_priority(priority, bpr1_ - 1);
}

bool CpuInterface::deliverable(const Candidate& c) const {
    return c.valid && c.group1 && c.priority < pmr_ &&
           group_priority_of(c.priority) < active_.running();
}

bool CpuInterface::irq_line() const {
    return igrpen1_ && deliverable(candidate());
}

uint64_t CpuInterface::acknowledge() {
    const Candidate c = candidate();
    if (!igrpen1_ || !deliverable(c)) {
        return kSpuriousId;
    }
    active_.activate(group_priority_of(c.priority));
    return common_.acknowledge(core_, c) & kIntIdMask; // an SGI's source is always 0
}

void CpuInterface::end_of_interrupt(uint64_t value) {
    if ((value & kIntIdMask) >= kFirstSpecialId) {
        return; // EOI of a special INTID has no effect
    }
    if (!active_.drop()) {
        ++diag_.unmatched_eois;
    }
    if (!split_eoi()) {
        deactivate(value);
    }
}

void CpuInterface::deactivate(uint64_t value) {
    const uint32_t intid = static_cast<uint32_t>(value & kIntIdMask);
    if (intid >= kFirstSpecialId) {
        return;
    }
    if (!common_.is_active(core_, intid)) {
        ++diag_.unmatched_eois;
        return;
    }
    common_.deactivate(core_, intid, 0);
}

// Target list + Aff3.Aff2.Aff1 + RS name up to 16 cores of one cluster; IRM
// names every core but the sender. Affinities no core has are ignored.
void CpuInterface::send_sgi(uint64_t value) {
    const uint32_t sgi = value >> icc::kSgiIntIdShift & 0xF;
    const unsigned cores = common_.config().num_cores;
    if ((value & icc::kSgiIrm) != 0) {
        for (unsigned t = 0; t < cores; ++t) {
            if (t != core_) {
                common_.pend_sgi(t, sgi, 0);
            }
        }
        return;
    }
    const uint32_t upper = static_cast<uint32_t>((value >> icc::kSgiAff3Shift & 0xFF) << 24 |
                                                 (value >> icc::kSgiAff2Shift & 0xFF) << 16 |
                                                 (value >> icc::kSgiAff1Shift & 0xFF) << 8);
    const uint32_t rs = value >> icc::kSgiRsShift & 0xF;
    const uint64_t list = value & icc::kSgiTargetListMask;
    for (unsigned bit = 0; bit < 16; ++bit) {
        if ((list >> bit & 1) == 0) {
            continue;
        }
        const int target = core_of_affinity(upper | (rs * 16 + bit), cores);
        if (target >= 0) {
            common_.pend_sgi(static_cast<unsigned>(target), sgi, 0);
        } else {
            ++diag_.bad_inputs;
        }
    }
}

uint64_t CpuInterface::read(CpuRegister reg) {
    using R = CpuRegister;
    switch (reg) {
    case R::IccPmrEl1:
        return pmr_;
    case R::IccIar1El1:
        return acknowledge();
    case R::IccHppir1El1: {
        const Candidate c = candidate();
        return c.valid && c.group1 ? c.intid : kSpuriousId;
    }
    case R::IccIar0El1:
    case R::IccHppir0El1:
        return kSpuriousId; // group 0 is not signalled
    case R::IccRprEl1:
        return active_.running();
    case R::IccBpr0El1:
        return bpr0_;
    case R::IccBpr1El1:
        return (ctlr_ & icc::kCtlrCbpr) != 0 ? std::min(bpr0_ + 1, 7u) : bpr1_;
    case R::IccCtlrEl1:
        return ctlr_ | uint64_t{common_.config().priority_bits - 1} << icc::kCtlrPriBitsShift;
    case R::IccSreEl1:
        return icc::kSreEl1;
    case R::IccSreEl2:
        return icc::kSreEl2;
    case R::IccIgrpen0El1:
        return igrpen0_ ? 1 : 0;
    case R::IccIgrpen1El1:
        return igrpen1_ ? 1 : 0;
    case R::IccAp1r0El1:
        return active_.word(0);
    case R::IccAp0r0El1:
        return 0;
    default:
        ++diag_.reserved_reads; // write-only EOIRs, DIR, SGIRs; ICH_* registers
        return 0;
    }
}

void CpuInterface::write(CpuRegister reg, uint64_t value) {
    using R = CpuRegister;
    switch (reg) {
    case R::IccPmrEl1:
        pmr_ = static_cast<uint8_t>(value) & gic::priority_mask(common_.config().priority_bits);
        return;
    case R::IccEoir1El1:
        end_of_interrupt(value);
        return;
    case R::IccDirEl1:
        if (split_eoi()) {
            deactivate(value);
        } else {
            ++diag_.unmatched_eois; // DIR is only meaningful with EOImode = 1
        }
        return;
    case R::IccSgi1rEl1:
    case R::IccAsgi1rEl1: // one security state: the same as SGI1R
        send_sgi(value);
        return;
    case R::IccBpr0El1:
        bpr0_ = std::max(static_cast<unsigned>(value & 7), icc::kMinBpr0);
        return;
    case R::IccBpr1El1:
        if ((ctlr_ & icc::kCtlrCbpr) == 0) {
            bpr1_ = std::max(static_cast<unsigned>(value & 7), icc::kMinBpr1);
        }
        return;
    case R::IccCtlrEl1:
        ctlr_ = value & kCtlrWritable;
        return;
    case R::IccIgrpen0El1:
        igrpen0_ = (value & icc::kIgrpenEnable) != 0;
        return;
    case R::IccIgrpen1El1:
        igrpen1_ = (value & icc::kIgrpenEnable) != 0;
        return;
    case R::IccAp1r0El1:
        active_.set_word(0, static_cast<uint32_t>(value));
        return;
    case R::IccSreEl1:
    case R::IccSreEl2:
    case R::IccAp0r0El1:
        return; // RAO/WI
    default:
        ++diag_.reserved_writes; // read-only IAR, HPPIR, RPR; group 0's EOIR and SGI0R
        return;
    }
}

} // namespace sim::gic::v3
