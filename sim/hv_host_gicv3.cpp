#include "sim/hv_host_gicv3.h"

#include "sim/cpu/arm64_sysregs.h"

namespace sim {

std::optional<uint32_t> gicv3_sysreg_encoding(hv::armv8::SysReg reg) {
    using S = hv::armv8::SysReg;
    using cpu::sysreg_encoding;
    const auto n = static_cast<uint32_t>(reg);
    const auto lr0 = static_cast<uint32_t>(S::ICH_LR0_EL2);
    if (n >= lr0 && n <= static_cast<uint32_t>(S::ICH_LR15_EL2)) {
        const uint32_t i = n - lr0;
        return sysreg_encoding(3, 4, 12, 12 + i / 8, i % 8);
    }
    switch (reg) {
    case S::ICH_HCR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 0);
    case S::ICH_VTR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 1);
    case S::ICH_MISR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 2);
    case S::ICH_EISR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 3);
    case S::ICH_ELRSR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 5);
    case S::ICH_VMCR_EL2:
        return sysreg_encoding(3, 4, 12, 11, 7);
    case S::ICC_SRE_EL2:
        return sysreg_encoding(3, 4, 12, 9, 5);
    case S::ICC_IAR1_EL1:
        return sysreg_encoding(3, 0, 12, 12, 0);
    case S::ICC_EOIR1_EL1:
        return sysreg_encoding(3, 0, 12, 12, 1);
    case S::ICC_DIR_EL1:
        return sysreg_encoding(3, 0, 12, 11, 1);
    case S::ICC_PMR_EL1:
        return sysreg_encoding(3, 0, 4, 6, 0);
    case S::ICC_BPR1_EL1:
        return sysreg_encoding(3, 0, 12, 12, 3);
    case S::ICC_CTLR_EL1:
        return sysreg_encoding(3, 0, 12, 12, 4);
    case S::ICC_IGRPEN1_EL1:
        return sysreg_encoding(3, 0, 12, 12, 7);
    case S::ICC_SGI1R_EL1:
        return sysreg_encoding(3, 0, 12, 11, 5);
    case S::ICC_SRE_EL1:
        return sysreg_encoding(3, 0, 12, 12, 5);
    default:
        return std::nullopt;
    }
}

} // namespace sim
