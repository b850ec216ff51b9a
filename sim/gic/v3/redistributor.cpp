#include "sim/gic/v3/redistributor.h"

#include <array>

namespace sim::gic::v3 {

namespace {

// QEMU's GICv3 redistributor: PIDR4..7, PIDR0..3 (PIDR2.ArchRev = 3), CIDR0..3.
constexpr std::array<uint32_t, 12> kIdRegisters = {0x44, 0x00, 0x00, 0x00, 0x93, 0xB4,
                                                   0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

} // namespace

Redistributor::Redistributor(unsigned core, gic::Distributor& common)
    : core_(core), common_(common) {}

// Affinity Aff0 = core, Processor_Number = core, Last on the highest core; no
// physical or virtual LPIs.
uint64_t Redistributor::typer() const {
    const bool last = core_ + 1 == common_.config().num_cores;
    return uint64_t{core_} << gicr::kTyperAffinityShift |
           uint64_t{core_} << gicr::kTyperProcessorShift | (last ? gicr::kTyperLast : 0);
}

// The SGI_base registers that are the common distributor's banked word 0.
bool Redistributor::sgi_register(uint32_t offset, unsigned size) const {
    if (offset >= gicr::kIpriorityr && offset < gicr::kIpriorityr + kNumPrivate) {
        return size == 1 || size == 4;
    }
    if (size != 4) {
        return false;
    }
    switch (offset) {
    case gicr::kIgroupr0:
    case gicr::kIsenabler0:
    case gicr::kIcenabler0:
    case gicr::kIspendr0:
    case gicr::kIcpendr0:
    case gicr::kIsactiver0:
    case gicr::kIcactiver0:
    case gicr::kIcfgr0:
    case gicr::kIcfgr1:
        return true;
    default:
        return false;
    }
}

uint64_t Redistributor::read(uint32_t offset, unsigned size) {
    if ((size != 1 && size != 4 && size != 8) || offset % size != 0 ||
        offset >= kRedistributorStride) {
        ++diag_.bad_accesses;
        return 0;
    }
    if (offset < gicr::kSgiBase) {
        return read_rd(offset, size);
    }
    const uint32_t sgi = offset - gicr::kSgiBase;
    if (sgi_register(sgi, size)) {
        return common_.read(core_, sgi, size);
    }
    if ((sgi == gicr::kIgrpmodr0 || sgi == gicr::kNsacr) && size == 4) {
        return 0; // one security state: RAZ/WI
    }
    ++diag_.reserved_reads;
    return 0;
}

void Redistributor::write(uint32_t offset, uint64_t value, unsigned size) {
    if ((size != 1 && size != 4 && size != 8) || offset % size != 0 ||
        offset >= kRedistributorStride) {
        ++diag_.bad_accesses;
        return;
    }
    if (offset < gicr::kSgiBase) {
        write_rd(offset, value, size);
        return;
    }
    const uint32_t sgi = offset - gicr::kSgiBase;
    if (sgi_register(sgi, size)) {
        common_.write(core_, sgi, static_cast<uint32_t>(value), size);
        return;
    }
    if ((sgi == gicr::kIgrpmodr0 || sgi == gicr::kNsacr) && size == 4) {
        return;
    }
    ++diag_.reserved_writes;
}

uint64_t Redistributor::read_rd(uint32_t offset, unsigned size) {
    if (offset == gicr::kTyper && (size == 8 || size == 4)) {
        return size == 8 ? typer() : typer() & 0xFFFF'FFFF;
    }
    if (offset == gicr::kTyper + 4 && size == 4) {
        return typer() >> 32;
    }
    if (size != 4) {
        ++diag_.bad_accesses;
        return 0;
    }
    switch (offset) {
    case gicr::kCtlr: // no LPIs; RWP and UWP read as zero (writes complete at once)
    case gicr::kStatusr:
        return 0;
    case gicr::kIidr:
        return gicd::kIidrValue;
    case gicr::kWaker:
        return waker_;
    default:
        break;
    }
    if (offset >= gicr::kIdRegisters && offset < gicr::kSgiBase) {
        return kIdRegisters[(offset - gicr::kIdRegisters) / 4];
    }
    ++diag_.reserved_reads;
    return 0;
}

void Redistributor::write_rd(uint32_t offset, uint64_t value, unsigned size) {
    if (size != 4) {
        ++diag_.bad_accesses;
        return;
    }
    switch (offset) {
    case gicr::kWaker:
        // The interface quiesces or wakes at once: ChildrenAsleep follows
        // ProcessorSleep, so the handshake's poll ends on its first read.
        waker_ = (value & gicr::kWakerProcessorSleep) != 0
                     ? gicr::kWakerProcessorSleep | gicr::kWakerChildrenAsleep
                     : 0;
        return;
    case gicr::kCtlr: // EnableLPIs: no LPIs
    case gicr::kStatusr:
        return;
    default:
        ++diag_.reserved_writes; // includes the read-only IIDR, TYPER and ID registers
        return;
    }
}

} // namespace sim::gic::v3
