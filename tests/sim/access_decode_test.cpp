// FAR for data aborts: the address each addressing form accesses, decoded
// from the instruction word and the registers (sim/cpu/access_decode.h).
// Encodings from aarch64-linux-gnu-as -march=armv8.1-a.
#include "sim/cpu/access_decode.h"

#include <gtest/gtest.h>

namespace sim::cpu {
namespace {

AddressRegisters regs() {
    AddressRegisters r;
    r.x[0] = 0x5000;
    r.x[1] = 0x1000;
    r.x[2] = 0x20;
    r.x[3] = 0x3000;
    r.x[4] = 0x4000;
    r.x[5] = 0x12345;
    r.x[6] = 0x6000;
    r.sp = 0x8000;
    return r;
}

struct Case {
    uint32_t insn;
    const char* text;
    uint64_t address;
};

void expect_cases(std::initializer_list<Case> cases, const AddressRegisters& r = regs()) {
    for (const Case& c : cases) {
        std::optional<uint64_t> a = data_access_address(c.insn, r);
        ASSERT_TRUE(a.has_value()) << c.text;
        EXPECT_EQ(*a, c.address) << c.text;
    }
}

TEST(AccessDecode, ImmediateAndUnscaledOffsets) {
    expect_cases({{0xf9400020, "ldr x0, [x1]", 0x1000},
                  {0xf9400820, "ldr x0, [x1, #16]", 0x1010},
                  {0xf85f8020, "ldur x0, [x1, #-8]", 0xff8},
                  {0xf90013e0, "str x0, [sp, #32]", 0x8020}});
}

TEST(AccessDecode, PreAndPostIndexAccessTheRightAddress) {
    expect_cases({{0xf8410c20, "ldr x0, [x1, #16]!", 0x1010},
                  {0xf8410420, "ldr x0, [x1], #16", 0x1000},
                  {0xa9bf0440, "stp x0, x1, [x2, #-16]!", 0x10},
                  {0xa8c10440, "ldp x0, x1, [x2], #16", 0x20}});
}

TEST(AccessDecode, RegisterOffsetsExtendedAndShifted) {
    expect_cases({{0xf8626820, "ldr x0, [x1, x2]", 0x1020},
                  {0xf8627820, "ldr x0, [x1, x2, lsl #3]", 0x1100},
                  {0xb862d820, "ldr w0, [x1, w2, sxtw #2]", 0x1080},
                  {0x38626820, "ldrb w0, [x1, x2]", 0x1020}});
    AddressRegisters r = regs();
    r.x[2] = 0xdead'0000'ffff'fff0; // w2 = -16
    expect_cases({{0xb862d820, "ldr w0, [x1, w2, sxtw #2] (w2 = -16)", 0x1000 - 64},
                  {0xb8624820, "ldr w0, [x1, w2, uxtw]", 0x1000 + 0xffff'fff0ull}},
                 r);
}

TEST(AccessDecode, UnprivilegedPairsAndSimd) {
    expect_cases({{0xf8408820, "ldtr x0, [x1, #8]", 0x1008},
                  {0xb81fc820, "sttr w0, [x1, #-4]", 0xffc},
                  {0xad410460, "ldp q0, q1, [x3, #32]", 0x3020},
                  {0x4c407000, "ld1 {v0.16b}, [x0]", 0x5000},
                  {0x4cdfa000, "ld1 {v0.16b, v1.16b}, [x0], #32", 0x5000},
                  {0x4c820820, "st4 {v0.4s-v3.4s}, [x1], x2", 0x1000},
                  {0x0d409060, "ld1 {v0.s}[1], [x3]", 0x3000}});
}

TEST(AccessDecode, ExclusivesAcquireReleaseAndAtomics) {
    expect_cases({{0xc85f7c20, "ldxr x0, [x1]", 0x1000},
                  {0xc8007c22, "stxr w0, x2, [x1]", 0x1000},
                  {0xc87f8440, "ldaxp x0, x1, [x2]", 0x20},
                  {0xc89ffc20, "stlr x0, [x1]", 0x1000},
                  {0xc8a07c41, "cas x0, x1, [x2]", 0x20},
                  {0x88e0fc41, "casal w0, w1, [x2]", 0x20},
                  {0xf8200041, "ldadd x0, x1, [x2]", 0x20},
                  {0xb8e08041, "swpal w0, w1, [x2]", 0x20},
                  {0xf820005f, "stadd x0, [x2]", 0x20},
                  {0x48207c82, "casp x0, x1, x2, x3, [x4]", 0x4000},
                  {0xf8e083e1, "swpal x0, x1, [sp]", 0x8000}});
}

TEST(AccessDecode, DataCacheByVirtualAddress) {
    expect_cases({{0xd50b7e25, "dc civac, x5", 0x12345},
                  {0xd50b7425, "dc zva, x5 (64-byte blocks)", 0x12340},
                  {0xd50b7b26, "dc cvau, x6", 0x6000}});
}

TEST(AccessDecode, NotADataAccess) {
    EXPECT_FALSE(data_access_address(0x8b020020, regs()).has_value()); // add x0, x1, x2
    EXPECT_FALSE(data_access_address(0xd503201f, regs()).has_value()); // nop
    EXPECT_FALSE(data_access_address(0x00000000, regs()).has_value()); // udf #0
}

// The SP alignment check's view: which instructions access through SP,
// which may change it (reads of SP do not stop the check), and the rest.
TEST(AccessDecode, StackPointerUse) {
    struct SpCase {
        uint32_t insn;
        const char* text;
        SpUse use;
    };
    for (const SpCase& c : std::initializer_list<SpCase>{
             {0xf94003e1, "ldr x1, [sp]", SpUse::access_base},
             {0xa9bf7bfd, "stp x29, x30, [sp, #-16]!", SpUse::access_base},
             {0xf9400fe0, "ldr x0, [sp, #24]", SpUse::access_base},
             {0xf82003e1, "ldadd x0, x1, [sp]", SpUse::access_base},
             {0xf8200041, "ldadd x0, x1, [x2]", SpUse::none},
             {0x910043ff, "add sp, sp, #0x10", SpUse::written},
             {0xd10023ff, "sub sp, sp, #0x8", SpUse::written},
             {0x9100013f, "mov sp, x9", SpUse::written},
             {0x910003fd, "mov x29, sp", SpUse::none},
             {0x910043e0, "add x0, sp, #0x10", SpUse::none},
             {0xf9400020, "ldr x0, [x1]", SpUse::none},
             {0xd65f03c0, "ret", SpUse::none},
         })
        EXPECT_EQ(sp_use(c.insn), c.use) << c.text;
}

} // namespace
} // namespace sim::cpu
