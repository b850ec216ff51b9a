// A guest that keeps writing into a page holding its own translated code
// makes Unicorn 2.0.1 build that page's self-modifying-code bitmap, which
// its uc_close never frees. In the sanitizer build LeakSanitizer reported
// it at exit and a random guest's run ended with exit code 1
// (docs/fuzzing.md, "Random guests"); the leak is Unicorn's, so bao-sim
// suppresses exactly that allocation (sim/cpu/unicorn_code_buffer.cpp).
// This test only fails where it can: in that build, at the process's exit.
#include "bare_core.h"
#include "sim/cpu/arm64_core.h"

#include <gtest/gtest.h>

#include <cstring>

namespace sim {
namespace {
namespace unicorn_leak {

using test::HostPages;

constexpr uint64_t ram_base = 0x40000000, ram_size = 0x10000;

TEST(UnicornLeak, CodePageWrittenManyTimesLeavesNoLeakReport) {
    const uint32_t code[] = {
        0xd2a80001, // movz x1, #0x4000, lsl #16
        0xd2801902, // movz x2, #200
        0xb9080022, // str  w2, [x1, #0x800]   (the code's own page)
        0xf1000442, // subs x2, x2, #1
        0x54ffffc1, // b.ne the store
        0xd503207f, // wfi
    };
    HostPages ram(ram_size);
    std::memset(ram.p, 0, ram_size);
    std::memcpy(ram.p, code, sizeof code);
    {
        test::BareCore bare(ram, ram_base, ram_size, ram_base);
        cpu::Arm64Core& core = bare.core;
        const cpu::RunResult r = core.run(1'000'000, 0, 1);
        ASSERT_EQ(r.reason, cpu::StopReason::wfi) << core.fault().description;
        uint32_t last = 0;
        std::memcpy(&last, ram.p + 0x800, 4);
        EXPECT_EQ(last, 1u);
    } // uc_close
}

} // namespace unicorn_leak
} // namespace
} // namespace sim
