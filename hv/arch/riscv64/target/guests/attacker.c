/* VM "attacker" of the hostile demo: tries to take VM "pong"'s IPC source in
 * its own virtual PLIC (it does not own it: the writes are dropped and a
 * claim finds nothing), then reads outside its G-stage, which stops its VM
 * only; ping and pong run to their end. */
#include "guest.h"

#define PLIC_PRIO(id) (PLIC + 4ul * (id))
#define PLIC_ENABLE_CTX1(id) (PLIC + 0x2000ul + 0x80ul + 4ul * ((id) / 32))
#define PLIC_CLAIM_CTX1 (PLIC + 0x200000ul + 0x1000ul + 4ul)

void guest_trap(unsigned long scause) {
    (void)scause;
}

int main(void) {
    puts_("attacker: hello\n");
    *(volatile uint32_t*)PLIC_PRIO(IPC_IRQ) = 7;
    *(volatile uint32_t*)PLIC_ENABLE_CTX1(IPC_IRQ) = ~0u;
    puts_("attacker: priority ");
    putu(*(volatile uint32_t*)PLIC_PRIO(IPC_IRQ));
    puts_(", enabled ");
    putu(*(volatile uint32_t*)PLIC_ENABLE_CTX1(IPC_IRQ));
    puts_(", claimed ");
    putu(*(volatile uint32_t*)PLIC_CLAIM_CTX1);
    puts_("\n");
    (void)*(volatile uint32_t*)0x90000000ul; /* beyond its 16 MiB at 0x8000_0000 */
    puts_("attacker: still running\n");
    return 0;
}
