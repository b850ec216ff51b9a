#include "sim/linux_vm.h"

#include "sim/platform.h"

#include <bit>
#include <cstdlib>
#include <filesystem>

#ifndef BAO_LINUX_CACHE_DEFAULT
#define BAO_LINUX_CACHE_DEFAULT "/var/cache/bao-sim/linux"
#endif

namespace sim {

linux_boot::VmDeviceTreeSpec linux_vm_description(const RunConfig& config, size_t index) {
    const hv::VmStorage& vm = config.hv.vms[index];
    const hv::PlatformConfig& p = config.hv.platform;
    linux_boot::VmDeviceTreeSpec d;
    for (const hv::RegionConfig& r : vm.regions)
        d.memory.push_back(linux_boot::RamRange{r.base, r.size});
    if (d.memory.empty()) // native configs may leave the VM's regions to the platform
        for (const hv::MemRange& r : p.ram)
            d.memory.push_back(linux_boot::RamRange{r.base, r.size});
    const bool native = config.hv.mode == hv::Mode::Native;
    const unsigned cpus =
        native ? config.machine.cores : static_cast<unsigned>(std::popcount(vm.cpu_affinity));
    // MPIDR affinity as the guest reads it: Aff0 = the core (native) or the vCPU (hv).
    for (unsigned i = 0; i < cpus; ++i)
        d.mpidr.push_back(i);
    d.gicd = p.gic.gicd;
    d.gicd_size = hv::kGicdFrameSize;
    d.gicc = p.gic.gicc; // under hv the GICV frame sits at this IPA
    d.gicc_size = hv::kGiccFrameSize;
    if (p.gic.version == hv::GicVersion::V3) {
        d.gic_v3 = true;
        d.gicd_size = hv::kGicv3DistSize;
        d.gicr = p.gic.gicr; // under hv the VM's vCPU n has the frames at gicr + n * stride
        d.gicr_stride = p.gic.gicr_stride;
    }
    d.uart = p.console_pa;
    // Natively the VM has the board's own UART: the ZCU104's is a Cadence UART
    // (its 100 MHz reference clock); under hv, and on virt, a PL011.
    if (native && config.machine.platform == kZcu104Platform) {
        d.uart_model = linux_boot::VmDeviceTreeSpec::UartModel::cadence;
        d.uart_clock_hz = 100'000'000;
    }
    // platform.console_irq (build_device_tree checks it is an SPI); 0 means
    // the UART raises none, and the DT keeps QEMU virt's SPI 33.
    if (p.console_irq != 0)
        d.uart_intid = p.console_irq;
    return d;
}

GuestImage linux_guest_image(const LinuxSource& src, const linux_boot::VmDeviceTreeSpec& vm) {
    linux_boot::LinuxBootSpec spec;
    spec.kernel = src.kernel;
    spec.initrd = src.initrd;
    spec.dtb = src.dtb;
    spec.bootargs = src.bootargs;
    if (vm.memory.empty())
        throw InputError("Linux VM: no memory to boot in");
    spec.ram = vm.memory.front();
    spec.vm = vm;
    linux_boot::LinuxBootImages b = linux_boot::prepare_linux_boot(spec);
    GuestImage img;
    img.path = src.kernel;
    img.entry = b.entry.pc;
    img.entry_context = b.entry.x0;
    ImageSegment kernel{b.placement.kernel_entry, std::move(b.kernel.bytes),
                        b.placement.kernel_end - b.placement.kernel_entry};
    img.hash = fnv1a64(kernel.bytes.data(), kernel.bytes.size());
    img.hash = fnv1a64(b.dtb.data(), b.dtb.size(), img.hash);
    img.hash = fnv1a64(b.initrd.data(), b.initrd.size(), img.hash);
    img.file_size = kernel.bytes.size() + b.dtb.size() + b.initrd.size();
    img.segments.push_back(std::move(kernel));
    const uint64_t dtb_size = b.dtb.size();
    img.segments.push_back(ImageSegment{b.placement.dtb, std::move(b.dtb), dtb_size});
    if (!b.initrd.empty()) {
        const uint64_t n = b.initrd.size();
        img.segments.push_back(ImageSegment{b.placement.initrd_start, std::move(b.initrd), n});
    }
    return img;
}

std::string resolve_linux_path(const std::string& path, const std::string& workloads_dir) {
    namespace fs = std::filesystem;
    if (path.rfind("cache:", 0) == 0) {
        const char* env = std::getenv("BAO_LINUX_CACHE");
        fs::path dir = env && *env ? env : BAO_LINUX_CACHE_DEFAULT;
        return (dir / path.substr(6)).string();
    }
    if (path.rfind("build:", 0) == 0)
        return (fs::path(workloads_dir).parent_path() / path.substr(6)).string();
    return path;
}

std::optional<std::string> with_bootargs_added(const std::string& config_text,
                                               const std::string& args) {
    const std::string key = "bootargs = \"";
    const size_t at = config_text.find(key);
    const size_t end = at == std::string::npos ? at : config_text.find('"', at + key.size());
    if (end == std::string::npos)
        return std::nullopt;
    return config_text.substr(0, end) + " " + args + config_text.substr(end);
}

} // namespace sim
