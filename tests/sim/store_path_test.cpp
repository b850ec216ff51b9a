// Unicorn's store path without its page collection (sim/cpu/unicorn_store_path.c):
// a guest store over code the core already translated must still reach that
// code, also where stores took the fast path before the code was there. The self-modifying-code
// check (tb_invalidate_phys_page_fast) is the part that drops the stale translation; only the
// collection around it was taken away, so this fails if the wrap ever removed the check too.
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace sim {
namespace {

using test::HostPages;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;

TEST(StorePath, StoreOverTranslatedCodeRunsTheNewCode) {
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    const uint32_t code[] = {
        0xd2800022, // start: mov x2, #1        (overwritten with mov x2, #7)
        0x8b0200a5, // add  x5, x5, x2
        0xb50000e6, // cbnz x6, done            (second pass)
        0xd2800026, // mov  x6, #1
        0xd2a80004, // mov  x4, #0x40000000     (start's address)
        0x52801c43, // mov  w3, #0xe2
        0x72ba5003, // movk w3, #0xd280, lsl #16 (w3 = mov x2, #7)
        0xb9000083, // str  w3, [x4]
        0x17fffff8, // b    start
        0xd503207f, // done: wfi
    };
    std::memcpy(ram.p, code, sizeof code);

    test::BareCore bare(ram, ram_base, ram_size, ram_base);
    cpu::Arm64Core& core = bare.core;

    cpu::RunResult r = core.run(1'000'000, 0, 1);
    for (int n = 0; n < 4 && r.reason == cpu::StopReason::budget; ++n)
        r = core.run(1'000'000, 0, 1);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    uint32_t patched = 0;
    std::memcpy(&patched, ram.p, sizeof patched);
    EXPECT_EQ(patched, 0xd28000e2u) << "the store reached guest memory";
    EXPECT_EQ(core.x(5), 1u + 7u) << "the second pass ran the stored instruction, not the "
                                     "translation of the first";
}

// Without a memory hook (--fast-forward-uncounted), stores to a page that
// holds no translated code leave Unicorn's notdirty path for good
// (unicorn_store_path.c). Here a data page takes such stores, then gets code
// (a function the guest writes and calls), then a store over that code: it
// must take the slow path again and drop the translation, or the second call
// runs the first version (x5 = 1 + 1 instead of 1 + 7).
TEST(StorePath, FastStoresStopWhereCodeIsTranslated) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs the wrapped Unicorn archive (sim/CMakeLists.txt)";
#endif
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    const uint32_t code[] = {
        0xd503207f, // wfi: the first run ends here (the hook goes after it)
        0xd2a80004, // mov  x4, #0x40000000
        0xf2820004, // movk x4, #0x1000        (x4: the next page)
        0xf900209f, // str  xzr, [x4, #64]     (a plain data store there)
        0x52800443, // mov  w3, #0x22
        0x72ba5003, // movk w3, #0xd280, lsl #16 (mov x2, #1)
        0xb9000083, // str  w3, [x4]
        0x52807803, // mov  w3, #0x3c0
        0x72bacbe3, // movk w3, #0xd65f, lsl #16 (ret)
        0xb9000483, // str  w3, [x4, #4]
        0xd63f0080, // blr  x4                 (translates the page)
        0x8b0200a5, // add  x5, x5, x2
        0xf900209f, // str  xzr, [x4, #64]
        0x52801c43, // mov  w3, #0xe2
        0x72ba5003, // movk w3, #0xd280, lsl #16 (mov x2, #7)
        0xb9000083, // str  w3, [x4]           (over the translated code)
        0xd63f0080, // blr  x4
        0x8b0200a5, // add  x5, x5, x2
        0xd503207f, // wfi
    };
    std::memcpy(ram.p, code, sizeof code);
    test::BareCore bare(ram, ram_base, ram_size, ram_base);
    cpu::Arm64Core& core = bare.core;
    core.set_fast_forward(true);
    ASSERT_TRUE(core.set_fast_forward_uncounted(true));
    ASSERT_EQ(core.run(1'000'000, 0, 1).reason, cpu::StopReason::wfi);
    const cpu::RunResult r = core.run(1'000'000, 0, 1);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    EXPECT_EQ(core.pc(), ram_base + 4 * 19);
    EXPECT_EQ(core.x(5), 1u + 7u) << "the second call ran the first translation";
}

// DC ZVA zeroes its 64-byte block at once; with a memory hook in, Unicorn
// 2.0.1 stores it a byte at a time and the hook saw 64 stores (64 L1 D
// accesses in the model). Two DC ZVAs are two stores, the second one to a
// page whose TLB entry the first one's store let take fast stores
// (unicorn_store_path.c: its helper would memset it past the hook).
TEST(StorePath, DcZvaIsOneStoreOfItsBlock) {
#ifndef BAO_UNICORN_ACCESS_PC
    GTEST_SKIP() << "needs the wrapped Unicorn archive (sim/CMakeLists.txt)";
#endif
    HostPages ram(ram_size);
    std::memset(ram.p, 0xff, ram_size);
    const uint32_t code[] = {
        0xd2a80001, // mov  x1, #0x40000000
        0xf2840001, // movk x1, #0x2000
        0xd50b7421, // dc   zva, x1
        0x91010021, // add  x1, x1, #64
        0xd50b7421, // dc   zva, x1
        0xd503207f, // wfi
    };
    std::memcpy(ram.p, code, sizeof code);
    test::BareCore bare(ram, ram_base, ram_size, ram_base);
    cpu::Arm64Core& core = bare.core;
    const cpu::RunResult r = core.run(1'000'000, 0, 1);
    ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
    for (size_t b = 0; b < 128; ++b)
        ASSERT_EQ(ram.p[0x2000 + b], 0) << "byte " << b;
    EXPECT_EQ(ram.p[0x2000 + 128], 0xff);
    EXPECT_EQ(core.stores(), 2u);
}

} // namespace
} // namespace sim
