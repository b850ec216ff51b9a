#include "sim/config.h"

#include "hv/core/validate.h"
#include "hv/platform/qemu-aarch64-virt/platform.h"
#include "hv/platform/zcu104/platform.h"
#include "sim/error.h"
#include "sim/hv_code.h"
#include "sim/platform.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sim {
namespace {

std::string error_of(const std::string& toml) {
    try {
        parse_config(toml, "test.toml", "");
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

const char* minimal = R"(
mode = "native"
[[vms]]
name = "bench"
measured = true
image = { workload = "hello" }
)";

TEST(Config, MinimalNativeConfigGetsPlatformDefaults) {
    RunConfig rc = parse_config(minimal, "test.toml", "");
    EXPECT_EQ(rc.hv.mode, hv::Mode::Native);
    EXPECT_EQ(rc.machine.cores, 4u);
    EXPECT_EQ(rc.machine.ram_base, 0x40000000u);
    EXPECT_EQ(rc.hv.platform.gic.gicd, 0x08000000u);
    EXPECT_EQ(rc.hv.platform.l2.num_colors(), 16u);
    EXPECT_EQ(rc.hv.platform.console_irq, 33u); // QEMU virt's PL011 SPI
    EXPECT_FALSE(rc.hv.vms[0].has_marker);
    EXPECT_EQ(rc.measured_vm(), 0);
    EXPECT_EQ(rc.images[0].workload, "hello");
}

TEST(Config, MarkerPageAndUartInterrupt) {
    std::string text = std::string(minimal) + "marker = 0x0b000000\n";
    RunConfig rc = parse_config(text, "test.toml", "");
    EXPECT_TRUE(rc.hv.vms[0].has_marker);
    EXPECT_EQ(rc.hv.vms[0].marker, 0x0b000000u);
    EXPECT_NE(error_of(std::string(minimal) + "[platform]\nconsole_irq = 1020\n")
                  .find("platform.console_irq: 1020 is out of range (0-1019)"),
              std::string::npos);
}

// RAM is backed by 4 KiB pages: an unaligned or empty range is the
// configuration's error (it was an internal error from the memory's setup).
TEST(Config, RamRangesArePageMultiples) {
    const std::string ram = std::string(minimal) + "[platform]\nram = [{ base = ";
    EXPECT_EQ(error_of(ram + "16, size = 0x9000000 }]\n"),
              "platform.ram[0]: base 0x10 and size 0x9000000 must be non-zero multiples of 4 KiB");
    EXPECT_NE(error_of(ram + "0x40000000, size = 0 }]\n").find("platform.ram[0]: "),
              std::string::npos);
    EXPECT_EQ(error_of(ram + "0x40000000, size = 0x1000 }]\n"), "no error");
}

TEST(Config, UnknownKeyIsNamedWithTheKnownOnes) {
    std::string e = error_of(std::string(minimal) + "colour = [1]\n");
    EXPECT_EQ(e, "vms[0]: unknown key 'colour' (known: bootargs, colors, cpu_affinity, devs, dtb, "
                 "image, initrd, ipcs, kernel, load_pa, marker, measured, name, params, regions)");
}

// A Linux VM names a kernel instead of an image (docs/config.md, "Linux VMs").
TEST(Config, LinuxVmKeys) {
    const std::string vm = "mode = \"native\"\n[[vms]]\nname=\"l\"\nmeasured=true\n";
    EXPECT_EQ(error_of(vm + "kernel=\"Image\"\nimage={workload=\"x\"}\n"),
              "vms[0]: give either 'image' or 'kernel' (a Linux VM), not both");
    EXPECT_EQ(error_of(vm + "kernel=\"\"\n"), "vms[0].kernel: empty path");
    EXPECT_EQ(error_of(vm + "kernel=1\n"), "vms[0].kernel: expected a string");
    RunConfig c = parse_config(vm + "kernel=\"Image\"\ninitrd=\"cache:i.gz\"\nbootargs=\"quiet\"\n"
                                    "regions=[{base=0x40000000, size=0x10000000}]\n",
                               "test.toml", "/cfg");
    EXPECT_EQ(c.images[0].linux_boot.kernel, "/cfg/Image");
    EXPECT_EQ(c.images[0].linux_boot.initrd, "cache:i.gz"); // resolved by the simulation
    EXPECT_EQ(c.images[0].linux_boot.bootargs, "quiet");
    EXPECT_TRUE(c.images[0].linux_boot.dtb.empty());
    EXPECT_FALSE(c.hv.vms[0].image.has_load_pa);
    // Where a boot loader staged the images (the real image's QEMU loader).
    c = parse_config(vm + "kernel=\"Image\"\nload_pa=0x60000000\n", "test.toml", "/cfg");
    EXPECT_TRUE(c.hv.vms[0].image.has_load_pa);
    EXPECT_EQ(c.hv.vms[0].image.load_pa, 0x60000000u);
    EXPECT_EQ(error_of(vm + "image={workload=\"x\"}\nload_pa=0x80000000\n"),
              "vms[0].load_pa: only for a Linux VM ('kernel'); an image takes image.load_pa");
}

TEST(Config, BadModeAndMissingImage) {
    EXPECT_EQ(error_of("mode = \"bare\"\n[[vms]]\nimage={workload=\"x\"}\n"),
              "mode: 'bare' is not one of native, hv");
    EXPECT_EQ(error_of("mode = \"native\"\n[[vms]]\nname=\"a\"\n"),
              "vms[0].image: missing (or give 'kernel' for a Linux VM)");
    EXPECT_EQ(error_of("mode = \"native\"\n"),
              "test.toml: no [[vms]] entry: a configuration needs at least one VM");
}

TEST(Config, SyntaxErrorNamesLine) {
    EXPECT_NE(error_of("mode = \n").find("test.toml:1:"), std::string::npos);
}

TEST(Config, ColorsAndCpusBecomeBitmasks) {
    RunConfig rc =
        parse_config(std::string(minimal) + "cpu_affinity = [1, 2]\ncolors = [0, 3]\n", "t", "");
    EXPECT_EQ(rc.hv.vms[0].cpu_affinity, 0b110u);
    EXPECT_EQ(rc.hv.vms[0].colors, 0b1001u);
    EXPECT_EQ(error_of(std::string(minimal) + "colors = [64]\n"),
              "vms[0].colors: 64 is out of range (0-63)");
}

TEST(Config, ModelParametersAreSetByNameAndChecked) {
    RunConfig rc = parse_config(std::string(minimal) + "[model]\nquantum_cycles = 600\n", "t", "");
    EXPECT_EQ(rc.machine.quantum_cycles, 600u);
    EXPECT_THROW(set_model_param(rc, "l9.size", "1"), InputError);
    EXPECT_THROW(set_model_param(rc, "quantum_cycles", "0"), InputError);
}

TEST(Config, HvCodeLayoutIsSpreadOrMeasured) {
    RunConfig rc = parse_config(minimal, "t", "");
    EXPECT_EQ(rc.machine.hv_code_layout, HvCodeLayoutKind::platform_default);
    EXPECT_EQ(hv_code_layout_in_effect(rc.machine), HvCodeLayoutKind::measured);
    set_model_param(rc, "hv.code_layout", "measured");
    EXPECT_EQ(rc.machine.hv_code_layout, HvCodeLayoutKind::measured);
    set_model_param(rc, "model.hv.code_layout", "spread");
    EXPECT_EQ(rc.machine.hv_code_layout, HvCodeLayoutKind::spread);
    EXPECT_THROW(set_model_param(rc, "hv.code_layout", "linked"), InputError);
}

// Each board's preset gets its own default: the measured line set is the
// AArch64 image's, so RISC-V's hv keeps the spread layout.
TEST(Config, HvCodeLayoutDefaultsToMeasuredOnAArch64AndSpreadOnRiscv) {
    const RunConfig arm = load_config("solo", "");
    EXPECT_EQ(hv_code_layout_in_effect(arm.machine), HvCodeLayoutKind::measured);
    const RunConfig rv = load_config("solo", kRiscvVirtPlatform);
    EXPECT_EQ(rv.machine.platform, kRiscvVirtPlatform);
    EXPECT_EQ(hv_code_layout_in_effect(rv.machine), HvCodeLayoutKind::spread);
}

// mem.bank_conflict_cycles (issue 21's calibration): a ZynqMP DDR4-2400's
// tRP + tRCD on every board, since the RISC-V board's memory system is the same
// ZCU104 model (docs/riscv.md); a setting, 0 for the model before, wins.
TEST(Config, BankConflictCyclesDefaultToTheZynqMpRowConflictOnEveryBoard) {
    for (const std::string& platform : platform_names()) {
        RunConfig rc = load_config("solo", platform);
        EXPECT_EQ(rc.machine.platform, platform);
        EXPECT_EQ(rc.machine.hierarchy.mem.bank_conflict_cycles, 34u) << platform;
        set_model_param(rc, "model.mem.bank_conflict_cycles", "0");
        EXPECT_EQ(rc.machine.hierarchy.mem.bank_conflict_cycles, 0u) << platform;
    }
}

// hv.*_code_bytes and hv.code_run_bytes size the spread layout: given, they
// select it; given with an explicit `measured` (in either order), a named error.
TEST(Config, HvCodeSizesSelectSpreadAndContradictMeasured) {
    for (const char* key :
         {"hv.entry_code_bytes", "hv.sync_code_bytes", "hv.irq_code_bytes", "hv.code_run_bytes"}) {
        RunConfig rc = parse_config(minimal, "t", "");
        set_model_param(rc, key, "512");
        EXPECT_EQ(hv_code_layout_in_effect(rc.machine), HvCodeLayoutKind::spread) << key;
        set_model_param(rc, "hv.code_layout", "spread"); // agrees
        try {
            set_model_param(rc, "hv.code_layout", "measured");
            ADD_FAILURE() << key << ": no error";
        } catch (const InputError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("hv.code_layout = measured"), std::string::npos) << what;
            EXPECT_NE(what.find("hv.*_code_bytes or hv.code_run_bytes"), std::string::npos) << what;
        }
        RunConfig measured = parse_config(minimal, "t", "");
        set_model_param(measured, "hv.code_layout", "measured");
        try {
            set_model_param(measured, std::string("model.") + key, "512");
            ADD_FAILURE() << key << ": no error";
        } catch (const InputError& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(std::string("model.") + key), std::string::npos) << what;
            EXPECT_NE(what.find("hv.code_layout = measured"), std::string::npos) << what;
        }
    }
    // hv.text_bytes is not a size of the spread layout's paths: the measured
    // layout checks its last line against it.
    RunConfig rc = parse_config(minimal, "t", "");
    set_model_param(rc, "hv.text_bytes", "45000");
    EXPECT_EQ(hv_code_layout_in_effect(rc.machine), HvCodeLayoutKind::measured);
}

// Every number is range-checked against its field, never wrapped or cut to
// 32 bits, and the message names the field.
TEST(Config, NumbersAreCheckedAgainstTheirFieldsRange) {
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\ncpus = 0x100000004\n"),
              "platform.cpus: 4294967300 is out of range (1-8)");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\ncpus = 0\n"),
              "platform.cpus: 0 is out of range (1-8)");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nl2 = { ways = 0x100000010 }\n"),
              "platform.l2.ways: 4294967312 is out of range (1-1024)");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nl2 = { line = \"-64\" }\n"),
              "platform.l2.line: '-64' has a sign (numbers are unsigned)");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nconsole = -1\n"),
              "platform.console: -1 must not be negative");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nconsole = 1.5\n"),
              "platform.console: expected a number");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nconsole = \"010\"\n"),
              "platform.console: '010' has a leading zero (write decimal or 0x hex; octal is not "
              "accepted)");
}

// value_or<int64_t>(0) made "x" or 33.7 interrupt 0; a scalar where a list
// belongs was ignored.
TEST(Config, ListsHoldOnlyWhatTheirFieldTakes) {
    const std::string dev = "devs = [{ pa = 0x0a000000, size = 0x1000, interrupts = ";
    EXPECT_EQ(error_of(std::string(minimal) + dev + "[\"x\"] }]\n"),
              "vms[0].devs[0].interrupts[0]: expected an integer");
    EXPECT_EQ(error_of(std::string(minimal) + dev + "[40, 33.7] }]\n"),
              "vms[0].devs[0].interrupts[1]: expected an integer");
    EXPECT_EQ(error_of(std::string(minimal) + dev + "[-1] }]\n"),
              "vms[0].devs[0].interrupts[0]: -1 is out of range (0-1019)");
    EXPECT_EQ(error_of(std::string(minimal) + dev + "[0x100000021] }]\n"),
              "vms[0].devs[0].interrupts[0]: 4294967329 is out of range (0-1019)");
    EXPECT_EQ(error_of(std::string(minimal) + dev + "33 }]\n"),
              "vms[0].devs[0].interrupts: expected a list of numbers");
    EXPECT_EQ(error_of(std::string(minimal) +
                       "ipcs = [{ base = 0x50000000, size = 0x1000, interrupts = [\"52\"] }]\n"),
              "vms[0].ipcs[0].interrupts[0]: expected an integer");
    EXPECT_EQ(error_of(std::string(minimal) +
                       "ipcs = [{ base = 0x50000000, size = 0x1000, shmem_id = 0x100000000 }]\n"),
              "vms[0].ipcs[0].shmem_id: 4294967296 is out of range (0-4294967295)");
    EXPECT_EQ(error_of(std::string(minimal) + "params = 5\n"),
              "vms[0].params: expected a list of numbers");
    EXPECT_EQ(error_of(std::string(minimal) + "params = [1, 2.5]\n"),
              "vms[0].params[1]: expected a non-negative integer");
    EXPECT_EQ(error_of(std::string(minimal) + "[platform]\nram = []\n"),
              "platform.ram: the list is empty (omit the key for the default 1 GiB at 0x40000000)");
}

TEST(Config, OverlongOrControlCharacterNamesAreErrors) {
    const std::string name32(32, 'n');
    EXPECT_EQ(error_of("mode = \"native\"\n[[vms]]\nname = \"" + name32 +
                       "\"\nimage = { workload = \"hello\" }\n"),
              "vms[0].name: \"" + name32 + "\" is longer than 31 characters");
    EXPECT_EQ(
        error_of(
            "mode = \"native\"\n[[vms]]\nname = \"a\\u001bb\"\nimage = { workload = \"hello\" }\n"),
        "vms[0].name: contains a control character");
    RunConfig rc = parse_config("mode = \"native\"\n[[vms]]\nname = \"" + name32.substr(1) +
                                    "\"\nimage = { workload = \"hello\" }\n",
                                "t", "");
    EXPECT_EQ(std::string(rc.hv.vms[0].name), name32.substr(1));
}

// --set and [model] share the parser: quantum_cycles=-1 used to become 2^64-1.
TEST(Config, ModelNumbersAreStrictAndRanged) {
    RunConfig rc = parse_config(minimal, "t", "");
    auto error = [&](const char* key, const char* value) {
        try {
            set_model_param(rc, key, value);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error("quantum_cycles", "-1"),
              "model.quantum_cycles: '-1' has a sign (numbers are unsigned)");
    EXPECT_EQ(error("quantum_cycles", "010"), "model.quantum_cycles: '010' has a leading zero "
                                              "(write decimal or 0x hex; octal is not accepted)");
    EXPECT_EQ(error("core_hz", "-5"), "model.core_hz: '-5' has a sign (numbers are unsigned)");
    EXPECT_EQ(error("quantum_cycles", "0"),
              "model.quantum_cycles: 0 is out of range (1-4294967296)");
    EXPECT_EQ(error("cntfrq", "0x100000000"),
              "model.cntfrq: 4294967296 is out of range (1-4294967295)");
    EXPECT_EQ(error("l2.ways", "-1"),
              "model: model parameter 'l2.ways': bad value '-1' (expected an "
              "unsigned decimal or 0x-hex integer, optionally with K, M or G) "
              "(machine parameters: quantum_cycles, core_hz, cntfrq, "
              "cycles_per_insn, gic.signal_cycles, gic.reg_cycles, "
              "gic.virtual_signal_cycles, gic.version, "
              "hv.exception_cycles, hv.sync_insns, hv.irq_insns, hv.text_bytes, "
              "hv.entry_code_bytes, hv.sync_code_bytes, hv.irq_code_bytes, "
              "hv.code_run_bytes, hv.sync_cycles, hv.irq_cycles, hv.sync_data_bytes, "
              "hv.irq_data_bytes, console.keep_bytes, vm_start_stagger_cycles, "
              "memory_model, wfi_through_stage1, region_cores; memory-model keys in "
              "docs/timing-model.md)");
    EXPECT_EQ(error("quantum_cycles", "0x258"), "no error");
    EXPECT_EQ(rc.machine.quantum_cycles, 600u);
    EXPECT_EQ(error("l2.size", "0x80000"), "no error");
    EXPECT_EQ(rc.machine.hierarchy.l2.size_bytes, 0x80000u);
    EXPECT_EQ(error("console.keep_bytes", "4K"), "no error");
    EXPECT_EQ(rc.machine.console_keep_bytes, 4096u);
    EXPECT_FALSE(rc.machine.wfi_through_stage1) << "off by default (decision 29)";
    EXPECT_EQ(error("wfi_through_stage1", "yes"),
              "model.wfi_through_stage1: 'yes' is not one of true, false, 1, 0");
    EXPECT_EQ(error("model.wfi_through_stage1", "1"), "no error");
    EXPECT_TRUE(rc.machine.wfi_through_stage1);
    EXPECT_EQ(rc.machine.region_cores, RegionCores::mark) << "off by default (decision 29)";
    EXPECT_EQ(error("region_cores", "all"), "model.region_cores: 'all' is not one of mark, vm");
    EXPECT_EQ(error("region_cores", "vm"), "no error");
    EXPECT_EQ(rc.machine.region_cores, RegionCores::vm);
}

// gic.version picks the platform's GIC (default 2: every figure as before);
// hv's GIC description follows it, whichever way it was chosen.
TEST(Config, GicVersionIsTwoOrThreeAndHvFollowsIt) {
    RunConfig rc = parse_config(minimal, "test.toml", "");
    EXPECT_EQ(rc.machine.gic_version, 2u);
    EXPECT_EQ(rc.hv.platform.gic.version, hv::GicVersion::V2);
    const std::string v3 = std::string(minimal) + "[platform]\ngic = { version = 3 }\n";
    rc = parse_config(v3, "test.toml", "");
    EXPECT_EQ(rc.machine.gic_version, 3u);
    EXPECT_EQ(rc.hv.platform.gic.version, hv::GicVersion::V3);
    EXPECT_EQ(rc.hv.platform.gic.gicr, 0x080A0000u);
    try {
        parse_config(std::string(minimal) + "[platform]\ngic = { version = 4 }\n", "t.toml", "");
        ADD_FAILURE() << "version 4 accepted";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()), "platform.gic.version: 4 is out of range (2-3)");
    }
    // --set gic.version=3 on a v2 config: hv's description follows at sync.
    rc = parse_config(minimal, "test.toml", "");
    set_model_param(rc, "gic.version", "3");
    sync_gic_version(rc);
    EXPECT_EQ(rc.hv.platform.gic.version, hv::GicVersion::V3);
    EXPECT_EQ(rc.hv.platform.gic.gicr_stride, hv::kGicrStride);
    EXPECT_EQ(rc.hv.platform.gic.gicc, 0u);
    set_model_param(rc, "gic.version", "2");
    sync_gic_version(rc);
    EXPECT_EQ(rc.hv.platform.gic.version, hv::GicVersion::V2);
    EXPECT_EQ(rc.hv.platform.gic.gicc, 0x08010000u);
    EXPECT_THROW(set_model_param(rc, "gic.version", "1"), InputError);
}

// The GIC hv is told of comes from the platform's description
// (hv/platform/qemu-aarch64-virt/platform.h, decision 33), keeping the
// config's distributor; RISC-V's PLIC, in the same fields, has no versions.
TEST(Config, GicVersionTakesThePlatformsGic) {
    RunConfig rc =
        parse_config(std::string(minimal) + "[platform]\ngic = { gicd = 0x08100000 }\n", "t", "");
    set_model_param(rc, "gic.version", "3");
    sync_gic_version(rc);
    const hv::GicAddrs v3 = hv::platform::qemu_aarch64_virt_gicv3();
    EXPECT_EQ(rc.hv.platform.gic.gicd, 0x08100000u);
    EXPECT_EQ(rc.hv.platform.gic.gicr, v3.gicr);
    EXPECT_EQ(rc.hv.platform.gic.gicr_stride, v3.gicr_stride);
    set_model_param(rc, "gic.version", "2");
    sync_gic_version(rc);
    const hv::GicAddrs v2 = hv::platform::qemu_aarch64_virt_gicv2();
    EXPECT_EQ(rc.hv.platform.gic.gicd, 0x08100000u);
    EXPECT_EQ(rc.hv.platform.gic.gicc, v2.gicc);
    EXPECT_EQ(rc.hv.platform.gic.gich, v2.gich);
    EXPECT_EQ(rc.hv.platform.gic.gicv, v2.gicv);
    EXPECT_EQ(rc.hv.platform.gic.gicr, 0u);

    rc = load_config("solo", kRiscvVirtPlatform);
    const hv::GicAddrs plic = rc.hv.platform.gic;
    set_model_param(rc, "gic.version", "3");
    sync_gic_version(rc);
    EXPECT_EQ(rc.hv.platform.gic.gicd, plic.gicd);
    EXPECT_EQ(rc.hv.platform.gic.gicc, plic.gicc);
    EXPECT_EQ(rc.hv.platform.gic.version, plic.version);
    EXPECT_EQ(rc.hv.platform.gic.gicr, 0u);
}

// A configuration's [platform] starts from the board's own description
// (sim/platform.h, hv/platform/<name>/platform.h): the ZCU104's DDR at 0, its
// UART0 and SPI, its GIC-400; it has no GICv3 to switch to.
TEST(Config, PlatformDefaultsAreTheBoards) {
    const std::string vm = "[[vms]]\nname = \"a\"\ncpu_affinity = [0]\n"
                           "image = { workload = \"hello\" }\n"
                           "regions = [{ base = 0x40000000, size = 0x100000 }]\n";
    RunConfig rc = parse_config("[platform]\nname = \"zcu104\"\n" + vm, "t", "");
    const hv::PlatformConfig board = hv::platform::zcu104();
    ASSERT_EQ(rc.hv.platform.ram.size(), 1u);
    EXPECT_EQ(rc.hv.platform.ram[0].base, 0u);
    EXPECT_EQ(rc.hv.platform.ram[0].size, 2ull << 30);
    EXPECT_EQ(rc.hv.platform.console_pa, 0xFF000000u);
    EXPECT_EQ(rc.hv.platform.console_irq, 53u);
    EXPECT_EQ(rc.hv.platform.gic.gicd, board.gic.gicd);
    EXPECT_EQ(rc.hv.platform.gic.gicc, board.gic.gicc);
    EXPECT_EQ(rc.hv.platform.gic.gich, board.gic.gich);
    EXPECT_EQ(rc.hv.platform.gic.gicv, board.gic.gicv);
    EXPECT_EQ(rc.machine.ram_base, 0u);
    set_model_param(rc, "gic.version", "3");
    EXPECT_THROW(sync_gic_version(rc), InputError);
    EXPECT_EQ(error_of("[platform]\nname = \"zcu104\"\ngic = { version = 3 }\n" + vm),
              "platform.gic.version: platform zcu104 has no GICv3");
    EXPECT_EQ(error_of("[platform]\nname = \"zcu104\"\nram = []\n" + vm),
              "platform.ram: the list is empty (omit the key for the default 2 GiB at 0x0)");

    rc = parse_config(std::string(minimal), "t", ""); // QEMU virt's, as before
    EXPECT_EQ(rc.hv.platform.ram[0].base, 0x40000000u);
    EXPECT_EQ(rc.hv.platform.console_pa, 0x09000000u);
    EXPECT_EQ(rc.hv.platform.console_irq, 33u);
    EXPECT_EQ(rc.hv.platform.gic.gicd, 0x08000000u);
}

TEST(Config, NativePresetIsEmbedded) {
    RunConfig rc = load_config("native");
    EXPECT_EQ(rc.hv.mode, hv::Mode::Native);
    EXPECT_FALSE(rc.description.empty());
}

// Every embedded preset parses and passes hv's validation, and the Linux
// benchmark VM has a preset for every scenario the bare-metal one has.
TEST(Config, EveryPresetValidates) {
    std::vector<std::string> names;
    for (const PresetInfo& p : list_presets()) {
        names.push_back(p.name);
        RunConfig rc = load_config(p.name);
        EXPECT_FALSE(rc.description.empty()) << p.name;
        EXPECT_GE(rc.measured_vm(), 0) << p.name;
        // The image's place, size and entry are known once it is loaded
        // (a Linux kernel's from its header): a one-page stand-in.
        for (size_t v = 0; v < rc.hv.vms.size(); ++v) {
            hv::ImageConfig& img = rc.hv.vms[v].image;
            if (!rc.images[v].linux_boot.kernel.empty())
                img.base_ipa = rc.hv.vms[v].regions[0].base;
            img.size = 0x1000;
            img.entry = img.base_ipa;
        }
        const hv::Error e = hv::validate(rc.hv.view());
        EXPECT_TRUE(e.ok()) << p.name << ": " << e.message;
    }
    for (const char* scenario :
         {"native", "solo", "solo-col", "interf", "interf-col", "interf-col-hypcol"}) {
        const std::string linux_preset = std::string("linux-") + scenario;
        EXPECT_NE(std::find(names.begin(), names.end(), scenario), names.end()) << scenario;
        EXPECT_NE(std::find(names.begin(), names.end(), linux_preset), names.end()) << linux_preset;
        if (std::find(names.begin(), names.end(), linux_preset) == names.end())
            continue;
        // Same VMs, cores and colors as the bare-metal scenario; only the
        // measured VM boots Linux.
        const RunConfig bare = load_config(scenario), lx = load_config(linux_preset);
        ASSERT_EQ(lx.hv.vms.size(), bare.hv.vms.size()) << linux_preset;
        EXPECT_EQ(lx.hv.hyp.colors, bare.hv.hyp.colors) << linux_preset;
        for (size_t v = 0; v < lx.hv.vms.size(); ++v) {
            EXPECT_EQ(lx.hv.vms[v].cpu_affinity, bare.hv.vms[v].cpu_affinity)
                << linux_preset << " vm " << v;
            EXPECT_EQ(lx.hv.vms[v].colors, bare.hv.vms[v].colors) << linux_preset << " vm " << v;
            const bool measured = static_cast<int>(v) == lx.measured_vm();
            EXPECT_EQ(!lx.images[v].linux_boot.kernel.empty(), measured) << linux_preset;
        }
    }
}

TEST(Config, UnknownPresetListsTheKnownOnes) {
    try {
        load_config("natve");
        FAIL();
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("unknown config 'natve': not a preset ("), std::string::npos) << what;
        for (const char* p : {"native", "solo", "solo-col", "interf", "interf-col"})
            EXPECT_NE(what.find(p), std::string::npos) << p;
    }
}

} // namespace
} // namespace sim
