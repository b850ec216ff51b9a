#include "sim/plic.h"
#include "sim/checkpoint.h"

namespace sim {

Plic::Plic(unsigned contexts)
    : priority_(kSources, 0), pending_(kSources, false), claimed_(kSources, false),
      level_(kSources, false), enable_(static_cast<size_t>(contexts) * kWords, 0),
      threshold_(contexts, 0), outputs_(contexts, false) {}

bool Plic::enabled(unsigned context, unsigned source) const {
    return (enable_[context * kWords + source / 32] >> (source % 32)) & 1;
}

// The highest priority wins; among equals the lowest source id (spec 1.0).
unsigned Plic::best(unsigned context) const {
    unsigned id = 0;
    uint32_t prio = threshold_[context];
    for (unsigned s = 1; s < kSources; ++s)
        if (pending_[s] && enabled(context, s) && priority_[s] > prio) {
            prio = priority_[s];
            id = s;
        }
    return id;
}

void Plic::set_level(unsigned source, bool level) {
    if (source == 0 || source >= kSources)
        return;
    level_[source] = level;
    if (!claimed_[source])
        pending_[source] = level;
    update();
}

unsigned Plic::claim(unsigned context) {
    const unsigned id = best(context);
    if (id) {
        pending_[id] = false;
        claimed_[id] = true;
        update();
    }
    return id;
}

// A completion for a source the context has not enabled is ignored (spec 1.0).
void Plic::complete(unsigned context, uint32_t source) {
    if (source == 0 || source >= kSources || !enabled(context, source) || !claimed_[source])
        return;
    claimed_[source] = false;
    pending_[source] = level_[source];
    update();
}

uint32_t Plic::read(uint64_t offset) {
    if (offset < kPending)
        return offset / 4 < kSources ? priority_[offset / 4] : 0;
    if (offset < kEnable) {
        const uint64_t word = (offset - kPending) / 4;
        uint32_t v = 0;
        for (unsigned b = 0; b < 32 && word < kWords; ++b)
            v |= pending_[word * 32 + b] ? 1u << b : 0u;
        return v;
    }
    if (offset < kContext) {
        const uint64_t ctx = (offset - kEnable) / kEnableStride;
        const uint64_t word = (offset - kEnable) % kEnableStride / 4;
        return ctx < contexts() && word < kWords ? enable_[ctx * kWords + word] : 0;
    }
    const uint64_t ctx = (offset - kContext) / kContextStride;
    if (ctx >= contexts())
        return 0;
    switch ((offset - kContext) % kContextStride) {
    case 0:
        return threshold_[ctx];
    case 4:
        return claim(static_cast<unsigned>(ctx));
    default:
        return 0;
    }
}

void Plic::write(uint64_t offset, uint32_t value) {
    if (offset < kPending) {
        if (offset / 4 < kSources && offset / 4 != 0)
            priority_[offset / 4] = value & kMaxPriority;
    } else if (offset < kEnable) {
        return; // pending bits are read-only
    } else if (offset < kContext) {
        const uint64_t ctx = (offset - kEnable) / kEnableStride;
        const uint64_t word = (offset - kEnable) % kEnableStride / 4;
        if (ctx < contexts() && word < kWords)
            enable_[ctx * kWords + word] = word == 0 ? value & ~1u : value; // source 0 is none
    } else {
        const uint64_t ctx = (offset - kContext) / kContextStride;
        if (ctx >= contexts())
            return;
        switch ((offset - kContext) % kContextStride) {
        case 0:
            threshold_[ctx] = value & kMaxPriority;
            break;
        case 4:
            complete(static_cast<unsigned>(ctx), value);
            return;
        default:
            return;
        }
    }
    update();
}

void Plic::update() {
    for (unsigned c = 0; c < contexts(); ++c) {
        const bool level = best(c) != 0;
        if (level == outputs_[c])
            continue;
        outputs_[c] = level;
        if (listener_)
            listener_(c, level);
    }
}

// The geometry (sources, contexts) comes from the configuration, which the
// checkpoint's identity pins; the outputs are restored, not recomputed, so
// the listener sees no edge.
void Plic::checkpoint(Archive& a) {
    a.fixed(priority_, "PLIC sources");
    a.fixed(pending_, "PLIC sources");
    a.fixed(claimed_, "PLIC sources");
    a.fixed(level_, "PLIC sources");
    a.fixed(enable_, "PLIC enable words");
    a.fixed(threshold_, "PLIC contexts");
    a.fixed(outputs_, "PLIC contexts");
}

} // namespace sim
