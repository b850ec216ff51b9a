/*
 * bao_guest.h - runtime and ABI of the bao-sim bare-metal AArch64 guests.
 *
 * This header is the contract between the guests in workloads/ and whatever
 * runs them (the bao-sim simulator in native mode, hv in the simulator or on
 * the target, or plain QEMU). See docs/workloads.md for the prose version.
 *
 * Memory map (QEMU virt / Bao qemu-aarch64-virt):
 *   0x4000_0000  image load address = link address = entry point (_start).
 *                .text+.rodata first; .data on the next 4 KiB page; then .bss,
 *                per-core TLS blocks and BAO_MAX_CORES page-aligned stacks of
 *                BAO_STACK_SIZE bytes (all NOLOAD, inside the ELF's RW segment
 *                memsz, not in the .bin). Symbols: __bao_image_start,
 *                __bao_data_start, __bao_image_end (end of the stacks).
 *   0x0900_0000  PL011 UART (only DR and FR are used).
 * Built with -DBAO_PLATFORM_ZCU104 (workloads/zcu104/, docs/zcu104.md) the
 * guest is for the ZCU104: the same image layout (its DDR covers 0x4000_0000),
 * the console at UART0, 0xFF00_0000, which is the board's Cadence UART
 * natively and hv's virtual PL011 under hv (uart.c tells them apart), the
 * GIC-400 at 0xF901_0000 (bao_gic.h).
 *
 * Entry: every core enters _start with the MMU off, at EL1 (bao-sim, hv) or
 * EL2 (QEMU virtualization=on; the runtime drops to EL1h). Core id = MPIDR_EL1
 * Aff0. Core 0 clears .bss, sets up TLS and calls main(); returning from main()
 * powers the system off (PSCI SYSTEM_OFF). Other cores must be started with
 * PSCI CPU_ON (entry _start); they call secondary_main(core).
 *
 * Calls made by the guest:
 *   PSCI over SMC #0 (x0 = function id, x1..x3 = arguments, result in x0):
 *     PSCI_VERSION 0x84000000, CPU_OFF 0x84000002,
 *     CPU_ON 0xC4000003 (x1 = target MPIDR affinity = core index, x2 = entry,
 *                        x3 = context id), SYSTEM_OFF 0x84000008.
 *   bao-sim hypercalls over HVC #0 (x0 = 0x86000000 | id, result in x0):
 *     id 0x01 IPC notify: x1 = IPC object, x2 = event.
 *     id 0x10 mark:       x1 = 0 start of the measured region, 1 end.
 *     id 0x11 sample:     x1 = one 64-bit measured value (irqlat: latency in
 *                         generic-timer ticks); recorded by the simulator.
 *     id 0x12 param:      x1 = index -> the run parameter, negative if unset.
 *   Ids and error codes (-2 unknown id, -3 bad argument) come from
 *   hv/abi/hypercall.h, which hv and the simulator's firmware share.
 *   The guest wrappers treat x0-x17 as clobbered by SMC/HVC (SMCCC 1.0), so the
 *   callee only has to preserve x18-x30 and sp.
 */
#ifndef BAO_GUEST_H
#define BAO_GUEST_H

#include <stdint.h>

#include "hv/abi/hypercall.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Platform constants ------------------------------------------------ */

#define BAO_RAM_BASE 0x40000000UL /* load/link address of every guest */
#ifdef BAO_PLATFORM_ZCU104
#define BAO_UART_BASE 0xFF000000UL /* UART0: Cadence natively, a PL011 under hv */
#else
#define BAO_UART_BASE 0x09000000UL /* PL011 */
#endif
#define BAO_UART_DR 0x00           /* data register */
#define BAO_UART_FR 0x18           /* flag register */
#define BAO_UART_FR_TXFF (1u << 5) /* transmit FIFO full */
#define BAO_MAX_CORES 8            /* cores with a stack; others park in WFI */
#define BAO_STACK_SIZE (16 * 1024) /* per-core stack (EL1h, also used by IRQs) */

/* ---- PSCI (SMC conduit) ---------------------------------------------- */

#define PSCI_VERSION 0x84000000UL
#define PSCI_CPU_OFF 0x84000002UL
#define PSCI_CPU_ON 0xC4000003UL /* SMC64 */
#define PSCI_SYSTEM_OFF 0x84000008UL

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2) /* CPU_ON: no such CPU */
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)

static inline int64_t bao_smc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("smc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return (int64_t)x0;
}

/* Returns (major << 16) | minor, e.g. 0x10001 for PSCI 1.1. */
static inline uint32_t psci_version(void) {
    return (uint32_t)bao_smc(PSCI_VERSION, 0, 0, 0);
}

/* Start core `core` (MPIDR affinity, Aff0 = core index) at `entry` (normally _start)
 * with x0 = context_id. Returns PSCI_SUCCESS, PSCI_INVALID_PARAMETERS or PSCI_ALREADY_ON. */
static inline int psci_cpu_on(uint64_t core, uint64_t entry, uint64_t context_id) {
    return (int)bao_smc(PSCI_CPU_ON, core, entry, context_id);
}

/* Powers the calling core off; does not return on success. */
static inline int psci_cpu_off(void) {
    return (int)bao_smc(PSCI_CPU_OFF, 0, 0, 0);
}

/* Powers the whole system (VM) off; never returns (spins in WFI if it does). */
__attribute__((noreturn)) void psci_system_off(void);

/* ---- bao-sim hypercalls (HVC conduit) -------------------------------- */

/* Ids and error codes: hv/abi/hypercall.h, shared with hv and the simulator. */
#define BAO_HC_IPC_NOTIFY (BAO_HC_BASE | BAO_HC_ID_IPC)
#define BAO_HC_MARK (BAO_HC_BASE | BAO_HC_ID_MARK)
#define BAO_HC_SAMPLE (BAO_HC_BASE | BAO_HC_ID_SAMPLE)
#define BAO_HC_PARAM (BAO_HC_BASE | BAO_HC_ID_PARAM)

#define BAO_MARK_START 0
#define BAO_MARK_END 1

static inline int64_t bao_hvc(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3) {
    register uint64_t x0 __asm__("x0") = fid;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return (int64_t)x0;
}

/* Marks the start (end = 0) or end (end = 1) of the measured region. Returns 0. */
static inline int64_t bao_mark(int end) {
    return bao_hvc(BAO_HC_MARK, end ? 1 : 0, 0, 0);
}

/* Reports one measured value (e.g. an interrupt latency in timer ticks) to
 * whoever runs the guest: hv's port / the simulator record it, the target and
 * QEMU ignore it. Returns 0. */
static inline int64_t bao_sample(uint64_t value) {
    return bao_hvc(BAO_HC_SAMPLE, value, 0, 0);
}

/* Run parameter `index` (bao-sim --guest-param INDEX=VALUE), or `dflt` when the
 * run gives none (negative answer; 0 from a plain EL2 stub counts as none). */
static inline uint64_t bao_param(uint64_t index, uint64_t dflt) {
    int64_t v = bao_hvc(BAO_HC_PARAM, index, 0, 0);
    return v > 0 ? (uint64_t)v : dflt;
}

/* Raises `event` on shared-memory IPC object `obj` (Bao's IPC notify). */
static inline int64_t bao_ipc_notify(uint64_t obj, uint64_t event) {
    return bao_hvc(BAO_HC_IPC_NOTIFY, obj, event, 0);
}

/* ---- Entry points the guest provides or overrides -------------------- */

int main(void);                     /* core 0; return = SYSTEM_OFF */
void secondary_main(unsigned core); /* weak default: WFI forever */
void irq_handler(void);             /* weak default: report + SYSTEM_OFF */
extern char _start[];               /* entry of every core */

/* ---- Runtime services ------------------------------------------------- */

/* Starts cores 1..BAO_MAX_CORES-1 with CPU_ON(entry = _start) until one returns
 * PSCI_INVALID_PARAMETERS. Returns how many cores were started. */
unsigned bao_start_secondaries(void);

/* Identity map, 1 GiB blocks: 0-1 GiB Device-nGnRnE (XN), 1-4 GiB Normal WB
 * cacheable inner-shareable; enables MMU, D- and I-caches on the calling core.
 * Call it on core 0 before bao_start_secondaries(): cores started later enable
 * the same mapping themselves before secondary_main(). */
void bao_mmu_enable_identity(void);
int bao_mmu_enabled(void); /* on the calling core */

/* UART and console. Lines printed by several cores do not interleave when each
 * core prints a whole line under the print lock (bao_printf does). */
void bao_uart_putc(char c);
void bao_uart_puts(const char* s);
void bao_print_lock(void);
void bao_print_unlock(void);
int bao_printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- Small inline helpers ------------------------------------------- */

static inline unsigned bao_core_id(void) {
    uint64_t mpidr;
    __asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return (unsigned)(mpidr & 0xff);
}
static inline uint64_t bao_cntvct(void) {
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v)::"memory");
    return v;
}
static inline uint64_t bao_cntfrq(void) {
    uint64_t v;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
    return v;
}
/* CNTVCT_EL0 as read by the runtime's IRQ vector on this core, three
 * instructions after exception entry and before the register save; valid
 * inside irq_handler() for the interrupt being handled. */
extern volatile uint64_t __bao_irq_cntvct[BAO_MAX_CORES];
static inline uint64_t bao_irq_entry_cntvct(void) {
    return __bao_irq_cntvct[bao_core_id()];
}
static inline void bao_irq_enable(void) {
    __asm__ volatile("msr daifclr, #2" ::: "memory");
}
static inline void bao_irq_disable(void) {
    __asm__ volatile("msr daifset, #2" ::: "memory");
}
static inline void bao_wfi(void) {
    __asm__ volatile("wfi" ::: "memory");
}
static inline void bao_wfe(void) {
    __asm__ volatile("wfe" ::: "memory");
}
static inline void bao_sev(void) {
    __asm__ volatile("dsb ish; sev" ::: "memory");
}

#ifdef __cplusplus
}
#endif

#endif /* BAO_GUEST_H */
