/*
 * An access's own PC inside Unicorn 2.0.1's MMIO and unmapped-access
 * callbacks, without a memory hook (docs/checkpoints.md, "Fast-forward
 * without counting").
 *
 * Unicorn writes the guest PC back to the CPU state before an access only
 * when a memory hook covers the instruction; any memory hook also sends
 * every load and store through the softmmu helpers, which halves the speed
 * of a fast-forwarded run. Without one, a callback sees the PC of the block
 * start. QEMU's own recovery is cpu_restore_state(cpu, host return address):
 * it finds the translation block holding that host address and rewrites the
 * guest PC from the block's per-instruction data, as QEMU does before it
 * raises an exception from a helper.
 *
 * Both arguments are caught on their way in, with `-Wl,--wrap` where another
 * object file calls them (sim/CMakeLists.txt):
 *  - cpu_exec(uc, cpu), called by cpus.c once per uc_emu_start(): the CPU;
 *  - the softmmu load and store helpers, called from translated code through
 *    tcg.c's tables and from target helpers in other files: the return
 *    address, kept for the duration of the call (0 outside one).
 * Accesses that reach cputlb.c's loads from inside cputlb.c (its
 * cpu_*_mmuidx_ra functions, used by a few target helpers: atomics, DC ZVA)
 * are not seen: the return address is then 0 and nothing is restored. The
 * helpers also keep the access's address, size and direction, which the
 * memory hook gave a data abort (its FAR and WnR).
 *
 * A helper left by a long jump (an exception, or a store into the block
 * being run) keeps its return address until the next helper call; the core
 * forgets it on each exception and each cpu_exec, and checks that the
 * access it is told of is the one its callback sees.
 *
 * A translation block made for one use (CF_NOCACHE: code run from a device,
 * which the cores refuse, or with icount, which Unicorn does not use) would
 * be dropped by cpu_restore_state; none is made here.
 */
#include <stdbool.h>
#include <stdint.h>

#include "sim/cpu/unicorn_access_pc_c.h"
#include "sim/cpu/unicorn_stage2_c.h"
#include "sim/cpu/unicorn_store_path_c.h"

struct uc_struct;
struct CPUState;
struct CPUArchState;

static _Thread_local struct CPUState* bao_cpu;
static _Thread_local int bao_arch;          /* 1: AArch64, 2: RISC-V (64) */
static _Thread_local uintptr_t bao_retaddr; /* inside a helper: its return address */
static _Thread_local struct bao_unicorn_access bao_last;
static _Thread_local int bao_seen;
_Thread_local int bao_unicorn_zva; /* 0: outside DC ZVA's helper; 1: inside; 2: a store seen */

bool cpu_restore_state_aarch64(struct CPUState* cpu, uintptr_t host_pc, bool will_exit);
bool cpu_restore_state_riscv64(struct CPUState* cpu, uintptr_t host_pc, bool will_exit);

int bao_unicorn_last_access(struct bao_unicorn_access* out) {
    if (!bao_seen)
        return 0;
    *out = bao_last;
    return 1;
}

int bao_unicorn_in_exec(void) {
    return bao_cpu != 0;
}

void cpu_loop_exit_aarch64(struct CPUState* cpu);
void cpu_loop_exit_riscv64(struct CPUState* cpu);

_Noreturn void bao_unicorn_leave_helper(void) {
    if (bao_arch == 1)
        cpu_loop_exit_aarch64(bao_cpu);
    cpu_loop_exit_riscv64(bao_cpu);
    __builtin_unreachable();
}

void bao_unicorn_forget_access(void) {
    bao_unicorn_stage2_forget();
    bao_retaddr = 0;
    bao_seen = 0;
    bao_unicorn_zva = 0; /* a DC ZVA that faulted left its helper by a long jump */
}

static _Thread_local void (*bao_split_prepare)(void* ctx, uint64_t first, uint64_t last);
static _Thread_local void* bao_split_prepare_ctx;

void bao_unicorn_before_split_store(void (*fn)(void* ctx, uint64_t first, uint64_t last),
                                    void* ctx) {
    bao_split_prepare = fn;
    bao_split_prepare_ctx = ctx;
}

/* DC ZVA (wrapped where translate-a64.c and tcg.c call it). Its block never
 * crosses a page, so the address given covers it. */
void __real_helper_dc_zva_aarch64(struct CPUArchState* env, uint64_t vaddr);
void __wrap_helper_dc_zva_aarch64(struct CPUArchState* env, uint64_t vaddr);
void __wrap_helper_dc_zva_aarch64(struct CPUArchState* env, uint64_t vaddr) {
    if (bao_split_prepare)
        bao_split_prepare(bao_split_prepare_ctx, vaddr, vaddr);
    bao_unicorn_zva = 1;
    bao_store_path_before_zva(vaddr);
    __real_helper_dc_zva_aarch64(env, vaddr);
    bao_unicorn_zva = 0;
}

/* The helper's arguments; QEMU 5.0's TCGMemOpIdx is (MemOp << 4) | mmu_idx,
 * and MemOp's two low bits are log2 of the size. */
static inline void bao_note_access(uint64_t addr, uint32_t oi, int is_write, uintptr_t retaddr) {
    bao_retaddr = retaddr;
    bao_last.address = addr;
    bao_last.size = 1u << ((oi >> 4) & 3);
    bao_last.is_write = is_write;
    bao_seen = 1;
}

/* A store that crosses a page: cputlb.c's store_helper makes it byte stores
 * once its first page is in the TLB, and nothing may change the engine's
 * regions under those (bao_unicorn_before_split_store). 4 KiB is the
 * smallest page Unicorn's AArch64 and RISC-V engines use here. */
static inline int bao_crosses_page(uint64_t addr, uint32_t oi) {
    return (addr & 0xfff) + (1u << ((oi >> 4) & 3)) > 0x1000;
}

static void bao_before_split(uint64_t addr, uint32_t oi) {
    if (bao_split_prepare)
        bao_split_prepare(bao_split_prepare_ctx, addr, addr + (1u << ((oi >> 4) & 3)) - 1);
}

static int bao_restore_pc(void) {
    if (bao_retaddr == 0 || bao_cpu == 0)
        return 0;
    if (bao_arch == 1)
        return cpu_restore_state_aarch64(bao_cpu, bao_retaddr, false);
    if (bao_arch == 2)
        return cpu_restore_state_riscv64(bao_cpu, bao_retaddr, false);
    return 0;
}

int bao_unicorn_place_access(uint64_t address, struct bao_unicorn_access* out) {
    if (!bao_seen || ((address - bao_last.address) & 0xfff) >= bao_last.size || !bao_restore_pc())
        return 0;
    *out = bao_last;
    return 1;
}

/*
 * The running AArch64 engine's stack pointer, without uc_reg_read: Unicorn
 * 2.0.1's register read tests the register number against a chain of ranges
 * before it reaches SP (about 110 host instructions), and the SP alignment
 * check reads SP at every block of a guest that sets SCTLR_EL1.SA (Linux).
 *
 * QEMU 5.0's ARMCPU holds the CPUState cpu_exec is given, then the
 * CPUARMState the target's functions take; the distance between the two is
 * one constant of the build, learnt here from the first call of
 * cpu_get_tb_cpu_state (wrapped where cpu-exec.c, tcg-runtime.c and
 * translate-all.c call it) made inside cpu_exec, and checked at every later
 * one: a different distance (a call for another engine, or a layout this
 * file does not know) turns the direct read off for the process. The
 * CPUARMState starts as below in QEMU 5.0; in AArch64 state the current SP
 * is xregs[31], which is what uc_reg_read returns for UC_ARM64_REG_SP. A
 * core keeps the slot once its first reads agreed with uc_reg_read's
 * (arm64_sp_alignment.cpp): the engine's CPU state does not move.
 */
struct bao_arm_env_prefix {
    uint32_t regs[16];
    uint64_t xregs[32];
};

static intptr_t bao_arm_env_offset; /* 0: not learnt; -1: off */

void __real_cpu_get_tb_cpu_state_aarch64(struct CPUArchState* env, uint64_t* pc, uint64_t* cs_base,
                                         uint32_t* flags);
void __wrap_cpu_get_tb_cpu_state_aarch64(struct CPUArchState* env, uint64_t* pc, uint64_t* cs_base,
                                         uint32_t* flags);
void __wrap_cpu_get_tb_cpu_state_aarch64(struct CPUArchState* env, uint64_t* pc, uint64_t* cs_base,
                                         uint32_t* flags) {
    if (bao_cpu != 0 && bao_arch == 1) {
        const intptr_t offset = (intptr_t)((const char*)env - (const char*)bao_cpu);
        const intptr_t known = __atomic_load_n(&bao_arm_env_offset, __ATOMIC_RELAXED);
        if (known == 0 && offset > 0)
            __atomic_compare_exchange_n(&bao_arm_env_offset, &(intptr_t){0}, offset, false,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED);
        else if (known != offset && known != -1)
            __atomic_store_n(&bao_arm_env_offset, -1, __ATOMIC_RELAXED);
    }
    __real_cpu_get_tb_cpu_state_aarch64(env, pc, cs_base, flags);
}

const uint64_t* bao_unicorn_arm64_sp_slot(void) {
    const intptr_t offset = __atomic_load_n(&bao_arm_env_offset, __ATOMIC_RELAXED);
    if (bao_cpu == 0 || bao_arch != 1 || offset <= 0)
        return 0;
    const struct bao_arm_env_prefix* env =
        (const struct bao_arm_env_prefix*)((const char*)bao_cpu + offset);
    return &env->xregs[31];
}

#define BAO_CPU_EXEC(arch, id)                                                                     \
    int __real_cpu_exec_##arch(struct uc_struct* uc, struct CPUState* cpu);                        \
    int __wrap_cpu_exec_##arch(struct uc_struct* uc, struct CPUState* cpu);                        \
    int __wrap_cpu_exec_##arch(struct uc_struct* uc, struct CPUState* cpu) {                       \
        struct CPUState* const cpu_before = bao_cpu;                                               \
        const int arch_before = bao_arch;                                                          \
        bao_cpu = cpu;                                                                             \
        bao_arch = id;                                                                             \
        void* const engine_before = bao_code_pages_enter(uc, cpu, id);                             \
        bao_unicorn_forget_access();                                                               \
        const int r = __real_cpu_exec_##arch(uc, cpu);                                             \
        bao_unicorn_forget_access();                                                               \
        bao_code_pages_leave(engine_before);                                                       \
        bao_cpu = cpu_before;                                                                      \
        bao_arch = arch_before;                                                                    \
        return r;                                                                                  \
    }

/* A load helper: tcg_target_ulong or uint64_t, both uint64_t on this host. */
#define BAO_LOAD(arch, name)                                                                       \
    uint64_t __real_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr,            \
                                               uint32_t oi, uintptr_t retaddr);                    \
    uint64_t __wrap_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr,            \
                                               uint32_t oi, uintptr_t retaddr);                    \
    uint64_t __wrap_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr,            \
                                               uint32_t oi, uintptr_t retaddr) {                   \
        bao_note_access(addr, oi, 0, retaddr);                                                     \
        const uint64_t v = __real_helper_##name##_mmu_##arch(env, addr, oi, retaddr);              \
        bao_retaddr = 0;                                                                           \
        return v;                                                                                  \
    }

/* A store helper. A store across a page leaves by a tail call to a cold
 * copy that prepares the split first, so the common path saves no registers
 * for a call it does not make. */
#define BAO_STORE(arch, name, type)                                                                \
    void __real_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr, type val,      \
                                           uint32_t oi, uintptr_t retaddr);                        \
    static inline void bao_##name##_##arch(struct CPUArchState* env, uint64_t addr, type val,      \
                                           uint32_t oi, uintptr_t retaddr) {                       \
        bao_note_access(addr, oi, 1, retaddr);                                                     \
        bao_store_begin();                                                                         \
        __real_helper_##name##_mmu_##arch(env, addr, val, oi, retaddr);                            \
        bao_retaddr = 0;                                                                           \
        bao_store_end(addr);                                                                       \
    }                                                                                              \
    __attribute__((noinline, cold)) static void bao_split_##name##_##arch(                         \
        struct CPUArchState* env, uint64_t addr, type val, uint32_t oi, uintptr_t retaddr) {       \
        bao_before_split(addr, oi);                                                                \
        bao_##name##_##arch(env, addr, val, oi, retaddr);                                          \
    }                                                                                              \
    void __wrap_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr, type val,      \
                                           uint32_t oi, uintptr_t retaddr);                        \
    void __wrap_helper_##name##_mmu_##arch(struct CPUArchState* env, uint64_t addr, type val,      \
                                           uint32_t oi, uintptr_t retaddr) {                       \
        if (__builtin_expect(bao_crosses_page(addr, oi), 0)) {                                     \
            bao_split_##name##_##arch(env, addr, val, oi, retaddr);                                \
            return;                                                                                \
        }                                                                                          \
        bao_##name##_##arch(env, addr, val, oi, retaddr);                                          \
    }

#define BAO_HELPERS(arch)                                                                          \
    BAO_LOAD(arch, ret_ldub)                                                                       \
    BAO_LOAD(arch, le_lduw)                                                                        \
    BAO_LOAD(arch, be_lduw)                                                                        \
    BAO_LOAD(arch, le_ldul)                                                                        \
    BAO_LOAD(arch, be_ldul)                                                                        \
    BAO_LOAD(arch, le_ldq)                                                                         \
    BAO_LOAD(arch, be_ldq)                                                                         \
    BAO_LOAD(arch, ret_ldsb)                                                                       \
    BAO_LOAD(arch, le_ldsw)                                                                        \
    BAO_LOAD(arch, be_ldsw)                                                                        \
    BAO_LOAD(arch, le_ldsl)                                                                        \
    BAO_LOAD(arch, be_ldsl)                                                                        \
    BAO_STORE(arch, ret_stb, uint8_t)                                                              \
    BAO_STORE(arch, le_stw, uint16_t)                                                              \
    BAO_STORE(arch, be_stw, uint16_t)                                                              \
    BAO_STORE(arch, le_stl, uint32_t)                                                              \
    BAO_STORE(arch, be_stl, uint32_t)                                                              \
    BAO_STORE(arch, le_stq, uint64_t)                                                              \
    BAO_STORE(arch, be_stq, uint64_t)

BAO_CPU_EXEC(aarch64, 1)
BAO_CPU_EXEC(riscv64, 2)
BAO_HELPERS(aarch64)
BAO_HELPERS(riscv64)
