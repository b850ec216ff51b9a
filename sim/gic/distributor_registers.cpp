// Register decoding of the distributor: GICD offsets to the state kept in
// distributor.cpp.
#include "sim/gic/distributor.h"

namespace sim::gic {

namespace {

constexpr bool in_range(uint32_t offset, uint32_t base, uint32_t size) {
    return offset >= base && offset < base + size;
}

// GIC-400 peripheral and component identification (PIDR4..7, PIDR0..3, CIDR0..3).
constexpr std::array<uint32_t, 12> kIdRegisters = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4,
                                                   0x2B, 0x00, 0x0D, 0xF0, 0x05, 0xB1};

} // namespace

// --- register access -----------------------------------------------------

uint32_t Distributor::read(unsigned core, uint32_t offset, unsigned size) {
    if (!valid_core(core) || (size != 1 && size != 4) || offset % size != 0 ||
        offset >= kDistributorFrameSize) {
        ++diag_.bad_accesses;
        return 0;
    }
    const bool byte_register =
        in_range(offset, gicd::kIpriorityr, 0x800) || in_range(offset, gicd::kCpendsgir, 0x20);
    if (byte_register) {
        uint32_t value = 0;
        for (unsigned i = 0; i < size; ++i) {
            value |= uint32_t{read_byte(core, offset + i)} << (8 * i);
        }
        return value;
    }
    if (size != 4) {
        ++diag_.bad_accesses;
        return 0;
    }
    if (offset == gicd::kCtlr) {
        return ctlr_;
    }
    if (offset == gicd::kTyper) {
        // SecurityExtn (bit 10) is 0: the security extensions are not modelled.
        return (words() - 1) | (config_.num_cores - 1) << 5;
    }
    if (offset == gicd::kIidr) {
        return gicd::kIidrGic400;
    }
    if (in_range(offset, gicd::kIgroupr, 0x80) || in_range(offset, gicd::kIsenabler, 0x300)) {
        const uint32_t base = offset & ~0x7Fu;
        return read_bits(core, base, (offset - base) / 4);
    }
    if (in_range(offset, gicd::kIcfgr, 0x100)) {
        return read_config(core, (offset - gicd::kIcfgr) / 4);
    }
    if (offset >= gicd::kPidr4) {
        return kIdRegisters[(offset - gicd::kPidr4) / 4];
    }
    ++diag_.reserved_reads; // includes write-only GICD_SGIR
    return 0;
}

void Distributor::write(unsigned core, uint32_t offset, uint32_t value, unsigned size) {
    if (!valid_core(core) || (size != 1 && size != 4) || offset % size != 0 ||
        offset >= kDistributorFrameSize) {
        ++diag_.bad_accesses;
        return;
    }
    const bool byte_register =
        in_range(offset, gicd::kIpriorityr, 0x800) || in_range(offset, gicd::kCpendsgir, 0x20);
    if (byte_register) {
        for (unsigned i = 0; i < size; ++i) {
            write_byte(core, offset + i, static_cast<uint8_t>(value >> (8 * i)));
        }
        return;
    }
    if (size != 4) {
        ++diag_.bad_accesses;
        return;
    }
    if (offset == gicd::kCtlr) {
        ctlr_ = value & (gicd::kCtlrEnableGrp0 | gicd::kCtlrEnableGrp1);
    } else if (in_range(offset, gicd::kIgroupr, 0x80) ||
               in_range(offset, gicd::kIsenabler, 0x300)) {
        const uint32_t base = offset & ~0x7Fu;
        write_bits(core, base, (offset - base) / 4, value);
    } else if (in_range(offset, gicd::kIcfgr, 0x100)) {
        write_config((offset - gicd::kIcfgr) / 4, value);
    } else if (offset == gicd::kSgir) {
        send_sgi(core, value);
    } else {
        ++diag_.reserved_writes; // includes TYPER, IIDR and the ID registers
    }
}

uint32_t Distributor::read_bits(unsigned core, uint32_t base, unsigned word) const {
    if (word >= words()) {
        return 0;
    }
    switch (base) {
    case gicd::kIgroupr:
        return word == 0 ? banked_[core].group : group_[word];
    case gicd::kIsenabler:
    case gicd::kIcenabler:
        return word == 0 ? banked_[core].enabled : enabled_[word];
    case gicd::kIspendr:
    case gicd::kIcpendr:
        return pending_word(core, word);
    default: // ISACTIVER, ICACTIVER
        return active_word(core, word);
    }
}

void Distributor::write_bits(unsigned core, uint32_t base, unsigned word, uint32_t value) {
    if (word >= words()) {
        return; // RAZ/WI beyond ITLinesNumber, as the architecture says
    }
    if (word == words() - 1 && words() * 32 > kFirstSpecialId) {
        value &= (1u << (kFirstSpecialId % 32)) - 1;
    }
    Banked& b = banked_[core];
    switch (base) {
    case gicd::kIgroupr:
        (word == 0 ? b.group : group_[word]) = value;
        break;
    case gicd::kIsenabler:
        (word == 0 ? b.enabled : enabled_[word]) |= value;
        break;
    case gicd::kIcenabler:
        // SGI enables are fixed on the GIC-400 (programmable on a GICv3).
        (word == 0 ? b.enabled : enabled_[word]) &=
            ~(word == 0 && !config_.affinity_routing ? value & kPpiBits : value);
        break;
    case gicd::kIspendr:
        // GICv2 makes SGIs pending only through SGIR/SPENDSGIR, which name a
        // sender; a GICv3 redistributor's ISPENDR0 pends them (source 0).
        if (word == 0 && config_.affinity_routing) {
            for (unsigned i = 0; i < kNumSgis; ++i) {
                if ((value >> i & 1) != 0) {
                    pend_sgi(core, i, 0);
                }
            }
        }
        (word == 0 ? b.latch : latch_[word]) |= word == 0 ? value & kPpiBits : value;
        break;
    case gicd::kIcpendr:
        if (word == 0 && config_.affinity_routing) {
            for (unsigned i = 0; i < kNumSgis; ++i) {
                if ((value >> i & 1) != 0) {
                    b.sgi_pending[i] = 0;
                }
            }
        }
        (word == 0 ? b.latch : latch_[word]) &= ~(word == 0 ? value & kPpiBits : value);
        break;
    case gicd::kIsactiver:
        if (word == 0) {
            // The sender of an SGI made active this way is taken to be the writer.
            for (unsigned i = 0; i < kNumSgis; ++i) {
                if ((value >> i & 1) != 0) {
                    b.sgi_active[i] |= static_cast<uint8_t>(1u << writer_source(core));
                }
            }
            b.active |= value & kPpiBits;
        } else {
            active_[word] |= value;
        }
        break;
    default: // ICACTIVER
        if (word == 0) {
            for (unsigned i = 0; i < kNumSgis; ++i) {
                if ((value >> i & 1) != 0) {
                    b.sgi_active[i] = 0;
                }
            }
            b.active &= ~(value & kPpiBits);
        } else {
            active_[word] &= ~value;
        }
        break;
    }
}

uint8_t Distributor::read_byte(unsigned core, uint32_t offset) const {
    if (offset >= gicd::kCpendsgir) {
        return banked_[core].sgi_pending[(offset - gicd::kCpendsgir) % kNumSgis];
    }
    if (offset >= gicd::kItargetsr) {
        const uint32_t intid = offset - gicd::kItargetsr;
        if (intid < kNumPrivate) {
            return static_cast<uint8_t>(1u << core); // SGIs and PPIs reach only their core
        }
        return implemented(intid) ? targets_[intid] : 0;
    }
    return priority(core, offset - gicd::kIpriorityr);
}

void Distributor::write_byte(unsigned core, uint32_t offset, uint8_t value) {
    if (offset >= gicd::kSpendsgir) {
        const uint8_t cores = static_cast<uint8_t>((1u << config_.num_cores) - 1);
        banked_[core].sgi_pending[offset - gicd::kSpendsgir] |= value & cores;
        return;
    }
    if (offset >= gicd::kCpendsgir) {
        banked_[core].sgi_pending[offset - gicd::kCpendsgir] &= static_cast<uint8_t>(~value);
        return;
    }
    if (offset >= gicd::kItargetsr) {
        const uint32_t intid = offset - gicd::kItargetsr;
        if (intid < kNumPrivate) {
            ++diag_.reserved_writes; // read-only for SGIs and PPIs
        } else if (implemented(intid)) {
            route(intid, value);
        }
        return;
    }
    const uint32_t intid = offset - gicd::kIpriorityr;
    if (!implemented(intid)) {
        return;
    }
    const uint8_t prio = value & priority_mask_;
    if (intid < kNumPrivate) {
        banked_[core].priority[intid] = prio;
    } else {
        priority_[intid] = prio;
    }
}

// ICFGR: two bits per interrupt, bit 1 set = edge-triggered.
uint32_t Distributor::read_config(unsigned core, unsigned word) const {
    if (word * 16 >= config_.num_interrupts) {
        return 0;
    }
    const uint32_t edges =
        word < 2 ? banked_[core].edge >> (word * 16) : edge_[word / 2] >> (word % 2 * 16);
    uint32_t value = 0;
    for (unsigned i = 0; i < 16; ++i) {
        value |= (edges >> i & 1) << (2 * i + 1);
    }
    return value;
}

void Distributor::write_config(unsigned word, uint32_t value) {
    if (word < 2) {
        ++diag_.reserved_writes; // SGI and PPI trigger modes are fixed on the GIC-400
        return;
    }
    if (word * 16 >= config_.num_interrupts) {
        return;
    }
    uint32_t edges = 0;
    for (unsigned i = 0; i < 16; ++i) {
        edges |= (value >> (2 * i + 1) & 1) << i;
    }
    const unsigned shift = word % 2 * 16;
    uint32_t& stored = edge_[word / 2];
    stored = (stored & ~(0xFFFFu << shift)) | edges << shift;
}

void Distributor::send_sgi(unsigned core, uint32_t value) {
    const uint32_t filter = value >> gicd::kSgirFilterShift & 3;
    const uint32_t all = (1u << config_.num_cores) - 1;
    uint32_t targets = 0;
    switch (filter) {
    case gicd::kSgirFilterList:
        targets = value >> gicd::kSgirTargetShift & all;
        break;
    case gicd::kSgirFilterOthers:
        targets = all & ~(1u << core);
        break;
    case gicd::kSgirFilterSelf:
        targets = 1u << core;
        break;
    default:
        ++diag_.bad_inputs; // filter 0b11 is reserved: no SGI is sent
        return;
    }
    const uint32_t sgi = value & 0xF;
    for (unsigned t = 0; t < config_.num_cores; ++t) {
        if ((targets >> t & 1) != 0) {
            pend_sgi(t, sgi, core);
        }
    }
}

} // namespace sim::gic
