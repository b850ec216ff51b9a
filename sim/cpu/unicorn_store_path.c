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
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/cpu/unicorn_store_path_c.h"

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

/*
 * Stores to pages that never held translated code: no SMC check, and
 * without a memory hook no slow path.
 *
 * The notdirty path above runs for every store because 2.0.1's dirty bitmap
 * is a stub: every page reads as clean and as holding code, so no TLB entry
 * ever loses TLB_NOTDIRTY, and each store costs the helper call, a walk of
 * the page-descriptor radix tree (page_find) and the SMC check (docs/
 * parallel.md, "Stores to pages without code"). QEMU itself keeps a
 * DIRTY_MEMORY_CODE bitmap: pages without code lose TLB_NOTDIRTY after
 * their first store (tlb_set_dirty), and a page that gets its first
 * translation block has the flag put back in every TLB entry mapping it
 * (tlb_protect_code, from tb_page_add). This keeps that bitmap per engine:
 *  - tlb_protect_code() (called by translate-all.c for a page's first block,
 *    before it runs; wrapped) marks the page as holding code, for good;
 *  - tb_invalidate_phys_page_fast() (notdirty_write's SMC check; wrapped)
 *    returns at once for a page never marked: it has no block to invalidate.
 *    For a marked page QEMU's own check runs, unchanged.
 * A core's engine (bao_unicorn_fast_stores) also drops the flag as QEMU
 * does: the store helper's wrapper clears TLB_NOTDIRTY for the store's page
 * (tlb_set_dirty, which QEMU applies to every MMU index of the address: the
 * guest's EL0/EL1 or U/S share one translation) unless a page the store
 * touched was marked, and marking a page puts the flag back on every TLB
 * entry mapping its host bytes (tlb_reset_dirty). A memory hook still sees
 * every store (Unicorn calls it before the TLB), except DC ZVA's, which
 * bao_store_path_before_zva handles. Pages are
 * tracked at 4 KiB and never unmarked (a page whose code was dropped keeps
 * the slow path, as before). Stores from one engine into code another
 * engine translated were never seen by that engine's Unicorn: the cores'
 * code synchronisation handles them (arm64_code_sync.cpp).
 */
enum { kCodePageShift = 12 };

struct bao_code_pages {
    struct uc_struct* uc;
    struct CPUState* cpu; /* from its first cpu_exec; NULL before */
    int arch;             /* of that CPU: 1 AArch64, 2 RISC-V */
    int fast_stores;      /* bao_unicorn_fast_stores */
    int hooked;           /* ... with a memory hook */
    uint64_t* marked;     /* a bit per 4 KiB of ram_addr space */
    size_t words;
};

/* Every engine that translated or ran code, until its uc_close. */
static struct bao_code_pages** bao_engines;
static size_t bao_engine_count, bao_engine_capacity;
static pthread_mutex_t bao_engines_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct bao_code_pages* bao_running;
_Thread_local int bao_store_notdirty; /* unicorn_store_path_c.h */

static void bao_out_of_memory(void) {
    fputs("bao-sim: out of memory (Unicorn's code-page bitmap)\n", stderr);
    abort();
}

/* The engine's record, made on first use. */
static struct bao_code_pages* bao_engine(struct uc_struct* uc) {
    if (bao_running && bao_running->uc == uc)
        return bao_running;
    struct bao_code_pages* found = NULL;
    pthread_mutex_lock(&bao_engines_lock);
    for (size_t i = 0; i < bao_engine_count && !found; ++i)
        if (bao_engines[i]->uc == uc)
            found = bao_engines[i];
    if (!found) {
        if (bao_engine_count == bao_engine_capacity) {
            const size_t capacity = bao_engine_capacity ? 2 * bao_engine_capacity : 16;
            struct bao_code_pages** grown = realloc(bao_engines, capacity * sizeof *grown);
            if (!grown)
                bao_out_of_memory();
            bao_engines = grown;
            bao_engine_capacity = capacity;
        }
        found = calloc(1, sizeof *found);
        if (!found)
            bao_out_of_memory();
        found->uc = uc;
        bao_engines[bao_engine_count++] = found;
    }
    pthread_mutex_unlock(&bao_engines_lock);
    return found;
}

static int bao_is_marked(const struct bao_code_pages* e, uint64_t ram_addr) {
    const uint64_t page = ram_addr >> kCodePageShift;
    return page / 64 < e->words && ((e->marked[page / 64] >> (page % 64)) & 1);
}

/* Marks the page; 1 if it was not marked before. */
static int bao_mark(struct bao_code_pages* e, uint64_t ram_addr) {
    const uint64_t page = ram_addr >> kCodePageShift;
    if (page / 64 >= e->words) {
        size_t words = e->words ? e->words : 1024;
        while (words <= page / 64)
            words *= 2;
        uint64_t* grown = realloc(e->marked, words * sizeof *grown);
        if (!grown)
            bao_out_of_memory();
        memset(grown + e->words, 0, (words - e->words) * sizeof *grown);
        e->marked = grown;
        e->words = words;
    }
    const uint64_t bit = 1ull << (page % 64);
    if (e->marked[page / 64] & bit)
        return 0;
    e->marked[page / 64] |= bit;
    return 1;
}

void* bao_code_pages_enter(struct uc_struct* uc, struct CPUState* cpu, int arch) {
    struct bao_code_pages* const before = bao_running;
    struct bao_code_pages* e = bao_engine(uc);
    e->cpu = cpu;
    e->arch = arch;
    bao_running = e;
    return before;
}

void bao_code_pages_leave(void* before) {
    bao_running = before;
}

void bao_code_pages_forget(struct uc_struct* uc) {
    pthread_mutex_lock(&bao_engines_lock);
    for (size_t i = 0; i < bao_engine_count; ++i) {
        if (bao_engines[i]->uc != uc)
            continue;
        if (bao_running == bao_engines[i]) /* no other thread runs an engine being closed */
            bao_running = NULL;
        free(bao_engines[i]->marked);
        free(bao_engines[i]);
        bao_engines[i] = bao_engines[--bao_engine_count];
        break;
    }
    pthread_mutex_unlock(&bao_engines_lock);
}

void tlb_flush_page_aarch64(struct CPUState* cpu, uint64_t vaddr);

void bao_unicorn_fast_stores(struct uc_struct* uc, int hooked) {
    struct bao_code_pages* e = bao_engine(uc);
    e->fast_stores = 1;
    e->hooked = hooked;
}

/* DC ZVA's helper (QEMU 5.0) memsets a block whose page's TLB entry has no
 * flag, without calling the memory hook; with the flag it stores through
 * the helper, which calls the hook (once counted: arm64_core.cpp). Dropping
 * the page's entry first makes the refill carry TLB_NOTDIRTY again. */
void bao_store_path_before_zva(uint64_t vaddr) {
    if (bao_running && bao_running->hooked && bao_running->cpu)
        tlb_flush_page_aarch64(bao_running->cpu, vaddr);
}

void tlb_set_dirty_aarch64(struct CPUState* cpu, uint64_t vaddr);
void tlb_set_dirty_riscv64(struct CPUState* cpu, uint64_t vaddr);

void bao_store_clear_notdirty(uint64_t vaddr) {
    struct bao_code_pages* e = bao_running;
    if (!e || !e->fast_stores || !e->cpu)
        return;
    if (e->arch == 1)
        tlb_set_dirty_aarch64(e->cpu, vaddr);
    else if (e->arch == 2)
        tlb_set_dirty_riscv64(e->cpu, vaddr);
}

#define BAO_CODE_PAGES(arch)                                                                       \
    void* qemu_map_ram_ptr_##arch(struct uc_struct* uc, void* ram_block, uint64_t addr);           \
    void tlb_reset_dirty_##arch(struct CPUState* cpu, uint64_t start, uint64_t length);            \
    void __real_tlb_protect_code_##arch(struct uc_struct* uc, uint64_t ram_addr);                  \
    void __wrap_tlb_protect_code_##arch(struct uc_struct* uc, uint64_t ram_addr);                  \
    void __wrap_tlb_protect_code_##arch(struct uc_struct* uc, uint64_t ram_addr) {                 \
        __real_tlb_protect_code_##arch(uc, ram_addr);                                              \
        struct bao_code_pages* e = bao_engine(uc);                                                 \
        if (!bao_mark(e, ram_addr) || !e->fast_stores || !e->cpu)                                  \
            return; /* marked before, or no TLB entry can have lost the flag */                    \
        const uint64_t page = ram_addr & ~((1ull << kCodePageShift) - 1);                          \
        void* host = qemu_map_ram_ptr_##arch(uc, NULL, page);                                      \
        if (host)                                                                                  \
            tlb_reset_dirty_##arch(e->cpu, (uint64_t)(uintptr_t)host, 1ull << kCodePageShift);     \
    }                                                                                              \
    void __real_tb_invalidate_phys_page_fast_##arch(struct uc_struct* uc, void* pages,             \
                                                    uint64_t start, int len, uintptr_t retaddr);   \
    void __wrap_tb_invalidate_phys_page_fast_##arch(struct uc_struct* uc, void* pages,             \
                                                    uint64_t start, int len, uintptr_t retaddr);   \
    void __wrap_tb_invalidate_phys_page_fast_##arch(struct uc_struct* uc, void* pages,             \
                                                    uint64_t start, int len, uintptr_t retaddr) {  \
        struct bao_code_pages* e = bao_engine(uc);                                                 \
        if (!bao_is_marked(e, start)) {                                                            \
            if (bao_store_notdirty == 0)                                                           \
                bao_store_notdirty = 1;                                                            \
            return;                                                                                \
        }                                                                                          \
        bao_store_notdirty = 2;                                                                    \
        __real_tb_invalidate_phys_page_fast_##arch(uc, pages, start, len, retaddr);                \
    }

BAO_CODE_PAGES(aarch64)
BAO_CODE_PAGES(riscv64)
