/*
 * Unicorn 2.0.1's region lookup for every guest access, cached (docs/parallel.md,
 * "Unicorn's region lookup").
 *
 * With a memory hook installed every guest load and store takes Unicorn's slow
 * path, and load_helper()/store_helper() (cputlb.c) call memory_mapping() (uc.c)
 * once each to find the MemoryRegion of the address. memory_mapping() tries
 * uc->mapped_block_cache_index, which 2.0.1 never updates (it stays 0, the
 * lowest region), then binary-searches the sorted regions: about 63 host
 * instructions a call, 8% of a bare-metal qsort run's instructions (callgrind).
 *
 * Its result is a function of the address and the engine's list of regions
 * only. Unicorn maps, unmaps and protects only whole target pages (uc_mem_map
 * and the others refuse an unaligned address or size; the smallest target
 * page is 1 KiB), so every address of one 1 KiB chunk has the same region. This
 * cache maps (engine, chunk) to the region found, per host thread (each engine
 * runs on one host thread at a time; docs/parallel.md), and is dropped whole
 * whenever any engine's regions may change: every Unicorn call that adds,
 * removes or splits a region (uc_mem_map, uc_mem_map_ptr, uc_mmio_map,
 * uc_mem_unmap, uc_mem_protect) or frees them (uc_close) bumps a process-wide
 * generation first. A thread that takes an engine over from another did so
 * through the scheduler's synchronisation, so it sees the bump. An address in
 * no region is not cached (Unicorn then calls the unmapped-access hooks, which
 * may map it, and asks again).
 *
 * Linked statically, the only callers of memory_mapping() from another object
 * file are cputlb.c's (one per target); `-Wl,--wrap` sends those here, and our
 * own calls of the mapping functions to the wrappers below (sim/CMakeLists.txt).
 * uc.c's own calls keep the real functions.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/cpu/unicorn_store_path_c.h"

struct uc_struct;
struct MemoryRegion;
typedef int bao_uc_err; /* uc_err: an enum, passed as int */

struct MemoryRegion* __real_memory_mapping(struct uc_struct* uc, uint64_t address);

enum { kChunkShift = 10, kSlots = 256 };

static _Atomic uint64_t bao_region_generation = 1;

struct bao_region_slot {
    const struct uc_struct* uc;
    uint64_t chunk;
    struct MemoryRegion* region;
};

static _Thread_local struct {
    uint64_t generation; /* 0: never filled */
    struct bao_region_slot slots[kSlots];
} bao_region_cache;

/* Out of line, so that a hit needs no call frame. */
static __attribute__((noinline)) struct MemoryRegion*
bao_region_miss(struct uc_struct* uc, uint64_t address, uint64_t generation) {
    if (bao_region_cache.generation != generation) {
        for (size_t i = 0; i < kSlots; ++i)
            bao_region_cache.slots[i].uc = NULL;
        bao_region_cache.generation = generation;
    }
    struct MemoryRegion* region = __real_memory_mapping(uc, address);
    if (region) {
        const uint64_t chunk = address >> kChunkShift;
        struct bao_region_slot* slot = &bao_region_cache.slots[chunk % kSlots];
        slot->uc = uc;
        slot->chunk = chunk;
        slot->region = region;
    }
    return region;
}

struct MemoryRegion* __wrap_memory_mapping(struct uc_struct* uc, uint64_t address);
struct MemoryRegion* __wrap_memory_mapping(struct uc_struct* uc, uint64_t address) {
    const uint64_t generation = atomic_load_explicit(&bao_region_generation, memory_order_acquire);
    const uint64_t chunk = address >> kChunkShift;
    const struct bao_region_slot* slot = &bao_region_cache.slots[chunk % kSlots];
    if (bao_region_cache.generation == generation && slot->uc == uc && slot->chunk == chunk)
        return slot->region;
    return bao_region_miss(uc, address, generation);
}

static void bao_regions_change(void) {
    atomic_fetch_add_explicit(&bao_region_generation, 1, memory_order_acq_rel);
}

/* Each wrapper bumps the generation before and after the change: no cache
 * filled during the call survives it. */
#define BAO_REGION_CHANGE(name, params, args)                                                      \
    bao_uc_err __real_##name params;                                                               \
    bao_uc_err __wrap_##name params;                                                               \
    bao_uc_err __wrap_##name params {                                                              \
        bao_regions_change();                                                                      \
        const bao_uc_err err = __real_##name args;                                                 \
        bao_regions_change();                                                                      \
        return err;                                                                                \
    }

typedef uint64_t (*bao_mmio_read_t)(struct uc_struct*, uint64_t, unsigned, void*);
typedef void (*bao_mmio_write_t)(struct uc_struct*, uint64_t, unsigned, uint64_t, void*);

BAO_REGION_CHANGE(uc_mem_map,
                  (struct uc_struct * uc, uint64_t address, size_t size, uint32_t perms),
                  (uc, address, size, perms))
BAO_REGION_CHANGE(uc_mem_map_ptr,
                  (struct uc_struct * uc, uint64_t address, size_t size, uint32_t perms, void* ptr),
                  (uc, address, size, perms, ptr))
BAO_REGION_CHANGE(uc_mmio_map,
                  (struct uc_struct * uc, uint64_t address, size_t size, bao_mmio_read_t read_cb,
                   void* user_data_read, bao_mmio_write_t write_cb, void* user_data_write),
                  (uc, address, size, read_cb, user_data_read, write_cb, user_data_write))
BAO_REGION_CHANGE(uc_mem_unmap, (struct uc_struct * uc, uint64_t address, size_t size),
                  (uc, address, size))
BAO_REGION_CHANGE(uc_mem_protect,
                  (struct uc_struct * uc, uint64_t address, size_t size, uint32_t perms),
                  (uc, address, size, perms))
bao_uc_err __real_uc_close(struct uc_struct* uc);
bao_uc_err __wrap_uc_close(struct uc_struct* uc);
bao_uc_err __wrap_uc_close(struct uc_struct* uc) {
    bao_code_pages_forget(uc); /* its CPU is freed with it */
    bao_regions_change();
    const bao_uc_err err = __real_uc_close(uc);
    bao_regions_change();
    return err;
}
