/*
 * passthru - guests for the pass-through device tests (tests/sim/passthru_test.cpp,
 * docs/config.md#devs): the platform's second PL011 (0x0904_0000, SPI 8 =
 * INTID 40) given to one VM by its `devs` entry.
 *
 * PASSTHRU_OWNER  the VM the UART is passed through to: writes a line on it,
 *                 enables INTID 40 in its distributor and the UART's TX
 *                 interrupt, takes it (acknowledged at the GICV, cleared at
 *                 the UART, EOIed), and reports on its console (hv's virtual
 *                 UART) how many it took. Returns: SYSTEM_OFF.
 * PASSTHRU_INTRUDER another VM: tries to enable, target and pend INTID 40 in
 *                 its distributor, reads back what it sees and reports it,
 *                 then touches the UART's registers, which stops its VM (a
 *                 stage-2 fault: the device is not in its stage 2).
 */
#include "bao_guest.h"

#include <stdint.h>

#define UART1_BASE 0x09040000UL
#define UART1_IRQ 40u
#define UART_DR 0x00
#define UART_FR 0x18
#define UART_IMSC 0x38
#define UART_MIS 0x40
#define UART_ICR 0x44
#define UART_INT_TX (1u << 5)
#define UART_FR_TXFF (1u << 5)

#define GICD_BASE 0x08000000UL
#define GICD_CTLR 0x000
#define GICD_ISENABLER 0x100
#define GICD_ISPENDR 0x200
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICC_BASE 0x08010000UL
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10

static inline uint32_t r32(uintptr_t a) {
    return *(volatile uint32_t*)a;
}
static inline void w32(uintptr_t a, uint32_t v) {
    *(volatile uint32_t*)a = v;
}
static inline uint8_t r8(uintptr_t a) {
    return *(volatile uint8_t*)a;
}
static inline void w8(uintptr_t a, uint8_t v) {
    *(volatile uint8_t*)a = v;
}

static const uint32_t irq_word = 4 * (UART1_IRQ / 32);
static const uint32_t irq_bit = 1u << (UART1_IRQ % 32);

#ifdef PASSTHRU_OWNER
static volatile unsigned taken;      /* UART1 interrupts handled */
static volatile unsigned unexpected; /* other INTIDs */

void irq_handler(void) {
    const uint32_t iar = r32(GICC_BASE + GICC_IAR);
    const uint32_t id = iar & 0x3ff;
    if (id == 1023)
        return;
    if (id == UART1_IRQ && (r32(UART1_BASE + UART_MIS) & UART_INT_TX) != 0) {
        /* The FIFO stays empty: mask TX so the level drops for good. */
        w32(UART1_BASE + UART_IMSC, 0);
        w32(UART1_BASE + UART_ICR, UART_INT_TX);
        taken = taken + 1;
    } else {
        unexpected = unexpected + 1;
    }
    w32(GICC_BASE + GICC_EOIR, iar);
}

static void uart1_puts(const char* s) {
    for (; *s != '\0'; ++s) {
        while ((r32(UART1_BASE + UART_FR) & UART_FR_TXFF) != 0) {
        }
        w32(UART1_BASE + UART_DR, (uint8_t)*s);
    }
}

int main(void) {
    uart1_puts("owner: my own UART\n");
    w32(GICD_BASE + GICD_CTLR, 1);
    w8(GICD_BASE + GICD_IPRIORITYR + UART1_IRQ, 0xa0);
    w32(GICD_BASE + GICD_ISENABLER + irq_word, irq_bit);
    w32(GICC_BASE + GICC_PMR, 0xff);
    w32(GICC_BASE + GICC_CTLR, 1);
    const uint32_t enabled = r32(GICD_BASE + GICD_ISENABLER + irq_word) & irq_bit;
    bao_irq_enable();
    w32(UART1_BASE + UART_IMSC, UART_INT_TX); /* TX FIFO empty: TXIS at once */
    for (unsigned spin = 0; spin < 1000000 && taken == 0; ++spin) {
    }
    bao_irq_disable();
    bao_printf("owner: irq %u enabled %u, taken %u, unexpected %u\n", UART1_IRQ, enabled ? 1u : 0u,
               (unsigned)taken, (unsigned)unexpected);
    return 0;
}
#endif

#ifdef PASSTHRU_INTRUDER
int main(void) {
    w32(GICD_BASE + GICD_CTLR, 1);
    w32(GICD_BASE + GICD_ISENABLER + irq_word, irq_bit);
    w8(GICD_BASE + GICD_ITARGETSR + UART1_IRQ, 0x1);
    w32(GICD_BASE + GICD_ISPENDR + irq_word, irq_bit);
    const uint32_t enabled = r32(GICD_BASE + GICD_ISENABLER + irq_word) & irq_bit;
    const uint32_t pending = r32(GICD_BASE + GICD_ISPENDR + irq_word) & irq_bit;
    const uint32_t target = r8(GICD_BASE + GICD_ITARGETSR + UART1_IRQ);
    bao_printf("intruder: irq %u enabled %u pending %u target %u\n", UART1_IRQ, enabled ? 1u : 0u,
               pending ? 1u : 0u, (unsigned)target);
    w32(UART1_BASE + UART_DR, 'X');
    bao_printf("intruder: still running (isolation broken)\n");
    for (;;)
        bao_wfi();
}
#endif
