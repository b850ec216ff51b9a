/*
 * Unicorn 2.0.1's store path without its per-store allocation (docs/parallel.md,
 * "Unicorn's store slow path").
 *
 * Unicorn 2.0.1 keeps no dirty-page bitmap: every RAM page reads as clean, so
 * every guest store, wherever it lands, takes QEMU's notdirty_write(), which
 * calls page_collection_lock() (a g_malloc, a GTree, a page_entry allocation per
 * page holding code), tb_invalidate_phys_page_fast() and page_collection_unlock()
 * (the frees). Unicorn never locks pages (the locking is compiled out), and on
 * AArch64 and RISC-V (no TARGET_HAS_PRECISE_SMC) the collection is passed to
 * tb_invalidate_phys_page_fast() but never read: building it only allocates.
 * The self-modifying-code check itself (tb_invalidate_phys_page_fast) still
 * runs unchanged, so translated code written by the guest is invalidated as
 * before. Upstream Unicorn dropped the collection the same way after 2.0.1.
 *
 * Linked statically, the only callers from another object file are
 * notdirty_write()'s two calls in cputlb.c; `-Wl,--wrap` sends those here
 * (sim/CMakeLists.txt). The calls inside translate-all.c (TB invalidation by
 * range) keep the real functions, lock and unlock alike.
 */
#include <stdint.h>

struct page_collection;
struct uc_struct;

/* Any non-null pointer: no caller reads it. */
static char bao_no_collection;

#define BAO_NO_PAGE_COLLECTION(arch)                                                               \
    struct page_collection* __wrap_page_collection_lock_##arch(struct uc_struct* uc,               \
                                                               uint64_t start, uint64_t end);      \
    struct page_collection* __wrap_page_collection_lock_##arch(struct uc_struct* uc,               \
                                                               uint64_t start, uint64_t end) {     \
        (void)uc;                                                                                  \
        (void)start;                                                                               \
        (void)end;                                                                                 \
        return (struct page_collection*)&bao_no_collection;                                        \
    }                                                                                              \
    void __wrap_page_collection_unlock_##arch(struct page_collection* set);                        \
    void __wrap_page_collection_unlock_##arch(struct page_collection* set) {                       \
        (void)set;                                                                                 \
    }

BAO_NO_PAGE_COLLECTION(aarch64)
BAO_NO_PAGE_COLLECTION(riscv64)
