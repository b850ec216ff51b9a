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

/* Access kinds as Unicorn's TLB fill gives them (QEMU's MMUAccessType), and
 * one of its own: the walk of an address translation instruction (AArch64's
 * AT), which target/arm makes outside any fill. */
enum { bao_access_load = 0, bao_access_store = 1, bao_access_fetch = 2, bao_access_translate = 3 };

/* What the running core answers at each of its engine's TLB fills
 * (unicorn_stage2.c):
 *  - may_enter(ctx, the virtual page, the translated page): whether Unicorn
 *    may enter the page (refused: a covered virtual page translated to an
 *    address the VM does not back);
 *  - backs(ctx, pa): whether the VM has memory or a device at a
 *    translation table's address the walk reads;
 *  - abort(ctx, the virtual address, the address the VM does not back, the
 *    access kind, its size in bytes or 0, 1 if a table read of the walk):
 *    called with the guest PC on the access's instruction; the core raises
 *    the stage-2 abort there (and stops its engine), and the access is left
 *    by a long jump. For an AT instruction's walk (bao_access_translate) the
 *    virtual address is 0: the instruction's operand, which the core reads. */
struct bao_stage2_check {
    int (*may_enter)(void* ctx, uint64_t va, uint64_t pa);
    int (*backs)(void* ctx, uint64_t pa);
    void (*abort)(void* ctx, uint64_t va, uint64_t pa, int access, unsigned size, int walk);
};

/* Set by a core for the length of its run on this thread; null: every page
 * is entered and every table read, as Unicorn does. */
void bao_unicorn_stage2_check(const struct bao_stage2_check* check, void* ctx);

/* A fill left by a long jump (an exception the guest takes) is over. */
void bao_unicorn_stage2_forget(void);

#ifdef __cplusplus
}
#endif

#endif
