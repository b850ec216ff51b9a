/*
 * A translated address the VM does not back (Unicorn 2.0.1, AArch64 and
 * RISC-V): a stage-2 abort (a guest-page fault), not a read of zeros.
 *
 * Unicorn 2.0.1 checks an access's *virtual* address against its regions
 * (unicorn-notes.md); once a region covers it (a placeholder window,
 * arm64_placeholder.cpp, or the VM's own memory where VA and IPA overlap),
 * the access goes wherever the guest's tables translate it, and its
 * unmapped hook never fires. An address inside a placeholder window read the
 * window's own zeros; one that nothing covers went to QEMU's unassigned
 * memory (reads 0, writes dropped). On hardware both are stage-2 aborts,
 * which the hypervisor emulates (a device it traps) or stops the VM for.
 *
 * The point where the translated address is known is the TLB fill:
 * target/arm's arm_cpu_tlb_fill (target/riscv's riscv_cpu_tlb_fill) walks
 * the guest's tables and hands the page to cputlb.c's
 * tlb_set_page_with_attrs (tlb_set_page). Both are wrapped (`-Wl,--wrap`,
 * sim/CMakeLists.txt: cpu.c takes the fill's address, tlb_helper.c or
 * cpu_helper.c calls the setter). A page the running core refuses (a
 * covered virtual page translated to an address the VM does not back) is
 * not entered; the fill then puts the guest PC back on the access's
 * instruction (cpu_restore_state, from the fill's return address), lets the
 * core raise the abort (which asks the engine to stop) and leaves the
 * access by the long jump QEMU takes for a fault (cpu_loop_exit). A probe
 * (a fill that may fail, DC ZVA's look for a host page) only fails: its
 * caller then makes the access the ordinary way, which aborts.
 *
 * Translation table walks read physical memory directly and are not seen:
 * a table at an address the VM does not back raises no stage-2 abort.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim/cpu/unicorn_stage2_c.h"

struct CPUState;

/* QEMU 5.0's MemTxAttrs: 23 bits of bit-fields in one unsigned int, passed
 * by value like it. */
struct bao_mem_tx_attrs {
    unsigned int bits;
};

static _Thread_local int (*bao_may_enter)(void* ctx, uint64_t va, uint64_t pa);
static _Thread_local void (*bao_abort)(void* ctx, uint64_t va, uint64_t pa, int access,
                                       unsigned size);
static _Thread_local void* bao_ctx;
static _Thread_local int bao_in_fill;
static _Thread_local int bao_refused; /* the fill's page was not entered */
static _Thread_local uint64_t bao_refused_pa;

void bao_unicorn_stage2_check(int (*may_enter)(void* ctx, uint64_t va, uint64_t pa),
                              void (*abort)(void* ctx, uint64_t va, uint64_t pa, int access,
                                            unsigned size),
                              void* ctx) {
    bao_may_enter = may_enter;
    bao_abort = abort;
    bao_ctx = ctx;
}

/* Inside a fill, from its setter: 1 when the page is refused. */
static int bao_refuse(uint64_t vaddr, uint64_t paddr) {
    if (!bao_in_fill || !bao_may_enter || bao_may_enter(bao_ctx, vaddr, paddr))
        return 0;
    bao_refused = 1;
    bao_refused_pa = paddr;
    return 1;
}

/* After the target's fill returned: its result, or the abort. */
static bool bao_fill_done(struct CPUState* cs, uint64_t address, int size, int access_type,
                          bool probe, uintptr_t retaddr, bool entered,
                          bool (*restore)(struct CPUState*, uintptr_t, bool),
                          void (*leave)(struct CPUState*)) {
    bao_in_fill = 0;
    if (!bao_refused)
        return entered;
    bao_refused = 0;
    if (probe)
        return false;
    if (retaddr)
        restore(cs, retaddr, true);
    bao_abort(bao_ctx, address, bao_refused_pa | (address & 0xfff), access_type,
              size > 0 ? (unsigned)size : 0);
    leave(cs);
    __builtin_unreachable();
}

/* The fill of `arch`'s target (`fill`), around the real one. A guest's own
 * fault leaves it by a long jump: bao_in_fill stays set until the next fill,
 * and only the setter, which the fill alone calls, reads it. */
#define BAO_FILL(fill, arch)                                                                       \
    bool cpu_restore_state_##arch(struct CPUState* cpu, uintptr_t host_pc, bool will_exit);        \
    void cpu_loop_exit_##arch(struct CPUState* cpu);                                               \
    bool __real_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr);                       \
    bool __wrap_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr);                       \
    bool __wrap_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr) {                      \
        bao_in_fill = 1;                                                                           \
        bao_refused = 0;                                                                           \
        const bool entered =                                                                       \
            __real_##fill##_##arch(cs, address, size, access_type, mmu_idx, probe, retaddr);       \
        return bao_fill_done(cs, address, size, access_type, probe, retaddr, entered,              \
                             &cpu_restore_state_##arch, &cpu_loop_exit_##arch);                    \
    }

BAO_FILL(arm_cpu_tlb_fill, aarch64)
BAO_FILL(riscv_cpu_tlb_fill, riscv64)

/* The setters: target/arm enters a page with its attributes, target/riscv
 * without. */
void __real_tlb_set_page_with_attrs_aarch64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr,
                                            struct bao_mem_tx_attrs attrs, int prot, int mmu_idx,
                                            uint64_t size);
void __wrap_tlb_set_page_with_attrs_aarch64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr,
                                            struct bao_mem_tx_attrs attrs, int prot, int mmu_idx,
                                            uint64_t size);
void __wrap_tlb_set_page_with_attrs_aarch64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr,
                                            struct bao_mem_tx_attrs attrs, int prot, int mmu_idx,
                                            uint64_t size) {
    if (!bao_refuse(vaddr, paddr))
        __real_tlb_set_page_with_attrs_aarch64(cpu, vaddr, paddr, attrs, prot, mmu_idx, size);
}

void __real_tlb_set_page_riscv64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr, int prot,
                                 int mmu_idx, uint64_t size);
void __wrap_tlb_set_page_riscv64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr, int prot,
                                 int mmu_idx, uint64_t size);
void __wrap_tlb_set_page_riscv64(struct CPUState* cpu, uint64_t vaddr, uint64_t paddr, int prot,
                                 int mmu_idx, uint64_t size) {
    if (!bao_refuse(vaddr, paddr))
        __real_tlb_set_page_riscv64(cpu, vaddr, paddr, prot, mmu_idx, size);
}
