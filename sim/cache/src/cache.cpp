#include "sim/cache/cache.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <numeric>
#include <stdexcept>
#include <string>

namespace sim::cache {

namespace {

bool is_power_of_two(std::uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

} // namespace

Cache::Cache(const CacheGeometry& geometry)
    : set_mask_(0), seed_(geometry.seed), ways_(geometry.ways),
      line_shift_(static_cast<unsigned>(std::countr_zero(geometry.line_bytes))),
      replacement_(geometry.replacement) {
    if (!is_power_of_two(geometry.line_bytes)) {
        throw std::invalid_argument("cache line size must be a power of two");
    }
    if (geometry.ways == 0 || geometry.ways > 32) {
        throw std::invalid_argument("cache ways must be between 1 and 32");
    }
    const std::uint64_t way_bytes = std::uint64_t{geometry.ways} * geometry.line_bytes;
    if (geometry.size_bytes == 0 || geometry.size_bytes % way_bytes != 0 ||
        !is_power_of_two(geometry.size_bytes / way_bytes)) {
        throw std::invalid_argument("cache size / (ways x line) must be a power-of-two set count");
    }
    if (geometry.replacement == Replacement::plru && !is_power_of_two(geometry.ways)) {
        throw std::invalid_argument("pseudo-LRU needs a power-of-two number of ways");
    }
    const std::uint64_t sets = geometry.size_bytes / way_bytes;
    set_mask_ = sets - 1;
    tags_.assign(sets * ways_, kInvalid);
    state_.assign(sets, SetState{});
    switch (replacement_) {
    case Replacement::lru:
        stamps_.assign(sets * ways_, 0);
        break;
    case Replacement::plru:
    case Replacement::random:
        break; // their state lives in SetState
    case Replacement::lfsr:
        // Any non-zero start; the seed picks it so that caches differ.
        lfsr_ = static_cast<std::uint32_t>(mix64(seed_)) | 1u;
        break;
    }
}

int Cache::find_way(std::uint64_t line) const {
    const std::uint32_t match = match_mask(line & set_mask_, line);
    return match == 0 ? -1 : std::countr_zero(match);
}

bool Cache::contains(std::uint64_t line) const {
    return find_way(line) >= 0;
}

bool Cache::is_dirty(std::uint64_t line) const {
    const int way = find_way(line);
    return way >= 0 && (state_[line & set_mask_].dirty >> way & 1u) != 0;
}

void Cache::touch_any(std::uint64_t set, unsigned way) {
    switch (replacement_) {
    case Replacement::lru:
        touch<Replacement::lru>(set, way);
        break;
    case Replacement::plru:
        touch<Replacement::plru>(set, way);
        break;
    case Replacement::random:
    case Replacement::lfsr:
        break;
    }
}

// Tree of ways-1 nodes stored heap-style (node n has children 2n+1, 2n+2). A node's
// bit names the half that holds the next victim: 0 = lower half, 1 = upper half.
void Cache::touch_plru(std::uint64_t set, unsigned way) {
    std::uint32_t bits = state_[set].plru;
    unsigned node = 0;
    unsigned lo = 0;
    unsigned span = ways_;
    while (span > 1) {
        span /= 2;
        const bool upper = way >= lo + span;
        if (upper) {
            bits &= ~(1u << node); // victim side: lower half
            lo += span;
            node = 2 * node + 2;
        } else {
            bits |= 1u << node; // victim side: upper half
            node = 2 * node + 1;
        }
    }
    state_[set].plru = bits;
}

unsigned Cache::plru_victim(std::uint64_t set) const {
    const std::uint32_t bits = state_[set].plru;
    unsigned node = 0;
    unsigned lo = 0;
    unsigned span = ways_;
    while (span > 1) {
        span /= 2;
        if ((bits >> node & 1u) != 0) {
            lo += span;
            node = 2 * node + 2;
        } else {
            node = 2 * node + 1;
        }
    }
    return lo;
}

// Order-independent across sets: the choice depends only on the seed, the set and
// how many victims that set has chosen before, never on other sets' traffic.
unsigned Cache::random_victim(std::uint64_t set) {
    const std::uint64_t draw = mix64(seed_ + set * 0xD1B54A32D192ED03ull +
                                     std::uint64_t{state_[set].fills++} * 0x9E3779B97F4A7C15ull);
    // Multiply-shift range reduction (no division): high 32 bits x ways / 2^32.
    return static_cast<unsigned>(((draw >> 32) * ways_) >> 32);
}

// A 32-bit Galois LFSR (taps 32, 22, 2, 1: maximal length), stepped once per
// victim: the way is taken from its state, as a hardware pseudo-random
// replacement unit does with a free-running counter or LFSR shared by all sets.
unsigned Cache::lfsr_victim() {
    for (int step = 0; step < 5; ++step) { // 5 steps: fresh low bits for up to 32 ways
        lfsr_ = (lfsr_ >> 1) ^ (-(lfsr_ & 1u) & 0x80200003u);
    }
    return static_cast<unsigned>((std::uint64_t{lfsr_} * ways_) >> 32);
}

unsigned Cache::choose_victim(std::uint64_t set) {
    const std::uint32_t empty = ~state_[set].valid & (ways_ == 32 ? ~0u : (1u << ways_) - 1);
    if (empty != 0) {
        return static_cast<unsigned>(std::countr_zero(empty));
    }
    switch (replacement_) {
    case Replacement::lru: {
        const std::uint32_t* stamps = &stamps_[set * ways_];
        return static_cast<unsigned>(std::min_element(stamps, stamps + ways_) - stamps);
    }
    case Replacement::plru:
        return plru_victim(set);
    case Replacement::lfsr:
        return lfsr_victim();
    case Replacement::random:
        break;
    }
    return random_victim(set);
}

Eviction Cache::fill(std::uint64_t line, bool dirty) {
    const std::uint64_t set = line & set_mask_;
    const unsigned way = choose_victim(set);
    std::uint64_t& tag = tags_[set * ways_ + way];
    const std::uint32_t bit = 1u << way;
    Eviction evicted{tag != kInvalid, (state_[set].dirty & bit) != 0, tag};
    tag = line;
    journal(set, way);
    state_[set].valid |= bit;
    state_[set].dirty = dirty ? (state_[set].dirty | bit) : (state_[set].dirty & ~bit);
    touch_any(set, way);
    remember(line, set, way);
    return evicted;
}

Eviction Cache::insert(std::uint64_t line, bool dirty) {
    const int way = find_way(line);
    if (way < 0) {
        return fill(line, dirty);
    }
    const std::uint64_t set = line & set_mask_;
    if (dirty) {
        state_[set].dirty |= 1u << way;
        journal(set, static_cast<unsigned>(way));
    }
    touch_any(set, static_cast<unsigned>(way));
    remember(line, set, static_cast<unsigned>(way));
    return {};
}

bool Cache::invalidate(std::uint64_t line) {
    const int way = find_way(line);
    if (way < 0) {
        return false;
    }
    const std::uint64_t set = line & set_mask_;
    const std::uint32_t bit = 1u << way;
    const bool was_dirty = (state_[set].dirty & bit) != 0;
    tags_[set * ways_ + static_cast<unsigned>(way)] = kInvalid;
    journal(set, static_cast<unsigned>(way));
    state_[set].valid &= ~bit;
    state_[set].dirty &= ~bit;
    if (line == mru_line_) {
        mru_line_ = kInvalid;
    }
    return was_dirty;
}

std::uint64_t Cache::invalidate_all() {
    std::uint64_t dirty = 0;
    for (SetState& state : state_) {
        dirty += static_cast<std::uint64_t>(std::popcount(state.dirty));
        state.valid = 0;
        state.dirty = 0;
    }
    std::fill(tags_.begin(), tags_.end(), kInvalid);
    mru_line_ = kInvalid;
    journal_full_ = true;
    return dirty;
}

void Cache::update_copy(TagCopy& copy) {
    if (journal_full_) {
        copy.tags_ = tags_;
        copy.dirty_.resize(state_.size());
        for (std::size_t set = 0; set < state_.size(); ++set) {
            copy.dirty_[set] = state_[set].dirty;
        }
        copy.set_mask_ = set_mask_;
        copy.ways_ = ways_;
        journal_full_ = false;
        journal_on_ = true;
    } else {
        for (const std::uint64_t slot : journal_) {
            copy.tags_[slot] = tags_[slot];
            copy.dirty_[slot / ways_] = state_[slot / ways_].dirty;
        }
    }
    journal_.clear();
}

// The LRU clock wrapped: keep each set's order, renumber its stamps 1..ways.
void Cache::renumber_lru() {
    std::array<unsigned, 32> order{};
    for (std::uint64_t set = 0; set <= set_mask_; ++set) {
        std::uint32_t* stamps = &stamps_[set * ways_];
        std::iota(order.begin(), order.begin() + ways_, 0u);
        std::sort(order.begin(), order.begin() + ways_,
                  [stamps](unsigned a, unsigned b) { return stamps[a] < stamps[b]; });
        for (unsigned rank = 0; rank < ways_; ++rank) {
            stamps[order[rank]] = rank + 1;
        }
    }
    clock_ = ways_ + 1;
}

} // namespace sim::cache
