/*
 * attacker - a hostile VM for the isolation tests (tests/sim/hostile_test.cpp,
 * hv.qemu.hostile): next to a measured victim it executes what a guest may
 * not do or must handle itself, and must stop only itself.
 *
 * With its own vector table (workloads/exceptions/vectors.S, skipping each
 * faulting instruction) it takes at its own EL1: UDF, SVC, BRK, HLT,
 * `mrs hcr_el2`, `tlbi alle2`, `at s12e1r` and a misaligned LDXR, and prints
 * "attacker: N exceptions taken at EL1". Then its last attack, chosen at
 * build time, stops its VM (hv's decision: a stage-2 fault):
 *   ATTACK_VBAR0  MMU on, VBAR_EL1 = 0, a stage-1 translation fault: the
 *                 exception vector at IPA 0x200 is outside the VM
 *   ATTACK_UART   a branch into the (emulated) UART page
 * Built with ATTACK_NONE it is the harmless baseline: it prints one line
 * and spins without touching memory.
 */
#include "bao_guest.h"

#include <stdint.h>

struct exc_record {
    uint64_t esr, far, elr, spsr, slot, count, skip, resume, el0_x0, el1_sp;
};
volatile struct exc_record exc_rec; /* vectors.S records here */
volatile uint64_t el0_arg;          /* vectors.S's EL0 programs (unused here) */
extern char exc_vectors[];

#ifdef ATTACK_NONE
int main(void) {
    bao_printf("attacker: harmless\n");
    for (;;)
        __asm__ volatile("" ::: "memory");
}
#else
static uint64_t scratch[2] __attribute__((aligned(16)));

int main(void) {
    __asm__ volatile("msr vbar_el1, %0\n isb\n" ::"r"(exc_vectors));
    exc_rec.skip = 4;
    __asm__ volatile("udf #0\n brk #1\n hlt #2\n mrs x9, hcr_el2\n tlbi alle2\n at s12e1r, x9\n"
                     "mov x10, %0\n ldxr x11, [x10]\n" ::"r"((uint64_t)(uintptr_t)scratch + 4)
                     : "x9", "x10", "x11", "memory");
    exc_rec.skip = 0;
    __asm__ volatile("svc #3" ::: "memory");
    bao_printf("attacker: %u exceptions taken at EL1\n", (unsigned)exc_rec.count);
#ifdef ATTACK_VBAR0
    bao_mmu_enable_identity();
    __asm__ volatile("msr vbar_el1, xzr\n isb\n ldr x9, [%0]\n" ::"r"(0x100000000ull) : "x9");
#elif defined(ATTACK_UART)
    ((void (*)(void))BAO_UART_BASE)();
#endif
    bao_printf("attacker: still running (isolation broken)\n");
    for (;;)
        __asm__ volatile("" ::: "memory");
}
#endif
