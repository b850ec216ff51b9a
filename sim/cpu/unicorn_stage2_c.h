/*
 * The C side of a translated address the VM does not back
 * (unicorn_stage2.c): what an AArch64 core registers for its run. Plain C,
 * shared with C++.
 */
#ifndef BAO_SIM_CPU_UNICORN_STAGE2_C_H
#define BAO_SIM_CPU_UNICORN_STAGE2_C_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>

/* Access kinds as Unicorn's TLB fill gives them (QEMU's MMUAccessType). */
enum { bao_access_load = 0, bao_access_store = 1, bao_access_fetch = 2 };

/* For this thread's AArch64 engine, at each TLB fill: may_enter(ctx, the
 * virtual page, the translated page) says whether Unicorn may enter it.
 * When not, the page is not entered and abort(ctx, the
 * virtual address, the translated address, the access kind, its size in
 * bytes or 0) is called with the guest PC on the access's instruction; the
 * core raises the stage-2 abort there (and stops its engine), and the access
 * is left by a long jump. Set by a core for the length of its run; null
 * functions: every page is entered, as Unicorn does. */
void bao_unicorn_stage2_check(int (*may_enter)(void* ctx, uint64_t va, uint64_t pa),
                              void (*abort)(void* ctx, uint64_t va, uint64_t pa, int access,
                                            unsigned size),
                              void* ctx);

#ifdef __cplusplus
}
#endif

#endif
