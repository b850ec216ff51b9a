// The configuration: plain data mirroring Bao's vm_config and platform
// description one to one. Each structure with lists is written once, as a
// template over how it holds them:
// - Config (ConfigView): what hv reads. Every list is a span over an array of
//   exactly the declared length. The target build emits these arrays as
//   constant data generated from the TOML (tools/bao_hv_config.cpp), so the
//   image holds only what is declared, as Bao's vm_config does.
// - ConfigStorage (ConfigOwned, hv/core/config_storage.h): the host's owning
//   copy that the simulator and the tests fill by assignment and push(); every
//   list is a fixed-capacity array (the limits below), so it can be copied.
//   Its view() is the Config that hv reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "hv/lib/bits.h"
#include "hv/lib/fixed_vec.h"

namespace hv {

// The largest configuration validation accepts (and the host's storage holds).
inline constexpr std::size_t kMaxVms = 8;
inline constexpr std::size_t kMaxCpus = 8;
inline constexpr std::size_t kMaxRamRegions = 4;
inline constexpr std::size_t kMaxRegions = 8;     // memory regions per VM
inline constexpr std::size_t kMaxDevs = 16;       // pass-through devices per VM
inline constexpr std::size_t kMaxIpcs = 8;        // IPC objects per VM
inline constexpr std::size_t kMaxShmems = 8;      // global shared-memory list
inline constexpr std::size_t kMaxInterrupts = 32; // per device or IPC object
inline constexpr std::size_t kNameLen = 32;       // VM name, including the NUL
inline constexpr std::uint32_t kMaxColors = 64;   // a color set is a 64-bit mask
inline constexpr std::uint32_t kMaxIntId = 1020;  // GICv2: INTIDs 1020-1023 are special
inline constexpr std::uint32_t kFirstSpi = 32;    // SGIs and PPIs are per CPU
// Stage 2 uses a 40-bit IPA space (VTCR_EL2.T0SZ = 24), as QEMU virt's
// Cortex-A53 supports a 40-bit PA range.
inline constexpr std::uint64_t kIpaLimit = 1ull << 40;

// `native` runs the measured guest on bare simulated hardware; `hv` runs the
// VMs under hv (docs/design.md#mode). hv itself only runs `hv` configurations.
enum class Mode : std::uint8_t { Native, Hv };

struct MemRange {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
};

// The shared last-level cache, which decides the page colors:
// color = (PA / 4 KiB) mod (size / (ways * 4 KiB)).
struct L2Geometry {
    std::uint64_t size = 1ull << 20;
    std::uint32_t ways = 16;
    std::uint32_t line = 64;

    constexpr std::uint32_t num_colors() const {
        const std::uint64_t way_bytes = static_cast<std::uint64_t>(ways) * kPageSize;
        return way_bytes == 0 ? 0 : static_cast<std::uint32_t>(size / way_bytes);
    }
    constexpr std::uint64_t num_sets() const {
        const std::uint64_t d = static_cast<std::uint64_t>(ways) * line;
        return d == 0 ? 0 : size / d;
    }
    // The L2 set a physical address falls in (physically indexed).
    constexpr std::uint64_t set_of(std::uint64_t pa) const { return (pa / line) % num_sets(); }
    constexpr std::uint32_t color_of(std::uint64_t pa) const {
        return static_cast<std::uint32_t>((pa >> kPageShift) % num_colors());
    }
};

// The platform's GIC architecture: which interface hv's vGIC drives
// (hv/arch/armv8/vgic_v2.h, vgic_v3.h).
enum class GicVersion : std::uint8_t { V2 = 2, V3 = 3 };

struct GicAddrs {
    std::uint64_t gicd = 0; // distributor
    std::uint64_t gicc = 0; // physical CPU interface (GICv2)
    std::uint64_t gich = 0; // virtual interface control (GICv2)
    std::uint64_t gicv = 0; // virtual CPU interface (GICv2)
    // A GICv3 has its CPU interfaces as system registers (gicc, gich and gicv
    // unused) and adds its redistributors' region: CPU n's RD_base frame at
    // gicr + n * gicr_stride, its SGI_base frame 64 KiB above.
    GicVersion version = GicVersion::V2;
    std::uint64_t gicr = 0;
    std::uint64_t gicr_stride = 0;
};

// The GICv2 frames as hv and the simulator map them: the CPU interfaces
// include GICC_DIR's second page. A VM sees the virtual distributor and the
// GICV frame at the GICD and GICC addresses of its IPA space.
inline constexpr std::uint64_t kGicdFrameSize = 0x1000;
inline constexpr std::uint64_t kGiccFrameSize = 0x2000;
inline constexpr std::uint64_t kGichFrameSize = 0x1000;
inline constexpr std::uint64_t kGicvFrameSize = 0x2000;
// GICv3: the distributor's 64 KiB frame, and one redistributor's RD_base +
// SGI_base frame pair (the stride QEMU virt and the simulator use).
inline constexpr std::uint64_t kGicv3DistSize = 0x1'0000;
inline constexpr std::uint64_t kGicrFrameSize = 0x1'0000;
inline constexpr std::uint64_t kGicrStride = 0x2'0000;

struct PlatformConfig {
    std::uint32_t cpu_num = 0;
    FixedVec<MemRange, kMaxRamRegions> ram;
    std::uint64_t console_pa = 0; // physical PL011; VMs see a virtual one at this IPA
    // Its SPI (33 on QEMU virt). Each VM's virtual UART raises this INTID in
    // the VM's own vGIC; 0: the virtual UART has no interrupt.
    std::uint32_t console_irq = 0;
    GicAddrs gic;
    L2Geometry l2;
};

struct HypConfig {
    std::uint64_t colors = 0; // hv's own colors for its data (0 = uncolored)
    MemRange region;          // where hv's image and static data live; never given to VMs
};

struct ImageConfig {
    std::uint64_t base_ipa = 0; // where the guest expects its image (inside a region)
    std::uint64_t size = 0;
    std::uint64_t entry = 0;    // IPA of the first instruction
    std::uint64_t entry_x0 = 0; // x0 at the first instruction (a Linux kernel: the DTB's IPA)
    // Where a boot loader already placed the image physically (Bao's
    // load_addr). Without it hv chooses the staging PA, see image_staging().
    bool has_load_pa = false;
    std::uint64_t load_pa = 0;
};

struct RegionConfig {
    std::uint64_t base = 0; // IPA
    std::uint64_t size = 0;
    bool place_phys = false; // map at a fixed PA instead of allocating
    std::uint64_t phys = 0;
};

// How a configuration holds a list of at most N Ts: hv's view (a span over
// an array of the declared length) or the host's owning storage.
struct ConfigView {
    template <typename T, std::size_t N> using List = std::span<const T>;
};
struct ConfigOwned {
    template <typename T, std::size_t N> using List = FixedVec<T, N>;
};

template <typename L> struct BasicDevConfig {
    std::uint64_t pa = 0;
    std::uint64_t va = 0; // IPA the VM sees it at
    std::uint64_t size = 0;
    typename L::template List<std::uint32_t, kMaxInterrupts> interrupts{};
};

template <typename L> struct BasicIpcConfig {
    std::uint64_t base = 0; // IPA of the shared memory in this VM
    std::uint64_t size = 0;
    std::uint32_t shmem_id = 0; // index into Config::shmems
    // Virtual interrupts raised in this VM when a peer notifies event i.
    typename L::template List<std::uint32_t, kMaxInterrupts> interrupts{};
};

struct ShmemConfig {
    std::uint64_t size = 0;
    std::uint64_t colors = 0; // 0 = uncolored (contiguous)
    bool place_phys = false;
    std::uint64_t phys = 0;
};

template <typename L> struct BasicVmConfig {
    char name[kNameLen]{};
    ImageConfig image;
    std::uint64_t cpu_affinity = 0; // bit n = physical CPU n
    std::uint64_t colors = 0;       // bit n = L2 color n; 0 = uncolored
    bool measured = false;          // the benchmark VM (docs/design.md#measured-vm)
    // The marker page (hypercall.h: marker_access): an IPA hv traps so that
    // the guest's user space can mark its measured region.
    bool has_marker = false;
    std::uint64_t marker = 0;
    typename L::template List<RegionConfig, kMaxRegions> regions{};
    typename L::template List<BasicDevConfig<L>, kMaxDevs> devs{};
    typename L::template List<BasicIpcConfig<L>, kMaxIpcs> ipcs{};
};

template <typename L> struct BasicConfig {
    Mode mode = Mode::Hv;
    PlatformConfig platform;
    HypConfig hyp;
    typename L::template List<BasicVmConfig<L>, kMaxVms> vms{};
    typename L::template List<ShmemConfig, kMaxShmems> shmems{};
};

// What hv reads.
using DevConfig = BasicDevConfig<ConfigView>;
using IpcConfig = BasicIpcConfig<ConfigView>;
using VmConfig = BasicVmConfig<ConfigView>;
using Config = BasicConfig<ConfigView>;

// What the host fills (ConfigStorage, with its view(), in config_storage.h).
using DevStorage = BasicDevConfig<ConfigOwned>;
using IpcStorage = BasicIpcConfig<ConfigOwned>;
using VmStorage = BasicVmConfig<ConfigOwned>;

// Sets a VM's name, truncating to kNameLen - 1 characters.
void set_vm_name(char (&name)[kNameLen], const char* value);
template <typename L> void set_vm_name(BasicVmConfig<L>& vm, const char* name) {
    set_vm_name(vm.name, name);
}

// Index of the region holding the image's base IPA, or vm.regions.size().
template <typename L> std::uint32_t image_region(const BasicVmConfig<L>& vm) {
    std::uint32_t k = 0;
    while (k < vm.regions.size() &&
           !range_contains(vm.regions[k].base, vm.regions[k].size, vm.image.base_ipa, 1)) {
        ++k;
    }
    return k;
}

// The image was loaded where it will run: an uncolored VM whose image region
// is placed physically, with load_pa at the matching offset. No copy needed.
template <typename L> bool image_in_place(const BasicVmConfig<L>& vm) {
    const std::uint32_t k = image_region(vm);
    if (!vm.image.has_load_pa || vm.colors != 0 || k == vm.regions.size()) {
        return false;
    }
    const RegionConfig& r = vm.regions[k];
    return r.place_phys && vm.image.load_pa == r.phys + (vm.image.base_ipa - r.base);
}

} // namespace hv
