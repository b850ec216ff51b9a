/*
 * start.S - EL2 entry, per-CPU stacks and exception vectors of the bao-hv
 * image (the target side of hv's port; see docs/real-image.md).
 *
 * Each CPU enables hv's EL2 MMU and caches (mmu_enable) before it runs any
 * C++ code; CPU 0 first builds the tables (bao_hv_mmu_build, mmu.cpp, with the
 * MMU off) and, when hv is colored, copies the image onto hv's colors. VAs
 * are the link addresses, so the code keeps running across the switch.
 *
 * Each CPU owns one 16 KiB stack; its top TRAP_FRAME bytes hold the guest's
 * registers (hv::VcpuRegs: x0-x30, pc = ELR_EL2, spsr = SPSR_EL2) while hv runs.
 * Every exception from the guest saves them there, calls C++ with a pointer
 * to them (bao_hv_sync / bao_hv_irq), and restores from them with eret; the
 * C++ side may rewrite the frame (a vCPU that powered on starts afresh).
 */

#define STACK_SHIFT 14      /* 16 KiB per CPU */
#define MAX_CPUS 8          /* hv::kMaxCpus */
#define TRAP_FRAME 272      /* sizeof(hv::VcpuRegs) = 264, 16-byte aligned */
#define FRAME_PC 248        /* offsetof(hv::VcpuRegs, pc); spsr follows */

#define SCTLR_EL2_RES1 0x30c50830 /* MMU, caches and alignment checks off */
#define SCTLR_EL2_ON 0x100d       /* M | C | SA | I: MMU, D- and I-caches, SP alignment */
#define MAIR_EL2_VAL 0xff00       /* attr0 Device-nGnRnE, attr1 Normal WB RW-allocate */
/* TCR_EL2: RES1 31, 23; T0SZ 25 (39-bit VA, start at level 1); inner/outer
 * WB RW-allocate walks, inner shareable, 4 KiB granule; PS from PARange. */
#define TCR_EL2_VAL ((1 << 31) | (1 << 23) | (3 << 12) | (1 << 10) | (1 << 8) | 25)
#define SCTLR_EL1_RES1 0x30d00800 /* a guest starts with its MMU off */
#define HCR_EL2_RW (1 << 31)      /* until hv's cpu_init sets the guest value */
#define CPTR_EL2_RES1 0x33ff      /* no FP/SIMD traps: guests use them, hv does not */

    .section .text.boot, "ax"
    .global _start
    .type _start, %function
/* CPU 0, entered by QEMU's -kernel at EL2 with the MMU off. */
_start:
    msr     daifset, #0xf
    bl      el2_setup
    bl      set_stack
    bl      bao_hv_mmu_build    /* also clears .bss, in the image's final home */
    bl      mmu_enable
    bl      set_stack           /* the same VA, now the (possibly copied) stack */
    sub     sp, sp, #TRAP_FRAME
    mov     x0, sp
    bl      bao_hv_primary
    b       restore_guest
    .size _start, . - _start

/* Secondary CPUs, started by hv's cpu_on through PSCI CPU_ON (x0 = cpu). */
    .global bao_hv_secondary_entry
    .type bao_hv_secondary_entry, %function
bao_hv_secondary_entry:
    msr     daifset, #0xf
    bl      el2_setup
    bl      mmu_enable
    bl      set_stack
    sub     sp, sp, #TRAP_FRAME
    mov     x0, sp
    bl      bao_hv_secondary
    b       restore_guest
    .size bao_hv_secondary_entry, . - bao_hv_secondary_entry

/* EL2 state common to every CPU; uses x9-x10 only, no stack. */
el2_setup:
    adr     x9, bao_hv_vectors
    msr     vbar_el2, x9
    ldr     x9, =SCTLR_EL2_RES1
    msr     sctlr_el2, x9
    mov     x9, #HCR_EL2_RW
    msr     hcr_el2, x9
    mov     x9, #CPTR_EL2_RES1
    msr     cptr_el2, x9
    mov     x9, #3                  /* CNTHCTL_EL2: EL1PCTEN | EL1PCEN */
    msr     cnthctl_el2, x9
    msr     cntvoff_el2, xzr
    mrs     x9, midr_el1
    msr     vpidr_el2, x9
    mrs     x9, mpidr_el1
    msr     vmpidr_el2, x9
    msr     vttbr_el2, xzr
    ldr     x9, =SCTLR_EL1_RES1
    msr     sctlr_el1, x9
    isb
    tlbi    alle2
    tlbi    alle1
    dsb     sy
    isb
    ret

/* The tables CPU 0 built (bao_hv_el2_ttbr, read from the loaded image: this
 * CPU's MMU is still off) with MAIR/TCR, then MMU and caches on. The next
 * instruction is fetched at the same VA: identity, or hv's colored copy of
 * the same code. Uses x9-x10 only, no stack. */
mmu_enable:
    ldr     x9, =MAIR_EL2_VAL
    msr     mair_el2, x9
    mrs     x9, id_aa64mmfr0_el1
    and     x9, x9, #7              /* PARange */
    ldr     x10, =TCR_EL2_VAL
    orr     x9, x10, x9, lsl #16    /* TCR_EL2.PS */
    msr     tcr_el2, x9
    adrp    x9, bao_hv_el2_ttbr
    ldr     x9, [x9, :lo12:bao_hv_el2_ttbr]
    msr     ttbr0_el2, x9
    isb
    tlbi    alle2
    dsb     nsh
    ic      iallu
    dsb     nsh
    isb
    mrs     x9, sctlr_el2
    mov     x10, #SCTLR_EL2_ON
    orr     x9, x9, x10
    msr     sctlr_el2, x9
    isb
    ret

/* sp = __hv_stacks + (cpu + 1) * 16 KiB, cpu = MPIDR.Aff0; extra CPUs park. */
set_stack:
    mrs     x9, mpidr_el1
    and     x9, x9, #0xff
    cmp     x9, #MAX_CPUS
    b.hs    park
    adrp    x10, __hv_stacks
    add     x10, x10, :lo12:__hv_stacks
    add     x9, x9, #1
    lsl     x9, x9, #STACK_SHIFT
    add     sp, x10, x9
    ret
park:
    wfe
    b       park

/* ---- Exception vectors ---------------------------------------------- */

.macro SAVE_GUEST
    sub     sp, sp, #TRAP_FRAME
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    str     x30, [sp, #240]
    mrs     x0, elr_el2
    mrs     x1, spsr_el2
    stp     x0, x1, [sp, #FRAME_PC]
.endm

.macro VENTRY target
    .balign 0x80
    b       \target
.endm

/* Exceptions hv itself takes at EL2 are bugs: report them (x0 = slot). */
.macro EL2_FAULT slot
    .balign 0x80
    mov     x0, #\slot
    b       el2_fault
.endm

/* In a section of its own, which image.ld places first, at the image's page-
 * aligned base: after the entry code, the table's 2 KiB alignment cost 1.7
 * KiB of zeros (docs/real-image.md#section-sizes). The exception entries and
 * restore_guest follow it there. */
    .section .text.vectors, "ax"
    .balign 0x800
    .global bao_hv_vectors
bao_hv_vectors:
    EL2_FAULT 0     /* current EL, SP0: sync */
    EL2_FAULT 1     /*                  IRQ */
    EL2_FAULT 2     /*                  FIQ */
    EL2_FAULT 3     /*                  SError */
    EL2_FAULT 4     /* current EL, SPx: sync */
    EL2_FAULT 5     /*                  IRQ */
    EL2_FAULT 6     /*                  FIQ */
    EL2_FAULT 7     /*                  SError */
    VENTRY lower_sync   /* lower EL, AArch64: sync (HVC, SMC, WFI, aborts) */
    VENTRY lower_irq    /*                    IRQ (routed by HCR_EL2.IMO) */
    EL2_FAULT 10        /*                    FIQ */
    EL2_FAULT 11        /*                    SError */
    EL2_FAULT 12        /* lower EL, AArch32 (never: HCR_EL2.RW) */
    EL2_FAULT 13
    EL2_FAULT 14
    EL2_FAULT 15

lower_sync:
    SAVE_GUEST
    mov     x0, sp
    bl      bao_hv_sync
    b       restore_guest

lower_irq:
    SAVE_GUEST
    mov     x0, sp
    bl      bao_hv_irq
    b       restore_guest

el2_fault:
    bl      bao_hv_el2_fault    /* does not return */
    b       park

/* sp points at the guest frame: restore it and return to the guest. */
restore_guest:
    ldp     x0, x1, [sp, #FRAME_PC]
    msr     elr_el2, x0
    msr     spsr_el2, x1
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #TRAP_FRAME
    eret
    .ltorg
