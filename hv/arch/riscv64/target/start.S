/*
 * Entry, trap vector and guest entry of the RISC-V bao-hv image.
 *
 * OpenSBI's fw_jump enters _start at 0x8020_0000 in HS mode on one hart
 * (a0 = hart id); the others stay in OpenSBI until hv starts them with SBI
 * HSM hart_start at bao_hv_secondary_entry. Each hart has a 16 KiB stack;
 * its top FRAME_SIZE bytes are the guest's saved registers (hv::VcpuRegs)
 * and the hart id. While a guest runs, sscratch holds that frame; while hv
 * runs it holds 0, so a trap taken in hv itself is told apart.
 */
#define STACK_SIZE 16384
#define FRAME_SIZE 320
#define FRAME_SEPC 256
#define FRAME_HSTATUS 264
#define FRAME_HART 272
#define CSR_HSTATUS 0x600
#define SSTATUS_SPP (1 << 8)
#define SIE_HV ((1 << 1) | (1 << 5) | (1 << 9)) /* SSIE, STIE, SEIE */

    .section .text.boot, "ax"
    .global _start
_start:
    mv tp, a0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
2:  call hart_setup
    mv a0, sp
    call bao_hv_primary
    j enter_guest

    .global bao_hv_secondary_entry
    .balign 4
bao_hv_secondary_entry:
    mv tp, a0
    call hart_setup
    mv a0, sp
    call bao_hv_secondary
    j enter_guest

/* sp = this hart's frame (the top of its stack), the frame's hart id, the
 * trap vector, hv's interrupts enabled at HS level (taken while a guest
 * runs; in hv sstatus.SIE stays 0). */
hart_setup:
    la sp, __hv_stacks
    addi t0, tp, 1
    li t1, STACK_SIZE
    mul t0, t0, t1
    add sp, sp, t0
    addi sp, sp, -FRAME_SIZE
    sd tp, FRAME_HART(sp)
    la t0, bao_hv_vector
    csrw stvec, t0
    csrw sscratch, zero
    li t0, SIE_HV
    csrw sie, t0
    ret

/* Restores the guest from the frame at sp and enters it (VS mode: SPV in
 * hstatus, SPP in sstatus). */
    .balign 4
enter_guest:
    ld t0, FRAME_SEPC(sp)
    csrw sepc, t0
    ld t0, FRAME_HSTATUS(sp)
    csrw CSR_HSTATUS, t0
    li t0, SSTATUS_SPP
    csrs sstatus, t0
    csrw sscratch, sp
    ld x1, 8(sp)
    ld x3, 24(sp)
    ld x4, 32(sp)
    ld x5, 40(sp)
    ld x6, 48(sp)
    ld x7, 56(sp)
    ld x8, 64(sp)
    ld x9, 72(sp)
    ld x10, 80(sp)
    ld x11, 88(sp)
    ld x12, 96(sp)
    ld x13, 104(sp)
    ld x14, 112(sp)
    ld x15, 120(sp)
    ld x16, 128(sp)
    ld x17, 136(sp)
    ld x18, 144(sp)
    ld x19, 152(sp)
    ld x20, 160(sp)
    ld x21, 168(sp)
    ld x22, 176(sp)
    ld x23, 184(sp)
    ld x24, 192(sp)
    ld x25, 200(sp)
    ld x26, 208(sp)
    ld x27, 216(sp)
    ld x28, 224(sp)
    ld x29, 232(sp)
    ld x30, 240(sp)
    ld x31, 248(sp)
    ld sp, 16(sp)
    sret

    .balign 4
bao_hv_vector:
    csrrw sp, sscratch, sp
    beqz sp, hv_fault
    sd x1, 8(sp)
    sd x3, 24(sp)
    sd x4, 32(sp)
    sd x5, 40(sp)
    sd x6, 48(sp)
    sd x7, 56(sp)
    sd x8, 64(sp)
    sd x9, 72(sp)
    sd x10, 80(sp)
    sd x11, 88(sp)
    sd x12, 96(sp)
    sd x13, 104(sp)
    sd x14, 112(sp)
    sd x15, 120(sp)
    sd x16, 128(sp)
    sd x17, 136(sp)
    sd x18, 144(sp)
    sd x19, 152(sp)
    sd x20, 160(sp)
    sd x21, 168(sp)
    sd x22, 176(sp)
    sd x23, 184(sp)
    sd x24, 192(sp)
    sd x25, 200(sp)
    sd x26, 208(sp)
    sd x27, 216(sp)
    sd x28, 224(sp)
    sd x29, 232(sp)
    sd x30, 240(sp)
    sd x31, 248(sp)
    csrr t0, sscratch
    sd t0, 16(sp)
    csrw sscratch, zero
    csrr t0, sepc
    sd t0, FRAME_SEPC(sp)
    csrr t0, CSR_HSTATUS
    sd t0, FRAME_HSTATUS(sp)
    ld tp, FRAME_HART(sp)
    mv a0, sp
    call bao_hv_trap
    j enter_guest

hv_fault:
    csrrw sp, sscratch, sp
    call bao_hv_fault
3:  wfi
    j 3b
