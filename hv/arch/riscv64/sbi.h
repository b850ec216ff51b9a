// The SBI interface hv offers its guests (SBI v2.0 calling convention: ECALL
// from VS mode, a7 extension id, a6 function id, a0..a5 arguments, error in
// a0 and value in a1), RISC-V's firmware-call filter and PSCI's twin: guests
// name harts by their virtual hart id (0..n-1); hv translates them to the
// VM's physical harts and only ever touches harts the VM owns.
//
// Extensions: base, TIME (set_timer), IPI (send_ipi), RFENCE (remote
// fence.i and sfence.vma, as HFENCE.VVMA in the VM's VMID), HSM (hart
// start, stop, status, retentive suspend), SRST (shutdown stops the VM; the
// machine powers off when the last VM does), and Bao's hypercalls as
// extension BAO_HC_SBI_EXTID (hv/abi/hypercall.h).
#pragma once

#include <cstdint>

#include "hv/abi/hypercall.h"
#include "hv/arch/ns.h"
#include "hv/core/vcpu.h"

namespace hv::riscv64 {

namespace sbi {
// Extension ids.
inline constexpr std::uint64_t EXT_BASE = 0x10;
inline constexpr std::uint64_t EXT_TIME = 0x5449'4D45;
inline constexpr std::uint64_t EXT_IPI = 0x73'5049;
inline constexpr std::uint64_t EXT_RFENCE = 0x5246'4E43;
inline constexpr std::uint64_t EXT_HSM = 0x48'534D;
inline constexpr std::uint64_t EXT_SRST = 0x5352'5354;
inline constexpr std::uint64_t EXT_BAO = BAO_HC_SBI_EXTID; // Bao's hypercalls

// Base functions.
inline constexpr std::uint64_t GET_SPEC_VERSION = 0;
inline constexpr std::uint64_t GET_IMPL_ID = 1;
inline constexpr std::uint64_t GET_IMPL_VERSION = 2;
inline constexpr std::uint64_t PROBE_EXTENSION = 3;
inline constexpr std::uint64_t GET_MVENDORID = 4;
inline constexpr std::uint64_t GET_MARCHID = 5;
inline constexpr std::uint64_t GET_MIMPID = 6;
// RFENCE functions.
inline constexpr std::uint64_t REMOTE_FENCE_I = 0;
inline constexpr std::uint64_t REMOTE_SFENCE_VMA = 1;
inline constexpr std::uint64_t REMOTE_SFENCE_VMA_ASID = 2;
// HSM functions and states.
inline constexpr std::uint64_t HART_START = 0;
inline constexpr std::uint64_t HART_STOP = 1;
inline constexpr std::uint64_t HART_GET_STATUS = 2;
inline constexpr std::uint64_t HART_SUSPEND = 3;
inline constexpr std::int64_t HSM_STARTED = 0;
inline constexpr std::int64_t HSM_STOPPED = 1;
inline constexpr std::uint64_t SUSPEND_RETENTIVE = 0x0;
inline constexpr std::uint64_t SUSPEND_NON_RETENTIVE = 0x8000'0000;
// SRST.
inline constexpr std::uint64_t SYSTEM_RESET = 0;
inline constexpr std::uint64_t RESET_SHUTDOWN = 0;
inline constexpr std::uint64_t RESET_COLD_REBOOT = 1;
inline constexpr std::uint64_t RESET_WARM_REBOOT = 2;
inline constexpr std::uint64_t REASON_NONE = 0;
inline constexpr std::uint64_t REASON_SYSTEM_FAILURE = 1;

// Error codes (SBI v2.0, table 1).
inline constexpr std::int64_t SUCCESS = 0;
inline constexpr std::int64_t ERR_FAILED = -1;
inline constexpr std::int64_t ERR_NOT_SUPPORTED = -2;
inline constexpr std::int64_t ERR_INVALID_PARAM = -3;
inline constexpr std::int64_t ERR_DENIED = -4;
inline constexpr std::int64_t ERR_INVALID_ADDRESS = -5;
inline constexpr std::int64_t ERR_ALREADY_AVAILABLE = -6;

// What hv reports: SBI v2.0, and an implementation id outside the SBI
// registry's (Bao has none registered).
inline constexpr std::uint64_t kSpecVersion = 2ull << 24;
inline constexpr std::uint64_t kImplId = 0xBA0;
inline constexpr std::uint64_t kImplVersion = 1;

// "Every hart": hart_mask_base = -1 (SBI v2.0 section 3.1).
inline constexpr std::uint64_t kAllHarts = ~0ull;
} // namespace sbi

// The virtual harts of `vm` that (hart_mask, hart_mask_base) names, as a mask
// over virtual hart ids. False for a hart the VM does not have.
bool sbi_hart_mask(const Vm& vm, std::uint64_t hart_mask, std::uint64_t base,
                   std::uint64_t& vharts);

// Handles the SBI call in `regs` from `vcpu` (sepc already past the ECALL),
// writing a0 (error) and a1 (value).
TrapAction sbi_call(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs);

} // namespace hv::riscv64
