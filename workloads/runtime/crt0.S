/*
 * crt0.S - multi-core entry and exception vectors of the bao-sim guests.
 *
 * Layout of section .text.boot (placed first, at the image base):
 *   +0x000  _start: entry of every core (MMU off, EL1 or EL2)
 *   +0x400  EL2 "lower EL, AArch64, synchronous" vector (VBAR_EL2 = image
 *           base; the current-EL slots below it are never taken: EL2 code
 *           here cannot fault and nothing is routed to EL2 but HVC)
 *   ...     IRQ entry and the unhandled-exception stub
 *   +0x800  EL1 vector table (VBAR_EL1), current-EL slots only (+0x800..+0xc00)
 *
 * At EL2 the core configures a transparent EL2 (AArch64 EL1, no traps, EL1
 * timer access, HVC handler for the bao-sim hypercalls) and drops to EL1h
 * with DAIF masked. At EL1: FP/SIMD on, VBAR_EL1 set, SP_EL1 = per-core
 * stack; core 0 clears .bss and calls __bao_primary_entry(), other cores call
 * __bao_secondary_entry(core).
 */

#define BAO_MAX_CORES 8
#define BAO_STACK_SHIFT 14 /* 16 KiB per core */

#define SCTLR_EL1_RES1 0x30d00800 /* RES1 bits only: MMU, caches, alignment check off */
#define SPSR_EL1H_DAIF 0x3c5      /* EL1h, D A I F masked */
#define HCR_EL2_RW (1 << 31)
#define CPTR_EL2_RES1 0x33ff      /* RES1 bits, TFP = 0 */

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
_start:
    msr     daifset, #0xf
    mrs     x9, CurrentEL
    ubfx    x9, x9, #2, #2
    cmp     x9, #2
    b.ne    el1_entry

    /* ---- EL2: make EL2 transparent and drop to EL1h ---- */
    mrs     x9, midr_el1
    msr     vpidr_el2, x9
    mrs     x9, mpidr_el1
    msr     vmpidr_el2, x9
    mov     x9, #HCR_EL2_RW
    msr     hcr_el2, x9
    mov     x9, #CPTR_EL2_RES1
    msr     cptr_el2, x9
    mov     x9, #3                  /* CNTHCTL_EL2: EL1PCTEN | EL1PCEN */
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    msr     vttbr_el2, xzr
    adr     x9, _start
    msr     vbar_el2, x9
    ldr     x9, =SCTLR_EL1_RES1
    msr     sctlr_el1, x9
    mov     x9, #SPSR_EL1H_DAIF
    msr     spsr_el2, x9
    adr     x9, el1_entry
    msr     elr_el2, x9
    b       el2_gic_eret            /* two instructions, as the isb; eret it replaced: */
    nop                             /* el1_entry and what follows keep their addresses */

el1_entry:
    ldr     x9, =SCTLR_EL1_RES1
    msr     sctlr_el1, x9
    mov     x9, #(3 << 20)          /* CPACR_EL1.FPEN: no FP/SIMD traps */
    msr     cpacr_el1, x9
    adr     x9, __bao_vectors
    msr     vbar_el1, x9
    msr     spsel, #1
    isb

    mrs     x19, mpidr_el1
    and     x19, x19, #0xff
    cmp     x19, #BAO_MAX_CORES
    b.hs    park

    /* sp = __bao_stacks + (core + 1) * stack size */
    adrp    x9, __bao_stacks
    add     x9, x9, :lo12:__bao_stacks
    add     x10, x19, #1
    lsl     x10, x10, #BAO_STACK_SHIFT
    add     sp, x9, x10
    mov     x29, xzr
    mov     x30, xzr

    cbnz    x19, secondary

    /* core 0: .data is already in place (loaded at its link address); clear .bss */
    adrp    x9, __bss_start
    add     x9, x9, :lo12:__bss_start
    adrp    x10, __bss_end
    add     x10, x10, :lo12:__bss_end
1:  cmp     x9, x10
    b.hs    2f
    stp     xzr, xzr, [x9], #16
    b       1b
2:  dsb     ish
    bl      __bao_primary_entry
    b       park

secondary:
    mov     x0, x19
    bl      __bao_secondary_entry
park:
    wfi
    b       park
    .ltorg

/* With a GICv3 CPU interface (ID_AA64PFR0_EL1.GIC != 0), EL1 may use the
 * ICC_* system registers (ICC_SRE_EL2: SRE, DFB, DIB, Enable). */
el2_gic_eret:
    mrs     x9, id_aa64pfr0_el1
    ubfx    x9, x9, #24, #4
    cbz     x9, 1f
    mov     x9, #0xf
    msr     icc_sre_el2, x9
1:  isb
    eret
    .size _start, . - _start

/*
 * EL2 synchronous exception from EL1 (only used when entered at EL2, i.e.
 * under QEMU virtualization=on). HVC with x0 in 0x8600_0000..0x8600_ffff (the
 * bao-sim hypercalls) returns 0, as on the target; other HVCs return -1
 * (NOT_SUPPORTED). Anything else parks the core. Only x0 changes.
 */
    .org    0x400
el2_sync_lower:
    msr     tpidr_el2, x1
    mrs     x1, esr_el2
    lsr     x1, x1, #26
    cmp     x1, #0x16               /* EC = HVC from AArch64 */
    b.ne    el2_park
    lsr     x1, x0, #16
    sub     x1, x1, #0x8, lsl #12   /* x1 = (x0 >> 16) - 0x8000 */
    mov     x0, #-1
    cmp     x1, #0x600
    b.ne    3f
    mov     x0, #0
3:  mrs     x1, tpidr_el2
    eret
el2_park:
    wfi
    b       el2_park

/*
 * IRQ at EL1h: save every caller-saved register (x0-x18, x29, x30, q0-q7,
 * q16-q31, FPCR, FPSR) and ELR/SPSR, call irq_handler(), restore, eret.
 *
 * Entry timestamp: the vector slot itself lowers sp, saves x0/x1 and reads
 * CNTVCT_EL0 (its third instruction, no ISB: exception entry is already a
 * context synchronization event), then branches here with x0 = that value,
 * which is stored in __bao_irq_cntvct[core] before the rest of the frame is
 * saved. bao_irq_entry_cntvct() returns it, so a latency probe (irqlat) does
 * not count the 592-byte register save as interrupt latency.
 */
#define FRAME_GPR 0     /* x0..x18, x29, x30, elr, spsr: 24 slots */
#define FRAME_FP 192    /* q0..q7, q16..q31: 24 x 16 bytes */
#define FRAME_FPSR 384  /* fpsr, fpcr: offset from the FP area */
#define FRAME_SIZE 592

irq_entry:                          /* from the vector: frame allocated, x0/x1 saved, x0 = CNTVCT */
    stp     x2, x3, [sp, #16]
    mrs     x1, mpidr_el1
    and     x1, x1, #0xff           /* < BAO_MAX_CORES: other cores park with IRQs masked */
    adrp    x2, __bao_irq_cntvct
    add     x2, x2, :lo12:__bao_irq_cntvct
    str     x0, [x2, x1, lsl #3]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    mrs     x0, elr_el1
    mrs     x1, spsr_el1
    str     x30, [sp, #160]
    stp     x0, x1, [sp, #168]
    add     x0, sp, #FRAME_FP
    stp     q0, q1, [x0, #0]
    stp     q2, q3, [x0, #32]
    stp     q4, q5, [x0, #64]
    stp     q6, q7, [x0, #96]
    stp     q16, q17, [x0, #128]
    stp     q18, q19, [x0, #160]
    stp     q20, q21, [x0, #192]
    stp     q22, q23, [x0, #224]
    stp     q24, q25, [x0, #256]
    stp     q26, q27, [x0, #288]
    stp     q28, q29, [x0, #320]
    stp     q30, q31, [x0, #352]
    mrs     x1, fpsr
    mrs     x2, fpcr
    stp     x1, x2, [x0, #FRAME_FPSR]
    add     x29, sp, #144           /* frame record: x29, x30 */

    bl      irq_handler

    add     x0, sp, #FRAME_FP
    ldp     x1, x2, [x0, #FRAME_FPSR]
    msr     fpsr, x1
    msr     fpcr, x2
    ldp     q0, q1, [x0, #0]
    ldp     q2, q3, [x0, #32]
    ldp     q4, q5, [x0, #64]
    ldp     q6, q7, [x0, #96]
    ldp     q16, q17, [x0, #128]
    ldp     q18, q19, [x0, #160]
    ldp     q20, q21, [x0, #192]
    ldp     q22, q23, [x0, #224]
    ldp     q24, q25, [x0, #256]
    ldp     q26, q27, [x0, #288]
    ldp     q28, q29, [x0, #320]
    ldp     q30, q31, [x0, #352]
    ldp     x0, x1, [sp, #168]
    msr     elr_el1, x0
    msr     spsr_el1, x1
    ldr     x30, [sp, #160]
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x29, [sp, #144]
    add     sp, sp, #FRAME_SIZE
    eret

/* x0 = vector offset / 0x80 (0..15). Reports and powers off; never returns. */
unhandled:
    mrs     x1, esr_el1
    mrs     x2, elr_el1
    mrs     x3, far_el1
    mrs     x4, spsr_el1
    bl      __bao_unhandled_exception
    b       park

/*
 * EL1 vector table. Groups of four slots (synchronous, IRQ, FIQ, SError):
 * current EL with SP0, current EL with SPx (the guest runs in EL1h), lower EL
 * AArch64, lower EL AArch32. Guests never run EL0, so the two lower-EL groups
 * (+0x400..+0x800) can never be taken and are left out: code follows the
 * table at +0x400.
 */
.macro vec_unhandled n
    .balign 0x80
    mov     x0, #\n
    b       unhandled
.endm

    .balign 2048
    .global __bao_vectors
__bao_vectors:
    vec_unhandled 0
    vec_unhandled 1
    vec_unhandled 2
    vec_unhandled 3
    vec_unhandled 4                 /* current EL SPx: synchronous */
    .balign 0x80                    /* current EL SPx: IRQ */
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mrs     x0, cntvct_el0          /* entry timestamp (see irq_entry) */
    b       irq_entry
    vec_unhandled 6
    vec_unhandled 7
    .balign 0x80
