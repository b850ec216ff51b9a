/*
 * ipc.h - what the ipc_ping / ipc_pong guests share: the GIC (v2 or v3, the
 * runtime's driver, bao_gic.h), the virtual timer, and the layout of the
 * shared-memory IPC window.
 */
#ifndef IPC_H
#define IPC_H

#include <stdint.h>

#include "bao_gic.h"
#include "bao_guest.h"

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

static inline void gic_enable(unsigned id) {
    bao_gic_enable(id, 0xa0);
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
