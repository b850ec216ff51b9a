/*
 * bao_guest.h - runtime and ABI of the bao-sim bare-metal RV64 guests
 * (--platform qemu-riscv64-virt, docs/riscv.md). The same C API as the
 * AArch64 runtime (workloads/runtime/bao_guest.h), so the benchmarks build
 * from the same sources.
 *
 * Memory map (QEMU riscv virt):
 *   0x8000_0000  image load address = link address = entry point (_start).
 *   0x1000_0000  NS16550A UART (THR, LSR), PLIC source 10.
 *   0x0c00_0000  PLIC; 0x0200_0000 ACLINT (CLINT layout).
 *
 * Entry: every hart enters _start in S-mode with satp = 0, a0 = hart id,
 * a1 = opaque (SBI HSM convention). The hart id is kept in sscratch. Hart 0
 * clears .bss, sets up TLS and calls main(); returning from main() shuts
 * the system down (SBI SRST). Other harts are started with SBI HSM
 * hart_start (entry _start); they call secondary_main(hart).
 *
 * Calls (ECALL, SBI v1.0: a7 = extension, a6 = function, result a0 = error,
 * a1 = value): HSM hart_start, TIME set_timer, SRST system_reset, and
 * bao-sim's hypercalls as Bao's SBI extension (a7 = BAO_HC_SBI_EXTID,
 * a6 = BAO_HC_ID_*, a0 = the argument; hv/abi/hypercall.h).
 *
 * The timebase (rdtime) runs at BAO_TIMEBASE_HZ: the simulator's
 * model.cntfrq default (100 MHz; QEMU's virt uses 10 MHz).
 */
#ifndef BAO_GUEST_H
#define BAO_GUEST_H

#include <stdint.h>

#include "hv/abi/hypercall.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BAO_RAM_BASE 0x80000000UL
#define BAO_UART_BASE 0x10000000UL /* NS16550A */
#define BAO_UART_THR 0x00
#define BAO_UART_LSR 0x05
#define BAO_UART_LSR_THRE 0x20
/* hv's virtual PL011 at the same address: its flag register and TX-empty bit. */
#define BAO_PL011_FR 0x18
#define BAO_PL011_FR_TXFE 0x80
#define BAO_PLIC_BASE 0x0c000000UL
#define BAO_MAX_CORES 8
#define BAO_STACK_SIZE (16 * 1024)
#define BAO_TIMEBASE_HZ 100000000UL

/* ---- SBI ----------------------------------------------------------- */

#define SBI_EXT_TIME 0x54494D45UL
#define SBI_EXT_HSM 0x48534DUL
#define SBI_EXT_SRST 0x53525354UL
#define SBI_SUCCESS 0
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_ALREADY_AVAILABLE (-6)

struct bao_sbiret {
    long error;
    long value;
};

static inline struct bao_sbiret bao_sbi(unsigned long ext, unsigned long fid, unsigned long a0,
                                        unsigned long a1, unsigned long a2) {
    register unsigned long r0 __asm__("a0") = a0;
    register unsigned long r1 __asm__("a1") = a1;
    register unsigned long r2 __asm__("a2") = a2;
    register unsigned long r6 __asm__("a6") = fid;
    register unsigned long r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    struct bao_sbiret r = {(long)r0, (long)r1};
    return r;
}

/* Sets the supervisor timer: STIP rises when time >= `when` (SBI TIME set_timer). */
static inline void bao_sbi_set_timer(uint64_t when) {
    bao_sbi(SBI_EXT_TIME, 0, when, 0, 0);
}

/* Shuts the system down (SBI SRST); never returns. */
__attribute__((noreturn)) void psci_system_off(void);

/* ---- bao-sim hypercalls (Bao's SBI extension) ----------------------- */

#define BAO_MARK_START 0
#define BAO_MARK_END 1

static inline int64_t bao_hypercall(unsigned id, uint64_t arg) {
    struct bao_sbiret r = bao_sbi(BAO_HC_SBI_EXTID, id, arg, 0, 0);
    return r.error < 0 ? r.error : r.value;
}
static inline int64_t bao_mark(int end) {
    return bao_hypercall(BAO_HC_ID_MARK, end ? 1 : 0);
}
static inline int64_t bao_sample(uint64_t value) {
    return bao_hypercall(BAO_HC_ID_SAMPLE, value);
}
/* Run parameter `index` (bao-sim --guest-param INDEX=VALUE), or `dflt`. */
static inline uint64_t bao_param(uint64_t index, uint64_t dflt) {
    int64_t v = bao_hypercall(BAO_HC_ID_PARAM, index);
    return v > 0 ? (uint64_t)v : dflt;
}

/* ---- Entry points the guest provides or overrides -------------------- */

int main(void);
void secondary_main(unsigned core); /* weak default: WFI forever */
void irq_handler(void);             /* weak default: report + shutdown */
extern char _start[];

/* ---- Runtime services ------------------------------------------------- */

/* Starts harts 1.. with SBI HSM hart_start until one is reported missing. */
unsigned bao_start_secondaries(void);

/* Sv39 identity map of 0-4 GiB with 1 GiB pages (RWX, global); turns
 * translation on for the calling hart. Harts started later turn the same
 * map on before secondary_main(). */
void bao_mmu_enable_identity(void);
int bao_mmu_enabled(void);

void bao_uart_putc(char c);
void bao_uart_puts(const char* s);
void bao_print_lock(void);
void bao_print_unlock(void);
int bao_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Small inline helpers ------------------------------------------- */

static inline unsigned bao_core_id(void) {
    unsigned long id;
    __asm__ volatile("csrr %0, sscratch" : "=r"(id));
    return (unsigned)id;
}
static inline uint64_t bao_cntvct(void) {
    uint64_t v;
    __asm__ volatile("rdtime %0" : "=r"(v)::"memory");
    return v;
}
static inline uint64_t bao_cntfrq(void) {
    return BAO_TIMEBASE_HZ;
}
/* time as read by the runtime's trap entry on this hart (before the
 * register save); valid inside irq_handler() for the interrupt being handled. */
extern volatile uint64_t __bao_irq_cntvct[BAO_MAX_CORES];
static inline uint64_t bao_irq_entry_cntvct(void) {
    return __bao_irq_cntvct[bao_core_id()];
}
static inline void bao_irq_enable(void) {
    __asm__ volatile("csrsi sstatus, 2" ::: "memory");
}
static inline void bao_irq_disable(void) {
    __asm__ volatile("csrci sstatus, 2" ::: "memory");
}
static inline void bao_wfi(void) {
    __asm__ volatile("wfi" ::: "memory");
}

#ifdef __cplusplus
}
#endif

#endif /* BAO_GUEST_H */
