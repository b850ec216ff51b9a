/*
 * exceptions - checks synchronous exception delivery to the guest's own EL1
 * (tests/sim/exceptions_test.cpp in bao-sim, and on QEMU as the reference).
 *
 * With its own vector table (vectors.S) the guest takes, from EL1 and from
 * EL0: undefined instructions (UDF, HLT, EL2-only registers and
 * instructions, HVC at EL0, EL1 registers at EL0), SVC, BRK, PC alignment,
 * alignment faults of an exclusive, and with its own stage-1 tables
 * translation, access-flag and permission faults on data and instruction
 * accesses (an EL0 fetch of EL1-only code included). For each it checks ESR_EL1 (EC, IL, ISS),
 * FAR_EL1 where the architecture defines it, ELR_EL1, SPSR_EL1 (mode and DAIF) and that ERET
 * returned where it should, and prints "ok <case>" or "FAIL <case>: ...".
 * Last lines: "exceptions: N passed, M failed" and "checksum_ok=1" if none failed.
 */
#include "bao_gic.h"
#include "bao_guest.h"

#include <stdint.h>

struct exc_record {
    uint64_t esr, far, elr, spsr, slot, count, skip, resume, el0_x0, el1_sp;
};
volatile struct exc_record exc_rec;
volatile uint64_t el0_arg;

extern char exc_vectors[];
void el0_call(void (*fn)(void), void* stack_top);
#define EL0_PROG(n) extern char n[], n##_at[]
EL0_PROG(el0_udf);
EL0_PROG(el0_svc);
EL0_PROG(el0_brk);
EL0_PROG(el0_hvc);
EL0_PROG(el0_mrs_sctlr);
EL0_PROG(el0_ldxr);
EL0_PROG(el0_pcalign);
EL0_PROG(el0_spalign);
EL0_PROG(el0_spalign_late);
EL0_PROG(el0_spalign_again);
EL0_PROG(el0_sgi_udf);
EL0_PROG(el0_mrs_cntv_ctl);
EL0_PROG(el0_msr_icc_pmr);
extern char el0_pcalign_resume[];

static uint64_t el0_stack[512] __attribute__((aligned(16)));
static uint64_t scratch[4] __attribute__((aligned(16)));
static unsigned passed, failed, skipped;

#define EC(x) ((uint64_t)(x) << 26)
#define IL (1ull << 25)
#define SLOT_SPX 4
#define SLOT_LOWER 8

struct expect {
    const char* name;
    uint64_t esr, far, elr, spsr;
    int check_far;
    unsigned slot;
};

static void check(const struct expect* e, uint64_t count_before, int returned) {
    const char* why = 0;
    uint64_t got = 0, want = 0;
    if (exc_rec.count != count_before + 1) {
        why = "exceptions taken";
        got = exc_rec.count - count_before;
        want = 1;
    } else if (exc_rec.esr != e->esr) {
        why = "ESR_EL1", got = exc_rec.esr, want = e->esr;
    } else if (e->check_far && exc_rec.far != e->far) {
        why = "FAR_EL1", got = exc_rec.far, want = e->far;
    } else if (exc_rec.elr != e->elr) {
        why = "ELR_EL1", got = exc_rec.elr, want = e->elr;
    } else if ((exc_rec.spsr & 0x3cf) != e->spsr) {
        why = "SPSR_EL1 (DAIF, M)", got = exc_rec.spsr & 0x3cf, want = e->spsr;
    } else if (exc_rec.slot != e->slot) {
        why = "vector slot", got = exc_rec.slot, want = e->slot;
    } else if (!returned) {
        why = "ERET return", got = 0, want = 1;
    }
    if (!why) {
        ++passed;
        bao_printf("ok %s\n", e->name);
        return;
    }
    ++failed;
    bao_printf("FAIL %s: %s 0x%lx, expected 0x%lx\n", e->name, why, (unsigned long)got,
               (unsigned long)want);
}

static uint64_t daif(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, daif" : "=r"(v));
    return v;
}

/* One EL1 case: x9 = `x9v`, then `insn` at label 1 takes the exception; the
 * flag is 1 after it if ERET came back to the next instruction (skip = 4
 * past a faulting one; ELR already past an SVC). */
#define EL1_CASE(name_v, esr_v, far_v, check_far_v, skip_v, elr_off, x9v, insn)                    \
    do {                                                                                           \
        uint64_t at, ran, before = exc_rec.count;                                                  \
        exc_rec.skip = (skip_v);                                                                   \
        __asm__ volatile("mov x9, %2\n mov %1, #0\n adr %0, 1f\n 1: " insn "\n mov %1, #1\n"       \
                         : "=&r"(at), "=&r"(ran)                                                   \
                         : "r"((uint64_t)(x9v))                                                    \
                         : "x9", "x10", "memory");                                                 \
        struct expect e = {name_v,       esr_v,       far_v,   at + (elr_off),                     \
                           daif() | 0x5, check_far_v, SLOT_SPX};                                   \
        check(&e, before, ran == 1);                                                               \
    } while (0)

static void el1_cases(void) {
    const uint64_t misaligned = (uint64_t)(uintptr_t)scratch + 4;
    EL1_CASE("el1 udf", EC(0) | IL, 0, 0, 4, 0, 0, "udf #0");
    EL1_CASE("el1 hlt", EC(0) | IL, 0, 0, 4, 0, 0, "hlt #0");
    EL1_CASE("el1 svc", EC(0x15) | IL | 0x1234, 0, 0, 0, 4, 0, "svc #0x1234");
    EL1_CASE("el1 brk", EC(0x3c) | IL | 0x55, 0, 0, 4, 0, 0, "brk #0x55");
    EL1_CASE("el1 mrs hcr_el2", EC(0) | IL, 0, 0, 4, 0, 0, "mrs x10, hcr_el2");
    EL1_CASE("el1 tlbi alle2", EC(0) | IL, 0, 0, 4, 0, 0, "tlbi alle2");
    EL1_CASE("el1 at s12e1r", EC(0) | IL, 0, 0, 4, 0, 0, "at s12e1r, x9");
    EL1_CASE("el1 ldxr misaligned", EC(0x25) | IL | 0x21, misaligned, 1, 4, 0, misaligned,
             "ldxr x10, [x9]");
    /* A pair of X registers needs 16-byte alignment: each register's 8 bytes
     * are aligned here, the pair is not. */
    const uint64_t pair_misaligned = (uint64_t)(uintptr_t)scratch + 8;
    EL1_CASE("el1 ldaxp misaligned", EC(0x25) | IL | 0x21, pair_misaligned, 1, 4, 0,
             pair_misaligned, "ldaxp x10, x9, [x9]");
}

/* PC alignment: a branch to a misaligned address faults there (ELR = FAR =
 * that address); the handler resumes at label 2. */
static void pc_alignment_case(void) {
    uint64_t target, resume, ran = 0, before = exc_rec.count;
    exc_rec.skip = 0;
    __asm__ volatile("adr %0, 3f\n add %0, %0, #2\n adr %1, 2f\n str %1, [%3]\n"
                     "br %0\n 3: nop\n nop\n 2: mov %2, #1\n"
                     : "=&r"(target), "=&r"(resume), "+r"(ran)
                     : "r"(&exc_rec.resume)
                     : "memory");
    struct expect e = {
        "el1 pc alignment", EC(0x22) | IL, target, target, daif() | 0x5, 1, SLOT_SPX};
    check(&e, before, ran == 1);
}

static void el0_case(const char* name, char* prog, char* at, uint64_t esr, int check_far,
                     uint64_t far, uint64_t skip, uint64_t elr_off) {
    uint64_t before = exc_rec.count;
    exc_rec.skip = skip;
    exc_rec.el0_x0 = 0;
    el0_call((void (*)(void))prog, el0_stack + 512);
    /* EL0 ran with DAIF clear (SPSR_EL1 = 0 from el0_call): mode EL0t. */
    struct expect e = {name, esr, far, (uint64_t)(uintptr_t)at + elr_off, 0, check_far, SLOT_LOWER};
    check(&e, before, exc_rec.el0_x0 == 1);
}

static void el0_cases(void) {
    el0_case("el0 udf", el0_udf, el0_udf_at, EC(0) | IL, 0, 0, 4, 0);
    el0_case("el0 svc", el0_svc, el0_svc_at, EC(0x15) | IL | 0x42, 0, 0, 0, 4);
    el0_case("el0 brk", el0_brk, el0_brk_at, EC(0x3c) | IL | 0x7, 0, 0, 4, 0);
    el0_case("el0 hvc", el0_hvc, el0_hvc_at, EC(0) | IL, 0, 0, 4, 0);
    el0_case("el0 mrs sctlr_el1", el0_mrs_sctlr, el0_mrs_sctlr_at, EC(0) | IL, 0, 0, 4, 0);
    el0_case("el0 mrs cntv_ctl_el0 (CNTKCTL_EL1.EL0VTEN clear)", el0_mrs_cntv_ctl,
             el0_mrs_cntv_ctl_at, EC(0x18) | IL | 0x32f827, 0, 0, 4, 0);
    el0_case("el0 msr icc_pmr_el1", el0_msr_icc_pmr, el0_msr_icc_pmr_at, EC(0) | IL, 0, 0, 4, 0);
    el0_arg = (uint64_t)(uintptr_t)scratch + 4;
    el0_case("el0 ldxr misaligned", el0_ldxr, el0_ldxr_at, EC(0x24) | IL | 0x21, 1, el0_arg, 4, 0);
    /* PC alignment at EL0: ELR = FAR = the misaligned target (resumed by hand). */
    exc_rec.resume = (uint64_t)(uintptr_t)el0_pcalign_resume;
    const uint64_t target = (uint64_t)(uintptr_t)el0_pcalign_resume + 2;
    el0_case("el0 pc alignment", el0_pcalign, (char*)(uintptr_t)target, EC(0x22) | IL, 1, target, 0,
             0);
}

/* ---- An interrupt raised in the same block as an undefined instruction:
 * whichever comes first, the UDF is taken once with ELR at it and SPSR as
 * it ran (IRQs unmasked), and the interrupt once (vectors.S's IRQ slots). ---- */
#define IRQ_SGI 1
#define GICD_SGIR (BAO_GICD_BASE + 0xf00)

static volatile uint64_t irqs_taken;

void exc_irq(void) {
    const uint32_t iar = bao_gic_ack();
    if (BAO_GIC_ID(iar) == BAO_GIC_SPURIOUS)
        return;
    ++irqs_taken;
    bao_gic_eoi(iar);
}

static void check_irq(const struct expect* e, uint64_t count_before, int returned,
                      uint64_t irqs_before) {
    for (unsigned i = 0; i < 1000 && irqs_taken == irqs_before; ++i)
        __asm__ volatile("isb");
    if (irqs_taken != irqs_before + 1) {
        ++failed;
        bao_printf("FAIL %s: interrupts taken 0x%lx, expected 0x1\n", e->name,
                   (unsigned long)(irqs_taken - irqs_before));
        return;
    }
    check(e, count_before, returned);
}

static void el1_irq_case(void) {
    uint64_t at, ran, before = exc_rec.count, irqs = irqs_taken;
    const uint64_t unmasked = daif() & ~0x80ull;
    exc_rec.skip = 4;
    if (bao_gic_version == 3) { /* Aff0 0, target list core 0 */
        __asm__ volatile("mov x9, %2\n mov %1, #0\n adr %0, 1f\n msr daifclr, #2\n"
                         "msr icc_sgi1r_el1, x9\n 1: udf #0\n mov %1, #1\n"
                         : "=&r"(at), "=&r"(ran)
                         : "r"((uint64_t)IRQ_SGI << 24 | 1)
                         : "x9", "memory");
    } else {
        __asm__ volatile("mov x9, %2\n mov x10, %3\n mov %1, #0\n adr %0, 1f\n"
                         "msr daifclr, #2\n str w9, [x10]\n 1: udf #0\n mov %1, #1\n"
                         : "=&r"(at), "=&r"(ran)
                         : "r"((uint64_t)(2u << 24 | IRQ_SGI)), "r"(GICD_SGIR)
                         : "x9", "x10", "memory");
    }
    struct expect e = {"el1 udf, an interrupt raised in its block",
                       EC(0) | IL,
                       0,
                       at,
                       unmasked | 0x5,
                       0,
                       SLOT_SPX};
    check_irq(&e, before, ran == 1, irqs);
    __asm__ volatile("msr daifset, #2" ::: "memory");
}

/* From EL0 through GICD_SGIR: GICv2 only (EL0 has no GICv3 SGI register). */
static void el0_irq_case(void) {
    const char* name = "el0 udf, an interrupt raised in its block";
    if (bao_gic_version != 2) {
        ++skipped;
        bao_printf("skip %s: a GICv2 case\n", name);
        return;
    }
    uint64_t before = exc_rec.count, irqs = irqs_taken;
    exc_rec.skip = 4;
    exc_rec.el0_x0 = 0;
    el0_arg = GICD_SGIR;
    el0_call((void (*)(void))el0_sgi_udf, el0_stack + 512);
    struct expect e = {name, EC(0) | IL, 0, (uint64_t)(uintptr_t)el0_sgi_udf_at, 0, 0, SLOT_LOWER};
    check_irq(&e, before, exc_rec.el0_x0 == 1, irqs);
}

static void irq_cases(void) {
    bao_gic_init();
    bao_gic_enable(IRQ_SGI, 0x80);
    el1_irq_case();
    el0_irq_case();
}

#define SCTLR_SA0 (1ull << 4)

static void sctlr_bits(uint64_t bits, int on) {
    uint64_t v;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(v));
    v = on ? v | bits : v & ~bits;
    __asm__ volatile("msr sctlr_el1, %0\n isb\n" ::"r"(v));
}

/* SP alignment at EL0: EC 0x26, ELR at the access, FAR UNKNOWN. QEMU's TCG
 * does not check SP alignment: a run on it reports "skip" for these. */
static void sp_alignment_case(const char* name, char* prog, char* at) {
    uint64_t before = exc_rec.count;
    exc_rec.skip = 4;
    exc_rec.el0_x0 = 0;
    el0_call((void (*)(void))prog, el0_stack + 512);
    if (exc_rec.count == before && exc_rec.el0_x0 == 1) {
        ++skipped;
        bao_printf("skip %s: this platform does not check SP alignment\n", name);
        return;
    }
    struct expect e = {name, EC(0x26) | IL, 0, (uint64_t)(uintptr_t)at, 0, 0, SLOT_LOWER};
    check(&e, before, exc_rec.el0_x0 == 1);
}

static void sp_alignment_cases(void) {
    sctlr_bits(SCTLR_SA0, 1);
    sp_alignment_case("el0 sp alignment", el0_spalign, el0_spalign_at);
    sp_alignment_case("el0 sp alignment (later in a block)", el0_spalign_late, el0_spalign_late_at);
    sp_alignment_case("el0 sp alignment (a block that ran with SP aligned)", el0_spalign_again,
                      el0_spalign_again_at);
    sctlr_bits(SCTLR_SA0, 0);
    /* SA0 clear: the same access runs. */
    uint64_t before = exc_rec.count;
    exc_rec.el0_x0 = 0;
    el0_call((void (*)(void))el0_spalign, el0_stack + 512);
    if (exc_rec.count == before && exc_rec.el0_x0 == 1) {
        ++passed;
        bao_printf("ok el0 sp misaligned with SA0 clear\n");
    } else {
        ++failed;
        bao_printf("FAIL el0 sp misaligned with SA0 clear: %lu exceptions\n",
                   (unsigned long)(exc_rec.count - before));
    }
}

/* With the guest's MMU on, its code is not executable at EL0 (UXN): an EL0
 * fetch takes a level-2 permission fault (IFSC 0x0e; FAR = ELR = the
 * target). The handler ends the excursion (resume = 1). */
static void el0_stage1_case(void) {
    uint64_t before = exc_rec.count;
    exc_rec.skip = 0;
    exc_rec.resume = 1;
    el0_call((void (*)(void))el0_udf, el0_stack + 512);
    const uint64_t at = (uint64_t)(uintptr_t)el0_udf;
    struct expect e = {"el0 stage-1 instruction abort (permission)",
                       EC(0x20) | IL | 0x0e,
                       at,
                       at,
                       0,
                       1,
                       SLOT_LOWER};
    check(&e, before, 1);
}

/* ---- The guest's own stage 1: 4 KiB granule, 4 GiB VA (T0SZ 32), level 1
 * of 1 GiB blocks (0-1 GiB Device, UART included), the GiB at 0x4000_0000
 * through a level-2 table of 2 MiB blocks with three faulting blocks. ---- */
#define GIB (1ull << 30)
#define MIB2 (2ull << 20)
#define D_BLOCK 0x1ull
#define D_TABLE 0x3ull
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define D_AF (1ull << 10)
#define D_SH (3ull << 8)
#define D_RO (1ull << 7)
#define D_XN ((1ull << 53) | (1ull << 54))
#define BAD_TRANSLATION 0x40c00000ull /* invalid descriptor: level-2 translation fault */
#define BAD_ACCESS_FLAG 0x40e00000ull /* AF = 0 */
#define READ_ONLY 0x40a00000ull       /* AP[2] = 1 */

static uint64_t l1[4] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));

static void mmu_on(void) {
    l1[0] = 0 | D_BLOCK | D_ATTR(0) | D_AF | D_XN;
    l1[1] = (uint64_t)(uintptr_t)l2 | D_TABLE;
    for (uint64_t i = 0; i < 512; i++) {
        uint64_t pa = GIB + i * MIB2;
        uint64_t d = pa | D_BLOCK | D_ATTR(1) | D_SH | D_AF;
        if (i == 0)
            d |= 1ull << 54; /* UXN: the image is EL1 code only */
        if (pa == BAD_TRANSLATION)
            d = 0;
        else if (pa == BAD_ACCESS_FLAG)
            d &= ~D_AF;
        else if (pa == READ_ONLY)
            d |= D_RO;
        l2[i] = d;
    }
    uint64_t mair = 0x00 | (0xffull << 8);
    uint64_t tcr = 32 | (1ull << 8) | (1ull << 10) | (3ull << 12) | (1ull << 23); /* EPD1 */
    uint64_t sctlr;
    __asm__ volatile("dsb ish\n msr mair_el1, %0\n msr tcr_el1, %1\n msr ttbr0_el1, %2\n isb\n"
                     "tlbi vmalle1\n dsb nsh\n isb\n"
                     :
                     : "r"(mair), "r"(tcr), "r"((uint64_t)(uintptr_t)l1)
                     : "memory");
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= 1 | (1 << 2) | (1 << 12);
    __asm__ volatile("msr sctlr_el1, %0\n isb\n" ::"r"(sctlr) : "memory");
}

#define DABT_EL1(fsc, wnr) (EC(0x25) | IL | ((wnr) ? 1u << 6 : 0) | (fsc))

static void stage1_cases(void) {
    mmu_on();
    EL1_CASE("el1 stage-1 translation fault (read)", DABT_EL1(0x06, 0), BAD_TRANSLATION + 8, 1, 4,
             0, BAD_TRANSLATION + 8, "ldr x10, [x9]");
    EL1_CASE("el1 stage-1 access flag fault", DABT_EL1(0x0a, 0), BAD_ACCESS_FLAG + 16, 1, 4, 0,
             BAD_ACCESS_FLAG + 16, "ldr w10, [x9]");
    EL1_CASE("el1 stage-1 permission fault (write)", DABT_EL1(0x0e, 1), READ_ONLY + 32, 1, 4, 0,
             READ_ONLY + 32, "str x9, [x9]");
    /* Outside the 4 GiB input range: a level-0 translation fault. */
    EL1_CASE("el1 stage-1 fault beyond T0SZ", DABT_EL1(0x04, 0), 0x100000000ull, 1, 4, 0,
             0x100000000ull, "ldr x10, [x9]");
    /* An invalid level-1 descriptor. */
    EL1_CASE("el1 stage-1 level-1 translation fault", DABT_EL1(0x05, 0), 0xc0000000ull, 1, 4, 0,
             0xc0000000ull, "ldr x10, [x9]");
    /* Instruction fetch from the invalid block: FAR = ELR = the target. */
    uint64_t resume, ran = 0, before = exc_rec.count;
    exc_rec.skip = 0;
    __asm__ volatile("adr %0, 2f\n str %0, [%2]\n mov x9, %3\n br x9\n 2: mov %1, #1\n"
                     : "=&r"(resume), "+r"(ran)
                     : "r"(&exc_rec.resume), "r"(BAD_TRANSLATION)
                     : "x9", "memory");
    struct expect e = {"el1 stage-1 instruction abort",
                       EC(0x21) | IL | 0x06,
                       BAD_TRANSLATION,
                       BAD_TRANSLATION,
                       daif() | 0x5,
                       1,
                       SLOT_SPX};
    check(&e, before, ran == 1);
    el0_stage1_case();
}

int main(void) {
    __asm__ volatile("msr vbar_el1, %0\n isb\n" ::"r"(exc_vectors));
    el1_cases();
    pc_alignment_case();
    el0_cases();
    irq_cases();
    sp_alignment_cases();
    stage1_cases();
    bao_printf("exceptions: %u passed, %u failed", passed, failed);
    if (skipped)
        bao_printf(", %u skipped", skipped);
    bao_printf("\n");
    bao_printf("checksum_ok=%d\n", failed == 0); /* what the QEMU test script checks */
    return failed != 0;
}
