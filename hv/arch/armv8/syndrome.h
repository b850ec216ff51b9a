// ESR_EL2-style exception syndromes: what the hardware reports when a guest
// traps to EL2, and what sim/cpu builds for the same event, so hv's dispatch
// is the target's (Arm ARM D17.2.37, ESR_ELx).
#pragma once

#include <cstdint>

namespace hv::armv8 {

// Exception classes hv handles (ESR_EL2.EC, bits 31:26).
enum class Ec : std::uint8_t {
    Unknown = 0x00,
    WfxTrap = 0x01,        // WFI/WFE with HCR_EL2.TWI/TWE
    Hvc64 = 0x16,          // HVC from AArch64; ELR is the next instruction
    Smc64 = 0x17,          // SMC from AArch64 trapped by HCR_EL2.TSC; ELR is the SMC
    SysReg64 = 0x18,       // trapped MSR/MRS/SYS
    InstAbortLower = 0x20, // stage-2 fault on an instruction fetch
    DataAbortLower = 0x24, // stage-2 fault (or emulated MMIO) on a load/store
};

struct TrapSyndrome {
    std::uint64_t esr = 0;   // EC[31:26] IL[25] ISS[24:0]
    std::uint64_t far = 0;   // faulting virtual address (aborts)
    std::uint64_t hpfar = 0; // faulting IPA[47:12] in bits [43:4] (stage-2 aborts)

    constexpr Ec ec() const { return static_cast<Ec>((esr >> 26) & 0x3f); }
    constexpr std::uint32_t iss() const { return static_cast<std::uint32_t>(esr & 0x1ffffff); }
    // The faulting IPA: page from HPFAR, offset from FAR (as Bao computes it).
    constexpr std::uint64_t fault_ipa() const { return ((hpfar >> 4) << 12) | (far & 0xfff); }
};

// Data-abort ISS fields (valid when ISV is set: a single load/store to a
// general-purpose register, which emulation can replay).
namespace dabt {
constexpr bool isv(std::uint32_t iss) {
    return (iss >> 24) & 1;
}
constexpr std::uint32_t access_size(std::uint32_t iss) {
    return 1u << ((iss >> 22) & 3);
}
constexpr bool sign_extend(std::uint32_t iss) {
    return (iss >> 21) & 1;
}
constexpr std::uint32_t srt(std::uint32_t iss) {
    return (iss >> 16) & 0x1f;
}
constexpr bool sixty_four(std::uint32_t iss) {
    return (iss >> 15) & 1;
}
constexpr bool write(std::uint32_t iss) {
    return (iss >> 6) & 1;
}
// Valid whatever ISV says: the fault was on the access's stage-1 table walk
// (S1PTW), and the access was a cache maintenance or address translation
// instruction's (CM).
constexpr bool s1ptw(std::uint32_t iss) {
    return (iss >> 7) & 1;
}
constexpr bool cm(std::uint32_t iss) {
    return (iss >> 8) & 1;
}
} // namespace dabt

// Builders for the simulator (and tests): the syndrome the hardware would
// give for each event.
constexpr std::uint64_t make_esr(Ec ec, std::uint32_t iss) {
    return (static_cast<std::uint64_t>(ec) << 26) | (1ull << 25) | (iss & 0x1ffffff);
}
constexpr TrapSyndrome hvc64(std::uint16_t imm = 0) {
    return {make_esr(Ec::Hvc64, imm), 0, 0};
}
constexpr TrapSyndrome smc64(std::uint16_t imm = 0) {
    return {make_esr(Ec::Smc64, imm), 0, 0};
}
constexpr TrapSyndrome wfi() {
    return {make_esr(Ec::WfxTrap, 0), 0, 0};
}
constexpr TrapSyndrome wfe() {
    return {make_esr(Ec::WfxTrap, 1), 0, 0};
}
// A load/store of `size` bytes (1, 2, 4, 8) through register `srt` (31 = xzr)
// at guest VA `va` that translated to `ipa`. DFSC 0b000111: translation fault
// at level 3 (hv does not distinguish levels).
constexpr TrapSyndrome data_abort(std::uint64_t va, std::uint64_t ipa, bool is_write,
                                  std::uint32_t size, std::uint32_t srt, bool sign_extend = false,
                                  bool sixty_four = true) {
    const std::uint32_t sas = size >= 8 ? 3 : size >= 4 ? 2 : size >= 2 ? 1 : 0;
    const std::uint32_t iss = (1u << 24) | (sas << 22) | ((sign_extend ? 1u : 0u) << 21) |
                              ((srt & 0x1f) << 16) | ((sixty_four ? 1u : 0u) << 15) |
                              ((is_write ? 1u : 0u) << 6) | 0x07;
    return {make_esr(Ec::DataAbortLower, iss), va, (ipa >> 12) << 4};
}
// A trapped MSR/MRS/SYS (EC 0x18) of system instruction op0, op1, CRn, CRm,
// op2 with register Rt; `is_read` for MRS/SYSL (ISS.Direction).
constexpr TrapSyndrome sys_insn(std::uint32_t op0, std::uint32_t op1, std::uint32_t crn,
                                std::uint32_t crm, std::uint32_t op2, std::uint32_t rt,
                                bool is_read) {
    const std::uint32_t iss = ((op0 & 3) << 20) | ((op2 & 7) << 17) | ((op1 & 7) << 14) |
                              ((crn & 0xf) << 10) | ((rt & 0x1f) << 5) | ((crm & 0xf) << 1) |
                              (is_read ? 1u : 0u);
    return {make_esr(Ec::SysReg64, iss), 0, 0};
}
// A stage-2 fault on the stage-1 walk of an access at `va` (S1PTW, no ISV)
// reading the table at `table_ipa`; `cm` for an AT or cache maintenance
// instruction's (CM set, WnR 1).
// A stage-2 fault of a cache maintenance instruction by VA (CM, WnR 1, no
// ISV) whose address translates to `ipa`.
constexpr TrapSyndrome cache_maintenance_abort(std::uint64_t va, std::uint64_t ipa) {
    return {make_esr(Ec::DataAbortLower, (1u << 8) | (1u << 6) | 0x07), va, (ipa >> 12) << 4};
}
constexpr TrapSyndrome walk_abort(std::uint64_t va, std::uint64_t table_ipa, bool cm = false) {
    const std::uint32_t iss = (cm ? (1u << 8) | (1u << 6) : 0u) | (1u << 7) | 0x07;
    return {make_esr(Ec::DataAbortLower, iss), va, (table_ipa >> 12) << 4};
}
constexpr TrapSyndrome inst_abort(std::uint64_t va, std::uint64_t ipa, bool s1ptw = false) {
    return {make_esr(Ec::InstAbortLower, (s1ptw ? 1u << 7 : 0u) | 0x07), va, (ipa >> 12) << 4};
}

} // namespace hv::armv8
