#include "sim/gic/v3/distributor.h"

namespace sim::gic::v3 {

namespace {

constexpr bool in_range(uint32_t offset, uint32_t base, uint32_t size) {
    return offset >= base && offset < base + size;
}

// QEMU's GICv3 distributor: PIDR4..7, PIDR0..3 (PIDR2.ArchRev = 3), CIDR0..3.
constexpr std::array<uint32_t, 12> kIdRegisters = {0x44, 0x00, 0x00, 0x00, 0x92, 0xB4,
                                                   0x3B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

// The IROUTER fields that name a core: Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0].
constexpr uint64_t kRouterAffinity = 0xFF'00FF'FFFFull;
constexpr uint64_t kRouterWritable = kRouterAffinity | gicd::kIrouterIrm;

constexpr uint32_t packed_affinity(uint64_t router) {
    return static_cast<uint32_t>((router >> 8 & 0xFF'0000'00) | (router & 0xFF'FFFF));
}

} // namespace

Distributor::Distributor(gic::Distributor& common) : common_(common) {
    for (uint32_t intid = kNumPrivate; intid < common_.config().num_interrupts; ++intid) {
        if (intid < kFirstSpecialId) {
            apply_route(intid);
        }
    }
}

// What the common distributor decodes: the SPI words of the bit registers,
// the SPIs' priorities and configuration. The banked words (INTIDs 0-31) are
// the redistributors' with affinity routing: RAZ/WI here.
bool Distributor::forwards_to_common(uint32_t offset) const {
    if (in_range(offset, gic::gicd::kIgroupr, 0x400 - gic::gicd::kIgroupr)) {
        return (offset & 0x7F) >= 4;
    }
    if (in_range(offset, gic::gicd::kIpriorityr, 0x400)) {
        return offset - gic::gicd::kIpriorityr >= kNumPrivate;
    }
    if (in_range(offset, gic::gicd::kIcfgr, 0x100)) {
        return offset - gic::gicd::kIcfgr >= 8;
    }
    return false;
}

uint64_t Distributor::read(unsigned core, uint32_t offset, unsigned size) {
    if ((size != 1 && size != 4 && size != 8) || offset % size != 0 ||
        offset >= kDistributorFrameSize) {
        ++diag_.bad_accesses;
        return 0;
    }
    if (in_range(offset, gicd::kIrouter, gicd::kIrouterEnd - gicd::kIrouter)) {
        return read_router(offset, size);
    }
    if (size == 8) {
        ++diag_.bad_accesses;
        return 0;
    }
    if (forwards_to_common(offset)) {
        return common_.read(core, offset, size);
    }
    if (size != 4) {
        // Byte access is for IPRIORITYR (and ITARGETSR, RES0 here).
        if (!in_range(offset, gic::gicd::kIpriorityr, 0x800)) {
            ++diag_.bad_accesses;
        }
        return 0;
    }
    switch (offset) {
    case gicd::kCtlr:
        return common_.read(core, gic::gicd::kCtlr, 4) | gicd::kCtlrAre | gicd::kCtlrDs;
    case gicd::kTyper: {
        const DistributorConfig& c = common_.config();
        // ITLinesNumber, CPUNumber, 10 INTID bits; no LPIs, MBIs, Aff3 or 1-of-N refusal.
        return (c.num_interrupts / 32 - 1) | (c.num_cores - 1) << 5 | 9u << gicd::kTyperIdBitsShift;
    }
    case gicd::kIidr:
        return gicd::kIidrValue;
    case gicd::kTyper2:
        return 0;
    default:
        break;
    }
    if (offset >= gicd::kIdRegisters) {
        return kIdRegisters[(offset - gicd::kIdRegisters) / 4];
    }
    // The banked words, ITARGETSR, IGRPMODR (one security state), the GICv2
    // SGI registers: RAZ with affinity routing.
    if (offset < 0x1000 && offset != gic::gicd::kSgir) {
        return 0;
    }
    ++diag_.reserved_reads;
    return 0;
}

void Distributor::write(unsigned core, uint32_t offset, uint64_t value, unsigned size) {
    if ((size != 1 && size != 4 && size != 8) || offset % size != 0 ||
        offset >= kDistributorFrameSize) {
        ++diag_.bad_accesses;
        return;
    }
    if (in_range(offset, gicd::kIrouter, gicd::kIrouterEnd - gicd::kIrouter)) {
        write_router(offset, value, size);
        return;
    }
    if (size == 8) {
        ++diag_.bad_accesses;
        return;
    }
    if (forwards_to_common(offset)) {
        common_.write(core, offset, static_cast<uint32_t>(value), size);
        return;
    }
    if (offset == gicd::kCtlr && size == 4) {
        // Only the group enables are state; ARE and DS read as one, RWP as zero
        // (writes take effect at once).
        common_.write(core, gic::gicd::kCtlr, static_cast<uint32_t>(value), 4);
        return;
    }
    // The banked words, ITARGETSR, IGRPMODR and GICD_SGIR are ignored with
    // affinity routing (SGIs are sent through ICC_SGI1R_EL1); the ID and type
    // registers are read-only.
    ++diag_.reserved_writes;
}

uint64_t Distributor::router(uint32_t intid) const {
    return intid >= kNumPrivate && intid < kMaxInterrupts ? irouter_[intid] : 0;
}

uint64_t Distributor::read_router(uint32_t offset, unsigned size) const {
    const uint32_t intid = (offset - gicd::kIrouter) / 8;
    if (size == 1) {
        return 0; // IROUTER is 32- or 64-bit accessible only
    }
    const uint64_t value = router(intid);
    if (size == 8) {
        return value;
    }
    return offset % 8 == 0 ? value & 0xFFFF'FFFF : value >> 32;
}

void Distributor::write_router(uint32_t offset, uint64_t value, unsigned size) {
    const uint32_t intid = (offset - gicd::kIrouter) / 8;
    if (size == 1) {
        ++diag_.bad_accesses;
        return;
    }
    if (intid < kNumPrivate || intid >= common_.config().num_interrupts ||
        intid >= kFirstSpecialId) {
        return; // RES0 for SGIs and PPIs and beyond ITLinesNumber
    }
    uint64_t& r = irouter_[intid];
    if (size == 8) {
        r = value;
    } else if (offset % 8 == 0) {
        r = (r & ~0xFFFF'FFFFull) | (value & 0xFFFF'FFFF);
    } else {
        r = (r & 0xFFFF'FFFF) | (value & 0xFFFF'FFFF) << 32;
    }
    r &= kRouterWritable;
    apply_route(intid);
}

// IRM = 1 (1 of N): every core may take it, and the first to acknowledge
// does (the others then see it active). An affinity no core has: no core.
void Distributor::apply_route(uint32_t intid) {
    const unsigned cores = common_.config().num_cores;
    const uint64_t r = irouter_[intid];
    uint8_t mask = 0;
    if ((r & gicd::kIrouterIrm) != 0) {
        mask = static_cast<uint8_t>((1u << cores) - 1);
    } else if (const int core = core_of_affinity(packed_affinity(r), cores); core >= 0) {
        mask = static_cast<uint8_t>(1u << core);
    }
    common_.route(intid, mask);
}

} // namespace sim::gic::v3
