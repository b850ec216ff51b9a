/*
 * uart.c - PL011 console, picolibc stdout/stderr and the print lock.
 */
#include "bao_guest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define UART_REG(off) (*(volatile uint32_t*)(BAO_UART_BASE + (off)))

void bao_uart_putc(char c) {
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
