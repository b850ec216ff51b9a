#include "sim/cpu/access_decode.h"

#include <capstone/capstone.h>

#include <memory>

namespace sim::cpu {
namespace {

// Xn / Wn / SP as Capstone names them; nullopt for XZR/WZR (reads as 0) and
// registers that are not general purpose.
std::optional<uint64_t> reg_value(unsigned reg, const AddressRegisters& r, bool& is_w) {
    is_w = false;
    if (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28)
        return r.x[reg - ARM64_REG_X0];
    if (reg == ARM64_REG_X29)
        return r.x[29];
    if (reg == ARM64_REG_X30)
        return r.x[30];
    if (reg == ARM64_REG_SP)
        return r.sp;
    if (reg == ARM64_REG_XZR)
        return 0;
    if (reg >= ARM64_REG_W0 && reg <= ARM64_REG_W30) {
        is_w = true;
        return r.x[reg - ARM64_REG_W0] & 0xffffffffu;
    }
    if (reg == ARM64_REG_WSP) {
        is_w = true;
        return r.sp & 0xffffffffu;
    }
    if (reg == ARM64_REG_WZR) {
        is_w = true;
        return 0;
    }
    return std::nullopt;
}

// The index register's contribution: extended (UXTW/SXTW/...) then shifted.
std::optional<uint64_t> index_value(const cs_arm64_op& op, const AddressRegisters& r) {
    bool is_w = false;
    std::optional<uint64_t> v = reg_value(op.mem.index, r, is_w);
    if (!v)
        return std::nullopt;
    uint64_t x = *v;
    switch (op.ext) {
    case ARM64_EXT_UXTW:
        x &= 0xffffffffu;
        break;
    case ARM64_EXT_SXTW:
        x = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(x & 0xffffffffu)));
        break;
    default:
        break;
    }
    if (op.shift.type == ARM64_SFT_LSL)
        x <<= op.shift.value;
    return x;
}

// Capstone 4 (Debian 12) does not decode the Armv8.1 LSE instructions: CAS,
// CASP, and the atomic memory operations (LDADD ... SWP, their ST aliases,
// LDAPR). Each accesses [Xn|SP] with no offset (Arm ARM C4.1.66-68).
std::optional<uint64_t> lse_address(uint32_t insn, const AddressRegisters& r) {
    const bool cas = (insn & 0x3fa07c00u) == 0x08a07c00u;
    const bool casp = (insn & 0xbfa07c00u) == 0x08207c00u;
    const bool atomic = (insn & 0x3f200c00u) == 0x38200000u;
    if (!cas && !casp && !atomic)
        return std::nullopt;
    const unsigned rn = (insn >> 5) & 31;
    return rn == 31 ? r.sp : r.x[rn];
}

struct Handle {
    csh h = 0;
    bool ok = false;
    Handle() {
        ok = cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) == CS_ERR_OK &&
             cs_option(h, CS_OPT_DETAIL, CS_OPT_ON) == CS_ERR_OK;
    }
    ~Handle() {
        if (ok)
            cs_close(&h);
    }
};

struct InsnDeleter {
    size_t count;
    void operator()(cs_insn* i) const { cs_free(i, count); }
};

using Decoded = std::unique_ptr<cs_insn, InsnDeleter>;

Decoded disassemble(const Handle& cs, uint32_t insn) {
    if (!cs.ok)
        return nullptr;
    uint8_t bytes[4] = {static_cast<uint8_t>(insn), static_cast<uint8_t>(insn >> 8),
                        static_cast<uint8_t>(insn >> 16), static_cast<uint8_t>(insn >> 24)};
    cs_insn* raw = nullptr;
    if (cs_disasm(cs.h, bytes, sizeof bytes, 0, 1, &raw) != 1)
        return nullptr;
    return Decoded(raw, InsnDeleter{1});
}

bool is_sp(unsigned reg) {
    return reg == ARM64_REG_SP || reg == ARM64_REG_WSP;
}

} // namespace

SpUse sp_use(uint32_t insn) {
    Handle cs;
    Decoded in = disassemble(cs, insn);
    if (!in) // Capstone 4 does not know LSE: those access [Xn|SP]
        return lse_address(insn, AddressRegisters{}) && ((insn >> 5) & 31) == 31
                   ? SpUse::access_base
                   : SpUse::none;
    const cs_arm64& d = in->detail->arm64;
    SpUse use = SpUse::none;
    for (uint8_t k = 0; k < d.op_count; ++k) {
        const cs_arm64_op& op = d.operands[k];
        if (op.type == ARM64_OP_MEM && is_sp(op.mem.base))
            return SpUse::access_base;
        if (op.type == ARM64_OP_REG && is_sp(op.reg) &&
            (op.access == 0 || (op.access & CS_AC_WRITE)))
            use = SpUse::written;
    }
    return use;
}

std::optional<uint64_t> data_access_address(uint32_t insn, const AddressRegisters& regs,
                                            uint64_t zva_block) {
    Handle cs;
    std::unique_ptr<cs_insn, InsnDeleter> in = disassemble(cs, insn);
    if (!in)
        return lse_address(insn, regs);
    const cs_arm64& d = in->detail->arm64;
    for (uint8_t k = 0; k < d.op_count; ++k) {
        const cs_arm64_op& op = d.operands[k];
        if (op.type != ARM64_OP_MEM)
            continue;
        bool is_w = false;
        std::optional<uint64_t> base = reg_value(op.mem.base, regs, is_w);
        if (!base)
            return std::nullopt;
        uint64_t address = *base;
        if (op.mem.index != ARM64_REG_INVALID) {
            std::optional<uint64_t> index = index_value(op, regs);
            if (!index)
                return std::nullopt;
            address += *index;
        }
        // Post-indexed forms carry their offset as a separate operand (or
        // the base register again): the access itself is at the base.
        return address + static_cast<uint64_t>(static_cast<int64_t>(op.mem.disp));
    }
    // DC <op>, Xt: a system instruction whose register operand is the address.
    if (in->id == ARM64_INS_DC) {
        for (uint8_t k = 0; k < d.op_count; ++k) {
            bool is_w = false;
            if (d.operands[k].type != ARM64_OP_REG)
                continue;
            std::optional<uint64_t> v = reg_value(d.operands[k].reg, regs, is_w);
            if (!v)
                continue;
            const bool zva = (insn & 0xffffffe0u) == 0xd50b7420u; // DC ZVA, Xt
            return zva ? *v & ~(zva_block - 1) : *v;
        }
    }
    return std::nullopt;
}

} // namespace sim::cpu
