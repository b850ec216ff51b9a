/*
 * vectors.S - the exceptions guest's own EL1 vector table (tests of
 * synchronous exception delivery; see exceptions.c).
 *
 * Every synchronous slot records ESR/FAR/ELR/SPSR_EL1 and the slot into
 * exc_rec, then returns with ERET after applying exc_rec.skip (added to
 * ELR: 4 skips the faulting instruction) or exc_rec.resume (replaces ELR
 * once; the value 1 ends the EL0 excursion instead). SVC #0xfff from EL0
 * ends an EL0 excursion (el0_call): it records the EL0 x0 and returns to
 * el0_call's caller at EL1.
 */

#define REC_ESR 0
#define REC_FAR 8
#define REC_ELR 16
#define REC_SPSR 24
#define REC_SLOT 32
#define REC_COUNT 40
#define REC_SKIP 48
#define REC_RESUME 56
#define REC_EL0_X0 64
#define REC_EL1_SP 72

#define ESR_SVC_FFF 0x56000fff /* EC 0x15, IL, imm16 0xfff */

    .section .text.exc_vectors, "ax"

.macro sync_slot n
    .balign 0x80
    sub     sp, sp, #32
    stp     x0, x1, [sp]
    stp     x2, x3, [sp, #16]
    mov     x2, #\n
    b       exc_sync
.endm

.macro other_slot
    .balign 0x80
    b       .
.endm

/* An IRQ: exc_irq() (C, or the weak one below) with the caller-saved
 * registers kept; ELR/SPSR_EL1 stay as the entry left them. */
.macro irq_slot
    .balign 0x80
    sub     sp, sp, #160
    stp     x0, x1, [sp]
    b       exc_irq_entry
.endm

    .balign 2048
    .global exc_vectors
exc_vectors:
    sync_slot 0     /* current EL, SP0 */
    other_slot
    other_slot
    other_slot
    sync_slot 4     /* current EL, SPx */
    irq_slot
    other_slot
    other_slot
    sync_slot 8     /* lower EL, AArch64 */
    irq_slot
    other_slot
    other_slot
    sync_slot 12    /* lower EL, AArch32 (never) */
    other_slot
    other_slot
    other_slot

exc_sync:
    adrp    x0, exc_rec
    add     x0, x0, :lo12:exc_rec
    mrs     x1, esr_el1
    ldr     w3, =ESR_SVC_FFF
    cmp     x1, x3
    b.eq    el0_return
    str     x1, [x0, #REC_ESR]
    mrs     x1, far_el1
    str     x1, [x0, #REC_FAR]
    mrs     x1, elr_el1
    str     x1, [x0, #REC_ELR]
    mrs     x1, spsr_el1
    str     x1, [x0, #REC_SPSR]
    str     x2, [x0, #REC_SLOT]
    ldr     x1, [x0, #REC_COUNT]
    add     x1, x1, #1
    str     x1, [x0, #REC_COUNT]
    mrs     x1, elr_el1
    ldr     x2, [x0, #REC_SKIP]
    add     x1, x1, x2
    ldr     x2, [x0, #REC_RESUME]
    cbz     x2, 1f
    mov     x1, x2
    str     xzr, [x0, #REC_RESUME]
    cmp     x2, #1
    b.eq    el0_return
1:  msr     elr_el1, x1
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp]
    add     sp, sp, #32
    eret

exc_irq_entry:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    bl      exc_irq
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x30, [sp, #144]
    ldp     x0, x1, [sp]
    add     sp, sp, #160
    eret

/* A guest that takes no interrupts (the attackers) stops here, as before. */
    .weak exc_irq
exc_irq:
    b       .

/* SVC #0xfff from EL0: back to el0_call's caller (x0 of EL0 recorded). */
el0_return:
    ldr     x1, [sp]                /* EL0's x0 */
    str     x1, [x0, #REC_EL0_X0]
    ldr     x1, [x0, #REC_EL1_SP]
    mov     sp, x1
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #96
    ret

/*
 * void el0_call(void (*fn)(void), void* el0_stack_top): runs fn at EL0t with
 * interrupts unmasked (SPSR_EL1 = 0) until it executes SVC #0xfff.
 */
    .global el0_call
    .type el0_call, %function
el0_call:
    sub     sp, sp, #96
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    adrp    x2, exc_rec
    add     x2, x2, :lo12:exc_rec
    mov     x3, sp
    str     x3, [x2, #REC_EL1_SP]
    msr     sp_el0, x1
    msr     elr_el1, x0
    msr     spsr_el1, xzr
    isb
    eret
    .size el0_call, . - el0_call

/* EL0 programs: each takes one exception, then leaves with x0 = 1 (it ran on). */
.macro el0_prog name, insn:vararg
    .global \name
    .type \name, %function
\name:
    mov     x0, #0
    .global \name\()_at
\name\()_at:
    \insn
    mov     x0, #1
    svc     #0xfff
.endm

    el0_prog el0_udf, udf #0
    el0_prog el0_svc, svc #0x42
    el0_prog el0_brk, brk #0x7
    el0_prog el0_hvc, hvc #0
    el0_prog el0_mrs_sctlr, mrs x1, sctlr_el1
    /* x9 = a misaligned address set by the caller through el0_arg */
    .global el0_ldxr
el0_ldxr:
    mov     x0, #0
    adrp    x9, el0_arg
    ldr     x9, [x9, :lo12:el0_arg]
    .global el0_ldxr_at
el0_ldxr_at:
    ldxr    x1, [x9]
    mov     x0, #1
    svc     #0xfff

    el0_prog el0_mrs_cntv_ctl, mrs x1, cntv_ctl_el0
    el0_prog el0_msr_icc_pmr, msr icc_pmr_el1, xzr

/* A GICv2 SGI to this core (GICD_SGIR at el0_arg, MMU off) raised in the
 * block of an undefined instruction: the handler skips the UDF, and the
 * interrupt is taken once, before or after it. */
    .global el0_sgi_udf
el0_sgi_udf:
    mov     x0, #0
    adrp    x10, el0_arg
    ldr     x10, [x10, :lo12:el0_arg]
    mov     w9, #0x2000000          /* TargetListFilter: this core */
    orr     w9, w9, #1              /* SGI 1 */
    str     w9, [x10]
    .global el0_sgi_udf_at
el0_sgi_udf_at:
    udf     #0
    mov     x0, #1
    svc     #0xfff

/* A branch to a misaligned address at EL0; the caller resumes at _resume. */
    .global el0_pcalign
el0_pcalign:
    mov     x0, #0
    adr     x9, el0_pcalign_resume
    add     x9, x9, #2
    .global el0_pcalign_at
el0_pcalign_at:
    br      x9
    .global el0_pcalign_resume
el0_pcalign_resume:
    mov     x0, #1
    svc     #0xfff

/* SP alignment at EL0 (exceptions.c sets SCTLR_EL1.SA0): an access through
 * a misaligned SP, first as a block's first instruction, then later in one;
 * the handler skips it. */
    .global el0_spalign
el0_spalign:
    mov     x0, #0
    sub     sp, sp, #8
    b       1f
1:
    .global el0_spalign_at
el0_spalign_at:
    ldr     x1, [sp]
    add     sp, sp, #8
    mov     x0, #1
    svc     #0xfff

    .global el0_spalign_late
el0_spalign_late:
    mov     x0, #0
    sub     sp, sp, #8
    b       1f
1:  mov     x2, #3
    add     x3, x2, #1
    .global el0_spalign_late_at
el0_spalign_late_at:
    str     x3, [sp, #8]
    add     sp, sp, #8
    mov     x0, #1
    svc     #0xfff

/* The same block twice: first with SP aligned (it runs, and a simulator may
 * remember it as one that accesses through SP), then with SP misaligned (it
 * faults; the handler skips the load). */
    .global el0_spalign_again
el0_spalign_again:
    mov     x0, #0
    bl      el0_spalign_again_at
    sub     sp, sp, #8
    bl      el0_spalign_again_at
    add     sp, sp, #8
    mov     x0, #1
    svc     #0xfff

    .global el0_spalign_again_at
el0_spalign_again_at:
    ldr     x1, [sp]
    ret

    .ltorg
