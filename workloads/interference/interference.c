/*
 * interference - the paper's memory interference generator: writes, then
 * reads, a 512 KiB array with a 64-byte (cache line) stride, forever. Half the
 * 1 MiB L2, so two of them on other cores fill it and evict the benchmark's
 * lines; the writes make dirty lines, hence write-backs to DRAM.
 *
 * It runs on whichever core enters it: core 0 through main(), any other core
 * through secondary_main() (entered directly by a simulator or started by
 * CPU_ON). Under hv each interfering VM has one vCPU, core 0 in its own view.
 * Each core has its own array (cores 0..INTERF_CORES-1; others share modulo).
 * The MMU and caches are on (identity map). It never returns and marks no
 * measured region. One line is printed at start on core 0:
 *   interference: core 0 array=524288 stride=64
 */
#include "bao_guest.h"

#include <stddef.h>
#include <stdint.h>

#define ARRAY_BYTES (512u * 1024u)
#define STRIDE 64u
#define INTERF_CORES 4u

static uint8_t arrays[INTERF_CORES][ARRAY_BYTES] __attribute__((aligned(4096)));
static volatile uint64_t sink[INTERF_CORES * 8]; /* one cache line per core */

static __attribute__((noreturn)) void interfere(unsigned core) {
    unsigned slot = core % INTERF_CORES;
    volatile uint64_t* a = (volatile uint64_t*)arrays[slot];
    const size_t step = STRIDE / sizeof(uint64_t), words = ARRAY_BYTES / sizeof(uint64_t);
    for (uint64_t round = 0;; round++) {
        for (size_t i = 0; i < words; i += step)
            a[i] = round + i;
        uint64_t sum = 0;
        for (size_t i = 0; i < words; i += step)
            sum += a[i];
        sink[slot * 8] = sum;
    }
}

void secondary_main(unsigned core) {
    bao_mmu_enable_identity(); /* no-op if the runtime already enabled it */
    interfere(core);
}

int main(void) {
    bao_mmu_enable_identity();
    unsigned core = bao_core_id();
    bao_printf("interference: core %u array=%u stride=%u\n", core, ARRAY_BYTES, STRIDE);
    interfere(core);
}
