// Translation lookaside buffers whose entries carry their page size, and the
// interface to the page-table walker that lives outside the model (hv's stage 2,
// the guest's stage 1). The TLB models timing only: permissions are checked by the
// walker when it runs, and functionally by the caller.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sim::cache {

enum class AccessKind : std::uint8_t { read, write, fetch };

inline constexpr unsigned kPageShift4K = 12;
inline constexpr unsigned kPageShift2M = 21;
inline constexpr unsigned kPageShift1G = 30;

// A nested (stage 1 + stage 2) walk with 4-level tables reads at most 24 descriptors.
inline constexpr unsigned kMaxWalkReads = 24;

// What the walker reports: the translation and every descriptor PA it read, in order.
struct WalkResult {
    std::uint64_t pa = 0;               // physical address of the translated address
    unsigned page_shift = kPageShift4K; // log2 of the final mapping's size
    bool fault = false;                 // no translation: nothing is cached
    bool global = true;                 // matches every ASID (stage-1 nG clear, or no stage 1)
    unsigned read_count = 0;
    std::uint32_t intermediate_mask = 0; // bit i: read i is a non-final descriptor
    // Bit i: read i belongs to a stage-2 translation: inside a nested walk (of
    // a stage-1 descriptor's IPA or of the output IPA), or a stage-2-only
    // walk's own. The IPA cache may answer such a translation whole
    // (tlb.ipa_cache; a stage-2-only walk only with tlb.walk_cache.stage2 = 0);
    // its reads end at its final descriptor.
    std::uint32_t stage2_mask = 0;
    std::array<std::uint64_t, kMaxWalkReads> reads{};

    // Records one descriptor read; `intermediate` reads may be kept by the walk cache.
    void add_read(std::uint64_t descriptor_pa, bool intermediate, bool stage2 = false) {
        if (read_count < kMaxWalkReads) {
            intermediate_mask |= intermediate ? (1u << read_count) : 0u;
            stage2_mask |= stage2 ? (1u << read_count) : 0u;
            reads[read_count++] = descriptor_pa;
        }
    }

    // Some read is a stage-1 descriptor and some a stage-2 one.
    bool nested() const {
        const std::uint32_t all = read_count >= 32 ? ~0u : (1u << read_count) - 1;
        return stage2_mask != 0 && (stage2_mask & all) != all;
    }
};

// Non-owning reference to a walker: a plain function pointer plus context, so the
// model calls it without templates leaking into its interface or virtual calls.
// The referenced callable must outlive the call it is passed to.
class WalkerRef {
  public:
    using Function = void (*)(void* context, std::uint64_t address, AccessKind kind,
                              WalkResult& out);

    WalkerRef(Function function, void* context) : function_(function), context_(context) {}

    // From any callable `void(std::uint64_t address, AccessKind, WalkResult&)`.
    template <class Callable>
    explicit WalkerRef(Callable& callable)
        : function_([](void* context, std::uint64_t address, AccessKind kind, WalkResult& out) {
              (*static_cast<Callable*>(context))(address, kind, out);
          }),
          context_(&callable) {}

    void operator()(std::uint64_t address, AccessKind kind, WalkResult& out) const {
        function_(context_, address, kind, out);
    }

  private:
    Function function_;
    void* context_;
};

// A set-associative TLB (one set = fully associative) with true LRU. Entries of
// each page size are indexed by their own page number; a lookup probes each size
// that is present. Entries are tagged with the ASID current when they were
// filled; a global entry matches every ASID. The VMID needs no tag: a core runs
// one VM, and hv flushes the VM's cores when its stage 2 changes.
class Tlb {
  public:
    Tlb(unsigned entries, unsigned ways);

    // On a hit stores the physical address in `pa` and returns the entry's page
    // shift; returns 0 on a miss.
    unsigned lookup(std::uint64_t address, std::uint64_t& pa) {
        const Entry& mru = entries_[mru_];
        if (mru.shift != 0 && (address >> mru.shift) == mru.page &&
            (mru.global || mru.asid == asid_)) {
            pa = mru.frame | (address & ((std::uint64_t{1} << mru.shift) - 1));
            return mru.shift;
        }
        return lookup_slow(address, pa);
    }

    // Fills an entry for the current ASID (or for all of them when `global`).
    void insert(std::uint64_t address, std::uint64_t pa, unsigned page_shift, bool global = true);
    void flush();
    // The ASID lookups match (a TTBR write); entries of other ASIDs stay.
    void set_asid(std::uint16_t asid) { asid_ = asid; }
    std::uint16_t asid() const { return asid_; }
    // Whether the entry the last lookup hit (or the last fill) is global.
    bool last_global() const { return entries_[mru_].global; }
    // TLBI by VA: drops the entries covering `address` of `asid` and the global
    // ones (every ASID's when `all_asids`). TLBI by ASID: its non-global entries.
    void invalidate_address(std::uint64_t address, std::uint16_t asid, bool all_asids);
    void invalidate_asid(std::uint16_t asid);

    unsigned entries() const { return static_cast<unsigned>(entries_.size()); }

    // Checkpoints (sim/checkpoint.h): entries, LRU clock and current ASID.
    template <class Archive> void checkpoint(Archive& a) {
        a.values(entries_);
        a.value(mru_);
        a.value(clock_);
        a.value(shifts_present_);
        a.value(asid_);
    }

  private:
    struct Entry {
        std::uint64_t page = 0;  // address >> shift
        std::uint64_t frame = 0; // physical base of the page
        std::uint64_t last_use = 0;
        unsigned shift = 0; // 0: empty
        std::uint16_t asid = 0;
        bool global = true;
    };

    unsigned lookup_slow(std::uint64_t address, std::uint64_t& pa);
    std::uint64_t set_of(std::uint64_t address, unsigned shift) const {
        return (address >> shift) & set_mask_;
    }

    std::vector<Entry> entries_;
    std::size_t mru_ = 0; // index of the entry hit or filled last
    std::uint64_t set_mask_;
    std::uint64_t clock_ = 0;
    unsigned ways_;
    std::uint32_t shifts_present_ = 0; // bit s set: some entry has shift s
    std::uint16_t asid_ = 0;
};

} // namespace sim::cache
