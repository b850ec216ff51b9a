/*
 * runtime.c - C side of the bao-sim RV64 guest runtime: hart entry, TLS,
 * exit, secondary harts (SBI HSM), the Sv39 identity map, the 16550 console
 * and bao_printf. The AArch64 runtime's twin (workloads/runtime/).
 */
#include "bao_guest.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

void _init_tls(void* tls);
void _set_tls(void* tls);
void __libc_init_array(void);

#define BAO_TLS_BLOCK 256
extern char __bao_tls_blocks[];

volatile uint64_t __bao_irq_cntvct[BAO_MAX_CORES];

void __bao_primary_entry(void);
void __bao_secondary_entry(unsigned core);
void __bao_unhandled_exception(uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t sstatus);
void _exit(int code);

static void tls_setup(unsigned core) {
    void* block = __bao_tls_blocks + (uintptr_t)core * BAO_TLS_BLOCK;
    _init_tls(block);
    _set_tls(block);
}

void psci_system_off(void) {
    bao_sbi(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown, no reason */
    for (;;)
        bao_wfi();
}

/* ---- Console: NS16550A, or hv's virtual PL011 ---------------------- */

/*
 * Natively the console is the board's 16550; under hv it is hv's virtual
 * PL011 at the same address (docs/riscv-hv.md). Both take a byte written at
 * offset 0. A 16550 with room says so in LSR.THRE; a PL011 reads 0 there
 * and says it in FR.TXFE (offset 0x18, where a 16550 has no register), which
 * is read only while LSR says busy, so the native path is unchanged.
 */
#define UART_REG(off) (*(volatile uint8_t*)(BAO_UART_BASE + (off)))

void bao_uart_putc(char c) {
    while (!(UART_REG(BAO_UART_LSR) & BAO_UART_LSR_THRE) &&
           !(UART_REG(BAO_PL011_FR) & BAO_PL011_FR_TXFE)) {
    }
    UART_REG(BAO_UART_THR) = (uint8_t)c;
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

static void put_hex(uint64_t v) {
    bao_uart_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        bao_uart_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

/* ---- Sv39 identity map ------------------------------------------------ */

#define PTE_V 0x01u
#define PTE_RWX 0x0eu
#define PTE_G 0x20u
#define PTE_AD 0xc0u
#define SATP_SV39 (8ull << 60)

static uint64_t root_table[512] __attribute__((aligned(4096)));
static int mmu_wanted;

static void mmu_enable_local(void) {
    __asm__ volatile("csrw satp, %0\n sfence.vma" ::"r"(SATP_SV39 | ((uintptr_t)root_table >> 12))
                     : "memory");
}

void bao_mmu_enable_identity(void) {
    if (bao_mmu_enabled())
        return;
    for (uint64_t gib = 0; gib < 4; ++gib) /* 1 GiB leaves: PPN = gib << 18 */
        root_table[gib] = ((gib << 18) << 10) | PTE_V | PTE_RWX | PTE_G | PTE_AD;
    __atomic_store_n(&mmu_wanted, 1, __ATOMIC_RELEASE);
    mmu_enable_local();
}

int bao_mmu_enabled(void) {
    uint64_t satp;
    __asm__ volatile("csrr %0, satp" : "=r"(satp));
    return (satp >> 60) == 8;
}

/* ---- Harts ---------------------------------------------------------- */

void _exit(int code) {
    if (code != 0)
        bao_printf("bao-guest: exit status %d\n", code);
    psci_system_off();
}

void __bao_primary_entry(void) {
    tls_setup(0);
    __libc_init_array();
    _exit(main());
}

void __bao_secondary_entry(unsigned core) {
    if (__atomic_load_n(&mmu_wanted, __ATOMIC_ACQUIRE))
        mmu_enable_local();
    tls_setup(core);
    secondary_main(core);
    bao_sbi(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop */
    for (;;)
        bao_wfi();
}

__attribute__((weak)) void secondary_main(unsigned core) {
    (void)core;
    for (;;)
        bao_wfi();
}

__attribute__((weak)) void irq_handler(void) {
    bao_printf("bao-guest: hart %u: unexpected interrupt (no irq_handler)\n", bao_core_id());
    psci_system_off();
}

unsigned bao_start_secondaries(void) {
    unsigned started = 0;
    for (unsigned hart = 1; hart < BAO_MAX_CORES; hart++) {
        struct bao_sbiret r = bao_sbi(SBI_EXT_HSM, 0, hart, (uintptr_t)_start, hart);
        if (r.error == SBI_ERR_INVALID_PARAM)
            break;
        if (r.error == SBI_SUCCESS)
            started++;
    }
    return started;
}

void __bao_unhandled_exception(uint64_t scause, uint64_t sepc, uint64_t stval, uint64_t sstatus) {
    static unsigned char reporting[BAO_MAX_CORES];
    unsigned core = bao_core_id();
    if (core < BAO_MAX_CORES && reporting[core])
        for (;;)
            bao_wfi();
    if (core < BAO_MAX_CORES)
        reporting[core] = 1;
    bao_print_lock();
    bao_uart_puts("bao-guest: hart ");
    bao_uart_putc((char)('0' + core % 10));
    bao_uart_puts(": unhandled exception: scause=");
    put_hex(scause);
    bao_uart_puts(" sepc=");
    put_hex(sepc);
    bao_uart_puts(" stval=");
    put_hex(stval);
    bao_uart_puts(" sstatus=");
    put_hex(sstatus);
    bao_uart_putc('\n');
    bao_print_unlock();
    psci_system_off();
}
