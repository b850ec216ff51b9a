// The data address a faulting AArch64 load or store accessed, computed from
// the instruction and the registers as the hardware would report it in
// FAR_EL1 (Unicorn 2.0.1 writes no FAR: unicorn-notes.md). Capstone's
// operand details give the addressing form; Capstone types stay in
// access_decode.cpp.
#pragma once

#include <cstdint>
#include <optional>

namespace sim::cpu {

// The general-purpose registers the address is computed from.
struct AddressRegisters {
    uint64_t x[31]{}; // X0-X30
    uint64_t sp = 0;  // the current stack pointer
};

// The first byte the instruction `insn` accesses: base + offset for the
// immediate, register (extended and shifted), pre-indexed and unprivileged
// forms, the base alone for post-indexed forms, pairs, exclusives,
// acquire/release, CAS, LSE atomics and SIMD structures; Xt for DC by VA
// (DC ZVA: aligned down to `zva_block` bytes). nullopt: not a data access.
std::optional<uint64_t> data_access_address(uint32_t insn, const AddressRegisters& regs,
                                            uint64_t zva_block = 64);

// How an instruction uses the stack pointer, for the SP alignment check
// (SCTLR_EL1.SA/SA0): as the base register of a data access, as a register
// it may write (ADD/SUB/MOV to SP; an operand whose access Capstone does
// not report counts as written), or not at all.
enum class SpUse { none, access_base, written };
SpUse sp_use(uint32_t insn);

} // namespace sim::cpu
