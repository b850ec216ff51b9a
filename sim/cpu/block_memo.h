// What a core learnt about a block of guest code once, by the block's start
// address: a hash map of every block, behind a direct-mapped table of recent
// ones. The table is what the block hook reads: a lookup in the map alone
// (bucket, then node: two dependent host cache misses) was an eighth of a
// RISC-V run's host time (docs/riscv.md, "Speed").
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sim::cpu {

template <typename Value> class BlockMemo {
  public:
    // The value remembered for the block at `address`, or null.
    const Value* find(uint64_t address) {
        Slot& slot = front_[slot_of(address)];
        if (slot.address == address)
            return &slot.value;
        return refill(address);
    }
    void insert(uint64_t address, Value value) {
        all_[address] = value;
        front_[slot_of(address)] = Slot{address, value};
    }
    void clear() {
        all_.clear();
        front_.fill(Slot{});
    }
    // Every (address, value), in address order (checkpoints: the file does not
    // depend on the hash table's order).
    std::vector<std::pair<uint64_t, Value>> sorted() const {
        std::vector<std::pair<uint64_t, Value>> out(all_.begin(), all_.end());
        std::sort(out.begin(), out.end());
        return out;
    }

  private:
    static constexpr unsigned kSlots = 1024;
    static constexpr uint64_t kNoBlock = ~uint64_t{0}; // never a block's start
    struct Slot {
        uint64_t address = kNoBlock;
        Value value{};
    };
    static unsigned slot_of(uint64_t address) { return (address >> 2) & (kSlots - 1); }
    [[gnu::noinline]] const Value* refill(uint64_t address) {
        const auto it = all_.find(address);
        if (it == all_.end())
            return nullptr;
        Slot& slot = front_[slot_of(address)];
        slot = Slot{address, it->second};
        return &slot.value;
    }

    std::array<Slot, kSlots> front_{};
    std::unordered_map<uint64_t, Value> all_;
};

} // namespace sim::cpu
