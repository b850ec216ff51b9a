// Integration: pass-through devices under hv in the simulator
// (docs/config.md#devs). The platform's second PL011 (0x0904_0000, INTID 40)
// is given to VM "owner", which writes on it and takes its interrupt; VM
// "intruder" reaches neither the UART nor its interrupt. A `devs` entry that
// covers the console is that VM's virtual UART.
#include "sim/gicv2.h"
#include "sim/pl011.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sim {
namespace {

constexpr uint64_t kGicd = 0x0800'0000;

std::string write_config(const std::string& name, const std::string& text) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / (name + "-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << text;
    return path.string();
}

std::string vm(const std::string& name, unsigned cpu, const std::string& workload,
               const std::string& extra) {
    return "[[vms]]\nname = \"" + name + "\"\ncpu_affinity = [" + std::to_string(cpu) +
           "]\nimage = { workload = \"" + workload +
           "\", load_addr = 0x40000000 }\n"
           "regions = [{ base = 0x40000000, size = 0x1000000 }]\n" +
           extra;
}

const std::string kHead = "mode = \"hv\"\n[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n";
const std::string kUart1Dev = "devs = [{ pa = 0x09040000, size = 0x1000, interrupts = [40] }]\n";

RunOptions options(const std::string& path) {
    RunOptions o;
    o.config = path;
    o.workloads_dir = test::workloads_dir();
    return o;
}

// The physical distributor's bit for `id` in the register bank at `reg`.
bool phys_bit(Simulation& s, uint64_t reg, uint32_t id) {
    uint64_t v = 0;
    EXPECT_TRUE(s.machine().bus().read(0, kGicd + reg + 4 * (id / 32), 4, v));
    return ((v >> (id % 32)) & 1u) != 0;
}

TEST(PassThrough, OwnerHasItsUartAndInterruptAndTheIntruderNeither) {
    const std::string path = write_config(
        "passthru", kHead + vm("owner", 0, "passthru-owner", "measured = true\n" + kUart1Dev) +
                        vm("intruder", 1, "passthru-intruder", ""));
    std::ostringstream out;
    Simulation s(options(path), &out);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    const std::string o = out.str();
    EXPECT_NE(o.find("[uart1] owner: my own UART\n"), std::string::npos) << o;
    EXPECT_NE(o.find("[owner] owner: irq 40 enabled 1, taken 1, unexpected 0\n"), std::string::npos)
        << o;
    // Its distributor shows nothing of interrupt 40, whatever it wrote.
    EXPECT_NE(o.find("[intruder] intruder: irq 40 enabled 0 pending 0 target 0\n"),
              std::string::npos)
        << o;
    EXPECT_EQ(o.find("isolation broken"), std::string::npos) << o;
    EXPECT_EQ(o.find("X"), std::string::npos) << o; // its write never reached the UART
    const hv::Hypervisor& hv = s.hv_host()->hypervisor();
    EXPECT_EQ(hv.vm(0).exit_kind, hv::ExitKind::PowerOff);
    EXPECT_EQ(hv.vm(1).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_NE(std::string(hv.vm(1).exit_reason).find("at IPA 0x9040000"), std::string::npos)
        << hv.vm(1).exit_reason;
    EXPECT_EQ(hv.vgic().spi_owner[pl011_1_irq], 1u);
}

// The owner never enables its interrupt: the intruder's enable, target and
// pend writes leave the physical distributor's interrupt 40 as hv set it.
// Both VMs are measured so that the run lasts until the intruder stopped
// (which, a measured VM's fault, fails the run).
TEST(PassThrough, IntruderCannotEnableOrPendThePhysicalInterrupt) {
    const std::string path = write_config(
        "passthru-idle", kHead + vm("owner", 0, "hello", "measured = true\n" + kUart1Dev) +
                             vm("intruder", 1, "passthru-intruder", "measured = true\n"));
    std::ostringstream out;
    Simulation s(options(path), &out);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::guest_fault) << r.detail;
    EXPECT_NE(r.detail.find("vm 1 (\"intruder\")"), std::string::npos) << r.detail;
    EXPECT_NE(out.str().find("[intruder] intruder: irq 40 enabled 0 pending 0 target 0\n"),
              std::string::npos)
        << out.str();
    EXPECT_EQ(s.hv_host()->hypervisor().vm(1).exit_kind, hv::ExitKind::Stage2Fault);
    EXPECT_FALSE(phys_bit(s, 0x100, pl011_1_irq)); // GICD_ISENABLER
    EXPECT_FALSE(phys_bit(s, 0x200, pl011_1_irq)); // GICD_ISPENDR
}

// Bao's qemu-aarch64-virt configurations pass the console through (64 KiB
// with its SPI 33) and list the timer's PPI 27 as a device without
// registers: the console page is the VM's virtual UART, output unchanged.
TEST(PassThrough, ConsolePassedThroughIsTheVirtualUart) {
    const std::string bao_devs = "devs = [{ pa = 0x09000000, va = 0x09000000, size = 0x10000, "
                                 "interrupts = [33] }, { interrupts = [27] }]\n";
    const std::string path = write_config(
        "passthru-console", kHead + vm("bench", 0, "hello", "measured = true\n" + bao_devs));
    std::ostringstream out;
    Simulation s(options(path), &out);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    EXPECT_EQ(out.str(), "[bench] hello from core 0\n");
}

} // namespace
} // namespace sim
