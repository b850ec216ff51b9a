// Which blocks a core has run access memory through SP before anything may
// write SP: with SCTLR_EL1.SA or SA0 set, only those can take an SP
// alignment fault at their entry (arm64_sp_alignment.cpp). Knowing the others
// lets the block hook skip reading SP, a Unicorn register read that cost
// about a tenth of a modeled Linux run when it was made for every block.
//
// A set-associative table keyed by the block's virtual address and size.
// Its entries hold for one generation only; the core starts a new one
// whenever the code or its translation may have changed (IC invalidations,
// the host's invalidate_code, a TLBI other than by VA, writes to
// SCTLR/TCR/TTBRn_EL1, another core's broadcast, a reset or a restore). A
// TLBI by VA drops only the blocks translated through it: Linux issues
// thousands of them for kernel data while booting. Code rewritten without
// any of these (architecturally UNPREDICTABLE until an IC invalidation)
// keeps its old entry: docs/hv.md, "Exception model".
#pragma once

#include <array>
#include <cstdint>

namespace sim::cpu {

class SpUseBlocks {
  public:
    enum class Use : uint8_t { unknown, none, through_sp };

    // What is known of the `size`-byte block at `va` in this generation.
    [[gnu::always_inline]] Use find(uint64_t va, uint32_t size) const {
        const Set& set = sets_[set_of(va)];
        for (const Entry& e : set.ways)
            if (e.va == va && e.generation == generation_ && e.size == size)
                return e.use;
        return Use::unknown;
    }
    // True when the block is known not to access memory through SP first.
    [[gnu::always_inline]] bool known_free(uint64_t va, uint32_t size) const {
        return find(va, size) == Use::none;
    }
    // `translation_shift`: log2 of the size of the translation the block's
    // code was read through (0: the MMU was off). The newest entry of a set
    // goes first; the oldest leaves.
    void insert(uint64_t va, uint32_t size, Use use, unsigned translation_shift) {
        if (size > UINT16_MAX)
            return;
        auto& ways = sets_[set_of(va)].ways;
        for (unsigned w = kWays - 1; w > 0; --w)
            ways[w] = ways[w - 1];
        ways[0] = Entry{va, generation_, static_cast<uint16_t>(size), use,
                        static_cast<uint8_t>(translation_shift)};
        if (translation_shift)
            note_region(va, translation_shift);
    }
    // A TLBI of `va`: the blocks whose code was read through a translation
    // that covers it. Only `none` needs this (a stale `through_sp` costs an
    // SP read, and the check itself decodes the block afresh); the region
    // filter skips the scan for a TLBI far from every entry's code.
    void invalidate_va(uint64_t va) {
        if (!large_translations_ && !(regions_[region_bit(va) / 64] >> (region_bit(va) % 64) & 1))
            return;
        for (Set& set : sets_)
            for (Entry& e : set.ways)
                if (e.generation == generation_ && e.translation_shift &&
                    ((e.va ^ va) >> e.translation_shift) == 0)
                    e = Entry{};
    }
    void invalidate() {
        regions_.fill(0);
        large_translations_ = false;
        if (++generation_ == 0) { // wrapped: no entry may match an old generation
            sets_.fill(Set{});
            generation_ = 1;
        }
    }

  private:
    static constexpr unsigned kSets = 2048, kWays = 4;
    static constexpr unsigned kRegionShift = 21; // the filter's grain: 2 MiB
    struct Entry {
        uint64_t va = ~uint64_t{0};
        uint32_t generation = 0; // never matches: generations start at 1
        uint16_t size = 0;
        Use use = Use::unknown;
        uint8_t translation_shift = 0;
    };
    struct alignas(64) Set { // one host cache line
        std::array<Entry, kWays> ways{};
    };
    static unsigned set_of(uint64_t va) {
        return static_cast<unsigned>(((va >> 2) * 0x9e3779b97f4a7c15ull) >> 53) & (kSets - 1);
    }
    static unsigned region_bit(uint64_t va) {
        return static_cast<unsigned>(((va >> kRegionShift) * 0x9e3779b97f4a7c15ull) >> 56);
    }
    void note_region(uint64_t va, unsigned translation_shift) {
        if (translation_shift > kRegionShift) {
            large_translations_ = true; // covers regions the filter cannot name
            return;
        }
        regions_[region_bit(va) / 64] |= uint64_t{1} << (region_bit(va) % 64);
    }

    std::array<Set, kSets> sets_{};
    uint32_t generation_ = 1;
    // Since the generation began: the 2 MiB regions (hashed to 256 bits)
    // holding an entry's translation, and whether one was larger.
    std::array<uint64_t, 4> regions_{};
    bool large_translations_ = false;
};

} // namespace sim::cpu
