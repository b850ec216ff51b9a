/*
 * ipc.h - what the ipc_ping / ipc_pong guests share: the GICv2 as a guest
 * sees it (distributor trapped and emulated by hv, CPU interface = GICV), the
 * virtual timer, and the layout of the shared-memory IPC window.
 */
#ifndef IPC_H
#define IPC_H

#include <stdint.h>

#include "bao_guest.h"

#define GICD_BASE 0x08000000UL
#define GICC_BASE 0x08010000UL
#define GICD_CTLR 0x000
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

#define IRQ_VTIMER 27 /* virtual timer PPI */
#define IRQ_IPC 52    /* the IPC object's interrupt (configs/real-ipc.toml) */

#define IPC_BASE 0x50000000UL /* the IPC object's window, shared by both VMs */
#define TIMER_TICKS 3
#define TIMER_HZ 100

struct ipc_shared {
    volatile uint32_t pong_ready; /* pong takes the notification interrupt */
    char message[60];
};
#define IPC_SHARED ((struct ipc_shared*)IPC_BASE)

static inline void mmio_w32(uint64_t a, uint32_t v) {
    *(volatile uint32_t*)a = v;
}
static inline uint32_t mmio_r32(uint64_t a) {
    return *(volatile uint32_t*)a;
}

static inline void gic_enable(unsigned id) {
    mmio_w32(GICD_BASE + GICD_IPRIORITYR + (id & ~3u), 0xa0a0a0a0u);
    mmio_w32(GICD_BASE + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
}

static inline void gic_init(void) {
    mmio_w32(GICD_BASE + GICD_CTLR, 1);
    mmio_w32(GICC_BASE + GICC_PMR, 0xff);
    mmio_w32(GICC_BASE + GICC_CTLR, 1);
}

static inline void vtimer_arm(void) {
    uint64_t tval = bao_cntfrq() / TIMER_HZ;
    __asm__ volatile("msr cntv_tval_el0, %0; msr cntv_ctl_el0, %1; isb" ::"r"(tval), "r"(1ul));
}
static inline void vtimer_stop(void) {
    __asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0ul));
}

/* Sleeps until *flag >= value, without missing a wake-up: the check and the
 * WFI run with IRQs masked (a pending interrupt still ends WFI). */
static inline void wait_for(volatile unsigned* flag, unsigned value) {
    for (;;) {
        bao_irq_disable();
        if (*flag >= value) {
            bao_irq_enable();
            return;
        }
        bao_wfi();
        bao_irq_enable();
    }
}

#endif
