// Integration: guests under hv in the simulator (solo, solo-col), isolation
// of a faulting VM from a healthy one, and the page-table report.
#include "sim/cli.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace sim {
namespace {

RunOptions options(const std::string& config) {
    RunOptions o;
    o.config = config;
    o.workload = "hello";
    o.workloads_dir = test::workloads_dir();
    return o;
}

TEST(HvRun, SoloRunsHelloInAVmWithSuperpages) {
    std::ostringstream out;
    Simulation s(options("solo"), &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n"); // one vCPU: CPU_ON of vCPU 1 is refused
    const hv::Vm& vm = s.hv_host()->hypervisor().vm(0);
    EXPECT_EQ(vm.exit_kind, hv::ExitKind::PowerOff);
    EXPECT_EQ(vm.recolor_bytes, 0u);
    EXPECT_LE(vm.stage2_table_pages(),
              3u); // 128 MiB in 2 MiB blocks: root (2 pages) + one L2 table
    std::string j = s.stats_json();
    EXPECT_NE(j.find("\"stage2_table_pages\": 3"), std::string::npos) << j;
    EXPECT_NE(j.find("\"name\": \"bench\""), std::string::npos);
}

TEST(HvRun, SoloColRecolorsTheImageIntoItsColors) {
    std::ostringstream out;
    Simulation s(options("solo-col"), &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
    const hv::Hypervisor& hv = s.hv_host()->hypervisor();
    const hv::Vm& vm = hv.vm(0);
    // docs/design.md#check-recolor: the image's size rounded up to whole pages.
    const GuestImage img = read_guest_image(test::workloads_dir() + "/hello.elf", 0);
    EXPECT_EQ(vm.recolor_bytes, (img.footprint() + 4095) / 4096 * 4096);
    EXPECT_GT(vm.stage2_table_pages(), 60u); // 128 MiB in 4 KiB pages: one L3 table per 2 MiB
    // Every page the guest can reach has one of colors 0-7.
    for (uint64_t ipa = 0x40000000; ipa < 0x40000000 + 0x8000000; ipa += 0x100000) {
        hv::armv8::S2Walk w = const_cast<hv::Hypervisor&>(hv).walk(0, ipa);
        ASSERT_TRUE(w.valid);
        EXPECT_LT((w.pa / 4096) % 16, 8u) << std::hex << ipa;
    }
}

// hv's text must fit in the pages of its region (of its colors): otherwise the
// model would silently fetch less code than configured.
TEST(HvRun, HvTextLargerThanItsRegionIsAnError) {
    RunOptions o = options("solo");
    o.sets = {"hv.text_bytes=64M"};
    try {
        Simulation s(o, nullptr);
        FAIL() << "no error";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("hv.text_bytes"), std::string::npos) << e.what();
    }
}

TEST(HvRun, CoresOptionIsRejectedInHvMode) {
    RunOptions o = options("solo");
    o.cores = 2;
    EXPECT_THROW(Simulation(o, nullptr), InputError);
}

TEST(HvRun, InvalidConfigReportsHvsMessage) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / ("overlap-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << R"(
mode = "hv"
[hyp]
region = { base = 0x40000000, size = 0x400000 }
[[vms]]
name = "a"
measured = true
cpu_affinity = [0]
image = { workload = "hello", load_addr = 0x40000000 }
regions = [{ base = 0x40000000, size = 0x1000000 }]
[[vms]]
name = "b"
cpu_affinity = [0]
image = { workload = "hello", load_addr = 0x40000000 }
regions = [{ base = 0x40000000, size = 0x1000000 }]
)";
    RunOptions o = options(path.string());
    o.workload.clear();
    try {
        Simulation s(o, nullptr);
        FAIL() << "expected a validation error";
    } catch (const InputError& e) {
        EXPECT_NE(
            std::string(e.what()).find("vms[1].cpu_affinity: cpu 0 is already assigned to vms[0]"),
            std::string::npos)
            << e.what();
    }
}

// VM "rogue" writes outside its memory; VM "bench" on another core prints and
// powers off. The rogue VM is stopped with a reason naming VM, vCPU, core,
// IPA and access, the healthy one is unaffected, and since the rogue VM is
// not the measured one the run succeeds (docs/design.md#faults) and reports it.
TEST(HvRun, FaultingVmIsStoppedWhileAnotherFinishes) {
    auto rogue = test::write_raw_guest("rogue", {test::insn_movz_x1_0x1000, test::insn_str_x2_x1});
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    auto path = dir / ("isolation-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"hv\"\n"
                           "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n"
                           "[[vms]]\nname = \"rogue\"\ncpu_affinity = [0]\n"
                           "image = { path = \"" +
                               rogue +
                               "\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n"
                               "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [1]\n"
                               "image = { workload = \"hello\", load_addr = 0x40000000 }\n"
                               "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o = options(path.string());
    o.workload.clear();
    std::ostringstream out;
    Simulation s(o, &out);
    RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
    const hv::Hypervisor& hv = s.hv_host()->hypervisor();
    EXPECT_EQ(hv.vm(0).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_STREQ(hv.vm(0).exit_reason,
                 "vm 0 (\"rogue\") vcpu 0 on core 0: stage-2 fault on write of "
                 "8 bytes at IPA 0x1000 (pc 0x40000004)");
    EXPECT_EQ(hv.vm(1).exit_kind, hv::ExitKind::PowerOff);
    EXPECT_EQ(r.detail,
              std::string("every measured VM powered off (stopped: ") + hv.vm(0).exit_reason + ")");

    // The config can make any stopped VM fail the run.
    std::string text;
    {
        std::ifstream in(path);
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(path) << "fail_on_any_vm_fault = true\n" << text;
    Simulation strict(o, nullptr);
    RunOutcome r2 = strict.run();
    EXPECT_EQ(r2.code, ExitCode::guest_fault);
    EXPECT_EQ(r2.detail, strict.hv_host()->hypervisor().vm(0).exit_reason);
}

TEST(PageTables, ReportMatchesTheBuilder) {
    std::vector<const char*> argv = {"bao-sim", "pagetables", "--mem", "32M,1G"};
    std::ostringstream out, err;
    EXPECT_EQ(cli_main(static_cast<int>(argv.size()), argv.data(), out, err), 0) << err.str();
    EXPECT_EQ(out.str(), "memory        uncolored  colored\n"
                         "32 MiB                3       19\n"
                         "1024 MiB              2      515\n");
}

} // namespace
} // namespace sim
