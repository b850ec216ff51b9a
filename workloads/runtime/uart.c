/*
 * uart.c - PL011 console, picolibc stdout/stderr and the print lock.
 */
#include "bao_guest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define UART_REG(off) (*(volatile uint32_t*)(BAO_UART_BASE + (off)))

#ifdef BAO_PLATFORM_ZCU104
/*
 * The ZCU104's console address holds the board's Cadence UART natively and
 * hv's virtual PL011 under hv (decision 6). The PL011's peripheral ID 0
 * (0xFE0) reads 0x11; the Cadence UART has no register there (0). Asked
 * once; cores racing here compute the same answer.
 */
#define CDNS_CR 0x00
#define CDNS_CR_TX_EN 0x10u
#define CDNS_CR_RX_EN 0x04u
#define CDNS_SR 0x2c
#define CDNS_SR_TXFULL 0x10u
#define CDNS_FIFO 0x30
#define PL011_PERIPHID0 0xfe0

static int uart_kind; /* 0 unknown, 1 PL011, 2 Cadence */

static int uart_is_pl011(void) {
    int kind = __atomic_load_n(&uart_kind, __ATOMIC_RELAXED);
    if (kind == 0) {
        kind = (UART_REG(PL011_PERIPHID0) & 0xff) == 0x11 ? 1 : 2;
        if (kind == 2) /* the transmitter is off after reset */
            UART_REG(CDNS_CR) = CDNS_CR_TX_EN | CDNS_CR_RX_EN;
        __atomic_store_n(&uart_kind, kind, __ATOMIC_RELAXED);
    }
    return kind == 1;
}
#endif

void bao_uart_putc(char c) {
#ifdef BAO_PLATFORM_ZCU104
    if (!uart_is_pl011()) {
        while (UART_REG(CDNS_SR) & CDNS_SR_TXFULL) {
        }
        UART_REG(CDNS_FIFO) = (uint32_t)(unsigned char)c;
        return;
    }
#endif
    while (UART_REG(BAO_UART_FR) & BAO_UART_FR_TXFF) {
    }
    UART_REG(BAO_UART_DR) = (uint32_t)(unsigned char)c;
}

void bao_uart_puts(const char* s) {
    while (*s != '\0')
        bao_uart_putc(*s++);
}

static int uart_put(char c, FILE* f) {
    (void)f;
    bao_uart_putc(c);
    return (unsigned char)c;
}

static FILE uart_file = FDEV_SETUP_STREAM(uart_put, NULL, NULL, _FDEV_SETUP_WRITE);
FILE* const stdout = &uart_file;
FILE* const stderr = &uart_file;

/*
 * Print lock: 0 = free, otherwise owner core + 1. The owner is recorded so that
 * an exception report raised while this core holds the lock does not deadlock.
 * Not recursive otherwise.
 */
static unsigned print_lock_word;

void bao_print_lock(void) {
    unsigned me = bao_core_id() + 1;
    if (__atomic_load_n(&print_lock_word, __ATOMIC_RELAXED) == me)
        return;
    for (;;) {
        unsigned expected = 0;
        if (__atomic_compare_exchange_n(&print_lock_word, &expected, me, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED))
            return;
        while (__atomic_load_n(&print_lock_word, __ATOMIC_RELAXED) != 0) {
        }
    }
}

void bao_print_unlock(void) {
    __atomic_store_n(&print_lock_word, 0, __ATOMIC_RELEASE);
}

int bao_printf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    bao_print_lock();
    int n = vfprintf(stdout, fmt, ap);
    bao_print_unlock();
    va_end(ap);
    return n;
}
