// Bao's hypercalls: HVC with x0 = 0x86000000 | id (SMCCC fast call, owner 5:
// standard hypervisor service), arguments in x1..x3, result in x0. Errors
// are Bao's negative codes.
#pragma once

#include <cstdint>

#include "hv/core/vcpu.h"

namespace hv::inline HV_ARCH_NS {

class Hypervisor;
struct Vm;

namespace hc {
inline constexpr std::uint32_t kBase = 0x8600'0000;
inline constexpr std::uint32_t IPC = 1;       // x1 = IPC object index, x2 = event
inline constexpr std::uint32_t MARK = 0x10;   // bao-sim: x1 = 0 start, 1 end (decision 7)
inline constexpr std::uint32_t SAMPLE = 0x11; // bao-sim: x1 = one measured value (Port::sample)
inline constexpr std::uint32_t PARAM =
    0x12; // bao-sim: x1 = index -> x0 = value, or negative if unset

// Bao's codes (src/core/inc/hypercall.h); returned negated.
inline constexpr std::int64_t E_SUCCESS = 0;
inline constexpr std::int64_t E_FAILURE = 1;
inline constexpr std::int64_t E_INVAL_ID = 2;
inline constexpr std::int64_t E_INVAL_ARGS = 3;

constexpr bool is_hypercall(std::uint32_t fid) {
    return (fid & 0xffff'0000u) == kBase;
}
} // namespace hc

// Handles the hypercall in `regs` from `vcpu` (arch::hypercall_arg 0 is the
// function id, 1 and 2 its arguments), writing the result.
TrapAction hypercall(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs);

// IPC notify (Bao's ipc_hypercall): `ipc_id` indexes the caller's ipcs; every
// other VM with an IPC object on the same shared memory gets that object's
// interrupt number `event` raised: recorded in Vm::virq_pending and injected
// by the vGIC (arch::virq_raise). Returns 0 or -E_INVAL_ARGS.
std::int64_t ipc_notify(Hypervisor& hv, Vm& caller, std::uint64_t ipc_id, std::uint64_t event);

// The mark call (decision 7): `value` 0 starts, 1 ends the measured region
// (Port::mark); false for any other value.
bool mark(Hypervisor& hv, Vm& vm, std::uint64_t value);

// EmulHandler of a VM's marker page (VmConfig::marker): user space, which
// cannot issue the hypercall, stores a 32-bit 0 or 1 at offset 0 through
// /dev/mem, and that store is the mark call. Reads return 0; other offsets,
// sizes and values are ignored (counted in Vm::marker_ignored).
bool marker_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                   std::uint64_t& value);

} // namespace hv::inline HV_ARCH_NS
