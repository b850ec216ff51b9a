// Bao's hypercalls and bao-sim's own: ids, arguments and error codes are the
// guest-visible ABI in hv/abi/hypercall.h (namespace hv::hc), shared with
// native mode's firmware and the guests' runtime.
#pragma once

#include <cstdint>

#include "hv/abi/hypercall.h"
#include "hv/core/vcpu.h"

namespace hv::inline HV_ARCH_NS {

class Hypervisor;
struct Vm;

// Handles the hypercall in `regs` from `vcpu` (arch::hypercall_arg 0 is the
// function id, 1 and 2 its arguments), writing the result.
TrapAction hypercall(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs);

// IPC notify (Bao's ipc_hypercall): `ipc_id` indexes the caller's ipcs; every
// other VM with an IPC object on the same shared memory gets that object's
// interrupt number `event` raised: recorded in Vm::virq_pending and injected
// by the vGIC (arch::virq_raise). Returns 0 or -E_INVAL_ARGS.
std::int64_t ipc_notify(Hypervisor& hv, Vm& caller, std::uint64_t ipc_id, std::uint64_t event);

// The mark call (docs/design.md#measured-region): `value` 0 starts, 1 ends
// the measured region (Port::mark); false for any other value.
bool mark(Hypervisor& hv, Vm& vm, std::uint64_t value);

// EmulHandler of a VM's marker page (VmConfig::marker): user space, which
// cannot issue the hypercall, stores a 32-bit 0 or 1 at offset 0 through
// /dev/mem, and that store is the mark call. Reads return 0; other offsets,
// sizes and values are ignored (counted in Vm::marker_ignored).
bool marker_access(Hypervisor& hv, Vm& vm, std::uint64_t offset, std::uint32_t size, bool is_write,
                   std::uint64_t& value);

} // namespace hv::inline HV_ARCH_NS
