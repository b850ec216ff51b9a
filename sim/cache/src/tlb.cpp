#include "sim/cache/tlb.hpp"

#include <bit>
#include <stdexcept>

namespace sim::cache {

Tlb::Tlb(unsigned entries, unsigned ways) : set_mask_(0), ways_(ways) {
    if (entries == 0 || ways == 0 || entries % ways != 0 || !std::has_single_bit(entries / ways)) {
        throw std::invalid_argument("TLB entries / ways must be a power-of-two set count");
    }
    entries_.resize(entries);
    set_mask_ = entries / ways - 1;
}

unsigned Tlb::lookup_slow(std::uint64_t address, std::uint64_t& pa) {
    for (std::uint32_t shifts = shifts_present_; shifts != 0; shifts &= shifts - 1) {
        const unsigned shift = static_cast<unsigned>(std::countr_zero(shifts));
        const std::uint64_t page = address >> shift;
        Entry* set = &entries_[set_of(address, shift) * ways_];
        for (unsigned way = 0; way < ways_; ++way) {
            Entry& entry = set[way];
            if (entry.shift == shift && entry.page == page &&
                (entry.global || entry.asid == asid_)) {
                entry.last_use = ++clock_;
                mru_ = static_cast<std::size_t>(&entry - entries_.data());
                pa = entry.frame | (address & ((std::uint64_t{1} << shift) - 1));
                return shift;
            }
        }
    }
    return 0;
}

void Tlb::insert(std::uint64_t address, std::uint64_t pa, unsigned page_shift, bool global) {
    const std::uint64_t mask = (std::uint64_t{1} << page_shift) - 1;
    Entry* set = &entries_[set_of(address, page_shift) * ways_];
    Entry* victim = &set[0];
    for (unsigned way = 0; way < ways_; ++way) {
        Entry& entry = set[way];
        if (entry.shift == page_shift && entry.page == (address >> page_shift) &&
            (entry.global || entry.asid == asid_)) {
            victim = &entry; // refresh in place
            break;
        }
        if (entry.shift == 0) {
            if (victim->shift != 0) {
                victim = &entry;
            }
        } else if (victim->shift != 0 && entry.last_use < victim->last_use) {
            victim = &entry;
        }
    }
    victim->page = address >> page_shift;
    victim->frame = pa & ~mask;
    victim->shift = page_shift;
    victim->last_use = ++clock_;
    victim->asid = asid_;
    victim->global = global;
    shifts_present_ |= 1u << page_shift;
    mru_ = static_cast<std::size_t>(victim - entries_.data());
}

void Tlb::flush() {
    for (Entry& entry : entries_) {
        entry = Entry{};
    }
    mru_ = 0;
    shifts_present_ = 0;
}

void Tlb::invalidate_address(std::uint64_t address, std::uint16_t asid, bool all_asids) {
    for (std::uint32_t shifts = shifts_present_; shifts != 0; shifts &= shifts - 1) {
        const unsigned shift = static_cast<unsigned>(std::countr_zero(shifts));
        Entry* set = &entries_[set_of(address, shift) * ways_];
        for (unsigned way = 0; way < ways_; ++way) {
            Entry& entry = set[way];
            if (entry.shift == shift && entry.page == (address >> shift) &&
                (all_asids || entry.global || entry.asid == asid)) {
                entry = Entry{};
            }
        }
    }
}

void Tlb::invalidate_asid(std::uint16_t asid) {
    for (Entry& entry : entries_) {
        if (entry.shift != 0 && !entry.global && entry.asid == asid) {
            entry = Entry{};
        }
    }
}

} // namespace sim::cache
