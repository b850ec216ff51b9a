/*
 * stage1 - a guest that turns its own MMU on and walks an array page by page:
 * the test and benchmark guest for the guest stage-1 timing model
 * (tlb.guest_stage1, docs/timing-model.md "Guest stage 1").
 *
 * Run parameters (--guest-param INDEX=VALUE):
 *   0  mapping: 0 MMU off (the default), 1 4 KiB pages, 2 2 MiB blocks, 3 a 1 GiB block
 *   1  array bytes in KiB (default 4096)
 *   2  passes over the array (default 8)
 *   3  stride in bytes (default 4096: one access per page)
 *   4  after every pass: 1 TLBI VMALLE1IS (every core), 2 TLBI VMALLE1 (this
 *      core only), 3 TLBI VAE1IS of each page (4 KiB mapping) or 2 MiB step of
 *      the array with the current ASID, 4 TLBI ASIDE1IS of the current ASID,
 *      5 as 3 but naming another ASID (current + 1), 6 TLBI VAAE1IS (every
 *      ASID) of each page or step; default 0: none
 *   5  1: the array's pages are non-global (nG), ASID 1 (default 0)
 *   6  1: start the other cores, which turn the same MMU on and read the
 *      array forever (default 0: core 0 alone)
 *   7  1: TCR_EL1.TG0 says 64 KiB (the tables stay 4 KiB ones): the timing
 *      model must refuse the granule (default 0)
 *   8  1: after every pass, switch TTBR0_EL1's ASID between 1 and 2 (same
 *      tables; with 5=1 each ASID fills its own TLB entries) (default 0)
 * The map is an identity map (4 KiB granule, 39-bit VA, TTBR0 only, TTBR1
 * disabled): Unicorn 2.0.1 checks virtual addresses against its regions, and
 * identity VAs always pass (unicorn-notes.md). 0-1 GiB is Device memory (the
 * UART, the GIC), 1-2 GiB Normal write-back memory in the chosen size.
 */
#include "bao_guest.h"

#include <stdint.h>

#define DESC_TABLE 0x3ULL
#define DESC_BLOCK 0x1ULL
#define DESC_PAGE 0x3ULL
#define DESC_NORMAL                                                                                \
    ((1ULL << 2) | (3ULL << 8) | (1ULL << 10)) /* AttrIndx 1, inner shareable, AF                  \
                                                */
#define DESC_DEVICE ((0ULL << 2) | (1ULL << 10) | (1ULL << 53) | (1ULL << 54))
#define DESC_NG (1ULL << 11)

#define ARRAY_BASE 0x41000000ULL
#define L3_TABLES 32 /* 4 KiB pages over 0x4000_0000 - 0x4400_0000 */

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l3[L3_TABLES][512] __attribute__((aligned(4096)));

static void build_tables(unsigned mapping, int not_global) {
    const uint64_t gib = 1ULL << 30, mib2 = 1ULL << 21;
    l1[0] = 0 | DESC_BLOCK | DESC_DEVICE;
    if (mapping == 3) {
        l1[1] = gib | DESC_BLOCK | DESC_NORMAL;
        return;
    }
    l1[1] = (uint64_t)(uintptr_t)l2 | DESC_TABLE;
    for (uint64_t i = 0; i < 512; i++) {
        const uint64_t pa = gib + i * mib2;
        const uint64_t ng = not_global && pa >= ARRAY_BASE ? DESC_NG : 0;
        if (mapping == 1 && i < L3_TABLES) {
            for (uint64_t j = 0; j < 512; j++)
                l3[i][j] = (pa + j * 4096) | DESC_PAGE | DESC_NORMAL | ng;
            l2[i] = (uint64_t)(uintptr_t)l3[i] | DESC_TABLE;
        } else {
            l2[i] = pa | DESC_BLOCK | DESC_NORMAL | ng;
        }
    }
}

static uint64_t tg0; /* TCR_EL1.TG0 */

static void mmu_on(uint64_t asid) {
    const uint64_t mair = 0x00ULL | (0xffULL << 8);
    /* T0SZ 25, IRGN0/ORGN0 WBWA, SH0 inner, TG0 4 KiB, EPD1, IPS 32 bits. */
    const uint64_t tcr =
        25 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (tg0 << 14) | (1ULL << 23);
    const uint64_t ttbr0 = (uint64_t)(uintptr_t)l1 | (asid << 48);
    uint64_t sctlr;
    __asm__ volatile("dsb ish\n"
                     "msr mair_el1, %1\n"
                     "msr tcr_el1, %2\n"
                     "msr ttbr0_el1, %3\n"
                     "isb\n"
                     "tlbi vmalle1\n"
                     "dsb nsh\n"
                     "isb\n"
                     "mrs %0, sctlr_el1\n"
                     "orr %0, %0, #0x1\n"    /* M */
                     "orr %0, %0, #0x4\n"    /* C */
                     "orr %0, %0, #0x1000\n" /* I */
                     "msr sctlr_el1, %0\n"
                     "isb\n"
                     : "=&r"(sctlr)
                     : "r"(mair), "r"(tcr), "r"(ttbr0)
                     : "memory");
}

/* TLBI by VA / by ASID: the operand is VA[55:12] in bits [43:0], the ASID in [63:48]. */
static uint64_t tlbi_operand(uint64_t va, uint64_t asid) {
    return ((va >> 12) & ((1ULL << 44) - 1)) | (asid << 48);
}

static void tlbi_array(uint64_t kind, unsigned mapping, uint64_t bytes, uint64_t asid) {
    const uint64_t step = mapping == 1 ? 4096 : (2ULL << 20);
    if (kind == 4) {
        __asm__ volatile("tlbi aside1is, %0" ::"r"(asid << 48) : "memory");
    } else {
        for (uint64_t off = 0; off < bytes; off += step) {
            const uint64_t va = ARRAY_BASE + off;
            if (kind == 3)
                __asm__ volatile("tlbi vae1is, %0" ::"r"(tlbi_operand(va, asid)) : "memory");
            else if (kind == 5)
                __asm__ volatile("tlbi vae1is, %0" ::"r"(tlbi_operand(va, asid + 1)) : "memory");
            else if (kind == 6)
                __asm__ volatile("tlbi vaae1is, %0" ::"r"(tlbi_operand(va, 0)) : "memory");
        }
    }
    __asm__ volatile("dsb ish\n"
                     "isb\n" ::
                         : "memory");
}

static void switch_asid(uint64_t asid) {
    uint64_t ttbr0;
    __asm__ volatile("mrs %0, ttbr0_el1" : "=r"(ttbr0));
    ttbr0 = (ttbr0 & ((1ULL << 48) - 1)) | (asid << 48);
    __asm__ volatile("msr ttbr0_el1, %0\n"
                     "isb\n" ::"r"(ttbr0)
                     : "memory");
}

static int tables_ready; /* core 0 built the tables: secondaries may turn their MMU on */
static uint64_t shared_asid;
static uint64_t shared_bytes;

void secondary_main(unsigned core) {
    (void)core;
    while (!__atomic_load_n(&tables_ready, __ATOMIC_ACQUIRE)) {
    }
    mmu_on(shared_asid);
    volatile uint64_t* array = (volatile uint64_t*)(uintptr_t)ARRAY_BASE;
    for (;;)
        for (uint64_t off = 0; off < shared_bytes; off += 4096)
            (void)array[off / 8];
}

int main(void) {
    const unsigned mapping = (unsigned)bao_param(0, 0);
    const uint64_t bytes = bao_param(1, 4096) * 1024;
    const uint64_t passes = bao_param(2, 8);
    const uint64_t stride = bao_param(3, 4096);
    const uint64_t tlbi = bao_param(4, 0);
    const int not_global = bao_param(5, 0) == 1;
    const int others = bao_param(6, 0) == 1;
    tg0 = bao_param(7, 0) == 1 ? 1 : 0;
    const int asid_switch = bao_param(8, 0) == 1;
    uint64_t asid = not_global ? 1 : 0;
    if (mapping > 3 || bytes == 0 || bytes > (32ULL << 20) || stride == 0) {
        bao_printf("stage1: bad parameters\n");
        return 1;
    }
    if (mapping != 0) {
        build_tables(mapping, not_global);
        mmu_on(asid);
        if (others) {
            shared_asid = not_global ? 1 : 0;
            shared_bytes = bytes;
            __atomic_store_n(&tables_ready, 1, __ATOMIC_RELEASE);
            bao_start_secondaries();
        }
    }
    volatile uint64_t* array = (volatile uint64_t*)(uintptr_t)ARRAY_BASE;
    uint64_t sum = 0;
    bao_mark(0);
    for (uint64_t p = 0; p < passes; p++) {
        for (uint64_t off = 0; off < bytes; off += stride) {
            sum += array[off / 8];
            array[off / 8 + 1] = sum;
        }
        if (tlbi == 1)
            __asm__ volatile("tlbi vmalle1is\n"
                             "dsb ish\n"
                             "isb\n" ::
                                 : "memory");
        else if (tlbi == 2)
            __asm__ volatile("tlbi vmalle1\n"
                             "dsb nsh\n"
                             "isb\n" ::
                                 : "memory");
        else if (tlbi >= 3 && tlbi <= 6 && mapping != 0)
            tlbi_array(tlbi, mapping, bytes, asid);
        if (asid_switch && mapping != 0) {
            asid = asid == 1 ? 2 : 1;
            switch_asid(asid);
        }
    }
    bao_mark(1);
    bao_printf("stage1: mapping %u, %lu passes, sum %lu\n", mapping, (unsigned long)passes,
               (unsigned long)sum);
    return 0;
}
