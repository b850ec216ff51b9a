// Small helpers shared by the cores' translation units (sim/cpu only: they
// take Unicorn types).
#pragma once

#include <unicorn/unicorn.h>

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace sim::cpu::uc {

inline void check(uc_err err, const char* what) {
    if (err != UC_ERR_OK)
        throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(err));
}

inline void write_cp(uc_engine* uc, uint32_t op0, uint32_t op1, uint32_t crn, uint32_t crm,
                     uint32_t op2, uint64_t value) {
    uc_arm64_cp_reg reg{crn, crm, op0, op1, op2, value};
    check(uc_reg_write(uc, UC_ARM64_REG_CP_REG, &reg), "write system register");
}

inline std::string hex(uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

constexpr uint64_t hcr_el2_rw_imo = (1ull << 31) | (1ull << 4); // EL1 is AArch64; vIRQ usable
constexpr uint64_t hcr_el2_vi = 1ull << 7;                      // virtual IRQ pending
constexpr uint64_t pstate_el1h_masked = 0x3c5;                  // EL1h, DAIF all set

} // namespace sim::cpu::uc
