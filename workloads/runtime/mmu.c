/*
 * mmu.c - optional identity map with 1 GiB blocks (4 KiB granule, 4 GiB VA,
 * lookup starts at level 1): 0-1 GiB Device-nGnRnE execute-never,
 * 1-4 GiB Normal write-back cacheable, inner shareable; on the ZCU104
 * (BAO_PLATFORM_ZCU104) 0-2 GiB Normal (its DDR) and 2-4 GiB Device (PL,
 * PCIe and the PS devices).
 */
#include "bao_guest.h"

#include <stdint.h>

extern int __bao_mmu_wanted; /* runtime.c: secondaries enable the MMU too */
void __bao_mmu_enable_local(void);

#define MAIR_DEVICE_NGNRNE 0x00ULL /* AttrIndx 0 */
#define MAIR_NORMAL_WB 0xffULL     /* AttrIndx 1: inner/outer WB, RW-allocate */

#define DESC_BLOCK 0x1ULL
#define DESC_ATTRIDX(i) ((uint64_t)(i) << 2)
#define DESC_SH_INNER (3ULL << 8)
#define DESC_AF (1ULL << 10)
#define DESC_PXN (1ULL << 53)
#define DESC_UXN (1ULL << 54)

#define TCR_T0SZ(n) ((uint64_t)(n))
#define TCR_IRGN0_WBWA (1ULL << 8)
#define TCR_ORGN0_WBWA (1ULL << 10)
#define TCR_SH0_INNER (3ULL << 12)
#define TCR_TG0_4K (0ULL << 14)
#define TCR_EPD1 (1ULL << 23)
#define TCR_IPS_4G (0ULL << 32)

#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)

#define GIB (1ULL << 30)

static uint64_t l1_table[4] __attribute__((aligned(64)));

void __bao_mmu_enable_local(void) {
    uint64_t mair = MAIR_DEVICE_NGNRNE | (MAIR_NORMAL_WB << 8);
    uint64_t tcr = TCR_T0SZ(32) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | TCR_TG0_4K |
                   TCR_EPD1 | TCR_IPS_4G;
    uint64_t sctlr;
    __asm__ volatile("msr mair_el1, %0\n"
                     "msr tcr_el1, %1\n"
                     "msr ttbr0_el1, %2\n"
                     "isb\n"
                     "tlbi vmalle1\n"
                     "ic iallu\n"
                     "dsb nsh\n"
                     "isb\n"
                     :
                     : "r"(mair), "r"(tcr), "r"((uint64_t)(uintptr_t)l1_table)
                     : "memory");
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
    __asm__ volatile("msr sctlr_el1, %0\n"
                     "isb\n"
                     :
                     : "r"(sctlr)
                     : "memory");
}

void bao_mmu_enable_identity(void) {
    if (bao_mmu_enabled())
        return;
#ifdef BAO_PLATFORM_ZCU104
    for (uint64_t i = 0; i < 4; i++)
        l1_table[i] = i < 2
                          ? i * GIB | DESC_BLOCK | DESC_ATTRIDX(1) | DESC_SH_INNER | DESC_AF
                          : i * GIB | DESC_BLOCK | DESC_ATTRIDX(0) | DESC_AF | DESC_PXN | DESC_UXN;
#else
    l1_table[0] = 0 | DESC_BLOCK | DESC_ATTRIDX(0) | DESC_AF | DESC_PXN | DESC_UXN;
    for (uint64_t i = 1; i < 4; i++)
        l1_table[i] = i * GIB | DESC_BLOCK | DESC_ATTRIDX(1) | DESC_SH_INNER | DESC_AF;
#endif
    __asm__ volatile("dsb ish" ::: "memory");
    __atomic_store_n(&__bao_mmu_wanted, 1, __ATOMIC_RELEASE);
    __bao_mmu_enable_local();
}

int bao_mmu_enabled(void) {
    uint64_t sctlr;
    __asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
    return (sctlr & SCTLR_M) != 0;
}
