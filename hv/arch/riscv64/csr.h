// RISC-V privileged-architecture constants hv uses (H extension, version
// 1.12 of the privileged spec): trap causes, interrupt bits and the values hv
// programs into the hypervisor CSRs.
#pragma once

#include <cstdint>

namespace hv::riscv64 {

// scause: bit 63 set for interrupts; the rest is the cause number.
inline constexpr std::uint64_t kCauseInterrupt = 1ull << 63;

namespace cause {
// Exceptions.
inline constexpr std::uint64_t InsnMisaligned = 0;
inline constexpr std::uint64_t InsnAccessFault = 1;
inline constexpr std::uint64_t IllegalInsn = 2;
inline constexpr std::uint64_t Breakpoint = 3;
inline constexpr std::uint64_t LoadAccessFault = 5;
inline constexpr std::uint64_t StoreAccessFault = 7;
inline constexpr std::uint64_t EcallU = 8;
inline constexpr std::uint64_t EcallVS = 10;
inline constexpr std::uint64_t InsnPageFault = 12;
inline constexpr std::uint64_t LoadPageFault = 13;
inline constexpr std::uint64_t StorePageFault = 15;
inline constexpr std::uint64_t InsnGuestPageFault = 20;
inline constexpr std::uint64_t LoadGuestPageFault = 21;
inline constexpr std::uint64_t VirtualInsn = 22;
inline constexpr std::uint64_t StoreGuestPageFault = 23;
// Interrupts taken by hv in HS mode.
inline constexpr std::uint64_t SupervisorSoft = 1;
inline constexpr std::uint64_t SupervisorTimer = 5;
inline constexpr std::uint64_t SupervisorExternal = 9;
} // namespace cause

// hvip / hideleg / hie bits of the VS-level interrupts.
inline constexpr std::uint64_t kVssip = 1ull << 2;
inline constexpr std::uint64_t kVstip = 1ull << 6;
inline constexpr std::uint64_t kVseip = 1ull << 10;

// hstatus: the guest runs in VS mode after sret (SPV), its WFI traps as a
// virtual instruction once it would wait (VTW), and VS mode is 64-bit
// (VSXL = 2).
namespace hstatus {
inline constexpr std::uint64_t SPV = 1ull << 7;
inline constexpr std::uint64_t SPVP = 1ull << 8;
inline constexpr std::uint64_t VTW = 1ull << 21;
inline constexpr std::uint64_t VSXL64 = 2ull << 32;
} // namespace hstatus
inline constexpr std::uint64_t kHstatusGuest =
    hstatus::SPV | hstatus::SPVP | hstatus::VTW | hstatus::VSXL64;

// hedeleg: the guest's own synchronous exceptions go straight to VS mode
// (misaligned fetch, illegal instruction, breakpoint, U-mode ecall, its own
// page faults); guest-page faults, VS ecalls and virtual instructions stay
// with hv.
inline constexpr std::uint64_t kHedelegGuest =
    (1ull << cause::InsnMisaligned) | (1ull << cause::IllegalInsn) | (1ull << cause::Breakpoint) |
    (1ull << cause::EcallU) | (1ull << cause::InsnPageFault) | (1ull << cause::LoadPageFault) |
    (1ull << cause::StorePageFault);
// hideleg: the three VS interrupts are the guest's.
inline constexpr std::uint64_t kHidelegGuest = kVssip | kVstip | kVseip;
// hcounteren: the guest reads `time` itself (TM); cycle and instret trap.
inline constexpr std::uint64_t kHcounterenGuest = 1ull << 1;

// The WFI instruction (it traps as a virtual instruction with hstatus.VTW).
inline constexpr std::uint32_t kWfi = 0x1050'0073;

// The guest's hart id as the guest sees it: its virtual id, whatever
// physical hart backs it (a0 at its first instruction, SBI HSM's hartid).
constexpr std::uint64_t vhartid(std::uint32_t id) {
    return id;
}

} // namespace hv::riscv64
