// SP read from Unicorn's CPU state (sim/cpu/unicorn_access_pc.c), which the
// AArch64 core's SP alignment check uses instead of uc_reg_read: inside a
// block hook it must give what uc_reg_read gives, for every value SP takes,
// and outside emulation it must decline (no engine runs on the thread).
#include "sim/cpu/unicorn_access_pc_c.h"

#include <gtest/gtest.h>
#include <unicorn/unicorn.h>

#include <cstdint>
#include <set>
#include <vector>

namespace {

constexpr uint64_t code_base = 0x1000, page = 0x1000;

struct Seen {
    uint64_t uc_sp = 0;
    int direct = 0;
    uint64_t direct_sp = 0;
};

void on_block(uc_engine* uc, uint64_t, uint32_t, void* user) {
    Seen s;
    uc_reg_read(uc, UC_ARM64_REG_SP, &s.uc_sp);
    const uint64_t* slot = bao_unicorn_arm64_sp_slot();
    s.direct = slot != nullptr;
    s.direct_sp = slot ? *slot : 0;
    static_cast<std::vector<Seen>*>(user)->push_back(s);
}

TEST(UnicornSpRead, MatchesUcRegReadInEveryBlock) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs the wrapped Unicorn archive (sim/CMakeLists.txt)";
#else
    uc_engine* uc = nullptr;
    ASSERT_EQ(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
    ASSERT_EQ(uc_mem_map(uc, code_base, page, UC_PROT_ALL), UC_ERR_OK);
    const uint32_t code[] = {
        0xd2820000, // mov  x0, #0x1000
        0x9100001f, // mov  sp, x0
        0xd2800061, // mov  x1, #3
        0x14000001, // b    loop        (each block below starts after a branch)
        0xd10043ff, // loop: sub sp, sp, #0x10
        0x14000001, // b    +4
        0xd10063ff, // sub  sp, sp, #0x18  (misaligned)
        0x14000001, // b    +4
        0x910023ff, // add  sp, sp, #0x8
        0xd1000421, // sub  x1, x1, #1
        0xb5ffff41, // cbnz x1, loop
        0xd503201f, // nop               (end)
    };
    ASSERT_EQ(uc_mem_write(uc, code_base, code, sizeof code), UC_ERR_OK);
    std::vector<Seen> seen;
    uc_hook h;
    ASSERT_EQ(uc_hook_add(uc, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&on_block), &seen, 1, 0),
              UC_ERR_OK);
    const uint64_t end = code_base + sizeof code - 4;
    ASSERT_EQ(uc_emu_start(uc, code_base, end, 0, 0), UC_ERR_OK);

    std::set<uint64_t> values;
    for (const Seen& s : seen) {
        EXPECT_EQ(s.direct, 1) << "no direct read inside a block hook";
        EXPECT_EQ(s.direct_sp, s.uc_sp);
        values.insert(s.uc_sp);
    }
    EXPECT_GE(seen.size(), 10u);
    EXPECT_GE(values.size(), 6u) << "SP took too few values to tell a wrong slot apart";
    uint64_t sp = 0;
    uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
    EXPECT_EQ(sp, 0x1000u - 3 * 0x20) << "the guest ran to its end";
    EXPECT_EQ(bao_unicorn_arm64_sp_slot(), nullptr) << "no engine runs on this thread now";
    uc_close(uc);
#endif
}

} // namespace
