// Priority arithmetic shared by the physical and the virtual CPU interface:
// group priority under a binary point, and the active-priorities record that
// gives the running priority.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace sim::gic {

inline constexpr uint8_t kIdlePriority = 0xFF; // RPR when nothing is active

// Mask of the priority bits that are implemented, e.g. 0xF8 for 5 bits.
constexpr uint8_t priority_mask(unsigned priority_bits) {
    return static_cast<uint8_t>(0xFF00u >> priority_bits);
}

// Group priority: the part of a priority that decides preemption. With binary
// point n, the group priority field is priority[7:n+1].
constexpr uint8_t group_priority(uint8_t priority, unsigned binary_point) {
    return static_cast<uint8_t>(priority & (0xFFu << (binary_point + 1)));
}

// One bit per group priority that has been acknowledged and not yet dropped
// (GICC_APRn / GICH_APR). The lowest set bit is the running priority; a
// priority drop clears it, which is why EOIs must nest.
class ActivePriorities {
  public:
    // shift: log2 of the distance between two representable group priorities
    // (3 for 5 preemption bits, the GIC-400's GICH_APR and GICC_APR0 layout).
    explicit constexpr ActivePriorities(unsigned shift = 3) : shift_(shift) {}

    void activate(uint8_t group_priority) {
        const unsigned index = group_priority >> shift_;
        bits_[index / 32] |= 1u << (index % 32);
    }

    // Drops the highest active priority; false if none was active.
    bool drop() {
        for (auto& word : bits_) {
            if (word != 0) {
                word &= word - 1;
                return true;
            }
        }
        return false;
    }

    uint8_t running() const {
        for (unsigned w = 0; w < bits_.size(); ++w) {
            if (bits_[w] != 0) {
                const unsigned index = w * 32 + std::countr_zero(bits_[w]);
                return static_cast<uint8_t>(index << shift_);
            }
        }
        return kIdlePriority;
    }

    bool empty() const { return running() == kIdlePriority; }
    uint32_t word(unsigned i) const { return i < bits_.size() ? bits_[i] : 0; }

    // Restores a saved word; bits beyond the representable priorities are dropped.
    void set_word(unsigned i, uint32_t value) {
        if (i >= bits_.size()) {
            return;
        }
        const unsigned levels = 256u >> shift_;
        const unsigned first = i * 32;
        if (first >= levels) {
            value = 0;
        } else if (levels - first < 32) {
            value &= (1u << (levels - first)) - 1;
        }
        bits_[i] = value;
    }

    void clear() { bits_ = {}; }

  private:
    unsigned shift_;
    std::array<uint32_t, 4> bits_{}; // enough for 128 group priorities (shift 1)
};

} // namespace sim::gic
