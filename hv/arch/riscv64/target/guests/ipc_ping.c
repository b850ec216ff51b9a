/* VM "ping": prints, takes three timer interrupts, writes a message into
 * the shared memory and notifies VM "pong" (Bao's IPC hypercall over SBI),
 * then shuts its VM down (SBI SRST). */
#include "guest.h"

void guest_trap(unsigned long scause) {
    if (scause == ((1ul << 63) | 5)) {
        timer_irq();
    }
}

int main(void) {
    puts_("ping: hello\n");
    three_ticks("ping");
    const char* msg = "hello from ping";
    volatile char* shm = (volatile char*)SHMEM;
    int i = 0;
    for (; msg[i]; ++i) {
        shm[i] = msg[i];
    }
    shm[i] = 0;
    __asm__ volatile("fence rw, rw" ::: "memory");
    struct sbiret r = sbi(BAO_HC_SBI_EXTID, BAO_HC_ID_IPC, 0, 0);
    puts_("ping: notified pong (");
    putu((unsigned long)r.error); /* 0, or a negated Bao error code */
    puts_(")\n");
    shutdown();
    return 0;
}
