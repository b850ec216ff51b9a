/*
 * bao_gic.h - the guests' GIC driver, GICv2 or GICv3 at QEMU virt's (and
 * Bao's qemu-aarch64-virt) addresses, chosen at run time by the distributor's
 * ArchRev (GICD_PIDR2 bits [7:4]), so one guest binary runs on either.
 *
 *   GICv2: distributor 0x0800_0000, CPU interface 0x0801_0000 (MMIO; under
 *          hv the GICV frame). Group 0, GICC_IAR/EOIR.
 *   GICv3: distributor 0x0800_0000 (affinity routing), redistributors from
 *          0x080A_0000 (0x2_0000 per core, found by GICR_TYPER's affinity),
 *          the CPU interface as ICC_* system registers. Group 1,
 *          ICC_IAR1/EOIR1_EL1, SGIs by ICC_SGI1R_EL1 (under hv: the virtual
 *          interface, SGI1R trapped).
 *
 * Detection reads GICv2's PIDR2 offset (0xFE8, reserved and RAZ on a GICv3)
 * first, and GICv3's (0xFFE8, beyond a GICv2's 4 KiB frame) only if that
 * was not a GICv2.
 *
 * Use: bao_gic_init() once on core 0 (distributor and core 0's interface),
 * bao_gic_cpu_init() on every other core; bao_gic_enable() for each INTID
 * (an SGI or PPI on the calling core); in irq_handler(): iar = bao_gic_ack(),
 * BAO_GIC_ID(iar), bao_gic_eoi(iar).
 */
#ifndef BAO_GIC_H
#define BAO_GIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef BAO_PLATFORM_ZCU104
/* The ZCU104's GIC-400 (no GICv3: detection stops at GICv2's PIDR2). */
#define BAO_GICD_BASE 0xF9010000UL
#define BAO_GICC_BASE 0xF902F000UL /* where its two 4 KiB pages are contiguous */
#define BAO_GICR_BASE 0UL
#else
#define BAO_GICD_BASE 0x08000000UL
#define BAO_GICC_BASE 0x08010000UL /* GICv2 */
#define BAO_GICR_BASE 0x080A0000UL /* GICv3 */
#endif
#define BAO_GICR_STRIDE 0x20000UL
#define BAO_GICC_IAR 0x0c
#define BAO_GICC_EOIR 0x10
#define BAO_GIC_SPURIOUS 1023u
#define BAO_GIC_ID(iar) ((iar)&0x3ffu)

/* 2 or 3 once bao_gic_init() ran (0 before). */
extern unsigned bao_gic_version;

unsigned bao_gic_detect(void);
void bao_gic_init(void);
void bao_gic_cpu_init(void);
void bao_gic_enable(unsigned id, uint8_t prio);
void bao_gic_route(unsigned id, unsigned core); /* an SPI to one core */
void bao_gic_send_sgi(unsigned core, unsigned sgi);

static inline uint32_t bao_gic_ack(void) {
    if (bao_gic_version == 3) {
        uint64_t v;
        __asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(v)::"memory");
        return (uint32_t)v;
    }
    return *(volatile uint32_t*)(BAO_GICC_BASE + BAO_GICC_IAR);
}

static inline void bao_gic_eoi(uint32_t iar) {
    if (bao_gic_version == 3) {
        __asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"((uint64_t)iar) : "memory");
        return;
    }
    *(volatile uint32_t*)(BAO_GICC_BASE + BAO_GICC_EOIR) = iar;
}

#ifdef __cplusplus
}
#endif

#endif
