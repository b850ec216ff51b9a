// What the tests that run one bare Arm64Core need around it: an exit handler
// that resumes every exit and knows no system register, and page-aligned host
// memory for the core's RAM (Unicorn maps host pages).
#pragma once

#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <vector>

namespace sim::test {

class NoExits final : public cpu::ExitHandler {
  public:
    cpu::TrapAction on_exit(cpu::Core&, cpu::Exit&) override { return cpu::TrapAction::resume; }
    std::optional<uint64_t> read_sysreg(cpu::Core&, uint32_t) override { return std::nullopt; }
    bool write_sysreg(cpu::Core&, uint32_t, uint64_t) override { return false; }
};

struct HostPages {
    explicit HostPages(uint64_t size)
        : p(static_cast<uint8_t*>(std::aligned_alloc(0x1000, size))) {}
    HostPages(const HostPages&) = delete;
    HostPages& operator=(const HostPages&) = delete;
    ~HostPages() { std::free(p); }
    uint8_t* p;
};

// One core, id 0, whose RAM is `ram` at `base` (`size` bytes), reset to
// `entry`; every exit resumes.
struct BareCore {
    BareCore(const HostPages& ram, uint64_t base, uint64_t size, uint64_t entry) {
        core.map_memory(base, size, ram.p);
        core.reset(entry, 0);
    }
    NoExits exits;
    cpu::Arm64Core core{0, exits};
};

// --fast-forward-uncounted on a bare core: no timing model, no memory hook.
inline void run_uncounted(cpu::Arm64Core& core) {
    EXPECT_TRUE(core.set_fast_forward_uncounted(true));
    EXPECT_TRUE(core.set_fast_forward(true));
}

// The start of a guest at 0x4000_0000 that turns its MMU on: MAIR_EL1 (attr
// 0 device, attr 1 write-back), TCR_EL1 (T0SZ 25, 4 KiB granule, 40-bit
// IPS), TTBR0_EL1 = 0x4000_1000 (the caller writes the tables there), then
// `set_x5` and VBAR_EL1 = x5, then SCTLR_EL1.M = 1 and an ISB.
inline std::vector<uint32_t> mmu_on_prologue(std::initializer_list<uint32_t> set_x5) {
    std::vector<uint32_t> code = {
        0xd29fe001, // movz x1, #0xff00
        0xd518a201, // msr  mair_el1, x1
        0xd2800321, // movz x1, #25
        0xf2c00041, // movk x1, #2, lsl #32
        0xd5182041, // msr  tcr_el1, x1
        0xd2a80001, // movz x1, #0x4000, lsl #16
        0xf2820001, // movk x1, #0x1000
        0xd5182001, // msr  ttbr0_el1, x1
    };
    code.insert(code.end(), set_x5);
    code.insert(code.end(), {
                                0xd518c005, // msr  vbar_el1, x5
                                0xd2810021, // movz x1, #0x801
                                0xf2a61a01, // movk x1, #0x30d0, lsl #16
                                0xd5181001, // msr  sctlr_el1, x1    M = 1
                                0xd5033fdf, // isb
                            });
    return code;
}

} // namespace sim::test
