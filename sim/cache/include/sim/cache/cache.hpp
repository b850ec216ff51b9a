// One set-associative, write-back, write-allocate cache level. It works on line
// numbers (address >> log2(line size)) so that a hierarchy with one line size
// shifts an address once. The replacement policy is a runtime enum dispatched by
// a switch that the branch predictor resolves (one policy per cache); the
// lookup_as<R>() form fixes it at compile time (bench/cache_bench.cpp compares).
#pragma once

#include "sim/cache/config.hpp"

#include <bit>
#include <cstdint>
#include <vector>

namespace sim::cache {

struct CacheGeometry {
    std::uint64_t size_bytes;
    unsigned ways;
    unsigned line_bytes;
    Replacement replacement;
    std::uint64_t seed;
};

// A read-only copy of a cache's tags and dirty bits as they were when it was
// last brought up to date (Cache::update_copy): the parallel scheduler's
// predictions read the L2 this way while a concurrent weave changes it.
class TagCopy {
  public:
    bool contains(std::uint64_t line) const { return find_way(line) >= 0; }
    bool is_dirty(std::uint64_t line) const {
        const int way = find_way(line);
        return way >= 0 && (dirty_[line & set_mask_] >> way & 1u) != 0;
    }

  private:
    friend class Cache;
    int find_way(std::uint64_t line) const {
        const std::uint64_t* tags = &tags_[(line & set_mask_) * ways_];
        for (unsigned way = 0; way < ways_; ++way) {
            if (tags[way] == line) {
                return static_cast<int>(way);
            }
        }
        return -1;
    }
    std::vector<std::uint64_t> tags_;
    std::vector<std::uint32_t> dirty_; // per set
    std::uint64_t set_mask_ = 0;
    unsigned ways_ = 0;
};

// What a fill displaced.
struct Eviction {
    bool valid = false;
    bool dirty = false;
    std::uint64_t line = 0;
};

class Cache {
  public:
    static constexpr std::uint64_t kInvalid = ~std::uint64_t{0};

    explicit Cache(const CacheGeometry& geometry);

    // Hit: updates replacement state (and the dirty bit if make_dirty), returns true.
    // Miss: changes nothing, returns false.
    // The last line hit is checked inline (most of an L1's hits, for the callers'
    // inline fast paths); the set scan is out of line, so that this path needs no
    // call frame.
    bool lookup(std::uint64_t line, bool make_dirty) {
        if (line == mru_line_) {
            state_[mru_set_].dirty |= make_dirty ? (1u << mru_way_) : 0u;
            return true;
        }
        return lookup_in_set(line, make_dirty);
    }

    [[gnu::noinline]] bool lookup_in_set(std::uint64_t line, bool make_dirty) {
        switch (replacement_) {
        case Replacement::lru:
            return lookup_as<Replacement::lru>(line, make_dirty);
        case Replacement::plru:
            return lookup_as<Replacement::plru>(line, make_dirty);
        case Replacement::random:
        case Replacement::lfsr:
            break;
        }
        return lookup_as<Replacement::random>(line, make_dirty);
    }

    template <Replacement R> bool lookup_as(std::uint64_t line, bool make_dirty) {
        const std::uint64_t set = line & set_mask_;
        const std::uint32_t match = match_mask(set, line);
        if (match == 0) {
            return false;
        }
        const auto way = static_cast<unsigned>(std::countr_zero(match));
        touch<R>(set, way);
        state_[set].dirty |= make_dirty ? match : 0u;
        remember(line, set, way);
        return true;
    }

    // Installs an absent line, choosing a victim; returns what was displaced.
    Eviction fill(std::uint64_t line, bool dirty);

    // Writes a line arriving from the level above (an L1 victim): updates it if
    // present (ORing dirty, counting as a use), else allocates it.
    Eviction insert(std::uint64_t line, bool dirty);

    // Read-only queries (no replacement update).
    bool contains(std::uint64_t line) const;
    bool is_dirty(std::uint64_t line) const;

    // Brings `copy` up to date with this cache's tags and dirty bits. The first
    // call copies everything and starts a journal of the slots fill, insert and
    // invalidate change, so that later calls copy only those (about a hundred
    // a quantum for the L2, instead of its 64 KiB of tags). lookup's dirty bit
    // is not journaled: the L2 is looked up for reads only (its dirty bits
    // change through insert).
    void update_copy(TagCopy& copy);

    // Drops a line if present; returns whether it was dirty (for maintenance ops).
    bool invalidate(std::uint64_t line);
    // Drops every line; returns how many were dirty.
    std::uint64_t invalidate_all();

    std::uint64_t set_of(std::uint64_t line) const { return line & set_mask_; }
    std::uint64_t sets() const { return set_mask_ + 1; }
    unsigned ways() const { return ways_; }
    unsigned line_shift() const { return line_shift_; }
    Replacement replacement() const { return replacement_; }

    // Checkpoints (sim/checkpoint.h): contents and replacement state; the
    // geometry is the configuration's.
    template <class Archive> void checkpoint(Archive& a) {
        a.values(tags_);
        a.values(state_);
        a.values(stamps_);
        a.value(mru_line_);
        a.value(mru_set_);
        a.value(clock_);
        a.value(lfsr_);
        a.value(mru_way_);
        journal_full_ = true; // a restore changes every slot
    }

  private:
    template <Replacement R> void touch(std::uint64_t set, unsigned way) {
        if constexpr (R == Replacement::lru) {
            if (++clock_ == 0) {
                renumber_lru();
            }
            stamps_[set * ways_ + way] = clock_;
        } else if constexpr (R == Replacement::plru) {
            touch_plru(set, way);
        }
    }
    void touch_any(std::uint64_t set, unsigned way);
    void touch_plru(std::uint64_t set, unsigned way);
    unsigned choose_victim(std::uint64_t set);
    unsigned plru_victim(std::uint64_t set) const;
    unsigned random_victim(std::uint64_t set);
    unsigned lfsr_victim();
    void renumber_lru();
    void remember(std::uint64_t line, std::uint64_t set, unsigned way) {
        mru_line_ = line;
        mru_set_ = set;
        mru_way_ = way;
    }
    int find_way(std::uint64_t line) const;
    void journal(std::uint64_t set, unsigned way) {
        if (!journal_on_ || journal_full_) {
            return;
        }
        if (journal_.size() * 4 >= tags_.size()) {
            journal_full_ = true; // a full copy is cheaper now
            return;
        }
        journal_.push_back(set * ways_ + way);
    }
    // Bit of the way of `set` that holds `line`, 0 if none. An early-exit scan:
    // measured faster than a branch-free mask (1.9 vs 3.8 ns per L1 hit).
    std::uint32_t match_mask(std::uint64_t set, std::uint64_t line) const {
        const std::uint64_t* tags = &tags_[set * ways_];
        for (unsigned way = 0; way < ways_; ++way) {
            if (tags[way] == line) {
                return 1u << way;
            }
        }
        return 0;
    }

    // Per-set bookkeeping kept together: one host cache line serves a set's misses.
    struct SetState {
        std::uint32_t valid = 0; // bit per way
        std::uint32_t dirty = 0; // bit per way
        std::uint32_t plru = 0;  // pseudo-LRU tree bits
        std::uint32_t fills = 0; // random: victims chosen so far in this set
    };

    std::vector<std::uint64_t> tags_; // line number per (set, way); kInvalid if empty
    std::vector<SetState> state_;
    std::vector<std::uint32_t> stamps_; // LRU: last-use stamp per (set, way)
    std::uint64_t set_mask_;
    std::uint64_t seed_;
    std::uint64_t mru_line_ = kInvalid; // last line hit or filled: exact fast path
    std::uint64_t mru_set_ = 0;
    std::uint32_t clock_ = 0;
    std::uint32_t lfsr_ = 1; // lfsr: the cache's one generator (never 0)
    unsigned mru_way_ = 0;
    // update_copy's journal: changed slots (set * ways + way); a full copy is due
    // after invalidate_all (or once the journal outgrows a full copy).
    std::vector<std::uint64_t> journal_;
    bool journal_on_ = false;
    bool journal_full_ = true;
    unsigned ways_;
    unsigned line_shift_;
    Replacement replacement_;
};

// splitmix64 finaliser: the deterministic mixer behind every random choice.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

} // namespace sim::cache
