/*
 * ipc_ping - VM 1 of the real-image demo (configs/real-ipc.toml): takes
 * TIMER_TICKS virtual-timer interrupts, waits until pong is ready, writes a
 * message into the shared IPC window and notifies pong (Bao hypercall 1,
 * IPC object 0, event 0), then powers its VM off.
 */
#include "ipc.h"

static volatile unsigned ticks;

void irq_handler(void) {
    uint32_t iar = bao_gic_ack();
    if (BAO_GIC_ID(iar) == IRQ_VTIMER) {
        if (++ticks < TIMER_TICKS)
            vtimer_arm();
        else
            vtimer_stop();
    }
    bao_gic_eoi(iar);
}

int main(void) {
    bao_printf("ping: hello\n");
    bao_gic_init();
    gic_enable(IRQ_VTIMER);
    bao_irq_enable();
    vtimer_arm();
    wait_for(&ticks, TIMER_TICKS);
    bao_printf("ping: %u timer interrupts\n", ticks);
    while (!IPC_SHARED->pong_ready) {
    }
    const char* msg = "hello from ping"; /* byte by byte: the window is Device memory */
    for (unsigned i = 0; msg[i] != '\0'; ++i)
        IPC_SHARED->message[i] = msg[i];
    __asm__ volatile("dsb sy" ::: "memory");
    int64_t r = bao_ipc_notify(0, 0);
    bao_printf("ping: notified pong (%d)\n", (int)r);
    return 0;
}
