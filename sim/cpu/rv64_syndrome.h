// RISC-V trap causes, the supervisor CSRs the simulator reads and writes,
// and the small instruction decoder the RV64 core uses (Capstone 4.0.2 has
// no RISC-V): only the SYSTEM opcode's CSR forms and the few fixed words the
// core must recognize (ECALL, EBREAK, WFI), and instruction lengths. No
// Unicorn types: shared with the firmware (SBI) and with tests.
#pragma once

#include <cstdint>
#include <optional>

namespace sim::cpu::rv64 {

// scause exception codes (privileged spec, table "Supervisor cause register").
namespace cause {
inline constexpr uint64_t insn_misaligned = 0;
inline constexpr uint64_t insn_access_fault = 1;
inline constexpr uint64_t illegal_insn = 2;
inline constexpr uint64_t breakpoint = 3;
inline constexpr uint64_t load_misaligned = 4;
inline constexpr uint64_t load_access_fault = 5;
inline constexpr uint64_t store_misaligned = 6;
inline constexpr uint64_t store_access_fault = 7;
inline constexpr uint64_t ecall_u = 8;
inline constexpr uint64_t ecall_s = 9;
inline constexpr uint64_t insn_page_fault = 12;
inline constexpr uint64_t load_page_fault = 13;
inline constexpr uint64_t store_page_fault = 15;
// The H extension's causes the core uses in exits to a hypervisor.
inline constexpr uint64_t load_guest_page_fault = 21;
inline constexpr uint64_t virtual_insn = 22;
inline constexpr uint64_t store_guest_page_fault = 23;
} // namespace cause

// What Rv64Core's exits carry in cpu::Syndrome:
//   ECALL (Exit::Kind::call): cause = ecall_s, Exit::pc = the ECALL (sepc);
//   WFI (wait): cause = virtual_insn, detail = the instruction word (htinst);
//   an access to a trapping page (data_abort, in flight): cause =
//     load/store_guest_page_fault, address = stval (the guest address),
//     guest_phys = htval (the guest-physical address >> 2), detail = the
//     access size in bytes.

// Interrupt codes (scause with bit 63 set) and their sip/sie bits.
namespace irq {
inline constexpr uint64_t s_software = 1;
inline constexpr uint64_t s_timer = 5;
inline constexpr uint64_t s_external = 9;
} // namespace irq
inline constexpr uint64_t interrupt_flag = 1ull << 63;
inline constexpr uint64_t ssip = 1ull << irq::s_software;
inline constexpr uint64_t stip = 1ull << irq::s_timer;
inline constexpr uint64_t seip = 1ull << irq::s_external;

// The supervisor interrupt the hart takes from `pending & enabled`: the
// spec's priority order among S-level interrupts is SEI, SSI, STI.
constexpr std::optional<uint64_t> highest_interrupt(uint64_t pending_enabled) {
    if (pending_enabled & seip)
        return irq::s_external;
    if (pending_enabled & ssip)
        return irq::s_software;
    if (pending_enabled & stip)
        return irq::s_timer;
    return std::nullopt;
}

// CSR numbers.
namespace csr {
inline constexpr uint32_t sstatus = 0x100;
inline constexpr uint32_t sie = 0x104;
inline constexpr uint32_t stvec = 0x105;
inline constexpr uint32_t sepc = 0x141;
inline constexpr uint32_t scause = 0x142;
inline constexpr uint32_t stval = 0x143;
inline constexpr uint32_t sip = 0x144;
inline constexpr uint32_t stimecmp = 0x14d; // Sstc: the supervisor timer's compare value
inline constexpr uint32_t satp = 0x180;
inline constexpr uint32_t cycle = 0xc00;
inline constexpr uint32_t time = 0xc01;
inline constexpr uint32_t instret = 0xc02;
} // namespace csr

// sstatus fields.
namespace sstatus {
inline constexpr uint64_t sie = 1ull << 1;
inline constexpr uint64_t spie = 1ull << 5;
inline constexpr uint64_t spp = 1ull << 8;
} // namespace sstatus

inline constexpr uint32_t insn_ecall = 0x00000073;
inline constexpr uint32_t insn_ebreak = 0x00100073;
inline constexpr uint32_t insn_wfi = 0x10500073;
inline constexpr uint32_t insn_sret = 0x10200073;

// An instruction whose two low bits are not 0b11 is a 16-bit (compressed) one.
constexpr bool is_compressed(uint32_t low_half) {
    return (low_half & 3) != 3;
}

// A Zicsr instruction (opcode SYSTEM, funct3 != 0).
struct CsrAccess {
    uint32_t csr = 0;
    unsigned rd = 0;
    unsigned funct3 = 0; // 1 CSRRW, 2 CSRRS, 3 CSRRC, 5-7 the immediate forms
    unsigned rs1 = 0;    // the source register, or the 5-bit immediate
    // Reads without writing: CSRRS/CSRRC with rs1 = x0 or immediate 0 (csrr, rdtime).
    bool read_only() const { return (funct3 & 3) != 1 && rs1 == 0; }
};

constexpr std::optional<CsrAccess> decode_csr(uint32_t insn) {
    if ((insn & 0x7f) != 0x73)
        return std::nullopt;
    const unsigned funct3 = (insn >> 12) & 7;
    if (funct3 == 0 || funct3 == 4)
        return std::nullopt;
    return CsrAccess{insn >> 20, (insn >> 7) & 31, funct3, (insn >> 15) & 31};
}

// A load, store or AMO: its base register and offset (the effective address
// is x[rs1] + offset).
struct MemAccess {
    unsigned rs1 = 0;
    int64_t offset = 0;
    bool reads = false, writes = false;
};

constexpr std::optional<MemAccess> decode_access(uint32_t insn) {
    const unsigned rs1 = (insn >> 15) & 31;
    switch (insn & 0x7f) {
    case 0x03: // LOAD
    case 0x07: // LOAD-FP
        return MemAccess{rs1, static_cast<int32_t>(insn) >> 20, true, false};
    case 0x23: // STORE
    case 0x27: // STORE-FP
        return MemAccess{
            rs1, (static_cast<int32_t>(insn) >> 25) * 32 + static_cast<int32_t>((insn >> 7) & 31),
            false, true};
    case 0x2f: { // AMO: LR reads, SC writes, the others both
        const unsigned funct5 = insn >> 27;
        return MemAccess{rs1, 0, funct5 != 0x03, funct5 != 0x02};
    }
    default:
        return std::nullopt;
    }
}

} // namespace sim::cpu::rv64
