// The generated device tree, parsed back with libfdt (and dtc when present).
#include "sim/linux/device_tree.h"

#include <gtest/gtest.h>

extern "C" {
#include <libfdt.h>
}

#include <cstdio>
#include <fstream>
#include <sstream>

namespace sim::linux_boot {
namespace {

VmDeviceTreeSpec spec() {
    VmDeviceTreeSpec s;
    s.memory = {{0x4000'0000, 256u << 20}, {0x8000'0000, 64u << 20}};
    s.mpidr = {0x0, 0x1};
    s.bootargs = "console=ttyAMA0 bao_bench=qsort-small";
    s.initrd_start = 0x4240'0000;
    s.initrd_end = 0x4250'1234;
    return s;
}

class Blob {
  public:
    explicit Blob(std::vector<std::uint8_t> b) : b_(std::move(b)) {
        EXPECT_EQ(fdt_check_header(b_.data()), 0);
    }
    const void* fdt() const { return b_.data(); }
    int node(const char* path) const {
        int off = fdt_path_offset(fdt(), path);
        EXPECT_GE(off, 0) << path;
        return off;
    }
    std::string str(const char* path, const char* prop) const {
        int len = 0;
        auto* p = static_cast<const char*>(fdt_getprop(fdt(), node(path), prop, &len));
        if (!p)
            return "<missing>";
        return std::string(p, static_cast<std::size_t>(len > 0 ? len - 1 : 0));
    }
    std::vector<std::uint32_t> cells(const char* path, const char* prop) const {
        int len = 0;
        auto* p = static_cast<const fdt32_t*>(fdt_getprop(fdt(), node(path), prop, &len));
        std::vector<std::uint32_t> out;
        for (int i = 0; p && i < len / 4; i++)
            out.push_back(fdt32_to_cpu(p[i]));
        return out;
    }
    std::uint64_t u64(const char* path, const char* prop) const {
        auto c = cells(path, prop);
        EXPECT_EQ(c.size(), 2u) << prop;
        return c.size() == 2 ? (std::uint64_t{c[0]} << 32) | c[1] : 0;
    }
    bool has(const char* path, const char* prop) const {
        return fdt_getprop(fdt(), node(path), prop, nullptr) != nullptr;
    }
    const std::vector<std::uint8_t>& bytes() const { return b_; }

  private:
    std::vector<std::uint8_t> b_;
};

std::uint32_t phandle_of(const Blob& b, const char* path) {
    return fdt_get_phandle(b.fdt(), b.node(path));
}

TEST(LinuxDeviceTree, MemoryAndChosen) {
    Blob b(build_device_tree(spec()));
    EXPECT_EQ(b.cells("/", "#address-cells"), std::vector<std::uint32_t>{2});
    EXPECT_EQ(b.str("/memory@40000000", "device_type"), "memory");
    EXPECT_EQ(b.cells("/memory@40000000", "reg"),
              (std::vector<std::uint32_t>{0, 0x4000'0000, 0, 256u << 20}));
    EXPECT_EQ(b.cells("/memory@80000000", "reg"),
              (std::vector<std::uint32_t>{0, 0x8000'0000, 0, 64u << 20}));
    EXPECT_EQ(b.str("/chosen", "bootargs"), "console=ttyAMA0 bao_bench=qsort-small");
    EXPECT_EQ(b.str("/chosen", "stdout-path"), "/pl011@9000000");
    EXPECT_EQ(b.u64("/chosen", "linux,initrd-start"), 0x4240'0000u);
    EXPECT_EQ(b.u64("/chosen", "linux,initrd-end"), 0x4250'1234u);
}

TEST(LinuxDeviceTree, NoInitrdNoInitrdProperties) {
    VmDeviceTreeSpec s = spec();
    s.initrd_start = s.initrd_end = 0;
    Blob b(build_device_tree(s));
    EXPECT_FALSE(b.has("/chosen", "linux,initrd-start"));
    EXPECT_FALSE(b.has("/chosen", "linux,initrd-end"));
}

TEST(LinuxDeviceTree, CpusStartThroughPsciOverHvc) {
    Blob b(build_device_tree(spec()));
    EXPECT_EQ(b.cells("/cpus", "#address-cells"), std::vector<std::uint32_t>{1});
    EXPECT_EQ(b.cells("/cpus", "#size-cells"), std::vector<std::uint32_t>{0});
    for (const char* cpu : {"/cpus/cpu@0", "/cpus/cpu@1"}) {
        EXPECT_EQ(b.str(cpu, "device_type"), "cpu");
        EXPECT_EQ(b.str(cpu, "enable-method"), "psci");
    }
    EXPECT_EQ(b.cells("/cpus/cpu@1", "reg"), std::vector<std::uint32_t>{1});
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node("/psci"), "arm,psci-0.2"), 0);
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node("/psci"), "arm,psci-1.0"), 0);
    EXPECT_EQ(b.str("/psci", "method"), "hvc");
    EXPECT_EQ(b.cells("/psci", "cpu_on"), std::vector<std::uint32_t>{0xc400'0003});
    EXPECT_EQ(b.cells("/psci", "cpu_off"), std::vector<std::uint32_t>{0x8400'0002});
    EXPECT_EQ(b.cells("/psci", "cpu_suspend"), std::vector<std::uint32_t>{0xc400'0001});
    EXPECT_EQ(b.cells("/psci", "migrate"), std::vector<std::uint32_t>{0xc400'0005});
}

TEST(LinuxDeviceTree, Aff3NeedsTwoAddressCells) {
    VmDeviceTreeSpec s = spec();
    s.mpidr = {0x1'0000'0000ull};
    Blob b(build_device_tree(s));
    EXPECT_EQ(b.cells("/cpus", "#address-cells"), std::vector<std::uint32_t>{2});
    EXPECT_EQ(b.cells("/cpus/cpu@100000000", "reg"), (std::vector<std::uint32_t>{1, 0}));
}

TEST(LinuxDeviceTree, GicV2AndTimerPpis) {
    Blob b(build_device_tree(spec()));
    const char* gic = "/intc@8000000";
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(gic), "arm,cortex-a15-gic"), 0);
    EXPECT_TRUE(b.has(gic, "interrupt-controller"));
    EXPECT_EQ(b.cells(gic, "#interrupt-cells"), std::vector<std::uint32_t>{3});
    EXPECT_EQ(b.cells(gic, "reg"), (std::vector<std::uint32_t>{0, 0x0800'0000, 0, 0x1'0000, 0,
                                                               0x0801'0000, 0, 0x1'0000}));
    EXPECT_NE(phandle_of(b, gic), 0u);
    EXPECT_EQ(b.cells("/", "interrupt-parent"), std::vector<std::uint32_t>{phandle_of(b, gic)});
    // PPIs 29, 30, 27 (virtual), 26 as QEMU's virt gives them; two CPUs in the mask.
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node("/timer"), "arm,armv8-timer"), 0);
    EXPECT_EQ(b.cells("/timer", "interrupts"),
              (std::vector<std::uint32_t>{1, 13, 0x304, 1, 14, 0x304, 1, 11, 0x304, 1, 10, 0x304}));
}

// A GICv3 machine (gic.version=3): the distributor's 64 KiB and one
// redistributor region of a frame pair per vCPU, as QEMU's virt gives them;
// GICv3 PPI specifiers have no CPU mask.
VmDeviceTreeSpec gicv3_spec() {
    VmDeviceTreeSpec s = spec();
    s.gic_v3 = true;
    s.gicd_size = 0x1'0000;
    return s;
}

TEST(LinuxDeviceTree, GicV3AndTimerPpis) {
    Blob b(build_device_tree(gicv3_spec()));
    const char* gic = "/intc@8000000";
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(gic), "arm,gic-v3"), 0);
    EXPECT_NE(fdt_node_check_compatible(b.fdt(), b.node(gic), "arm,cortex-a15-gic"), 0);
    EXPECT_TRUE(b.has(gic, "interrupt-controller"));
    EXPECT_EQ(b.cells(gic, "#interrupt-cells"), std::vector<std::uint32_t>{3});
    EXPECT_EQ(b.cells(gic, "#redistributor-regions"), std::vector<std::uint32_t>{1});
    EXPECT_EQ(b.cells(gic, "reg"), (std::vector<std::uint32_t>{0, 0x0800'0000, 0, 0x1'0000, 0,
                                                               0x080A'0000, 0, 0x4'0000}));
    EXPECT_EQ(b.cells("/", "interrupt-parent"), std::vector<std::uint32_t>{phandle_of(b, gic)});
    EXPECT_EQ(b.cells("/timer", "interrupts"),
              (std::vector<std::uint32_t>{1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4}));
    // GICv2 serves 8 CPUs; a GICv3 more.
    VmDeviceTreeSpec nine = gicv3_spec();
    nine.mpidr = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    Blob big(build_device_tree(nine));
    EXPECT_EQ(big.cells(gic, "reg").back(), 9u * 0x2'0000);
    nine.gic_v3 = false;
    EXPECT_THROW(build_device_tree(nine), InputError);
}

TEST(LinuxDeviceTree, Pl011ThatAmbaPl011Drives) {
    Blob b(build_device_tree(spec()));
    const char* uart = "/pl011@9000000";
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(uart), "arm,pl011"), 0);
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(uart), "arm,primecell"), 0);
    EXPECT_EQ(b.cells(uart, "reg"), (std::vector<std::uint32_t>{0, 0x0900'0000, 0, 0x1000}));
    EXPECT_EQ(b.cells(uart, "interrupts"), (std::vector<std::uint32_t>{0, 1, 4})); // SPI 33
    std::uint32_t clk = phandle_of(b, "/apb-pclk");
    EXPECT_NE(clk, 0u);
    EXPECT_EQ(b.cells(uart, "clocks"), (std::vector<std::uint32_t>{clk, clk}));
    EXPECT_EQ(b.str(uart, "clock-names"), std::string("uartclk\0apb_pclk", 16));
    EXPECT_EQ(b.str("/apb-pclk", "compatible"), "fixed-clock");
    EXPECT_EQ(b.cells("/apb-pclk", "#clock-cells"), std::vector<std::uint32_t>{0});
}

// Natively on the ZCU104 the console is the board's Cadence UART, which
// Linux's xuartps driver takes by these compatibles and clock names.
TEST(LinuxDeviceTree, CadenceUartThatXuartpsDrives) {
    VmDeviceTreeSpec s = spec();
    s.uart_model = VmDeviceTreeSpec::UartModel::cadence;
    s.uart = 0xff00'0000;
    s.uart_intid = 53;
    s.uart_clock_hz = 100'000'000;
    Blob b(build_device_tree(s));
    const char* uart = "/serial@ff000000";
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(uart), "cdns,uart-r1p12"), 0);
    EXPECT_EQ(fdt_node_check_compatible(b.fdt(), b.node(uart), "xlnx,xuartps"), 0);
    EXPECT_EQ(b.cells(uart, "reg"), (std::vector<std::uint32_t>{0, 0xff00'0000, 0, 0x1000}));
    EXPECT_EQ(b.cells(uart, "interrupts"), (std::vector<std::uint32_t>{0, 21, 4})); // SPI 53
    std::uint32_t clk = phandle_of(b, "/apb-pclk");
    EXPECT_EQ(b.cells(uart, "clocks"), (std::vector<std::uint32_t>{clk, clk}));
    EXPECT_EQ(b.str(uart, "clock-names"), std::string("uart_clk\0pclk", 13));
    EXPECT_EQ(b.cells("/apb-pclk", "clock-frequency"), std::vector<std::uint32_t>{100'000'000});
    EXPECT_EQ(b.str("/chosen", "stdout-path"), "/serial@ff000000");
    EXPECT_LT(fdt_path_offset(b.fdt(), "/pl011@ff000000"), 0); // no PL011 besides
}

TEST(LinuxDeviceTree, BadSpecsAreNamed) {
    VmDeviceTreeSpec s = spec();
    s.memory.clear();
    EXPECT_THROW(build_device_tree(s), InputError);
    s = spec();
    s.mpidr.clear();
    EXPECT_THROW(build_device_tree(s), InputError);
    s = spec();
    s.uart_intid = 27; // a PPI
    EXPECT_THROW(build_device_tree(s), InputError);
    s = spec();
    s.initrd_end = 0;
    EXPECT_THROW(build_device_tree(s), InputError);
    s = spec();
    s.bootargs.assign(3u << 20, 'x'); // over the 2 MiB the protocol allows
    try {
        build_device_tree(s);
        FAIL() << "no error";
    } catch (const BootError& e) {
        EXPECT_EQ(e.kind(), BootErrorKind::does_not_fit);
    }
}

TEST(LinuxDeviceTree, Deterministic) {
    EXPECT_EQ(build_device_tree(spec()), build_device_tree(spec()));
}

// dtc decompiles the blob without complaint (its checks catch malformed
// nodes libfdt accepts, e.g. a unit address that differs from reg).
// Both GICs.
void expect_dtc_round_trip(const VmDeviceTreeSpec& spec, const char* gic) {
    std::string dtb = testing::TempDir() + "/bao_linux_dt_test.dtb";
    std::string dts = dtb + ".dts";
    std::string log = dtb + ".log";
    auto blob = build_device_tree(spec);
    std::ofstream(dtb, std::ios::binary)
        .write(reinterpret_cast<const char*>(blob.data()),
               static_cast<std::streamsize>(blob.size()));
    std::string cmd = "dtc -I dtb -O dts -o " + dts + " " + dtb + " 2>" + log;
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::stringstream warnings, text;
    warnings << std::ifstream(log).rdbuf();
    text << std::ifstream(dts).rdbuf();
    EXPECT_EQ(warnings.str(), "") << "dtc warnings";
    EXPECT_NE(text.str().find("enable-method = \"psci\""), std::string::npos);
    // dtc 1.6 prints string lists as "a\0b", later versions as "a", "b".
    EXPECT_NE(text.str().find("compatible = \"arm,pl011"), std::string::npos);
    EXPECT_NE(text.str().find("method = \"hvc\""), std::string::npos);
    EXPECT_NE(text.str().find("linux,initrd-start"), std::string::npos);
    EXPECT_NE(text.str().find(std::string("compatible = \"") + gic + "\""), std::string::npos);
    std::remove(dtb.c_str());
    std::remove(dts.c_str());
    std::remove(log.c_str());
}

TEST(LinuxDeviceTree, DtcRoundTrip) {
    if (std::system("command -v dtc >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "dtc not installed (package device-tree-compiler)";
    expect_dtc_round_trip(spec(), "arm,cortex-a15-gic");
    expect_dtc_round_trip(gicv3_spec(), "arm,gic-v3");
}

} // namespace
} // namespace sim::linux_boot
