// The one trap entry from the simulator into hv: the AArch64 core's
// data-abort syndrome (sim/cpu/arm64_syndrome.h) against hv's own decoder,
// with ISV set only where the architecture sets it, and a guest's accesses
// to an emulated page through it end to end.
#include "sim/cpu/arm64_syndrome.h"
#include "sim/simulation.h"

#include "guest_files.h"
#include "hv/arch/armv8/syndrome.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sim {
namespace {

namespace dabt = hv::armv8::dabt;
using cpu::arm64::data_abort_iss;

struct Expect {
    const char* text;
    uint32_t insn;
    bool isv;
    uint32_t size = 0, srt = 0;
    bool sse = false, sf = false;
};

// Encodings from llvm-mc -triple=aarch64 -mattr=+lse.
const Expect kForms[] = {
    {"str w1, [x0]", 0xb9000001, true, 4, 1, false, false},
    {"ldr x3, [x2, #8]", 0xf9400443, true, 8, 3, false, true},
    {"ldrsb w5, [x1]", 0x39c00025, true, 1, 5, true, false},
    {"ldrsw x7, [x1]", 0xb9800027, true, 4, 7, true, true},
    {"ldrh w2, [x1, x3]", 0x78636822, true, 2, 2, false, false},
    {"ldur w0, [x1, #-4]", 0xb85fc020, true, 4, 0, false, false},
    {"sttr w3, [x4]", 0xb8000883, true, 4, 3, false, false},
    {"stlr w0, [x1]", 0x889ffc20, true, 4, 0, false, false},
    {"ldar x9, [x1]", 0xc8dffc29, true, 8, 9, false, true},
    {"ldr w0, #8", 0x18000040, true, 4, 0, false, false},
    {"str x2, [x1], #8", 0xf8008422, false},
    {"str x2, [x1, #8]!", 0xf8008c22, false},
    {"stp x1, x2, [x0]", 0xa9000801, false},
    {"ldxr x0, [x1]", 0xc85f7c20, false},
    {"str q0, [x1]", 0x3d800020, false},
    {"ldadd w0, w1, [x2]", 0xb8200041, false},
    {"prfm pldl1keep, [x0]", 0xf9800000, false},
};

TEST(TrapEntry, DataAbortSyndromeIsValidOnlyForSingleRegisterAccesses) {
    for (const Expect& e : kForms) {
        for (bool write : {false, true}) {
            const uint32_t iss = data_abort_iss(e.insn, write);
            EXPECT_EQ(dabt::isv(iss), e.isv) << e.text;
            EXPECT_EQ(dabt::write(iss), write) << e.text;
            EXPECT_EQ(iss & 0x3f, 0x07u) << e.text; // translation fault, level 3
            if (!e.isv) {
                EXPECT_EQ(iss & 0x00ffc000, 0u) << e.text; // ISS[23:14] RES0
                continue;
            }
            EXPECT_EQ(dabt::access_size(iss), e.size) << e.text;
            EXPECT_EQ(dabt::srt(iss), e.srt) << e.text;
            EXPECT_EQ(dabt::sign_extend(iss), e.sse) << e.text;
            EXPECT_EQ(dabt::sixty_four(iss), e.sf) << e.text;
        }
    }
    EXPECT_TRUE((data_abort_iss(0x889ffc20, true) >> 14) & 1); // STLR: AR
}

// sim/cpu keeps its own copy of the encodings; they must be hv's.
TEST(TrapEntry, EncodingsAgreeWithHvs) {
    using hv::armv8::Ec;
    EXPECT_EQ(cpu::arm64::ec::wfx, static_cast<uint32_t>(Ec::WfxTrap));
    EXPECT_EQ(cpu::arm64::ec::hvc64, static_cast<uint32_t>(Ec::Hvc64));
    EXPECT_EQ(cpu::arm64::ec::smc64, static_cast<uint32_t>(Ec::Smc64));
    EXPECT_EQ(cpu::arm64::ec::sys_reg, static_cast<uint32_t>(Ec::SysReg64));
    EXPECT_EQ(cpu::arm64::ec::inst_abort_lower, static_cast<uint32_t>(Ec::InstAbortLower));
    EXPECT_EQ(cpu::arm64::ec::data_abort_lower, static_cast<uint32_t>(Ec::DataAbortLower));
    EXPECT_EQ(cpu::arm64::sys_insn_iss(1, 0, 7, 14, 2, 5, false),
              hv::armv8::sys_insn(1, 0, 7, 14, 2, 5, false).iss());
    // str x3, [x0]: what hv's own builder gives for an 8-byte store through x3.
    const hv::armv8::TrapSyndrome h = hv::armv8::data_abort(0x1234, 0x9000234, true, 8, 3);
    EXPECT_EQ(data_abort_iss(0xf9000003, true), h.iss());
    EXPECT_EQ(cpu::arm64::hpfar(0x9000234), h.hpfar);
    EXPECT_EQ(cpu::arm64::inst_abort_iss(), hv::armv8::inst_abort(0, 0).iss());
    EXPECT_EQ(cpu::arm64::walk_abort_iss(), hv::armv8::inst_abort(0, 0, true).iss()) << "S1PTW";
    EXPECT_EQ(cpu::arm64::walk_abort_iss(), hv::armv8::walk_abort(0, 0).iss());
    EXPECT_EQ(cpu::arm64::maintenance_abort_iss(true), hv::armv8::walk_abort(0, 0, true).iss());
    EXPECT_TRUE(hv::armv8::dabt::s1ptw(cpu::arm64::walk_abort_iss()));
    EXPECT_FALSE(hv::armv8::dabt::cm(cpu::arm64::walk_abort_iss()));
    EXPECT_TRUE(hv::armv8::dabt::cm(cpu::arm64::maintenance_abort_iss(true)));
}

// A raw guest under hv, run to its end with the model, or fast-forwarded
// throughout, counting loads and stores or not (--fast-forward-uncounted).
enum class RunKind { modeled, fast_forwarded, uncounted };

struct RawHvRun {
    std::string console;
    RunOutcome outcome;
    hv::ExitKind exit_kind = hv::ExitKind::None;
    std::string exit_reason;
};

RawHvRun run_raw_hv_guest(const std::string& name, const std::vector<uint32_t>& words,
                          RunKind how) {
    auto guest = test::write_raw_guest(name, words);
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / (name + "-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"hv\"\n"
                           "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                           "[[vms]]\nname = \"vm\"\nmeasured = true\ncpu_affinity = [0]\n"
                           "image = { path = \"" +
                               guest +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o;
    o.config = path.string();
    o.workloads_dir = test::workloads_dir();
    if (how != RunKind::modeled) { // never reached: every instruction fast-forwarded
        o.fast_forward.until = FastForward::Until::insns;
        o.fast_forward.insns = ~0ull;
        o.fast_forward.uncounted = how == RunKind::uncounted;
    }
    std::ostringstream out;
    Simulation s(o, &out);
    RawHvRun r;
    r.outcome = s.run();
    r.console = out.str();
    const hv::Vm& vm = s.hv_host()->hypervisor().vm(0);
    r.exit_kind = vm.exit_kind;
    r.exit_reason = vm.exit_reason;
    return r;
}

// A load from the virtual UART's FR into w5 (0x90: transmit FIFO empty,
// receive FIFO empty) makes 'A', which the guest stores to DR with a
// newline; then a store pair to DR, which has no valid syndrome on the
// hardware either, stops the VM with hv's named reason. Every access is in
// the middle of the block that starts at 0x40000000: hv decodes the
// instruction at the PC the core reports, so a PC of the block's start
// (the movz) would make the load undecodable too.
const std::vector<uint32_t> kUartPairGuest = {
    0xd2a12001, // movz x1, #0x0900, lsl #16 (the UART's IPA)
    0xb9401825, // ldr w5, [x1, #0x18]
    0x51013ca2, // sub w2, w5, #0x4f
    0xb9000022, // str w2, [x1]
    0x52800142, // movz w2, #10
    0xb9000022, // str w2, [x1]
    0xa9000c22, // stp x2, x3, [x1]
    test::insn_branch_self,
};

TEST(TrapEntry, EmulatedPageAccessesReachHvWithTheArchitecturesSyndrome) {
    const RawHvRun r = run_raw_hv_guest("uart-pair", kUartPairGuest, RunKind::modeled);
    EXPECT_EQ(r.console, "[vm] A\n");
    EXPECT_EQ(r.outcome.code, ExitCode::guest_fault);
    EXPECT_EQ(r.exit_kind, hv::ExitKind::EmulationFault);
    EXPECT_EQ(r.exit_reason, "vm 0 (\"vm\") vcpu 0 on core 0: undecodable write (no ISV) to "
                             "emulated IPA 0x9000000 (pc 0x40000018)");
}

// Fast-forwarding (no timing model) must not cost the exact PC of a trapped
// access (docs/checkpoints.md, "Speed"): the same guest, the same syndromes.
// Without the memory hook (uncounted) the PC comes from Unicorn's helpers.
TEST(TrapEntry, FastForwardedAccessesNameTheirOwnInstruction) {
    for (const RunKind how : {RunKind::fast_forwarded, RunKind::uncounted}) {
        const RawHvRun r = run_raw_hv_guest("uart-pair-ff", kUartPairGuest, how);
        const bool uncounted = how == RunKind::uncounted;
        EXPECT_EQ(r.console, "[vm] A\n") << uncounted;
        EXPECT_EQ(r.outcome.code, ExitCode::guest_fault) << uncounted;
        EXPECT_EQ(r.exit_kind, hv::ExitKind::EmulationFault) << uncounted;
        EXPECT_EQ(r.exit_reason, "vm 0 (\"vm\") vcpu 0 on core 0: undecodable write (no ISV) to "
                                 "emulated IPA 0x9000000 (pc 0x40000018)")
            << uncounted;
    }
}

// An access outside the VM's memory in the middle of a block, fast-forwarded:
// the stage-2 abort that stops the VM names the load, not the block's start.
TEST(TrapEntry, FastForwardedAbortOutsideTheVmNamesTheLoad) {
    const std::vector<uint32_t> words = {
        0xd2a80001, // movz x1, #0x4000, lsl #16 (the VM's RAM)
        0xf9400022, // ldr x2, [x1]
        0x91000442, // add x2, x2, #1
        0xd2a60001, // movz x1, #0x3000, lsl #16 (nothing there)
        0xb9400425, // ldr w5, [x1, #4]
        test::insn_branch_self,
    };
    for (const RunKind how : {RunKind::modeled, RunKind::fast_forwarded, RunKind::uncounted}) {
        const RawHvRun r = run_raw_hv_guest("outside-ff", words, how);
        EXPECT_EQ(r.outcome.code, ExitCode::guest_fault) << static_cast<int>(how);
        EXPECT_NE(r.exit_reason.find("pc 0x40000010"), std::string::npos)
            << "run " << static_cast<int>(how) << ": " << r.exit_reason;
    }
}

} // namespace
} // namespace sim
