// The marker page (docs/config.md): a guest's 32-bit store of 0 / 1 to its
// page gives the same measured region as the mark hypercall, natively and
// under hv.
#include "sim/gicv2.h"
#include "sim/pl011.h"
#include "sim/simulation.h"

#include "guest_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace sim {
namespace {

enum class Via { Hypercall, Page };

// x1 = 0; x2 = the page; mark; 1000 loop iterations; x1 = 1; mark; SYSTEM_OFF.
// Both ways of marking take three instructions at the same places.
std::vector<uint32_t> guest(Via via) {
    const std::vector<uint32_t> mark =
        via == Via::Hypercall ? std::vector<uint32_t>{0xd2800200, 0xf2b0c000, 0xd4000002}
                              // mov x0, #0x10; movk x0, #0x8600, lsl 16; hvc #0
                              : std::vector<uint32_t>{0xd503201f, 0xd503201f, 0xb9000041};
    // nop; nop; str w1, [x2]
    std::vector<uint32_t> w{0xd2800001, 0xd2a16002}; // mov x1, #0; mov x2, #0xb000000
    w.insert(w.end(), mark.begin(), mark.end());
    w.insert(w.end(), {0xd2807d03, 0xf1000463, 0x54ffffe1, 0xd2800021}); // loop; mov x1, #1
    w.insert(w.end(), mark.begin(), mark.end());
    w.insert(w.end(), {0xd2800100, 0xf2b08000, 0xd4000002, test::insn_branch_self}); // SYSTEM_OFF
    return w;
}

std::string config_file(const std::string& mode, bool marker) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path =
        dir / ("marker-" + mode + (marker ? "-page-" : "-") + std::to_string(getpid()) + ".toml");
    std::ofstream f(path);
    f << "mode = \"" << mode << "\"\n";
    if (mode == "hv")
        f << "[hyp]\nregion = { base = 0x40000000, size = 0x400000 }\n";
    f << "[[vms]]\nname = \"bench\"\nmeasured = true\ncpu_affinity = [0]\n"
         "image = { workload = \"hello\", load_addr = 0x48000000 }\n"
         "regions = [{ base = 0x48000000, size = 0x1000000 }]\n";
    if (marker)
        f << "marker = 0x0b000000\n";
    return path.string();
}

WorkloadSummary run(const std::string& mode, Via via) {
    RunOptions o;
    o.config = config_file(mode, via == Via::Page);
    o.image = test::write_raw_guest("marker-" + mode, guest(via)) + "@0x48000000";
    o.workloads_dir = test::workloads_dir();
    Simulation s(o, nullptr);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    return s.workload_summary();
}

void expect_same_region(const std::string& mode) {
    const WorkloadSummary h = run(mode, Via::Hypercall);
    const WorkloadSummary p = run(mode, Via::Page);
    ASSERT_TRUE(h.region_marked);
    ASSERT_TRUE(p.region_marked);
    EXPECT_GE(h.instructions, 2000u); // the loop is inside the region
    EXPECT_EQ(p.instructions, h.instructions);
    EXPECT_EQ(p.runtime_cycles, h.runtime_cycles);
}

} // namespace

TEST(MarkerPage, NativeGivesTheHypercallsRegion) {
    expect_same_region("native");
}

TEST(MarkerPage, UnderHvGivesTheHypercallsRegion) {
    expect_same_region("hv");
}

// Two measured runs by the marker page, the same code each time:
// x1 = 0; store; 1000 loop iterations; x1 = 1; store; twice, then SYSTEM_OFF.
std::vector<uint32_t> two_runs_guest() {
    const std::vector<uint32_t> one_run{0xd2800001, 0xb9000041, 0xd2807d03, 0xf1000463,
                                        0x54ffffe1, 0xd2800021, 0xb9000041};
    std::vector<uint32_t> w{0xd2a16002}; // mov x2, #0xb000000
    w.insert(w.end(), one_run.begin(), one_run.end());
    w.insert(w.end(), one_run.begin(), one_run.end());
    w.insert(w.end(), {0xd2800100, 0xf2b08000, 0xd4000002, test::insn_branch_self}); // SYSTEM_OFF
    return w;
}

WorkloadSummary run_twice_marked(const std::string& mode) {
    RunOptions o;
    o.config = config_file(mode, true);
    o.image = test::write_raw_guest("marker-runs-" + mode, two_runs_guest()) + "@0x48000000";
    o.workloads_dir = test::workloads_dir();
    Simulation s(o, nullptr);
    const RunOutcome r = s.run();
    EXPECT_EQ(r.code, ExitCode::ok) << r.detail;
    const std::string json = s.stats_json();
    const size_t runs = json.find("\"runs\": {");
    EXPECT_NE(runs, std::string::npos);
    EXPECT_EQ(json.find("\"count\": 2", runs), json.find("\"count\"", runs));
    return s.workload_summary();
}

// Each start/end pair is one sample; the whole region (first start to last
// end) still spans both runs and the gap between them.
void expect_two_runs(const std::string& mode) {
    const WorkloadSummary w = run_twice_marked(mode);
    ASSERT_TRUE(w.region_marked);
    ASSERT_EQ(w.runs.size(), 2u);
    EXPECT_GE(w.runs[0].instructions, 2000u);
    // The same code each run; a mark's instruction count may be off by the
    // few instructions before the store in its translation block.
    EXPECT_NEAR(static_cast<double>(w.runs[0].instructions),
                static_cast<double>(w.runs[1].instructions), 4.0);
    const uint64_t run_insns = w.runs[0].instructions + w.runs[1].instructions;
    ASSERT_LE(run_insns, w.instructions);
    EXPECT_LE(w.instructions - run_insns, 8u); // mov x1, #0 and the store between the runs
    EXPECT_LE(w.runs[0].cycles + w.runs[1].cycles, w.runtime_cycles);
    EXPECT_GT(w.runs[0].cycles + w.runs[1].cycles, w.runtime_cycles * 9 / 10);
    const WorkloadSummary again = run_twice_marked(mode);
    ASSERT_EQ(again.runs.size(), 2u);
    for (size_t k = 0; k < 2; ++k) {
        EXPECT_EQ(again.runs[k].cycles, w.runs[k].cycles);
        EXPECT_EQ(again.runs[k].instructions, w.runs[k].instructions);
    }
}

TEST(MarkerPage, NativeRunsAreSamples) {
    expect_two_runs("native");
}

TEST(MarkerPage, UnderHvRunsAreSamples) {
    expect_two_runs("hv");
}

TEST(MarkerPage, NativePageMustNotOverlapRam) {
    auto dir = std::filesystem::temp_directory_path() / "bao-sim-tests";
    std::filesystem::create_directories(dir);
    auto path = dir / ("marker-ram-" + std::to_string(getpid()) + ".toml");
    std::ofstream(path) << "mode = \"native\"\n[[vms]]\nname = \"bench\"\nmeasured = true\n"
                           "cpu_affinity = [0]\nmarker = 0x48000000\n"
                           "image = { workload = \"hello\", load_addr = 0x40000000 }\n"
                           "regions = [{ base = 0x40000000, size = 0x1000000 }]\n";
    RunOptions o;
    o.config = path.string();
    o.workloads_dir = test::workloads_dir();
    try {
        Simulation s(o, nullptr);
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(
            std::string(e.what()).find("vms[0].marker: [0x48000000, 0x48001000) overlaps RAM"),
            std::string::npos)
            << e.what();
    }
}

} // namespace sim

namespace sim {

// Native mode's PL011 is hv's model behind MMIO: output unchanged, and its
// interrupt line (SPI 33 in the machine) follows UARTINTR.
TEST(NativePl011, OutputAndInterruptLine) {
    std::ostringstream out;
    Console console(&out);
    console.set_core_sources({console.add_source("core0")});
    Pl011 uart(console);
    std::vector<bool> levels;
    uart.set_irq_line([&](bool level) { levels.push_back(level); });
    EXPECT_EQ(uart.read(0, hv::pl011::FR, 4), hv::pl011::FR_TXFE | hv::pl011::FR_RXFE);
    uart.write(0, hv::pl011::IMSC, 4, hv::pl011::INT_TX);
    EXPECT_TRUE(levels.empty()); // nothing written yet: no TX interrupt (TRM)
    for (char c : std::string("ok\r\n"))
        uart.write(0, hv::pl011::DR, 1, static_cast<unsigned char>(c));
    console.flush();
    EXPECT_EQ(console.transcript(), "[core0] ok\n"); // the console's transcript drops CR
    EXPECT_EQ(levels, std::vector<bool>{true});      // raised once, stays high
    uart.write(0, hv::pl011::ICR, 4, hv::pl011::INT_TX);
    EXPECT_EQ(levels, (std::vector<bool>{true, false}));
    EXPECT_EQ(uart.read(0, 0xfe8, 4), 0x14u); // PeriphID2: revision 1
}

// Console input (--console-input) into the receiver: what fits the FIFO,
// the interrupt line raised by the receive timeout, read back from DR.
TEST(NativePl011, ReceivesConsoleInput) {
    Console console(nullptr);
    Pl011 uart(console);
    std::vector<bool> levels;
    uart.set_irq_line([&](bool level) { levels.push_back(level); });
    uart.write(0, hv::pl011::LCR_H, 4, hv::pl011::LCR_H_FEN | 0x60);
    uart.write(0, hv::pl011::IMSC, 4, hv::pl011::INT_RX | hv::pl011::INT_RT);
    const std::string text(20, 'x');
    EXPECT_EQ(uart.receive(reinterpret_cast<const uint8_t*>(text.data()), 20), 16u);
    EXPECT_EQ(levels, std::vector<bool>{true});
    for (int n = 0; n < 16; ++n)
        EXPECT_EQ(uart.read(0, hv::pl011::DR, 4), 'x');
    EXPECT_EQ(levels, (std::vector<bool>{true, false}));
}

// The machine wires that line to SPI 33 of its GIC.
TEST(NativePl011, DrivesSpi33OfTheMachinesGic) {
    MachineParams p;
    p.cores = 1;
    p.ram_size = 1ull << 24;
    Machine m(p, nullptr);
    m.map_native_platform();
    EXPECT_TRUE(m.bus().write(0, pl011_base + hv::pl011::IMSC, 4, hv::pl011::INT_TX));
    EXPECT_TRUE(m.bus().write(0, pl011_base + hv::pl011::DR, 1, 'x'));
    const gic::Gic& g = gicv2_of(m).gic();
    EXPECT_TRUE(g.distributor().is_pending(0, pl011_irq));
    EXPECT_TRUE(m.bus().write(0, pl011_base + hv::pl011::ICR, 4, hv::pl011::INT_TX));
    EXPECT_FALSE(g.distributor().is_pending(0, pl011_irq));
}

} // namespace sim
