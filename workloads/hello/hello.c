/*
 * hello - first bao-sim guest: every core greets once.
 *
 * Core 0 prints its line, starts cores 1..7 with PSCI CPU_ON until one is
 * reported missing (so it adapts to the number of cores), waits until every
 * started core has printed, then returns from main (PSCI SYSTEM_OFF).
 * Built twice: `hello` (MMU off) and `hello_mmu` (HELLO_MMU: identity map with
 * caches on, enabled by core 0 and by each secondary before secondary_main).
 */
#include "bao_guest.h"

static unsigned greeted; /* cores that have printed their line */

static void greet(unsigned core) {
    bao_printf("hello from core %u\n", core);
    __atomic_fetch_add(&greeted, 1, __ATOMIC_RELEASE);
}

void secondary_main(unsigned core) {
    greet(core);
    for (;;)
        bao_wfi();
}

int main(void) {
#ifdef HELLO_MMU
    bao_mmu_enable_identity();
#endif
    greet(0);
    unsigned started = bao_start_secondaries();
    while (__atomic_load_n(&greeted, __ATOMIC_ACQUIRE) < started + 1) {
    }
    return 0;
}
