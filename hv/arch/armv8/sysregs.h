// EL2 register values hv programs on Armv8-A.
#pragma once

#include <cstdint>

namespace hv::armv8 {

// HCR_EL2 for a running VM: stage 2 on (VM), set/way invalidation upgraded
// (SWIO), physical IRQ/FIQ/SError routed to EL2 (IMO/FMO/AMO), WFI trapped so
// an idle guest releases its core (TWI), SMC trapped for the PSCI filter
// (TSC), set/way cleaning trapped because it would reach other VMs' lines in
// the shared L2 (TSW), EL1 is AArch64 (RW).
namespace hcr {
inline constexpr std::uint64_t VM = 1ull << 0;
inline constexpr std::uint64_t SWIO = 1ull << 1;
inline constexpr std::uint64_t FMO = 1ull << 3;
inline constexpr std::uint64_t IMO = 1ull << 4;
inline constexpr std::uint64_t AMO = 1ull << 5;
inline constexpr std::uint64_t VI = 1ull << 7;
inline constexpr std::uint64_t TWI = 1ull << 13;
inline constexpr std::uint64_t TWE = 1ull << 14;
inline constexpr std::uint64_t TSC = 1ull << 19;
inline constexpr std::uint64_t TSW = 1ull << 22;
inline constexpr std::uint64_t RW = 1ull << 31;
} // namespace hcr

inline constexpr std::uint64_t kHcrGuest =
    hcr::VM | hcr::SWIO | hcr::FMO | hcr::IMO | hcr::AMO | hcr::TWI | hcr::TSC | hcr::TSW | hcr::RW;

// VMPIDR_EL2 for virtual CPU `id`: RES1 bit 31, Aff0 = id, so the guest sees
// CPUs 0..n-1 whatever physical CPUs back them (Bao's vm_cpuid_to_mpidr).
constexpr std::uint64_t vmpidr(std::uint32_t id) {
    return (1ull << 31) | (id & 0xffu);
}
// The same for a VM of `num_vcpus` vCPUs: a VM with one vCPU also sees the
// U bit (30, "uniprocessor"), as Bao presents it.
inline constexpr std::uint64_t kMpidrU = 1ull << 30;
constexpr std::uint64_t vmpidr(std::uint32_t id, std::uint32_t num_vcpus) {
    return vmpidr(id) | (num_vcpus == 1 ? kMpidrU : 0);
}
// The affinity fields a PSCI call or an interrupt route names a CPU by
// (Aff3, Aff2, Aff1, Aff0); the other bits (U, MT, RES1) are not part of it.
inline constexpr std::uint64_t kMpidrAffMask = 0xff'00ff'ffffull;

} // namespace hv::armv8
