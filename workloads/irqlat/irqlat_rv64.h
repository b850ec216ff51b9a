/*
 * irqlat's RISC-V hooks (irqlat.c, docs/riscv.md): the supervisor timer in
 * place of the Arm virtual timer. SBI set_timer arms it (STIP when time
 * reaches the deadline); set_timer to the far future disarms it, which drops
 * STIP. The timebase is 100 MHz.
 */
#include "bao_guest.h"

#define SCAUSE_STI ((1ull << 63) | 5)
#define SIE_STIE (1u << 5)
#define IRQLAT_TIMEBASE "timebase"

typedef uint64_t irqlat_irq; /* scause */

static inline uint64_t read_cntvct(void) {
    return bao_cntvct();
}

static uint64_t deadline; /* the armed compare value */

static inline void timer_set(uint64_t cval) {
    deadline = cval;
    bao_sbi_set_timer(deadline);
}
static inline uint64_t timer_deadline(void) {
    return deadline;
}
static inline void timer_disarm(void) {
    bao_sbi_set_timer(UINT64_MAX);
}

static inline irqlat_irq irq_take(void) {
    uint64_t scause;
    __asm__ volatile("csrr %0, scause" : "=r"(scause));
    return scause;
}
static inline int irq_spurious(irqlat_irq scause) {
    (void)scause;
    return 0;
}
static inline int irq_is_timer(irqlat_irq scause) {
    return scause == SCAUSE_STI;
}
static inline void irq_done(irqlat_irq scause) {
    (void)scause;
}
static inline void irq_init(void) {
    __asm__ volatile("csrs sie, %0" ::"r"(SIE_STIE));
}
/* After WFI: unmasked, so the pending interrupt is taken. */
static inline void irq_window(void) {
    bao_irq_enable();
    bao_irq_disable();
}
