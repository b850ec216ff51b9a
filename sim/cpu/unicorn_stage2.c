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
 * The fill's translation table walk reads descriptors from physical
 * addresses; those loads are wrapped too, and one at an address the VM does
 * not back aborts the access there (a stage-2 abort on a stage-1 walk).
 * target/arm's AT instructions walk outside a fill (do_ats_write, from the
 * instruction's helper inside cpu_exec; the translator writes the guest PC
 * back before it, ARM_CP_RAISES_EXC): a table read there that the VM does
 * not back aborts the instruction, as hardware's stage 2 does for AT S1E1*
 * and S1E0* at EL1 (a data abort to EL2, S1PTW and CM set). Nothing else
 * walks inside cpu_exec without a fill.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_stage2_c.h"

struct CPUState;

/* Leaves the running engine's helper by QEMU's long jump (cpu_loop_exit), as
 * a fault does; the guest PC must already be the instruction's
 * (unicorn_access_pc.c, which knows the CPU cpu_exec runs). */
_Noreturn void bao_unicorn_leave_helper(void);

/* QEMU 5.0's MemTxAttrs: 23 bits of bit-fields in one unsigned int, passed
 * by value like it. */
struct bao_mem_tx_attrs {
    unsigned int bits;
};

static _Thread_local struct bao_stage2_check bao_check;
static _Thread_local void* bao_ctx;

/* The fill in flight on this thread (active 0: none, or one Unicorn makes
 * outside cpu_exec, for no guest access). A guest's own fault leaves a fill
 * by a long jump; bao_unicorn_stage2_forget, called on every exception the
 * core takes, ends it then. */
static _Thread_local struct {
    int active;
    int refused; /* its page was not entered */
    uint64_t refused_pa;
    struct CPUState* cpu;
    uint64_t address;
    int size, access_type;
    bool probe;
    uintptr_t retaddr;
    bool (*restore)(struct CPUState*, uintptr_t, bool);
    void (*leave)(struct CPUState*);
} bao_fill;

void bao_unicorn_stage2_check(const struct bao_stage2_check* check, void* ctx) {
    if (check)
        bao_check = *check;
    else
        bao_check = (struct bao_stage2_check){0, 0, 0};
    bao_ctx = ctx;
}

void bao_unicorn_stage2_forget(void) {
    bao_fill.active = 0;
}

/* Inside a fill, from its setter: 1 when the page is refused. */
static int bao_refuse(uint64_t vaddr, uint64_t paddr) {
    if (!bao_fill.active || !bao_check.may_enter || bao_check.may_enter(bao_ctx, vaddr, paddr))
        return 0;
    bao_fill.refused = 1;
    bao_fill.refused_pa = paddr;
    return 1;
}

/* The fill's access aborts at `pa` (the page's address, or a table's): the
 * guest PC back on its instruction, the core told, the access left. */
_Noreturn static void bao_abort_fill(uint64_t pa, int walk) {
    bao_fill.active = 0;
    if (bao_fill.retaddr)
        bao_fill.restore(bao_fill.cpu, bao_fill.retaddr, true);
    bao_check.abort(bao_ctx, bao_fill.address, pa, bao_fill.access_type,
                    bao_fill.size > 0 ? (unsigned)bao_fill.size : 0, walk);
    bao_fill.leave(bao_fill.cpu);
    __builtin_unreachable();
}

/* After the target's fill returned: its result, or the abort. */
static bool bao_fill_done(bool entered) {
    bao_fill.active = 0;
    if (!bao_fill.refused)
        return entered;
    if (bao_fill.probe)
        return false;
    bao_abort_fill(bao_fill.refused_pa | (bao_fill.address & 0xfff), 0);
}

/* The fill of `arch`'s target (`fill`), around the real one. */
#define BAO_FILL(fill, arch)                                                                       \
    bool cpu_restore_state_##arch(struct CPUState* cpu, uintptr_t host_pc, bool will_exit);        \
    void cpu_loop_exit_##arch(struct CPUState* cpu);                                               \
    bool __real_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr);                       \
    bool __wrap_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr);                       \
    bool __wrap_##fill##_##arch(struct CPUState* cs, uint64_t address, int size, int access_type,  \
                                int mmu_idx, bool probe, uintptr_t retaddr) {                      \
        bao_fill.active = bao_unicorn_in_exec();                                                   \
        bao_fill.refused = 0;                                                                      \
        bao_fill.cpu = cs;                                                                         \
        bao_fill.address = address;                                                                \
        bao_fill.size = size;                                                                      \
        bao_fill.access_type = access_type;                                                        \
        bao_fill.probe = probe;                                                                    \
        bao_fill.retaddr = retaddr;                                                                \
        bao_fill.restore = &cpu_restore_state_##arch;                                              \
        bao_fill.leave = &cpu_loop_exit_##arch;                                                    \
        return bao_fill_done(                                                                      \
            __real_##fill##_##arch(cs, address, size, access_type, mmu_idx, probe, retaddr));      \
    }

/* An AT instruction's walk reads a table at `pa` the VM does not back: the
 * instruction aborts (its PC is the guest's already). */
_Noreturn static void bao_abort_translate(uint64_t pa) {
    bao_check.abort(bao_ctx, 0, pa, bao_access_translate, 0, 1);
    bao_unicorn_leave_helper();
}

/* A translation table read of a fill (target/arm's arm_ldq_ptw, target/riscv's
 * get_physical_address read descriptors with these): at an address the VM
 * does not back, the fill's access aborts there, as hardware's stage 2 does
 * for a stage-1 walk (S1PTW). A probe reads on and fails as before; the
 * access that follows it aborts. `translates`: the target's AT instructions
 * walk through this load outside a fill. */
#define BAO_WALK_LOAD(load, ret, translates)                                                       \
    ret __real_##load(void* uc, void* as, uint64_t addr, struct bao_mem_tx_attrs attrs,            \
                      int* result);                                                                \
    ret __wrap_##load(void* uc, void* as, uint64_t addr, struct bao_mem_tx_attrs attrs,            \
                      int* result);                                                                \
    ret __wrap_##load(void* uc, void* as, uint64_t addr, struct bao_mem_tx_attrs attrs,            \
                      int* result) {                                                               \
        const int in_fill = bao_fill.active && !bao_fill.probe;                                    \
        const int at_walk = (translates) && !bao_fill.active && bao_unicorn_in_exec();             \
        if ((in_fill || at_walk) && bao_check.backs && !bao_check.backs(bao_ctx, addr)) {          \
            if (in_fill)                                                                           \
                bao_abort_fill(addr, 1);                                                           \
            bao_abort_translate(addr);                                                             \
        }                                                                                          \
        return __real_##load(uc, as, addr, attrs, result);                                         \
    }

BAO_WALK_LOAD(address_space_ldq_le_aarch64, uint64_t, 1)
BAO_WALK_LOAD(address_space_ldq_be_aarch64, uint64_t, 1)
BAO_WALK_LOAD(address_space_ldq_riscv64, uint64_t, 0)

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
