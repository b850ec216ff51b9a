#include "sim/cpu/a53_decode.h"

#include <capstone/capstone.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace sim::cpu::a53 {
namespace {

uint8_t reg_id(unsigned r) {
    if (r >= ARM64_REG_X0 && r <= ARM64_REG_X28)
        return static_cast<uint8_t>(r - ARM64_REG_X0);
    if (r == ARM64_REG_X29 || r == ARM64_REG_X30)
        return r == ARM64_REG_X29 ? 29 : 30;
    if (r >= ARM64_REG_W0 && r <= ARM64_REG_W30)
        return static_cast<uint8_t>(r - ARM64_REG_W0);
    if (r == ARM64_REG_SP || r == ARM64_REG_WSP)
        return kRegSp;
    if (r == ARM64_REG_NZCV)
        return kRegFlags;
    for (unsigned first :
         {ARM64_REG_B0, ARM64_REG_D0, ARM64_REG_H0, ARM64_REG_Q0, ARM64_REG_S0, ARM64_REG_V0})
        if (r >= first && r <= first + 31)
            return static_cast<uint8_t>(kRegV0 + (r - first));
    return kRegNone; // XZR/WZR and system registers
}

bool is_q_register(unsigned r) {
    return r >= ARM64_REG_Q0 && r <= ARM64_REG_Q31;
}
bool is_d_register(unsigned r) {
    return r >= ARM64_REG_D0 && r <= ARM64_REG_D31;
}

bool in_group(const cs_insn& in, unsigned group) {
    const cs_detail& d = *in.detail;
    return std::find(d.groups, d.groups + d.groups_count, group) != d.groups + d.groups_count;
}

bool is_system(unsigned id) {
    switch (id) {
    case ARM64_INS_MRS:
    case ARM64_INS_MSR:
    case ARM64_INS_SYS:
    case ARM64_INS_SYSL:
    case ARM64_INS_DC:
    case ARM64_INS_IC:
    case ARM64_INS_TLBI:
    case ARM64_INS_AT:
    case ARM64_INS_ISB:
    case ARM64_INS_DSB:
    case ARM64_INS_DMB:
    case ARM64_INS_HVC:
    case ARM64_INS_SVC:
    case ARM64_INS_SMC:
    case ARM64_INS_BRK:
    case ARM64_INS_HLT:
    case ARM64_INS_WFI:
    case ARM64_INS_WFE:
    case ARM64_INS_SEV:
    case ARM64_INS_SEVL:
    case ARM64_INS_CLREX:
    case ARM64_INS_ERET:
    case ARM64_INS_DRPS:
        return true;
    default:
        return false;
    }
}

bool is_int_multiply(unsigned id) {
    switch (id) {
    case ARM64_INS_MADD:
    case ARM64_INS_MSUB:
    case ARM64_INS_MUL:
    case ARM64_INS_MNEG:
    case ARM64_INS_SMADDL:
    case ARM64_INS_SMSUBL:
    case ARM64_INS_UMADDL:
    case ARM64_INS_UMSUBL:
    case ARM64_INS_SMULL:
    case ARM64_INS_UMULL:
    case ARM64_INS_SMULH:
    case ARM64_INS_UMULH:
    case ARM64_INS_SMNEGL:
    case ARM64_INS_UMNEGL:
        return true;
    default:
        return false;
    }
}

// FP and ASIMD multiplies; `fused` for multiply-accumulate.
bool is_fp_multiply(unsigned id, bool& fused) {
    switch (id) {
    case ARM64_INS_FMADD:
    case ARM64_INS_FMSUB:
    case ARM64_INS_FNMADD:
    case ARM64_INS_FNMSUB:
    case ARM64_INS_FMLA:
    case ARM64_INS_FMLS:
    case ARM64_INS_MLA:
    case ARM64_INS_MLS:
        fused = true;
        return true;
    case ARM64_INS_FMUL:
    case ARM64_INS_FNMUL:
    case ARM64_INS_FMULX:
        fused = false;
        return true;
    default:
        return false;
    }
}

bool is_pair(std::string_view m, const cs_arm64& a) {
    if (m == "ldp" || m == "stp" || m == "ldnp" || m == "stnp" || m == "ldpsw" || m == "ldxp" ||
        m == "ldaxp" || m == "stxp" || m == "stlxp")
        return true;
    // ASIMD structure loads/stores of more than one register.
    if (m.size() >= 3 && (m.starts_with("ld") || m.starts_with("st")) && m[2] >= '1' &&
        m[2] <= '4') {
        unsigned regs = 0;
        for (unsigned k = 0; k < a.op_count; ++k)
            regs += a.operands[k].type == ARM64_OP_REG && a.operands[k].vas != ARM64_VAS_INVALID;
        return regs > 1;
    }
    return false;
}

void add_source(InsnCost& c, uint8_t reg, Use use) {
    if (reg == kRegNone)
        return;
    for (unsigned k = 0; k < c.nsrc; ++k)
        if (c.src[k].reg == reg) {
            if (use == Use::address || use == Use::shifted)
                c.src[k].use = use; // the earlier need wins
            return;
        }
    if (c.nsrc < c.src.size())
        c.src[c.nsrc++] = Source{reg, use};
}

void add_dest(InsnCost& c, uint8_t reg) {
    if (reg == kRegNone || reg == c.writeback)
        return;
    for (unsigned k = 0; k < c.ndst; ++k)
        if (c.dst[k] == reg)
            return;
    if (c.ndst < c.dst.size())
        c.dst[c.ndst++] = reg;
}

uint64_t last_immediate(const cs_arm64& a) {
    for (unsigned k = a.op_count; k-- > 0;)
        if (a.operands[k].type == ARM64_OP_IMM)
            return static_cast<uint64_t>(a.operands[k].imm);
    return 0;
}

// The branch an instruction is (kind and direct target), or none.
BlockBranch branch_of(const cs_insn& in, uint64_t pc) {
    const cs_arm64& a = in.detail->arm64;
    BlockBranch b;
    b.pc = pc;
    b.fallthrough = pc + 4;
    switch (in.id) {
    case ARM64_INS_B:
        b.kind = a.cc == ARM64_CC_INVALID || a.cc == ARM64_CC_AL || a.cc == ARM64_CC_NV
                     ? BranchKind::direct
                     : BranchKind::conditional;
        b.target = last_immediate(a);
        break;
    case ARM64_INS_CBZ:
    case ARM64_INS_CBNZ:
    case ARM64_INS_TBZ:
    case ARM64_INS_TBNZ:
        b.kind = BranchKind::conditional;
        b.target = last_immediate(a);
        break;
    case ARM64_INS_BL:
        b.kind = BranchKind::call;
        b.target = last_immediate(a);
        break;
    case ARM64_INS_BR:
        b.kind = BranchKind::indirect;
        break;
    case ARM64_INS_BLR:
        b.kind = BranchKind::indirect_call;
        break;
    case ARM64_INS_RET:
        b.kind = BranchKind::ret;
        break;
    case ARM64_INS_ERET:
        b.kind = BranchKind::eret;
        break;
    default:
        break;
    }
    return b;
}

// Loads, stores and pairs: addresses, data, destinations, writeback.
void memory_operands(const cs_insn& in, std::string_view m, const cs_regs read, uint8_t nread,
                     const cs_regs written, uint8_t nwritten, InsnCost& c) {
    const cs_arm64& a = in.detail->arm64;
    const bool store = m.starts_with("st");
    c.cls = is_pair(m, a) ? InsnClass::pair : store ? InsnClass::store : InsnClass::load;
    uint8_t base = kRegNone;
    for (unsigned k = 0; k < a.op_count; ++k) {
        const cs_arm64_op& op = a.operands[k];
        if (op.type != ARM64_OP_MEM)
            continue;
        base = reg_id(op.mem.base);
        add_source(c, base, Use::address);
        add_source(c, reg_id(op.mem.index), Use::address);
    }
    if (a.writeback && base != kRegNone)
        c.writeback = base;
    for (unsigned k = 0; k < nread; ++k)
        add_source(c, reg_id(read[k]), store ? Use::store_data : Use::data);
    for (unsigned k = 0; k < nwritten; ++k) {
        const uint8_t r = reg_id(written[k]);
        add_dest(c, r);
        c.fp_dest |= r >= kRegV0 && r < kRegFlags;
    }
}

void operand_shapes(const cs_arm64& a, InsnCost& c) {
    for (unsigned k = 0; k < a.op_count; ++k) {
        const cs_arm64_op& op = a.operands[k];
        if (op.type != ARM64_OP_REG)
            continue;
        c.qform |= is_q_register(op.reg) || op.vas == ARM64_VAS_16B || op.vas == ARM64_VAS_8H ||
                   op.vas == ARM64_VAS_4S || op.vas == ARM64_VAS_2D;
        c.double_fp |= is_d_register(op.reg) || op.vas == ARM64_VAS_2D;
    }
}

InsnClass compute_class(const cs_insn& in, InsnCost& c) {
    const unsigned id = in.id;
    const bool simd = in_group(in, ARM64_GRP_NEON) || in_group(in, ARM64_GRP_FPARMV8);
    bool fused = false;
    if (id == ARM64_INS_SDIV || id == ARM64_INS_UDIV) {
        c.signed_div = id == ARM64_INS_SDIV;
        return InsnClass::div;
    }
    if (id == ARM64_INS_FDIV || id == ARM64_INS_FSQRT)
        return InsnClass::fp_div;
    if (is_fp_multiply(id, fused) || (simd && id == ARM64_INS_MUL)) {
        c.fused = fused;
        return InsnClass::fp_mul;
    }
    if (is_int_multiply(id) && !simd)
        return InsnClass::mul;
    bool vector_regs = false;
    for (unsigned k = 0; k < c.nsrc; ++k)
        vector_regs |= c.src[k].reg >= kRegV0 && c.src[k].reg < kRegFlags;
    for (unsigned k = 0; k < c.ndst; ++k)
        vector_regs |= c.dst[k] >= kRegV0 && c.dst[k] < kRegFlags;
    if (simd || vector_regs)
        return InsnClass::fp_add;
    return InsnClass::alu;
}

} // namespace

BlockDecoder::BlockDecoder() {
    csh h = 0;
    if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &h) != CS_ERR_OK)
        throw std::runtime_error("capstone: cannot open an AArch64 disassembler");
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    handle_ = h;
    insn_ = cs_malloc(h);
}

BlockDecoder::~BlockDecoder() {
    cs_free(static_cast<cs_insn*>(insn_), 1);
    csh h = handle_;
    cs_close(&h);
}

InsnCost BlockDecoder::decode(uint32_t word, uint64_t pc, BlockBranch& branch) const {
    InsnCost c;
    branch = BlockBranch{};
    auto* in = static_cast<cs_insn*>(insn_);
    uint8_t bytes[4];
    std::memcpy(bytes, &word, sizeof bytes);
    const uint8_t* p = bytes;
    size_t size = sizeof bytes;
    uint64_t address = pc;
    if (!cs_disasm_iter(handle_, &p, &size, &address, in))
        return c;
    cs_regs read, written;
    uint8_t nread = 0, nwritten = 0;
    if (cs_regs_access(handle_, in, read, &nread, written, &nwritten) != CS_ERR_OK)
        nread = nwritten = 0;
    const cs_arm64& a = in->detail->arm64;
    const std::string_view m = in->mnemonic;
    operand_shapes(a, c);
    branch = branch_of(*in, pc);
    if (branch.kind == BranchKind::ret && nread == 0)
        add_source(c, 30, Use::data); // Capstone 4 leaves RET's implicit X30 out
    const bool memory = m.starts_with("ld") || m.starts_with("st") || m == "prfm";
    if (memory && !is_system(in->id)) {
        memory_operands(*in, m, read, nread, written, nwritten, c);
        return c;
    }
    for (unsigned k = 0; k < a.op_count; ++k) {
        const cs_arm64_op& op = a.operands[k];
        if (op.type == ARM64_OP_REG && (op.shift.type != ARM64_SFT_INVALID || op.ext != 0))
            add_source(c, reg_id(op.reg), Use::shifted);
    }
    for (unsigned k = 0; k < nread; ++k)
        add_source(c, reg_id(read[k]), Use::data);
    for (unsigned k = 0; k < nwritten; ++k)
        add_dest(c, reg_id(written[k]));
    if (branch.kind == BranchKind::eret || is_system(in->id)) {
        c.cls = InsnClass::system;
        return c;
    }
    if (branch.kind != BranchKind::none) {
        c.cls = InsnClass::branch;
        return c;
    }
    c.cls = compute_class(*in, c);
    if (c.cls == InsnClass::alu) {
        for (unsigned k = 0; k < c.nsrc; ++k)
            if (c.src[k].use == Use::shifted)
                c.cls = InsnClass::shift;
    } else {
        for (unsigned k = 0; k < c.nsrc; ++k)
            c.src[k].use = Use::data; // only the integer ALU shifts an operand early
    }
    return c;
}

BlockRecipe BlockDecoder::recipe(const uint8_t* code, size_t size, uint64_t pc) const {
    std::vector<InsnCost> insns;
    insns.reserve(size / 4);
    BlockBranch branch;
    for (size_t off = 0; off + 4 <= size; off += 4) {
        uint32_t word = 0;
        std::memcpy(&word, code + off, sizeof word);
        insns.push_back(decode(word, pc + off, branch));
    }
    BlockRecipe r;
    schedule_block(insns, r);
    r.set_branch(branch, pc); // only the block's last instruction can be a branch
    r.id = ++last_id_ ? last_id_ : ++last_id_;
    return r;
}

} // namespace sim::cpu::a53
