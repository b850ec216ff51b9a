#include "hv/core/page_pool.h"

namespace hv {

void PagePool::init(std::span<const MemRange> ram, std::uint32_t num_colors,
                    std::span<std::uint64_t> bits) {
    bits_ = bits;
    for (auto& w : bits_) {
        w = 0;
    }
    num_spans_ = 0;
    total_pages_ = 0;
    num_colors_ = num_colors == 0 ? 1 : num_colors;
    for (const MemRange& r : ram) {
        const std::uint64_t pages = r.size >> kPageShift;
        if (num_spans_ == kMaxRamRegions || total_pages_ + pages > bits_.size() * 64) {
            break; // validation and state_bytes() rule this out
        }
        spans_[num_spans_++] = Span{r.base, pages, total_pages_};
        total_pages_ += pages;
    }
}

const PagePool::Span* PagePool::find(std::uint64_t pa) const {
    for (std::uint32_t s = 0; s < num_spans_; ++s) {
        const Span& sp = spans_[s];
        if (pa >= sp.base && ((pa - sp.base) >> kPageShift) < sp.pages) {
            return &sp;
        }
    }
    return nullptr;
}

bool PagePool::is_used(std::uint64_t pa) const {
    const Span* sp = find(pa);
    return sp == nullptr || test(sp->first + ((pa - sp->base) >> kPageShift));
}

bool PagePool::reserve(std::uint64_t pa, std::uint64_t pages) {
    const Span* sp = find(pa);
    if (sp == nullptr || pages == 0) {
        return pages == 0;
    }
    const std::uint64_t first = (pa - sp->base) >> kPageShift;
    if (pages > sp->pages - first) {
        return false;
    }
    for (std::uint64_t i = 0; i < pages; ++i) {
        if (test(sp->first + first + i)) {
            return false;
        }
    }
    for (std::uint64_t i = 0; i < pages; ++i) {
        set(sp->first + first + i);
    }
    return true;
}

void PagePool::release(std::uint64_t pa, std::uint64_t pages) {
    for (std::uint64_t i = 0; i < pages; ++i) {
        const std::uint64_t p = pa + (i << kPageShift);
        if (const Span* sp = find(p)) {
            clear(sp->first + ((p - sp->base) >> kPageShift));
        }
    }
}

bool PagePool::alloc_contig(std::uint64_t pages, std::uint64_t align, std::uint64_t phase,
                            std::uint64_t& pa) {
    if (pages == 0 || align < kPageSize || !is_pow2(align)) {
        return false;
    }
    phase &= align - 1;
    for (std::uint32_t s = 0; s < num_spans_; ++s) {
        const Span& sp = spans_[s];
        const std::uint64_t end = sp.base + (sp.pages << kPageShift);
        // First candidate at or above the span's base with the right phase.
        std::uint64_t cand = (sp.base & ~(align - 1)) + phase;
        if (cand < sp.base) {
            cand += align;
        }
        while (cand < end && (end - cand) >> kPageShift >= pages) {
            const std::uint64_t first = (cand - sp.base) >> kPageShift;
            std::uint64_t i = 0;
            while (i < pages && !test(sp.first + first + i)) {
                ++i;
            }
            if (i == pages) {
                for (i = 0; i < pages; ++i) {
                    set(sp.first + first + i);
                }
                pa = cand;
                return true;
            }
            // Skip past the used page that broke the run.
            const std::uint64_t used = cand + (i << kPageShift);
            cand = ((used + kPageSize - phase + align - 1) & ~(align - 1)) + phase;
        }
    }
    return false;
}

bool PagePool::alloc_high(std::uint64_t pages, std::uint64_t align, std::uint64_t colors,
                          std::uint64_t& pa) {
    if (pages == 0 || align < kPageSize || !is_pow2(align)) {
        return false;
    }
    for (std::uint32_t s = num_spans_; s-- > 0;) {
        const Span& sp = spans_[s];
        if (sp.pages < pages) {
            continue;
        }
        const std::uint64_t bytes = pages << kPageShift;
        const std::uint64_t end = sp.base + (sp.pages << kPageShift);
        std::uint64_t cand = (end - bytes) & ~(align - 1);
        for (; cand >= sp.base; cand -= align) {
            const std::uint64_t first = (cand - sp.base) >> kPageShift;
            std::uint64_t i = 0;
            while (i < pages && !test(sp.first + first + i) &&
                   color_ok(cand + (i << kPageShift), colors)) {
                ++i;
            }
            if (i == pages) {
                for (i = 0; i < pages; ++i) {
                    set(sp.first + first + i);
                }
                pa = cand;
                return true;
            }
            if (cand < sp.base + align) {
                break;
            }
        }
    }
    return false;
}

std::uint64_t PagePool::free_pages(std::uint64_t colors) const {
    std::uint64_t n = 0;
    for (std::uint32_t s = 0; s < num_spans_; ++s) {
        const Span& sp = spans_[s];
        for (std::uint64_t i = 0; i < sp.pages; ++i) {
            if (!test(sp.first + i) && color_ok(sp.base + (i << kPageShift), colors)) {
                ++n;
            }
        }
    }
    return n;
}

} // namespace hv
