/*
 * The store path's bookkeeping (unicorn_store_path.c) as the other wrappers
 * of Unicorn 2.0.1 reach it: the CPU wrapper names the engine that runs, the
 * store helpers' wrappers bracket each store, uc_close's wrapper forgets an
 * engine, and a core without a memory hook turns fast stores on. Plain C,
 * shared with C++.
 */
#ifndef BAO_SIM_CPU_UNICORN_STORE_PATH_C_H
#define BAO_SIM_CPU_UNICORN_STORE_PATH_C_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct uc_struct;
struct CPUState;

/* cpu_exec() of `uc` with its CPU starts on this thread; returns the engine
 * that ran before, for bao_code_pages_leave(). */
void* bao_code_pages_enter(struct uc_struct* uc, struct CPUState* cpu, int arch);
void bao_code_pages_leave(void* before);

/* Around one softmmu store helper call of the running engine: every store
 * with a memory hook, so the common case is inline (C only). During the
 * call, the SMC check's wrapper sets the flag to 1 when a page without code
 * took the notdirty path, 2 when a page with code did; `vaddr` is the
 * store's address. */
#ifndef __cplusplus
extern _Thread_local int bao_store_notdirty;
void bao_store_clear_notdirty(uint64_t vaddr); /* tlb_set_dirty, for fast stores */

static inline void bao_store_begin(void) {
    bao_store_notdirty = 0;
}

static inline void bao_store_end(uint64_t vaddr) {
    if (__builtin_expect(bao_store_notdirty == 1, 0))
        bao_store_clear_notdirty(vaddr);
    bao_store_notdirty = 0;
}
#endif

/* uc_close(): the engine's pages and CPU are forgotten. */
void bao_code_pages_forget(struct uc_struct* uc);

/* Between runs, from a core: stores to pages without code may leave the
 * notdirty path for good (their TLB entries lose TLB_NOTDIRTY); `hooked`:
 * the engine has a memory hook, which DC ZVA must still reach. */
void bao_unicorn_fast_stores(struct uc_struct* uc, int hooked);

/* In DC ZVA's helper wrapper, before the helper (unicorn_access_pc.c). */
void bao_store_path_before_zva(uint64_t vaddr);

#ifdef __cplusplus
}
#endif

#endif
