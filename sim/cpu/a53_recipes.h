// The A53 model's per-core state (model.core = a53): the recipes of the
// blocks this core has run, the pipeline that charges them, and a small map
// from code pages' virtual addresses to their guest-physical ones.
//
// Recipes are keyed by the block's guest-physical address (the IPA under hv:
// a core serves one VM, whose stage 2 is fixed, so the IPA names the bytes
// as well as the PA does; hv's recoloring copies a page and keeps its IPA)
// and its size, never by the virtual address: a Linux guest exec's new
// programs at the same virtual addresses. A recipe is dropped when its code
// changes, on the signals that drop Unicorn's translations (IC IVAU / IC
// IALLU(IS), the host's invalidate_code): each page has an epoch, bumped on
// invalidation; a recipe records its pages' epochs when decoded.
#pragma once

#include "sim/cpu/a53_decode.h"
#include "sim/cpu/a53_pipeline.h"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace sim::cpu::a53 {

class RecipeCache {
  public:
    RecipeCache();
    // The recipe of the `size`-byte block at guest-physical `ipa`, or null
    // when it was never decoded or its code changed since.
    const BlockRecipe* find(uint64_t ipa, uint32_t size);
    const BlockRecipe& insert(uint64_t ipa, uint32_t size, BlockRecipe recipe);
    void invalidate_page(uint64_t ipa);
    void invalidate_all();
    uint64_t decodes() const { return decodes_; }
    uint64_t invalidations() const { return invalidations_; }

  private:
    struct Entry {
        BlockRecipe recipe;
        uint64_t epoch = 0;
    };
    struct Slot {
        uint64_t key = ~uint64_t{0};
        uint64_t generation = 0;
        const BlockRecipe* recipe = nullptr;
    };
    uint64_t epoch_of(uint64_t ipa, uint32_t size) const;
    Slot& slot(uint64_t key) { return table_[(key ^ (key >> 17)) % table_.size()]; }

    std::unordered_map<uint64_t, Entry> recipes_; // nodes stay put: slots point into them
    std::unordered_map<uint64_t, uint64_t> page_epochs_;
    std::vector<Slot> table_; // direct-mapped front of recipes_
    uint64_t generation_ = 1; // bumped on every invalidation: slots revalidate once
    uint64_t decodes_ = 0, invalidations_ = 0;
};

// Virtual code page -> guest-physical page, for the recipe key. Filled from
// the guest's own stage-1 walk; cleared whenever the translation may change
// (a TLBI, a write to SCTLR/TCR/TTBRn_EL1, a reset).
class CodePages {
  public:
    bool find(uint64_t va, uint64_t& ipa) const {
        const Entry& e = entries_[(va >> 12) % kEntries];
        if (e.va_page != (va >> 12))
            return false;
        ipa = (e.ipa_page << 12) | (va & 0xfff);
        return true;
    }
    void insert(uint64_t va, uint64_t ipa) {
        entries_[(va >> 12) % kEntries] = Entry{va >> 12, ipa >> 12};
    }
    void clear() { entries_.fill(Entry{}); }

  private:
    static constexpr unsigned kEntries = 64;
    struct Entry {
        uint64_t va_page = ~uint64_t{0};
        uint64_t ipa_page = 0;
    };
    std::array<Entry, kEntries> entries_{};
};

struct ModelStats {
    PipelineStats pipeline;
    uint64_t recipes_decoded = 0;
    uint64_t recipe_invalidations = 0;
};

// What an Arm64Core holds when model.core = a53.
class Model {
  public:
    // Cycles of the block at `va` (guest-physical `ipa`, `size` bytes) run
    // at core cycle `now`. `read_code` fills `size` bytes of the block's code
    // when it must be decoded; false: not readable (flat cost).
    template <typename ReadCode>
    uint64_t charge(uint64_t va, uint64_t ipa, uint32_t size, uint64_t now, ReadCode&& read_code) {
        const BlockRecipe* r = recipes_.find(ipa, size);
        if (!r) {
            code_.resize(size);
            if (!read_code(code_.data(), size))
                return pipeline_.charge_flat(size / 4, va);
            r = &recipes_.insert(ipa, size, decoder_.recipe(code_.data(), size, va));
        }
        return pipeline_.charge(*r, va, now);
    }
    RecipeCache& recipes() { return recipes_; }
    CodePages& code_pages() { return pages_; }
    void reset() {
        pipeline_.reset();
        pages_.clear();
    }
    ModelStats stats() const {
        return ModelStats{pipeline_.stats(), recipes_.decodes(), recipes_.invalidations()};
    }

  private:
    BlockDecoder decoder_;
    RecipeCache recipes_;
    Pipeline pipeline_;
    CodePages pages_;
    std::vector<uint8_t> code_;
};

} // namespace sim::cpu::a53
