#include "sim/cpu/arm64_syndrome.h"

#include <optional>

namespace sim::cpu::arm64 {
namespace {

// The instruction syndrome of a single-register access.
struct SingleRegister {
    uint32_t size_log2 = 0; // SAS
    bool sign_extend = false;
    bool sixty_four = false; // SF: Xt rather than Wt
    bool acquire_release = false;
    uint32_t rt = 0;
};

// LDR/STR (unsigned immediate, unscaled, unprivileged, register offset):
// opc 0 stores, 1 loads zero-extended, 2 loads sign-extended into Xt, 3
// into Wt; PRFM and the unallocated size/opc pairs access nothing.
std::optional<SingleRegister> load_store_register(uint32_t insn) {
    const uint32_t size = insn >> 30, opc = (insn >> 22) & 3, rt = insn & 31;
    if (opc <= 1)
        return SingleRegister{size, false, size == 3, false, rt};
    if (size == 3 || (opc == 3 && size == 2))
        return std::nullopt;
    return SingleRegister{size, true, opc == 2, false, rt};
}

// LDR (literal): opc 0 Wt, 1 Xt, 2 LDRSW Xt, 3 PRFM.
std::optional<SingleRegister> load_literal(uint32_t insn) {
    const uint32_t opc = insn >> 30, rt = insn & 31;
    if (opc == 3)
        return std::nullopt;
    return SingleRegister{opc == 1 ? 3u : 2u, opc == 2, opc != 0, false, rt};
}

std::optional<SingleRegister> single_register(uint32_t insn) {
    // Bits [29:24] and V (bit 26) = 0: general-purpose registers only.
    const bool unsigned_imm = (insn & 0x3f000000) == 0x39000000;
    // Bit 21 and bits [11:10]: 00 unscaled, 10 unprivileged (01 and 11 write back).
    const uint32_t form = insn & 0x3f200c00;
    const bool unscaled = form == 0x38000000, unprivileged = form == 0x38000800;
    const bool register_offset = form == 0x38200800;
    if (unsigned_imm || unscaled || unprivileged || register_offset)
        return load_store_register(insn);
    // LDAR/STLR/LDLAR/STLLR: o2 = 1, o1 = 0 (o2 = 0 is an exclusive, o1 = 1 CAS).
    if ((insn & 0x3fa00000) == 0x08800000) {
        const uint32_t size = insn >> 30;
        return SingleRegister{size, false, size == 3, true, insn & 31};
    }
    if ((insn & 0x3f000000) == 0x18000000)
        return load_literal(insn);
    return std::nullopt;
}

} // namespace

uint32_t data_abort_iss(uint32_t insn, bool is_write) {
    uint32_t iss = (is_write ? 1u << 6 : 0u) | fsc_translation_l3;
    const std::optional<SingleRegister> r = single_register(insn);
    if (!r)
        return iss;
    return iss | (1u << 24) | (r->size_log2 << 22) | (r->sign_extend ? 1u << 21 : 0u) |
           (r->rt << 16) | (r->sixty_four ? 1u << 15 : 0u) | (r->acquire_release ? 1u << 14 : 0u);
}

} // namespace sim::cpu::arm64
