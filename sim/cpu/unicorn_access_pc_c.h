/*
 * The C side of finding an access's own PC without a memory hook
 * (unicorn_access_pc.c): what a core calls from an MMIO or unmapped-access
 * callback. Plain C, shared with C++.
 */
#ifndef BAO_SIM_CPU_UNICORN_ACCESS_PC_C_H
#define BAO_SIM_CPU_UNICORN_ACCESS_PC_C_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdint.h>

/* The last guest load or store this thread's engine made through Unicorn's
 * softmmu helpers (every access that faults or reaches a device does): its
 * virtual address, size in bytes and direction. */
struct bao_unicorn_access {
    uint64_t address;
    unsigned size;
    int is_write;
};

/* That access; 0 if none since the last bao_unicorn_forget_access(). */
int bao_unicorn_last_access(struct bao_unicorn_access* out);

/* Inside an MMIO or unmapped-access callback for `address` (virtual or
 * physical: only its offset in the page is compared): when the access in
 * flight is still in a watched helper and covers that offset, sets the
 * running engine's PC to its instruction, writes the access to `out` and
 * returns 1; else 0, the PC unchanged. */
int bao_unicorn_place_access(uint64_t address, struct bao_unicorn_access* out);

/* 1 inside cpu_exec (the engine runs guest code on this thread), else 0:
 * Unicorn also fills its TLB around a run (uc_invalidate_tb, for the
 * address a run stops at), where no guest access is in flight. */
int bao_unicorn_in_exec(void);

/* Inside cpu_exec, from a helper or hook whose guest PC is already the
 * instruction's (the translator wrote it back): leaves by QEMU's long jump
 * (cpu_loop_exit), as a fault does. Does not return. */
void bao_unicorn_leave_helper(void);

/* After an exception left a helper by a long jump, or between runs. */
void bao_unicorn_forget_access(void);

/* Inside a hook of a running AArch64 engine: where its CPU state holds SP
 * (the value uc_reg_read gives for UC_ARM64_REG_SP), for as long as the
 * engine lives; null when this thread runs no AArch64 engine or the place is
 * not known (unicorn_access_pc.c). */
const uint64_t* bao_unicorn_arm64_sp_slot(void);

/* Before a store this thread's engine makes as several smaller stores (one
 * that crosses a page, which Unicorn 2.0.1 splits into byte stores, and DC
 * ZVA's block, which it zeroes a byte store at a time when a memory hook is
 * in), fn(ctx, its first byte's address, its last's): the running core's
 * chance to map what those stores need, which it must not do from a hook
 * inside them (arm64_placeholder.cpp). Called from the store helpers'
 * wrappers, with or without a memory hook. Set by a core for the length of
 * its run; null: nothing is called. */
void bao_unicorn_before_split_store(void (*fn)(void* ctx, uint64_t first, uint64_t last),
                                    void* ctx);

/* Inside Unicorn's DC ZVA helper, which zeroes its block one byte store at
 * a time when a memory hook is installed (the hook sees each): 1 before the
 * first of those stores, 2 after it, 0 outside the helper. Read by the
 * memory hook on every access, so a plain thread-local, not a call. */
#ifdef __cplusplus
extern thread_local int bao_unicorn_zva;
#else
extern _Thread_local int bao_unicorn_zva;
#endif

#ifdef __cplusplus
}
#endif

#endif
