// The PSCI filter (PSCI 1.1 over SMCCC, from HVC or SMC), Armv8-A's
// firmware-call filter: guests name CPUs by their virtual MPIDR; hv
// translates them to the VM's physical CPUs and only ever touches CPUs the
// VM owns.
#pragma once

#include <cstdint>

#include "hv/arch/ns.h"
#include "hv/core/vcpu.h"

namespace hv::armv8 {

namespace psci {
inline constexpr std::uint32_t VERSION = 0x8400'0000;
inline constexpr std::uint32_t CPU_SUSPEND = 0x8400'0001;
inline constexpr std::uint32_t CPU_SUSPEND64 = 0xc400'0001;
inline constexpr std::uint32_t CPU_OFF = 0x8400'0002;
inline constexpr std::uint32_t CPU_ON = 0x8400'0003;
inline constexpr std::uint32_t CPU_ON64 = 0xc400'0003;
inline constexpr std::uint32_t AFFINITY_INFO = 0x8400'0004;
inline constexpr std::uint32_t AFFINITY_INFO64 = 0xc400'0004;
inline constexpr std::uint32_t MIGRATE_INFO_TYPE = 0x8400'0006;
inline constexpr std::uint32_t SYSTEM_OFF = 0x8400'0008;
inline constexpr std::uint32_t SYSTEM_RESET = 0x8400'0009;
inline constexpr std::uint32_t FEATURES = 0x8400'000a;

inline constexpr std::int64_t SUCCESS = 0;
inline constexpr std::int64_t NOT_SUPPORTED = -1;
inline constexpr std::int64_t INVALID_PARAMETERS = -2;
inline constexpr std::int64_t DENIED = -3;
inline constexpr std::int64_t ALREADY_ON = -4;
inline constexpr std::int64_t ON_PENDING = -5;
inline constexpr std::int64_t INTERNAL_FAILURE = -6;
inline constexpr std::int64_t INVALID_ADDRESS = -9;

inline constexpr std::int64_t AFF_ON = 0;
inline constexpr std::int64_t AFF_OFF = 1;

inline constexpr std::uint64_t VERSION_1_1 = 0x0001'0001;

// SMCCC owner 4 (standard secure service), 32- or 64-bit convention.
constexpr bool is_psci(std::uint32_t fid) {
    return (fid & 0xbfff'ffe0u) == 0x8400'0000u;
}
} // namespace psci

// The vCPU of `vm` whose virtual MPIDR has the affinity `mpidr` names
// (kMpidrAffMask: Aff3..Aff0; the U, MT and RES1 bits are ignored), or
// nullptr: a CPU outside the VM. How PSCI and interrupt routing by affinity
// find a vCPU.
Vcpu* vcpu_by_affinity(Hypervisor& hv, Vm& vm, std::uint64_t mpidr);

// Handles the PSCI call in regs.x[0..3] from `vcpu`, writing the result to x0.
TrapAction psci_call(Hypervisor& hv, Vm& vm, Vcpu& vcpu, VcpuRegs& regs);

} // namespace hv::armv8
