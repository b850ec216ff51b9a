#include "sim/linux/device_tree.h"

extern "C" {
#include <libfdt.h>
}

#include <cstdio>

namespace sim::linux_boot {
namespace {

constexpr std::uint32_t kGicPhandle = 1;
constexpr std::uint32_t kClockPhandle = 2;
// GIC_FDT_IRQ_TYPE_*: interrupt specifiers are <type number flags>.
constexpr std::uint32_t kIrqSpi = 0;
constexpr std::uint32_t kIrqPpi = 1;
constexpr std::uint32_t kIrqLevelHigh = 4;

std::string node_name(const char* base, std::uint64_t addr) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s@%llx", base, static_cast<unsigned long long>(addr));
    return buf;
}

// Sequential-write libfdt calls return negative error codes; with a buffer
// sized for the worst case only a bug makes one fail.
class Writer {
  public:
    explicit Writer(std::size_t size) : blob_(size) { check(fdt_create(blob_.data(), size)); }

    void begin(const std::string& name) { check(fdt_begin_node(blob_.data(), name.c_str())); }
    void end() { check(fdt_end_node(blob_.data())); }
    void prop(const char* name, const std::string& s) {
        check(fdt_property_string(blob_.data(), name, s.c_str()));
    }
    void prop_empty(const char* name) { check(fdt_property(blob_.data(), name, nullptr, 0)); }
    void prop_u32(const char* name, std::uint32_t v) {
        check(fdt_property_u32(blob_.data(), name, v));
    }
    void prop_u64(const char* name, std::uint64_t v) {
        check(fdt_property_u64(blob_.data(), name, v));
    }
    void prop_cells(const char* name, const std::vector<std::uint32_t>& cells) {
        std::vector<fdt32_t> be;
        for (std::uint32_t c : cells)
            be.push_back(cpu_to_fdt32(c));
        check(fdt_property(blob_.data(), name, be.data(), static_cast<int>(be.size() * 4)));
    }
    // A list of strings ("a\0b\0").
    void prop_strings(const char* name, const std::vector<std::string>& list) {
        std::string joined;
        for (const std::string& s : list)
            joined.append(s).push_back('\0');
        check(fdt_property(blob_.data(), name, joined.data(), static_cast<int>(joined.size())));
    }
    void start_tree() { check(fdt_finish_reservemap(blob_.data())); }

    std::vector<std::uint8_t> finish() {
        check(fdt_finish(blob_.data()));
        check(fdt_pack(blob_.data()));
        blob_.resize(fdt_totalsize(blob_.data()));
        return std::move(blob_);
    }

  private:
    static void check(int rc) {
        if (rc == -FDT_ERR_NOSPACE)
            throw BootError(BootErrorKind::does_not_fit,
                            "device tree does not fit in the 2 MiB the boot protocol allows");
        if (rc < 0)
            throw std::runtime_error(std::string("libfdt: ") + fdt_strerror(rc));
    }
    std::vector<std::uint8_t> blob_;
};

std::vector<std::uint32_t> reg64(std::uint64_t addr, std::uint64_t size) {
    return {static_cast<std::uint32_t>(addr >> 32), static_cast<std::uint32_t>(addr),
            static_cast<std::uint32_t>(size >> 32), static_cast<std::uint32_t>(size)};
}

void check_spec(const VmDeviceTreeSpec& s) {
    if (s.memory.empty())
        throw InputError("device tree: the VM has no memory range");
    for (const RamRange& r : s.memory)
        if (r.size == 0)
            throw InputError("device tree: a memory range of size 0");
    if (s.mpidr.empty())
        throw InputError("device tree: the VM has no vCPU");
    if (!s.gic_v3 && s.mpidr.size() > 8)
        throw InputError("device tree: GICv2 serves at most 8 CPUs; the VM has " +
                         std::to_string(s.mpidr.size()));
    if (s.uart_intid < 32 || s.uart_intid > 1019)
        throw InputError("device tree: the UART's interrupt " + std::to_string(s.uart_intid) +
                         " is not an SPI (32-1019)");
    if ((s.initrd_start == 0) != (s.initrd_end == 0) || s.initrd_end < s.initrd_start)
        throw InputError("device tree: initrd range is inconsistent");
}

std::string uart_node_name(const VmDeviceTreeSpec& s) {
    return node_name(s.uart_model == VmDeviceTreeSpec::UartModel::cadence ? "serial" : "pl011",
                     s.uart);
}

void add_chosen(Writer& w, const VmDeviceTreeSpec& s) {
    w.begin("chosen");
    w.prop("bootargs", s.bootargs);
    w.prop("stdout-path", "/" + uart_node_name(s));
    if (s.initrd_end > s.initrd_start) {
        w.prop_u64("linux,initrd-start", s.initrd_start);
        w.prop_u64("linux,initrd-end", s.initrd_end);
    }
    w.end();
}

void add_cpus(Writer& w, const VmDeviceTreeSpec& s) {
    bool wide = false; // Aff3 set: reg needs two cells
    for (std::uint64_t m : s.mpidr)
        wide |= (m >> 32) != 0;
    w.begin("cpus");
    w.prop_u32("#address-cells", wide ? 2 : 1);
    w.prop_u32("#size-cells", 0);
    for (std::uint64_t m : s.mpidr) {
        w.begin(node_name("cpu", m));
        w.prop("device_type", "cpu");
        w.prop("compatible", "arm,cortex-a53");
        if (wide)
            w.prop_u64("reg", m);
        else
            w.prop_u32("reg", static_cast<std::uint32_t>(m));
        w.prop("enable-method", "psci");
        w.end();
    }
    w.end();
}

void add_psci(Writer& w) {
    w.begin("psci");
    w.prop_strings("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    w.prop("method", "hvc");
    w.prop_u32("cpu_suspend", kPsciCpuSuspend);
    w.prop_u32("cpu_off", kPsciCpuOff);
    w.prop_u32("cpu_on", kPsciCpuOn);
    w.prop_u32("migrate", kPsciMigrate);
    w.end();
}

void add_gic(Writer& w, const VmDeviceTreeSpec& s) {
    w.begin(node_name("intc", s.gicd));
    w.prop("compatible", s.gic_v3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
    w.prop_u32("#interrupt-cells", 3);
    w.prop_u32("#address-cells", 0); // no child nodes (dtc's interrupt_provider check)
    w.prop_empty("interrupt-controller");
    std::vector<std::uint32_t> reg = reg64(s.gicd, s.gicd_size);
    // GICv2: the CPU interface's frame; GICv3: one redistributor region
    // holding every vCPU's frames (the kernel finds a vCPU's by GICR_TYPER).
    const std::uint64_t second = s.gic_v3 ? s.gicr : s.gicc;
    const std::uint64_t second_size = s.gic_v3 ? s.gicr_stride * s.mpidr.size() : s.gicc_size;
    for (std::uint32_t c : reg64(second, second_size))
        reg.push_back(c);
    w.prop_cells("reg", reg);
    if (s.gic_v3)
        w.prop_u32("#redistributor-regions", 1);
    w.prop_u32("phandle", kGicPhandle);
    w.end();
}

void add_gic_and_timer(Writer& w, const VmDeviceTreeSpec& s) {
    add_gic(w, s);
    // GICv2 PPI specifiers carry a CPU mask in flags bits 8-15; GICv3's none.
    const std::uint32_t cpu_mask = s.gic_v3 ? 0 : ((1u << s.mpidr.size()) - 1) << 8;
    const std::uint32_t ppi_flags = cpu_mask | kIrqLevelHigh;
    w.begin("timer");
    w.prop("compatible", "arm,armv8-timer");
    w.prop_cells("interrupts",
                 {kIrqPpi, kTimerSecurePpi - 16, ppi_flags, kIrqPpi, kTimerPhysPpi - 16, ppi_flags,
                  kIrqPpi, kTimerVirtPpi - 16, ppi_flags, kIrqPpi, kTimerHypPpi - 16, ppi_flags});
    w.prop_empty("always-on");
    w.end();
}

void add_uart(Writer& w, const VmDeviceTreeSpec& s) {
    w.begin("apb-pclk");
    w.prop("compatible", "fixed-clock");
    w.prop_u32("#clock-cells", 0);
    w.prop_u32("clock-frequency", s.uart_clock_hz);
    w.prop("clock-output-names",
           s.uart_model == VmDeviceTreeSpec::UartModel::cadence ? "uart_ref_clk" : "clk24mhz");
    w.prop_u32("phandle", kClockPhandle);
    w.end();

    const bool cadence = s.uart_model == VmDeviceTreeSpec::UartModel::cadence;
    w.begin(uart_node_name(s));
    if (cadence) // as the ZynqMP's device tree names it (r1p12: RXBS present)
        w.prop_strings("compatible", {"cdns,uart-r1p12", "xlnx,xuartps"});
    else
        w.prop_strings("compatible", {"arm,pl011", "arm,primecell"});
    w.prop_cells("reg", reg64(s.uart, 0x1000));
    w.prop_cells("interrupts", {kIrqSpi, s.uart_intid - 32, kIrqLevelHigh});
    w.prop_cells("clocks", {kClockPhandle, kClockPhandle});
    if (cadence)
        w.prop_strings("clock-names", {"uart_clk", "pclk"});
    else
        w.prop_strings("clock-names", {"uartclk", "apb_pclk"});
    w.end();
}

} // namespace

std::vector<std::uint8_t> build_device_tree(const VmDeviceTreeSpec& spec) {
    check_spec(spec);
    // Everything but bootargs is a few KiB; the buffer is packed afterwards.
    std::size_t size =
        16384 + spec.bootargs.size() + 256 * spec.mpidr.size() + 128 * spec.memory.size();
    Writer w(std::min<std::size_t>(size, kDtbMaxSize));
    w.start_tree();
    w.begin("");
    w.prop_u32("#address-cells", 2);
    w.prop_u32("#size-cells", 2);
    w.prop("compatible", "linux,dummy-virt");
    w.prop("model", "bao-sim VM");
    w.prop_u32("interrupt-parent", kGicPhandle);
    add_chosen(w, spec);
    for (const RamRange& r : spec.memory) {
        w.begin(node_name("memory", r.base));
        w.prop("device_type", "memory");
        w.prop_cells("reg", reg64(r.base, r.size));
        w.end();
    }
    add_cpus(w, spec);
    add_psci(w);
    add_gic_and_timer(w, spec);
    add_uart(w, spec);
    w.end();
    std::vector<std::uint8_t> blob = w.finish();
    check_dtb_size(blob.size());
    return blob;
}

} // namespace sim::linux_boot
