#include "sim/gic/distributor.h"

#include "sim/gic/priority.h"

#include <algorithm>
#include <bit>

namespace sim::gic {

Distributor::Distributor(const DistributorConfig& config) : config_(config) {
    config_.num_cores = std::clamp(config_.num_cores, 1u, kMaxCores);
    // The interrupt count is a whole number of 32-interrupt lines (ITLinesNumber).
    config_.num_interrupts = std::clamp((config_.num_interrupts + 31) / 32 * 32, 32u, 1024u);
    config_.priority_bits = std::clamp(config_.priority_bits, 4u, 8u);
    priority_mask_ = priority_mask(config_.priority_bits);
    if (config_.affinity_routing) {
        for (Banked& b : banked_) {
            b.enabled = 0;
        }
    }
}

// --- derived bit vectors -------------------------------------------------

uint32_t Distributor::pending_word(unsigned core, unsigned word) const {
    if (word == 0) {
        const Banked& b = banked_[core];
        uint32_t sgis = 0;
        for (unsigned i = 0; i < kNumSgis; ++i) {
            sgis |= (b.sgi_pending[i] != 0 ? 1u : 0u) << i;
        }
        return sgis | ((b.latch | (b.level & ~b.edge)) & kPpiBits);
    }
    return latch_[word] | (level_[word] & ~edge_[word]);
}

uint32_t Distributor::active_word(unsigned core, unsigned word) const {
    if (word == 0) {
        const Banked& b = banked_[core];
        uint32_t sgis = 0;
        for (unsigned i = 0; i < kNumSgis; ++i) {
            sgis |= (b.sgi_active[i] != 0 ? 1u : 0u) << i;
        }
        return sgis | (b.active & kPpiBits);
    }
    return active_[word];
}

// Pending, enabled, not active and routed to core: what may be signalled.
uint32_t Distributor::forwardable_word(unsigned core, unsigned word) const {
    if (word == 0) {
        const Banked& b = banked_[core];
        uint32_t sgis = 0;
        // Each sender's copy of an SGI has its own state, so one sender's active
        // copy does not hold back another sender's pending one.
        for (unsigned i = 0; i < kNumSgis; ++i) {
            sgis |= ((b.sgi_pending[i] & ~b.sgi_active[i]) != 0 ? 1u : 0u) << i;
        }
        const uint32_t ppis = (b.latch | (b.level & ~b.edge)) & ~b.active & kPpiBits;
        return (sgis | ppis) & b.enabled;
    }
    return pending_word(core, word) & enabled_[word] & ~active_[word] & target_mask_[core][word];
}

Candidate Distributor::highest_pending(unsigned core) const {
    Candidate best;
    if (!valid_core(core) || !forwarding()) {
        return best;
    }
    for (unsigned w = 0; w < words(); ++w) {
        uint32_t bits = forwardable_word(core, w);
        while (bits != 0) {
            const uint32_t intid = w * 32 + std::countr_zero(bits);
            bits &= bits - 1;
            if (intid >= kFirstSpecialId) {
                break;
            }
            const uint8_t prio = priority(core, intid);
            // Strictly lower wins, so equal priorities go to the lowest INTID
            // (the GIC-400's choice).
            if (!best.valid || prio < best.priority) {
                best.valid = true;
                best.intid = intid;
                best.priority = prio;
            }
        }
    }
    if (best.valid) {
        const Banked& b = banked_[core];
        if (best.intid < kNumSgis) {
            const uint8_t senders = b.sgi_pending[best.intid] & ~b.sgi_active[best.intid];
            best.source = static_cast<uint8_t>(std::countr_zero(senders));
            best.group1 = (b.group >> best.intid & 1) != 0;
        } else if (best.intid < kNumPrivate) {
            best.group1 = (b.group >> best.intid & 1) != 0;
        } else {
            best.group1 = (group_[best.intid / 32] >> (best.intid % 32) & 1) != 0;
        }
    }
    return best;
}

uint32_t Distributor::acknowledge(unsigned core, const Candidate& c) {
    if (!c.valid || !valid_core(core) || !implemented(c.intid)) {
        return kSpuriousId;
    }
    const uint32_t bit = 1u << (c.intid % 32);
    if (c.intid < kNumSgis) {
        Banked& b = banked_[core];
        const uint8_t sender = static_cast<uint8_t>(1u << (c.source & 7));
        b.sgi_pending[c.intid] &= static_cast<uint8_t>(~sender);
        b.sgi_active[c.intid] |= sender;
        return c.intid | uint32_t{c.source & 7u} << gicc::kCpuIdShift;
    }
    // Only the latch is consumed: a level-sensitive line still high keeps the
    // interrupt pending, so it becomes pending+active.
    if (c.intid < kNumPrivate) {
        banked_[core].latch &= ~bit;
        banked_[core].active |= bit;
    } else {
        latch_[c.intid / 32] &= ~bit;
        active_[c.intid / 32] |= bit;
    }
    return c.intid;
}

void Distributor::deactivate(unsigned core, uint32_t intid, unsigned source) {
    if (!valid_core(core) || !implemented(intid)) {
        ++diag_.bad_inputs;
        return;
    }
    const uint32_t bit = 1u << (intid % 32);
    if (intid < kNumSgis) {
        banked_[core].sgi_active[intid] &= static_cast<uint8_t>(~(1u << (source & 7)));
    } else if (intid < kNumPrivate) {
        banked_[core].active &= ~bit;
    } else {
        active_[intid / 32] &= ~bit;
    }
}

void Distributor::pend_sgi(unsigned target, uint32_t sgi, unsigned source) {
    if (!valid_core(target) || sgi >= kNumSgis || source >= kMaxCores) {
        ++diag_.bad_inputs;
        return;
    }
    banked_[target].sgi_pending[sgi] |= static_cast<uint8_t>(1u << source);
}

void Distributor::route(uint32_t intid, uint8_t cores) {
    if (intid < kNumPrivate || !implemented(intid)) {
        ++diag_.bad_inputs;
        return;
    }
    cores &= static_cast<uint8_t>((1u << config_.num_cores) - 1);
    targets_[intid] = cores;
    const uint32_t bit = 1u << (intid % 32);
    for (unsigned c = 0; c < config_.num_cores; ++c) {
        uint32_t& mask = target_mask_[c][intid / 32];
        mask = (cores >> c & 1) != 0 ? mask | bit : mask & ~bit;
    }
}

// --- interrupt inputs ----------------------------------------------------

void Distributor::set_level(uint32_t intid, bool level) {
    if (intid < kNumPrivate || !implemented(intid)) {
        ++diag_.bad_inputs;
        return;
    }
    const unsigned w = intid / 32;
    const uint32_t bit = 1u << (intid % 32);
    if (level && (edge_[w] & bit) != 0 && (level_[w] & bit) == 0) {
        latch_[w] |= bit;
    }
    level_[w] = level ? level_[w] | bit : level_[w] & ~bit;
}

void Distributor::set_ppi_level(unsigned core, uint32_t intid, bool level) {
    if (!valid_core(core) || intid < kNumSgis || intid >= kNumPrivate) {
        ++diag_.bad_inputs;
        return;
    }
    Banked& b = banked_[core];
    const uint32_t bit = 1u << intid;
    if (level && (b.edge & bit) != 0 && (b.level & bit) == 0) {
        b.latch |= bit;
    }
    b.level = level ? b.level | bit : b.level & ~bit;
}

void Distributor::raise(uint32_t intid) {
    if (intid < kNumPrivate || !implemented(intid)) {
        ++diag_.bad_inputs;
        return;
    }
    latch_[intid / 32] |= 1u << (intid % 32);
}

void Distributor::raise_ppi(unsigned core, uint32_t intid) {
    if (!valid_core(core) || intid < kNumSgis || intid >= kNumPrivate) {
        ++diag_.bad_inputs;
        return;
    }
    banked_[core].latch |= 1u << intid;
}

// --- inspection ----------------------------------------------------------

bool Distributor::is_enabled(unsigned core, uint32_t intid) const {
    if (!valid_core(core) || !implemented(intid)) {
        return false;
    }
    const uint32_t word = intid < kNumPrivate ? banked_[core].enabled : enabled_[intid / 32];
    return (word >> (intid % 32) & 1) != 0;
}

bool Distributor::is_pending(unsigned core, uint32_t intid) const {
    return valid_core(core) && implemented(intid) &&
           (pending_word(core, intid / 32) >> (intid % 32) & 1) != 0;
}

bool Distributor::is_active(unsigned core, uint32_t intid) const {
    return valid_core(core) && implemented(intid) &&
           (active_word(core, intid / 32) >> (intid % 32) & 1) != 0;
}

uint8_t Distributor::priority(unsigned core, uint32_t intid) const {
    if (!valid_core(core) || !implemented(intid)) {
        return 0;
    }
    return intid < kNumPrivate ? banked_[core].priority[intid] : priority_[intid];
}

uint8_t Distributor::targets(uint32_t intid) const {
    return implemented(intid) && intid >= kNumPrivate ? targets_[intid] : 0;
}

bool Distributor::line_level(unsigned core, uint32_t intid) const {
    if (!valid_core(core) || !implemented(intid) || intid < kNumSgis) {
        return false;
    }
    const uint32_t word = intid < kNumPrivate ? banked_[core].level : level_[intid / 32];
    return (word >> (intid % 32) & 1) != 0;
}

} // namespace sim::gic
