// A synchronous exception the guest's own EL1 takes, as the Arm ARM defines
// it (D1.10, ESR_EL1 D17.2.40): what a core delivers when Unicorn 2.0.1
// reports one and drops it (unicorn-notes.md, "Synchronous exceptions").
// Architecture-neutral in shape: a RISC-V core's twin is "cause, tval, epc".
#pragma once

#include <cstdint>
#include <string>

namespace sim::cpu {

// ESR_ELx.EC values of the exceptions delivered to EL1.
namespace el1_ec {
inline constexpr uint32_t unknown = 0x00; // undefined instruction, EL2/EL3-only register
inline constexpr uint32_t svc64 = 0x15;   // ISS = imm16; ELR = next instruction
inline constexpr uint32_t sys_reg = 0x18; // an EL0 access its EL0 control refused; ELR = it
inline constexpr uint32_t inst_abort_lower = 0x20; // +1 when taken from EL1 itself
inline constexpr uint32_t pc_alignment = 0x22;
inline constexpr uint32_t data_abort_lower = 0x24; // +1 when taken from EL1 itself
inline constexpr uint32_t sp_alignment = 0x26;
inline constexpr uint32_t brk64 = 0x3c; // ISS = imm16; ELR = the BRK
} // namespace el1_ec

struct GuestException {
    uint32_t ec = el1_ec::unknown; // for aborts: the lower-EL class (delivery adjusts it)
    uint32_t iss = 0;
    bool has_far = false; // FAR_EL1 is written for aborts and alignment faults only
    uint64_t far = 0;
    uint64_t return_pc = 0; // preferred return address: ELR_EL1
    std::string what;       // for reports: "undefined instruction 0x0"
};

// ESR_EL1 as written for an exception taken from `from_el0` (IL = 1: every
// AArch64 instruction is 32 bits).
constexpr uint64_t el1_esr(const GuestException& e, bool from_el0) {
    uint32_t ec = e.ec;
    if (!from_el0 && (ec == el1_ec::inst_abort_lower || ec == el1_ec::data_abort_lower))
        ++ec;
    return (static_cast<uint64_t>(ec) << 26) | (1ull << 25) | (e.iss & 0x1ffffff);
}

// VBAR_EL1 offset of the synchronous slot (D1.10.2): current EL with SP_EL0,
// current EL with SP_ELx, or lower EL using AArch64.
constexpr uint64_t el1_sync_vector(bool from_el0, bool sp_el0) {
    return from_el0 ? 0x400 : sp_el0 ? 0x000 : 0x200;
}

// Data-abort ISS for an EL1 stage-1 fault: WnR and the fault status code
// (ISV is 0 for aborts reported in ESR_EL1).
constexpr uint32_t data_abort_iss(bool is_write, uint32_t fsc) {
    return (is_write ? 1u << 6 : 0u) | (fsc & 0x3f);
}

} // namespace sim::cpu
