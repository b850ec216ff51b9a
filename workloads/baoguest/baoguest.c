/*
 * baoguest - a bare-metal test guest written the way Bao's own guests and
 * platform code are (bao-baremetal-guest on qemu-aarch64-virt): a GICv3
 * driven through its system registers, each core waking its own
 * redistributor (GICR_WAKER) found at its index in the redistributor region,
 * the virtual timer on PPI 27, IPIs between the cores by SGI through
 * ICC_SGI1R_EL1, and the UART's interrupt (SPI 33) enabled and routed as
 * Bao's guest enables its RX interrupt. It needs a GICv3 (GICD_PIDR2.ArchRev
 * 3) and says so otherwise.
 *
 * What each core prints, in this order for that core (the cores run in
 * parallel, so lines of different cores interleave):
 *   cpuN: up                     after its GIC bring-up
 *   cpuN: timer tick K           K = 1..3, virtual-timer interrupts (10 ms)
 *   cpuN: ipi round R            R = 1, 2: an SGI ring 0 -> 1 -> ... -> 0,
 *                                started by core 0 once every core has its
 *                                three ticks
 *   cpuN: done
 * Core 0 first prints the banner and the number of cores it started, and
 * last "all N cpus done", then returns (PSCI SYSTEM_OFF).
 */
#include "bao_guest.h"

#define GICD_BASE 0x08000000UL
#define GICR_BASE 0x080A0000UL
#define GICR_STRIDE 0x20000UL /* RD_base + SGI_base per core */
#define GICR_SGI_BASE 0x10000UL

#define GICD_CTLR 0x0000
#define GICD_IGROUPR(n) (0x0080 + 4 * (n))
#define GICD_ISENABLER(n) (0x0100 + 4 * (n))
#define GICD_IPRIORITYR(n) (0x0400 + (n))
#define GICD_IROUTER(n) (0x6000 + 8 * (n))
#define GICD_PIDR2 0xFFE8
#define GICD_PIDR2_V2 0x0FE8 /* where a GICv2 keeps it: RAZ on a GICv3 */
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_ENA_G1NS (1u << 1)

#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_WAKER_PS (1u << 1)
#define GICR_WAKER_CA (1u << 2)

#define TIMER_IRQ_ID 27 /* virtual timer */
#define IPI_IRQ_ID 1    /* SGI */
#define UART_IRQ_ID 33
#define IRQ_PRIO 0x80
#define TICKS 3
#define ROUNDS 2
#define TIMER_HZ 100

static unsigned ncpus;
static volatile unsigned ticks[BAO_MAX_CORES];
static volatile unsigned ipis[BAO_MAX_CORES];
static unsigned ticked; /* cores with their TICKS ticks */
static unsigned done;   /* cores done */
static unsigned gic_ready;

/* Single loads and stores without writeback, as Bao's volatile struct
 * accesses compile, so that a hypervisor can decode each trapped access. */
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

#define MSR(reg, v) __asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(v)) : "memory")
#define MRS(reg)                                                                                   \
    ({                                                                                             \
        uint64_t v_;                                                                               \
        __asm__ volatile("mrs %0, " #reg : "=r"(v_));                                              \
        v_;                                                                                        \
    })

/* ---- GICv3, as Bao's gicv3.c ------------------------------------------- */

static uint64_t gicr(unsigned cpu) {
    return GICR_BASE + cpu * GICR_STRIDE;
}

static void gicd_init(void) {
    for (unsigned n = 1; n < 32; n++)
        wr32(GICD_BASE + GICD_IGROUPR(n), 0xffffffffu);
    wr32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENA_G1NS);
}

static void gicr_init(unsigned cpu) {
    const uint64_t rd = gicr(cpu);
    wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~GICR_WAKER_PS);
    while (rd32(rd + GICR_WAKER) & GICR_WAKER_CA) {
    }
    wr32(rd + GICR_SGI_BASE + GICD_IGROUPR(0), 0xffffffffu);
}

static void gicc_init(void) {
    MSR(icc_sre_el1, MRS(icc_sre_el1) | 1);
    __asm__ volatile("isb");
    MSR(icc_pmr_el1, 0xff);
    MSR(icc_bpr1_el1, 0);
    MSR(icc_ctlr_el1, 0);
    MSR(icc_igrpen1_el1, 1);
    __asm__ volatile("isb");
}

/* An SGI or PPI in this core's redistributor, an SPI in the distributor
 * (routed to this core by affinity). */
static void irq_enable(unsigned cpu, unsigned id) {
    uint64_t base = GICD_BASE;
    if (id < 32) {
        base = gicr(cpu) + GICR_SGI_BASE;
    } else {
        const uint64_t mpidr = MRS(mpidr_el1);
        wr64(GICD_BASE + GICD_IROUTER(id), (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 32);
    }
    wr8(base + GICD_IPRIORITYR(id), IRQ_PRIO);
    wr32(base + GICD_ISENABLER(id / 32), 1u << (id % 32));
}

/* SGI `id` to core `cpu` (Aff0 = cpu, as QEMU virt and Bao number them). */
static void irq_send_ipi(unsigned cpu, unsigned id) {
    __asm__ volatile("dsb ish" ::: "memory");
    MSR(icc_sgi1r_el1,
        ((uint64_t)(id & 0xf) << 24) | ((uint64_t)(cpu >> 4) << 44) | (1u << (cpu & 15)));
    __asm__ volatile("isb");
}

/* ---- timer ---------------------------------------------------------------- */

static void timer_set(void) {
    MSR(cntv_tval_el0, bao_cntfrq() / TIMER_HZ);
    MSR(cntv_ctl_el0, 1);
    __asm__ volatile("isb");
}

static void timer_stop(void) {
    MSR(cntv_ctl_el0, 0);
    __asm__ volatile("isb");
}

/* ---- handlers ------------------------------------------------------------- */

void irq_handler(void) {
    const unsigned cpu = bao_core_id();
    const uint32_t iar = (uint32_t)MRS(icc_iar1_el1);
    const unsigned id = iar & 0xffffff;
    if (id == TIMER_IRQ_ID) {
        if (ticks[cpu] + 1 < TICKS)
            timer_set();
        else
            timer_stop();
        ticks[cpu] = ticks[cpu] + 1;
    } else if (id == IPI_IRQ_ID) {
        const unsigned r = ipis[cpu] + 1;
        ipis[cpu] = r;
        if (cpu != 0 || r < ROUNDS)
            irq_send_ipi((cpu + 1) % ncpus, IPI_IRQ_ID);
    }
    if (id < 1020)
        MSR(icc_eoir1_el1, iar);
}

/* Sleeps until *v >= want; the check and WFI run with IRQs masked. */
static void wait_for(volatile unsigned* v, unsigned want) {
    for (;;) {
        bao_irq_disable();
        if (*v >= want) {
            bao_irq_enable();
            return;
        }
        bao_wfi();
        bao_irq_enable();
    }
}

static void wait_count(unsigned* v, unsigned want) {
    while (__atomic_load_n(v, __ATOMIC_ACQUIRE) < want) {
    }
}

/* ---- every core ----------------------------------------------------------- */

static void cpu_run(unsigned cpu) {
    gicr_init(cpu);
    gicc_init();
    irq_enable(cpu, IPI_IRQ_ID);
    irq_enable(cpu, TIMER_IRQ_ID);
    if (cpu == 0)
        irq_enable(cpu, UART_IRQ_ID);
    bao_printf("cpu%u: up\n", cpu);
    bao_irq_enable();
    timer_set();
    for (unsigned k = 1; k <= TICKS; k++) {
        wait_for(&ticks[cpu], k);
        bao_printf("cpu%u: timer tick %u\n", cpu, k);
    }
    __atomic_fetch_add(&ticked, 1, __ATOMIC_RELEASE);
    if (cpu == 0) {
        wait_count(&ticked, ncpus);
        irq_send_ipi(1 % ncpus, IPI_IRQ_ID);
    }
    for (unsigned r = 1; r <= ROUNDS; r++) {
        wait_for(&ipis[cpu], r);
        bao_printf("cpu%u: ipi round %u\n", cpu, r);
    }
    bao_printf("cpu%u: done\n", cpu);
    __atomic_fetch_add(&done, 1, __ATOMIC_RELEASE);
}

void secondary_main(unsigned core) {
    wait_count(&gic_ready, 1);
    cpu_run(core);
    for (;;)
        bao_wfi();
}

int main(void) {
    bao_mmu_enable_identity();
    const unsigned rev2 = (rd32(GICD_BASE + GICD_PIDR2_V2) >> 4) & 0xf;
    const unsigned rev = rev2 != 0 ? rev2 : (rd32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf;
    if (rev < 3) {
        bao_printf("cpu0: baoguest needs a GICv3 (GICD ArchRev %u)\n", rev);
        return 1;
    }
    gicd_init();
    bao_printf("cpu0: Bao-style test guest, GICv%u\n", rev);
    ncpus = 1 + bao_start_secondaries();
    bao_printf("cpu0: %u cpus\n", ncpus);
    __atomic_store_n(&gic_ready, 1, __ATOMIC_RELEASE);
    cpu_run(0);
    wait_count(&done, ncpus);
    bao_printf("cpu0: all %u cpus done\n", ncpus);
    return 0;
}
