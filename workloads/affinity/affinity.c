/*
 * affinity - an SMP guest written the way Bao's bare-metal guest starts its
 * cores (tests/sim/affinity_test.cpp, docs/hv.md "Virtual affinity"): vCPU 0
 * calls PSCI CPU_ON with targets 1, 2, ... (plain virtual MPIDR affinities)
 * until one is refused, and every vCPU prints the MPIDR_EL1 it reads. Then
 * vCPU 0 asks AFFINITY_INFO of every vCPU it started and of the refused one,
 * prints the answers and powers the VM off.
 *
 *   vcpu 0 mpidr 0x80000000
 *   vcpu 1 mpidr 0x80000001
 *   started 1; cpu_on(2) = -2; affinity_info 1: 0, 2: -2
 */
#include "bao_guest.h"

#include <stdint.h>

#define PSCI_AFFINITY_INFO 0xC4000004UL /* SMC64 */

static unsigned printed; /* vCPUs that have printed their line */

static void report(unsigned vcpu) {
    uint64_t mpidr;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    bao_printf("vcpu %u mpidr 0x%lx\n", vcpu, (unsigned long)mpidr);
    __atomic_fetch_add(&printed, 1, __ATOMIC_RELEASE);
}

void secondary_main(unsigned core) {
    report(core);
    for (;;)
        bao_wfi();
}

int main(void) {
    report(0);
    unsigned started = 0;
    uint64_t target = 1;
    int refused = PSCI_SUCCESS;
    for (; target < BAO_MAX_CORES; ++target) {
        refused = psci_cpu_on(target, (uint64_t)(uintptr_t)_start, target);
        if (refused != PSCI_SUCCESS)
            break;
        started++;
    }
    /* Every started vCPU has printed: the summary line is not interleaved. */
    while (__atomic_load_n(&printed, __ATOMIC_ACQUIRE) < started + 1) {
    }
    bao_printf("started %u; cpu_on(%u) = %d; affinity_info", started, (unsigned)target, refused);
    for (uint64_t t = 1; t <= target; ++t)
        bao_printf(" %u: %d", (unsigned)t, (int)bao_smc(PSCI_AFFINITY_INFO, t, 0, 0));
    bao_printf("\n");
    return 0;
}
