/*
 * ipc_pong - VM 2 of the real-image demo (configs/real-ipc.toml): takes
 * TIMER_TICKS virtual-timer interrupts, tells ping it is ready through the
 * shared IPC window, waits for the IPC notification interrupt, prints the
 * message ping left in the window, then powers its VM off.
 */
#include "ipc.h"

static volatile unsigned ticks;
static volatile unsigned notified;

void irq_handler(void) {
    uint32_t iar = bao_gic_ack();
    unsigned id = BAO_GIC_ID(iar);
    if (id == IRQ_VTIMER) {
        if (++ticks < TIMER_TICKS)
            vtimer_arm();
        else
            vtimer_stop();
    } else if (id == IRQ_IPC) {
        notified++;
    }
    bao_gic_eoi(iar);
}

int main(void) {
    bao_printf("pong: hello\n");
    bao_gic_init();
    gic_enable(IRQ_VTIMER);
    gic_enable(IRQ_IPC);
    bao_irq_enable();
    vtimer_arm();
    wait_for(&ticks, TIMER_TICKS);
    bao_printf("pong: %u timer interrupts\n", ticks);
    IPC_SHARED->pong_ready = 1;
    wait_for(&notified, 1);
    char msg[sizeof IPC_SHARED->message];
    for (unsigned i = 0; i < sizeof msg; ++i)
        msg[i] = ((volatile char*)IPC_SHARED->message)[i];
    msg[sizeof msg - 1] = '\0';
    bao_printf("pong: IPC notification (irq %d): %s\n", IRQ_IPC, msg);
    return 0;
}
