#include "sim/aclint.h"
#include "sim/checkpoint.h"

namespace sim {

Aclint::Aclint(unsigned harts, uint64_t core_hz, uint64_t timebase_hz)
    : core_hz_(core_hz), timebase_hz_(timebase_hz), msip_(harts, false), mtimecmp_(harts, kNever),
      stimecmp_(harts, kNever) {}

uint64_t Aclint::mtime(uint64_t now_cycles) const {
    return static_cast<uint64_t>(static_cast<unsigned __int128>(now_cycles) * timebase_hz_ /
                                 core_hz_);
}

uint64_t Aclint::cycle_of(uint64_t ticks) const {
    if (ticks == kNever)
        return kNever;
    const unsigned __int128 c =
        (static_cast<unsigned __int128>(ticks) * core_hz_ + timebase_hz_ - 1) / timebase_hz_;
    return c > kNever ? kNever : static_cast<uint64_t>(c);
}

// 32- and 64-bit accesses; a 32-bit access reads or writes one half.
uint64_t Aclint::read(uint64_t offset, unsigned size, uint64_t now_cycles) const {
    const unsigned shift = (offset & 4) && size == 4 ? 32 : 0;
    const uint64_t mask = size == 4 ? 0xffffffffull : ~0ull;
    if (offset < kMtimecmp) {
        const uint64_t hart = offset / 4;
        return hart < harts() && size == 4 ? (msip_[hart] ? 1 : 0) : 0;
    }
    if (offset >= kMtime && offset < kMtime + 8)
        return (mtime(now_cycles) >> shift) & mask;
    const uint64_t hart = (offset - kMtimecmp) / 8;
    if (offset < kMtime && hart < harts())
        return (mtimecmp_[hart] >> shift) & mask;
    return 0;
}

void Aclint::write(uint64_t offset, unsigned size, uint64_t value) {
    if (offset < kMtimecmp) {
        const uint64_t hart = offset / 4;
        if (hart < harts() && size == 4)
            msip_[hart] = value & 1;
        return;
    }
    const uint64_t hart = (offset - kMtimecmp) / 8;
    if (offset >= kMtime || hart >= harts())
        return; // mtime is read-only here: the simulated clock drives it
    uint64_t& cmp = mtimecmp_[hart];
    if (size == 8)
        cmp = value;
    else if (offset & 4)
        cmp = (cmp & 0xffffffffull) | (value << 32);
    else
        cmp = (cmp & ~0xffffffffull) | (value & 0xffffffffull);
}

void Aclint::checkpoint(Archive& a) {
    a.fixed(msip_, "ACLINT harts");
    a.fixed(mtimecmp_, "ACLINT harts");
    a.fixed(stimecmp_, "ACLINT harts");
}

} // namespace sim
