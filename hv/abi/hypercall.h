/* bao-sim's hypercall ABI, the one definition that guests (workloads/runtime,
 * C), hv (hv/core/hypercall.cpp) and native mode's firmware (sim/firmware.cpp)
 * all read, so a guest gets the same answer with or without a hypervisor.
 *
 * A hypercall is HVC #0 with x0 = BAO_HC_BASE | id (SMCCC fast call, owner 5:
 * standard hypervisor service), arguments in x1..x3, result in x0. Errors are
 * Bao's codes (src/core/inc/hypercall.h), returned negated: an unknown id
 * gives -BAO_HC_E_INVAL_ID, a bad argument -BAO_HC_E_INVAL_ARGS.
 *
 * C and C++: plain macros, plus typed constants in hv::hc for C++. */
#ifndef BAO_HV_ABI_HYPERCALL_H
#define BAO_HV_ABI_HYPERCALL_H

#define BAO_HC_BASE 0x86000000u
#define BAO_HC_ID_MASK 0xffffu

#define BAO_HC_ID_IPC 0x01u    /* IPC notify: x1 = IPC object index, x2 = event */
#define BAO_HC_ID_MARK 0x10u   /* bao-sim: x1 = 0 start, 1 end of the measured region */
#define BAO_HC_ID_SAMPLE 0x11u /* bao-sim: x1 = one measured value */
#define BAO_HC_ID_PARAM 0x12u  /* bao-sim: x1 = index -> x0 = value (> 0), negative if unset */

/* RISC-V: the same hypercalls are an SBI extension (Bao's own id): ECALL
 * with a7 = BAO_HC_SBI_EXTID, a6 = the id above, a0..a2 = the arguments;
 * a0 returns 0 or the negated error code, a1 the value (PARAM's). */
#define BAO_HC_SBI_EXTID 0x08000ba0u

#define BAO_HC_E_SUCCESS 0
#define BAO_HC_E_FAILURE 1
#define BAO_HC_E_INVAL_ID 2
#define BAO_HC_E_INVAL_ARGS 3

#ifdef __cplusplus
#include <cstdint>

namespace hv::hc {
inline constexpr std::uint32_t kBase = BAO_HC_BASE;
inline constexpr std::uint32_t IPC = BAO_HC_ID_IPC;
inline constexpr std::uint32_t MARK = BAO_HC_ID_MARK;
inline constexpr std::uint32_t SAMPLE = BAO_HC_ID_SAMPLE;
inline constexpr std::uint32_t PARAM = BAO_HC_ID_PARAM;

inline constexpr std::int64_t E_SUCCESS = BAO_HC_E_SUCCESS;
inline constexpr std::int64_t E_FAILURE = BAO_HC_E_FAILURE;
inline constexpr std::int64_t E_INVAL_ID = BAO_HC_E_INVAL_ID;
inline constexpr std::int64_t E_INVAL_ARGS = BAO_HC_E_INVAL_ARGS;

// `fid` is w0, the SMCCC function id (x0's upper half is not part of it).
constexpr bool is_hypercall(std::uint32_t fid) {
    return (fid & ~BAO_HC_ID_MASK) == kBase;
}
constexpr std::uint32_t id_of(std::uint32_t fid) {
    return fid & BAO_HC_ID_MASK;
}
} // namespace hv::hc
#endif

#endif
