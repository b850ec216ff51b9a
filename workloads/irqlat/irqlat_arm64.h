/*
 * irqlat's Armv8-A hooks (irqlat.c): the EL1 virtual timer (PPI 27),
 * acknowledged at the GIC CPU interface (bao_gic.h: GICv2 or GICv3, the
 * virtual interface under hv). The timebase is CNTFRQ_EL0 (100 MHz in the
 * simulator, 62.5 MHz on QEMU).
 */
#include "bao_gic.h"
#include "bao_guest.h"

#define IRQ_VTIMER 27u /* EL1 virtual timer PPI */
#define VTIMER_PRIO 0xa0u
#define CNTV_CTL_ENABLE 1u /* IMASK clear */
#define IRQLAT_TIMEBASE "CNTFRQ_EL0"

typedef uint32_t irqlat_irq; /* GICC_IAR / ICC_IAR1_EL1 */

static inline uint64_t read_cntvct(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}
static inline uint64_t read_cntv_cval(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, cntv_cval_el0" : "=r"(v)::"memory");
    return v;
}

static inline void timer_set(uint64_t cval) {
    __asm__ volatile("msr cntv_cval_el0, %0\n"
                     "msr cntv_ctl_el0, %1\n"
                     "isb" ::"r"(cval),
                     "r"((uint64_t)CNTV_CTL_ENABLE)
                     : "memory");
}
static inline uint64_t timer_deadline(void) {
    return read_cntv_cval();
}
static inline void timer_disarm(void) {
    __asm__ volatile("msr cntv_ctl_el0, xzr\nisb" ::: "memory");
}

static inline irqlat_irq irq_take(void) {
    return bao_gic_ack();
}
static inline int irq_spurious(irqlat_irq iar) {
    return BAO_GIC_ID(iar) == BAO_GIC_SPURIOUS;
}
static inline int irq_is_timer(irqlat_irq iar) {
    return BAO_GIC_ID(iar) == IRQ_VTIMER;
}
static inline void irq_done(irqlat_irq iar) {
    bao_gic_eoi(iar);
}
static inline void irq_init(void) {
    bao_gic_init();
    bao_gic_enable(IRQ_VTIMER, VTIMER_PRIO);
}
/* After WFI: unmasked for an ISB, so the pending IRQ is taken. */
static inline void irq_window(void) {
    bao_irq_enable();
    __asm__ volatile("isb" ::: "memory");
    bao_irq_disable();
}
