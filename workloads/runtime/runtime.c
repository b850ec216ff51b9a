/*
 * runtime.c - C side of the guest runtime: per-core entry after crt0, TLS,
 * PSCI helpers, default handlers and exception reports.
 */
#include "bao_guest.h"

#include <stdint.h>

/* picolibc TLS helpers (picotls.h): copy the TLS template, point TPIDR_EL0 at it. */
void _init_tls(void* tls);
void _set_tls(void* tls);
void __libc_init_array(void);

/* Linker script: BAO_MAX_CORES TLS blocks of BAO_TLS_BLOCK bytes. */
#define BAO_TLS_BLOCK 256
extern char __bao_tls_blocks[];

/* CNTVCT_EL0 read by crt0's IRQ vector, per core (bao_irq_entry_cntvct()). */
volatile uint64_t __bao_irq_cntvct[BAO_MAX_CORES];

int __bao_mmu_wanted;              /* set by bao_mmu_enable_identity() on core 0 */
void __bao_mmu_enable_local(void); /* mmu.c */

void __bao_primary_entry(void);
void __bao_secondary_entry(unsigned core);
void __bao_unhandled_exception(unsigned vec, uint64_t esr, uint64_t elr, uint64_t far,
                               uint64_t spsr);
void _exit(int code);

static void tls_setup(unsigned core) {
    void* block = __bao_tls_blocks + (uintptr_t)core * BAO_TLS_BLOCK;
    _init_tls(block);
    _set_tls(block);
}

void psci_system_off(void) {
    bao_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;)
        bao_wfi();
}

static void put_dec(unsigned long v) {
    char buf[24];
    int n = 0;
    do {
        buf[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        bao_uart_putc(buf[--n]);
}

static void put_hex(uint64_t v) {
    bao_uart_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        bao_uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* Reports a non-zero exit status on the console, then powers the system off. */
void _exit(int code) {
    if (code != 0) {
        bao_print_lock();
        bao_uart_puts("bao-guest: exit status ");
        if (code < 0) {
            bao_uart_putc('-');
            put_dec(-(unsigned long)code);
        } else {
            put_dec((unsigned long)code);
        }
        bao_uart_putc('\n');
        bao_print_unlock();
    }
    psci_system_off();
}

void __bao_primary_entry(void) {
    tls_setup(0);
    __libc_init_array();
    _exit(main());
}

void __bao_secondary_entry(unsigned core) {
    if (__atomic_load_n(&__bao_mmu_wanted, __ATOMIC_ACQUIRE))
        __bao_mmu_enable_local();
    tls_setup(core);
    secondary_main(core);
    psci_cpu_off();
    for (;;)
        bao_wfi();
}

__attribute__((weak)) void secondary_main(unsigned core) {
    (void)core;
    for (;;)
        bao_wfi();
}

__attribute__((weak)) void irq_handler(void) {
    bao_print_lock();
    bao_uart_puts("bao-guest: core ");
    put_dec(bao_core_id());
    bao_uart_puts(": unexpected IRQ (no irq_handler)\n");
    bao_print_unlock();
    psci_system_off();
}

unsigned bao_start_secondaries(void) {
    unsigned started = 0;
    for (unsigned core = 1; core < BAO_MAX_CORES; core++) {
        int r = psci_cpu_on(core, (uint64_t)(uintptr_t)_start, core);
        if (r == PSCI_INVALID_PARAMETERS)
            break;
        if (r == PSCI_SUCCESS)
            started++;
    }
    return started;
}

void __bao_unhandled_exception(unsigned vec, uint64_t esr, uint64_t elr, uint64_t far,
                               uint64_t spsr) {
    static const char* const from[] = {"EL1t", "EL1h", "EL0 AArch64", "EL0 AArch32"};
    static const char* const kind[] = {"synchronous", "IRQ", "FIQ", "SError"};
    static unsigned char reporting[BAO_MAX_CORES];
    unsigned core = bao_core_id();
    if (reporting[core]) /* faulted while reporting (e.g. SMC undefined): stop here */
        for (;;)
            bao_wfi();
    reporting[core] = 1;
    bao_print_lock();
    bao_uart_puts("bao-guest: core ");
    put_dec(core);
    bao_uart_puts(": unhandled ");
    bao_uart_puts(kind[vec & 3]);
    bao_uart_puts(" exception from ");
    bao_uart_puts(from[(vec >> 2) & 3]);
    bao_uart_puts(": ESR_EL1=");
    put_hex(esr);
    bao_uart_puts(" ELR_EL1=");
    put_hex(elr);
    bao_uart_puts(" FAR_EL1=");
    put_hex(far);
    bao_uart_puts(" SPSR_EL1=");
    put_hex(spsr);
    bao_uart_putc('\n');
    bao_print_unlock();
    psci_system_off();
}
