/* VM "pong": prints, takes three timer interrupts, enables its IPC
 * interrupt in its virtual PLIC (S context 1 of hart 0), waits for ping's
 * notification, prints the shared message, then shuts its VM down; the
 * last VM to stop ends the machine. */
#include "guest.h"

static volatile unsigned g_notified;

#define PLIC_PRIO(id) (PLIC + 4ul * (id))
#define PLIC_ENABLE_CTX1(id) (PLIC + 0x2000ul + 0x80ul + 4ul * ((id) / 32))
#define PLIC_THRESHOLD_CTX1 (PLIC + 0x200000ul + 0x1000ul)
#define PLIC_CLAIM_CTX1 (PLIC + 0x200000ul + 0x1000ul + 4ul)

void guest_trap(unsigned long scause) {
    if (scause == ((1ul << 63) | 5)) {
        timer_irq();
    } else if (scause == ((1ul << 63) | 9)) {
        uint32_t id = *(volatile uint32_t*)PLIC_CLAIM_CTX1;
        if (id == IPC_IRQ) {
            puts_("pong: IPC notification (irq ");
            putu(id);
            puts_("): ");
            puts_((const char*)SHMEM);
            puts_("\n");
            g_notified = 1;
        }
        *(volatile uint32_t*)PLIC_CLAIM_CTX1 = id;
    }
}

int main(void) {
    puts_("pong: hello\n");
    three_ticks("pong");
    *(volatile uint32_t*)PLIC_PRIO(IPC_IRQ) = 1;
    *(volatile uint32_t*)PLIC_THRESHOLD_CTX1 = 0;
    *(volatile uint32_t*)PLIC_ENABLE_CTX1(IPC_IRQ) = 1u << (IPC_IRQ % 32);
    __asm__ volatile("csrs sie, %0" ::"r"(1ul << 9));
    while (!g_notified) {
        __asm__ volatile("wfi");
    }
    shutdown();
    return 0;
}
