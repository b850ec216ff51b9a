/*
 * crt0.S - multi-hart entry and trap vector of the bao-sim RV64 guests.
 * Built without compressed instructions (docs/riscv.md).
 *
 * _start (every hart, S-mode, satp = 0, a0 = hart id): sscratch = hart id,
 * stvec = __bao_trap, FP on (sstatus.FS), sp = the hart's stack; hart 0
 * clears .bss and calls __bao_primary_entry(), others
 * __bao_secondary_entry(hart).
 *
 * __bao_trap: saves every integer and FP register, reads time into
 * __bao_irq_cntvct[hart] first (irqlat's entry timestamp), then an
 * interrupt calls irq_handler() and returns with sret; an exception calls
 * __bao_unhandled_exception(scause, sepc, stval, sstatus), which never
 * returns.
 */
#define BAO_MAX_CORES 8
#define BAO_STACK_SHIFT 14
#define FRAME 528 /* 32 x regs + 32 f regs + fcsr, 16-byte aligned */

    .option norvc
    .section .text.boot, "ax"
    .global _start
    .type _start, @function
_start:
    csrw    sscratch, a0
    la      t0, __bao_trap
    csrw    stvec, t0
    li      t0, (1 << 13)           /* sstatus.FS = Initial */
    csrs    sstatus, t0
    li      t0, BAO_MAX_CORES
    bgeu    a0, t0, park
    la      sp, __bao_stacks
    addi    t0, a0, 1
    slli    t0, t0, BAO_STACK_SHIFT
    add     sp, sp, t0
    bnez    a0, secondary
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  fence
    call    __bao_primary_entry
    j       park
secondary:
    call    __bao_secondary_entry
park:
    wfi
    j       park
    .size _start, . - _start

    .balign 4
    .global __bao_trap
__bao_trap:
    addi    sp, sp, -FRAME
    sd      t0, 40(sp)
    sd      t1, 48(sp)
    rdtime  t0                      /* entry timestamp */
    csrr    t1, sscratch
    slli    t1, t1, 3
    sd      t2, 56(sp)
    la      t2, __bao_irq_cntvct
    add     t1, t1, t2
    sd      t0, 0(t1)
    sd      ra, 8(sp)
    sd      gp, 24(sp)
    sd      tp, 32(sp)
    sd      s0, 64(sp)
    sd      s1, 72(sp)
    sd      a0, 80(sp)
    sd      a1, 88(sp)
    sd      a2, 96(sp)
    sd      a3, 104(sp)
    sd      a4, 112(sp)
    sd      a5, 120(sp)
    sd      a6, 128(sp)
    sd      a7, 136(sp)
    sd      t3, 224(sp)
    sd      t4, 232(sp)
    sd      t5, 240(sp)
    sd      t6, 248(sp)
    .irp n, 0,1,2,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
    fsd     f\n, (256 + 8 * \n)(sp)
    .endr
    frcsr   t0
    sd      t0, 512(sp)
    csrr    a0, scause
    bgez    a0, exception
    call    irq_handler
    ld      t0, 512(sp)
    fscsr   t0
    .irp n, 0,1,2,3,4,5,6,7,10,11,12,13,14,15,16,17,28,29,30,31
    fld     f\n, (256 + 8 * \n)(sp)
    .endr
    ld      ra, 8(sp)
    ld      gp, 24(sp)
    ld      tp, 32(sp)
    ld      t0, 40(sp)
    ld      t1, 48(sp)
    ld      t2, 56(sp)
    ld      s0, 64(sp)
    ld      s1, 72(sp)
    ld      a0, 80(sp)
    ld      a1, 88(sp)
    ld      a2, 96(sp)
    ld      a3, 104(sp)
    ld      a4, 112(sp)
    ld      a5, 120(sp)
    ld      a6, 128(sp)
    ld      a7, 136(sp)
    ld      t3, 224(sp)
    ld      t4, 232(sp)
    ld      t5, 240(sp)
    ld      t6, 248(sp)
    addi    sp, sp, FRAME
    sret
exception:
    csrr    a1, sepc
    csrr    a2, stval
    csrr    a3, sstatus
    call    __bao_unhandled_exception
    j       park
