/* The minimal runtime of the RISC-V demo guests: the virtual PL011 hv gives
 * every VM at the console address, SBI calls (TIME, SRST and Bao's
 * hypercalls, hv/abi/hypercall.h), the virtual PLIC, and timer interrupts.
 * The guests are bare: no libc, translation off. */
#ifndef BAO_RV_GUEST_H
#define BAO_RV_GUEST_H

#include <stdint.h>

#include "hv/abi/hypercall.h"

#define UART 0x10000000ul  /* the virtual PL011's UARTDR */
#define PLIC 0x0c000000ul  /* the virtual PLIC */
#define SHMEM 0xa0000000ul /* the IPC object's shared memory */
#define IPC_IRQ 52u
#define TICK 100000ul /* 10 ms of QEMU virt's 10 MHz timebase */

#define SBI_EXT_TIME 0x54494D45ul
#define SBI_EXT_SRST 0x53525354ul

struct sbiret {
    long error;
    long value;
};

static inline struct sbiret sbi(unsigned long ext, unsigned long fid, unsigned long a0,
                                unsigned long a1) {
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
    struct sbiret r = {(long)r0, (long)r1};
    return r;
}

static inline void putc_(char c) {
    *(volatile uint32_t*)UART = (uint8_t)c;
}
static inline void puts_(const char* s) {
    while (*s) {
        putc_(*s++);
    }
}
static inline void putu(unsigned long v) {
    char b[24];
    int n = 0;
    do {
        b[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        putc_(b[--n]);
    }
}

static inline unsigned long rdtime(void) {
    unsigned long t;
    __asm__ volatile("rdtime %0" : "=r"(t));
    return t;
}

static volatile unsigned long g_ticks;

/* Three timer interrupts, one TICK apart, each taken through stvec. */
static inline void three_ticks(const char* who) {
    __asm__ volatile("csrs sie, %0" ::"r"(1ul << 5));
    __asm__ volatile("csrs sstatus, %0" ::"r"(1ul << 1));
    while (g_ticks < 3) {
        unsigned long want = g_ticks + 1;
        sbi(SBI_EXT_TIME, 0, rdtime() + TICK, 0);
        while (g_ticks < want) {
            __asm__ volatile("wfi");
        }
    }
    puts_(who);
    puts_(": ");
    putu(g_ticks);
    puts_(" timer interrupts\n");
}

static inline void timer_irq(void) {
    ++g_ticks;
    sbi(SBI_EXT_TIME, 0, ~0ul, 0); /* no next deadline: withdraws the interrupt */
}

static inline void shutdown(void) {
    sbi(SBI_EXT_SRST, 0, 0, 0);
}

#endif
