/*
 * gic.c - the guests' GICv2 / GICv3 driver (bao_gic.h). The GICv3 part is
 * written as Bao's platform code does it: each core wakes its redistributor
 * (GICR_WAKER), turns the system-register interface on (ICC_SRE_EL1), and
 * uses Group 1 through ICC_PMR/BPR1/CTLR/IGRPEN1_EL1.
 */
#include "bao_gic.h"

#include "bao_guest.h"

unsigned bao_gic_version;

#define GICD_CTLR 0x0000
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_SGIR 0x0f00
#define GICD_PIDR2_V2 0x0fe8
#define GICD_IROUTER 0x6000
#define GICD_PIDR2_V3 0xffe8
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)

#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_SGI_BASE 0x10000
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_WAKER_PS (1u << 1)
#define GICR_WAKER_CA (1u << 2)

#define GICC_CTLR 0x00
#define GICC_PMR 0x04

/* Single loads and stores without writeback (a trapped access must be
 * decodable by the hypervisor: ISV set), whatever the compiler would fuse. */
static inline uint32_t rd32(uint64_t a) {
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static inline uint64_t rd64(uint64_t a) {
    uint64_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static inline void wr32(uint64_t a, uint32_t v) {
    __asm__ volatile("str %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline void wr64(uint64_t a, uint64_t v) {
    __asm__ volatile("str %0, [%1]" ::"r"(v), "r"(a) : "memory");
}
static inline void wr8(uint64_t a, uint8_t v) {
    __asm__ volatile("strb %w0, [%1]" ::"r"(v), "r"(a) : "memory");
}

static uint64_t mpidr_aff(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(v));
    return (v & 0xffffffull) | ((v >> 32) & 0xff) << 24;
}

unsigned bao_gic_detect(void) {
    const unsigned v2 = (rd32(BAO_GICD_BASE + GICD_PIDR2_V2) >> 4) & 0xf;
    if (v2 == 1 || v2 == 2)
        return 2;
    const unsigned v3 = (rd32(BAO_GICD_BASE + GICD_PIDR2_V3) >> 4) & 0xf;
    return v3 >= 3 ? 3 : 2;
}

/* This core's redistributor: the frame whose GICR_TYPER affinity is ours. */
static uint64_t gicr_of_core(void) {
    const uint64_t aff = mpidr_aff();
    uint64_t rd = BAO_GICR_BASE;
    for (unsigned n = 0; n < 64; ++n, rd += BAO_GICR_STRIDE) {
        const uint64_t typer = rd64(rd + GICR_TYPER);
        if ((typer >> 32) == aff)
            return rd;
        if (typer & GICR_TYPER_LAST)
            break;
    }
    return 0;
}

static void cpu_init_v3(void) {
    const uint64_t rd = gicr_of_core();
    if (rd != 0) {
        wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
        while (rd32(rd + GICR_WAKER) & GICR_WAKER_CA) {
        }
        wr32(rd + GICR_SGI_BASE + GICD_IGROUPR, 0xffffffffu); /* SGIs, PPIs: Group 1 */
    }
    uint64_t sre;
    __asm__ volatile("mrs %0, icc_sre_el1" : "=r"(sre));
    __asm__ volatile("msr icc_sre_el1, %0; isb" ::"r"(sre | 1));
    __asm__ volatile("msr icc_pmr_el1, %0\n"
                     "msr icc_bpr1_el1, xzr\n"
                     "msr icc_ctlr_el1, xzr\n" /* EOImode 0: EOIR also deactivates */
                     "msr icc_igrpen1_el1, %1\n"
                     "isb" ::"r"(0xffull),
                     "r"(1ull)
                     : "memory");
}

void bao_gic_cpu_init(void) {
    if (bao_gic_version == 0)
        bao_gic_version = bao_gic_detect();
    if (bao_gic_version == 3) {
        cpu_init_v3();
        return;
    }
    wr32(BAO_GICC_BASE + GICC_PMR, 0xff);
    wr32(BAO_GICC_BASE + GICC_CTLR, 1);
}

void bao_gic_init(void) {
    bao_gic_version = bao_gic_detect();
    if (bao_gic_version == 3) {
        for (unsigned n = 1; n < 32; ++n)
            wr32(BAO_GICD_BASE + GICD_IGROUPR + 4 * n, 0xffffffffu); /* SPIs: Group 1 */
        wr32(BAO_GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
    } else {
        wr32(BAO_GICD_BASE + GICD_CTLR, 1);
    }
    bao_gic_cpu_init();
}

/* An SGI or PPI of the calling core (its redistributor on GICv3, the
 * banked distributor registers on GICv2), or an SPI. */
void bao_gic_enable(unsigned id, uint8_t prio) {
    uint64_t base = BAO_GICD_BASE;
    if (bao_gic_version == 3 && id < 32)
        base = gicr_of_core() + GICR_SGI_BASE;
    wr8(base + GICD_IPRIORITYR + id, prio);
    wr32(base + GICD_ISENABLER + 4 * (id / 32), 1u << (id % 32));
}

void bao_gic_route(unsigned id, unsigned core) {
    if (id < 32)
        return;
    if (bao_gic_version == 3)
        wr64(BAO_GICD_BASE + GICD_IROUTER + 8 * id, core); /* Aff0 = core (QEMU virt) */
    else
        wr8(BAO_GICD_BASE + GICD_ITARGETSR + id, (uint8_t)(1u << core));
}

void bao_gic_send_sgi(unsigned core, unsigned sgi) {
    __asm__ volatile("dsb ish" ::: "memory");
    if (bao_gic_version == 3) {
        const uint64_t v =
            ((uint64_t)(sgi & 0xf) << 24) | ((uint64_t)(core >> 4) << 44) | (1u << (core & 15));
        __asm__ volatile("msr icc_sgi1r_el1, %0; isb" ::"r"(v) : "memory");
        return;
    }
    wr32(BAO_GICD_BASE + GICD_SGIR, (1u << (16 + core)) | (sgi & 0xf));
}
