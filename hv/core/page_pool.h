// The physical page pool: every 4 KiB page of the platform's RAM, free or
// used, in a bitmap of one bit per page that hv's run-time state holds
// (Hypervisor::state_bytes: sized for the RAM the platform declares). Allocation knows page colors,
// color = (PA / 4 KiB) mod num_colors, so a colored VM only ever receives pages of its own colors
// and therefore only ever occupies its own share of the L2's sets.
#pragma once

#include <cstdint>
#include <span>

#include "hv/core/config.h"
#include "hv/core/validate.h"
#include "hv/lib/bits.h"

namespace hv {

class PagePool {
  public:
    // The bitmap words that cover `ram`: one bit per page.
    static constexpr std::size_t bitmap_words(std::span<const MemRange> ram) {
        std::uint64_t pages = 0;
        for (const MemRange& r : ram) {
            pages += r.size >> kPageShift;
        }
        return static_cast<std::size_t>((pages + 63) / 64);
    }

    // Covers `ram` (at most kMaxRamRegions ranges, as validated) with the
    // bitmap `bits` (at least bitmap_words(ram) words; a range that does not
    // fit is left out); every page starts free.
    void init(std::span<const MemRange> ram, std::uint32_t num_colors,
              std::span<std::uint64_t> bits);

    // Marks [pa, pa + pages) used. Fails, changing nothing, if a page is
    // outside RAM or already used.
    bool reserve(std::uint64_t pa, std::uint64_t pages);
    // Returns pages to the pool (pages outside RAM are ignored).
    void release(std::uint64_t pa, std::uint64_t pages);

    // Lowest run of `pages` free pages whose PA satisfies pa % align == phase
    // (align a power of two >= 4 KiB). The phase lets an uncolored region use
    // 2 MiB / 1 GiB blocks: its PA must agree with its IPA modulo the block.
    bool alloc_contig(std::uint64_t pages, std::uint64_t align, std::uint64_t phase,
                      std::uint64_t& pa);
    // Highest run of `pages` free pages aligned to `align`, every page of one
    // of `colors` (0 = any color). hv's own allocations (page tables, per-CPU
    // areas) come from the top so the bottom stays contiguous for VMs.
    bool alloc_high(std::uint64_t pages, std::uint64_t align, std::uint64_t colors,
                    std::uint64_t& pa);

    // Allocates `pages` pages of `colors` (non-zero), lowest PA first, and
    // reports them to on_run(pa, pages) as runs of physically contiguous
    // pages, in ascending order. Fails without allocating if too few are free;
    // if on_run returns false the walk stops and the call fails (pages already
    // reported stay allocated).
    template <typename OnRun>
    bool alloc_colored(std::uint64_t pages, std::uint64_t colors, OnRun&& on_run);

    std::uint64_t free_pages(std::uint64_t colors = 0) const;
    bool is_used(std::uint64_t pa) const;
    bool in_ram(std::uint64_t pa) const { return find(pa) != nullptr; }
    std::uint32_t color_of(std::uint64_t pa) const {
        return static_cast<std::uint32_t>((pa >> kPageShift) % num_colors_);
    }
    std::uint32_t num_colors() const { return num_colors_; }
    std::uint64_t total_pages() const { return total_pages_; }

    // Checkpoints (host build): the bitmap's contents; the spans and colors
    // come from the same configuration in the restoring process.
    template <class Archive> void checkpoint(Archive& a) {
        for (std::uint64_t& word : bits_)
            a.value(word);
    }

  private:
    struct Span {
        std::uint64_t base;  // PA of the first page
        std::uint64_t pages; // number of pages
        std::uint64_t first; // bit index of the first page
    };

    const Span* find(std::uint64_t pa) const;
    bool test(std::uint64_t bit) const { return (bits_[bit >> 6] >> (bit & 63)) & 1u; }
    void set(std::uint64_t bit) { bits_[bit >> 6] |= 1ull << (bit & 63); }
    void clear(std::uint64_t bit) { bits_[bit >> 6] &= ~(1ull << (bit & 63)); }
    bool color_ok(std::uint64_t pa, std::uint64_t colors) const {
        return colors == 0 || bit_test(colors, color_of(pa));
    }

    Span spans_[kMaxRamRegions]{};
    std::uint32_t num_spans_ = 0;
    std::uint32_t num_colors_ = 1;
    std::uint64_t total_pages_ = 0;
    std::span<std::uint64_t> bits_; // 1 = used
};

template <typename OnRun>
bool PagePool::alloc_colored(std::uint64_t pages, std::uint64_t colors, OnRun&& on_run) {
    if (colors == 0 || free_pages(colors) < pages) {
        return false;
    }
    std::uint64_t run_pa = 0;
    std::uint64_t run_len = 0;
    std::uint64_t left = pages;
    for (std::uint32_t s = 0; s < num_spans_ && left != 0; ++s) {
        const Span& sp = spans_[s];
        for (std::uint64_t i = 0; i < sp.pages && left != 0; ++i) {
            const std::uint64_t pa = sp.base + (i << kPageShift);
            if (test(sp.first + i) || !color_ok(pa, colors)) {
                continue;
            }
            set(sp.first + i);
            --left;
            if (run_len != 0 && run_pa + (run_len << kPageShift) == pa) {
                ++run_len;
                continue;
            }
            if (run_len != 0 && !on_run(run_pa, run_len)) {
                return false;
            }
            run_pa = pa;
            run_len = 1;
        }
    }
    return run_len == 0 || on_run(run_pa, run_len);
}

} // namespace hv
