#include "sim/linux/boot.h"

extern "C" {
#include <libfdt.h>
}

#include <algorithm>
#include <cstring>

namespace sim::linux_boot {
namespace {

void fdt_check(int rc, const char* what) {
    if (rc == -FDT_ERR_NOSPACE)
        throw BootError(BootErrorKind::does_not_fit,
                        "device tree does not fit in the 2 MiB the boot protocol allows");
    if (rc < 0)
        throw BootError(BootErrorKind::not_device_tree,
                        std::string("device tree: ") + what + ": " + fdt_strerror(rc));
}

[[noreturn]] void not_a_dtb(const std::string& why) {
    throw BootError(BootErrorKind::not_device_tree,
                    "not a valid flattened device tree blob: " + why);
}

std::string range(std::uint64_t off, std::uint64_t size) {
    return "[" + hex(off) + ", " + hex(off + size) + ")";
}

// A user's blob is untrusted, and libfdt's read-write functions assume a
// well-formed one: a header whose memory reservation map lay inside the
// structure block made fdt_open_into damage the heap (found by mutating a
// blob). The whole structure block is checked, and the four parts must lie
// in the blob without overlapping.
void check_user_dtb(const std::vector<std::uint8_t>& dtb) {
    if (dtb.size() < sizeof(fdt_header) || fdt_magic(dtb.data()) != FDT_MAGIC)
        not_a_dtb("no FDT magic (0xd00dfeed) at its start");
    const void* f = dtb.data();
    if (fdt_version(f) < 17)
        not_a_dtb("version " + std::to_string(fdt_version(f)) + ", bao-sim reads version 17");
    if (const int rc = fdt_check_full(f, dtb.size()); rc != 0)
        not_a_dtb(fdt_strerror(rc));
    const int reserved = fdt_num_mem_rsv(f);
    if (reserved < 0)
        not_a_dtb(std::string("memory reservation map: ") + fdt_strerror(reserved));
    struct Part {
        std::uint64_t off, size;
        const char* name;
    };
    const Part parts[] = {{0, fdt_header_size(f), "header"},
                          {fdt_off_mem_rsvmap(f), (reserved + 1ull) * sizeof(fdt_reserve_entry),
                           "memory reservation map"},
                          {fdt_off_dt_struct(f), fdt_size_dt_struct(f), "structure block"},
                          {fdt_off_dt_strings(f), fdt_size_dt_strings(f), "strings block"}};
    for (const Part& a : parts) {
        if (a.off + a.size > fdt_totalsize(f))
            not_a_dtb("its " + std::string(a.name) + " " + range(a.off, a.size) +
                      " ends past its total size " + std::to_string(fdt_totalsize(f)));
        for (const Part& b : parts) {
            if (&a < &b && a.off < b.off + b.size && b.off < a.off + a.size)
                not_a_dtb("its " + std::string(a.name) + " " + range(a.off, a.size) +
                          " overlaps its " + b.name + " " + range(b.off, b.size));
        }
    }
}

constexpr char kGicv2Compatible[] = "arm,cortex-a15-gic";
constexpr char kGicv3Compatible[] = "arm,gic-v3";
// The GICv2 compatibles of Linux's irq-gic driver that an arm64 DT uses.
constexpr const char* kGicv2Compatibles[] = {kGicv2Compatible, "arm,gic-400", "arm,cortex-a7-gic",
                                             "arm,cortex-a9-gic", "arm,pl390"};

const char* gic_name(bool gic_v3) {
    return gic_v3 ? "GICv3" : "GICv2";
}

// The first node of `dtb` compatible with a GICv3 (gic_v3) or a GICv2 driver.
int gic_node(const std::vector<std::uint8_t>& dtb, bool gic_v3) {
    if (gic_v3)
        return fdt_node_offset_by_compatible(dtb.data(), -1, kGicv3Compatible);
    for (const char* c : kGicv2Compatibles)
        if (int node = fdt_node_offset_by_compatible(dtb.data(), -1, c); node >= 0)
            return node;
    return -FDT_ERR_NOTFOUND;
}

} // namespace

void check_kernel_drives_gic(const KernelImage& kernel, const std::string& name, bool gic_v3) {
    const std::string_view compatible = gic_v3 ? kGicv3Compatible : kGicv2Compatible;
    // With its terminating NUL: "arm,cortex-a15-gic-foo" would not do.
    const std::string_view needle(compatible.data(), compatible.size() + 1);
    const auto* begin = kernel.bytes.data();
    const auto* end = begin + kernel.bytes.size();
    if (std::search(begin, end, needle.begin(), needle.end()) != end)
        return;
    throw BootError(BootErrorKind::wrong_gic,
                    "kernel '" + name + "' has no " + gic_name(gic_v3) +
                        " driver (the Image never names \"" + std::string(compatible) +
                        "\"; built without " + (gic_v3 ? "CONFIG_ARM_GIC_V3" : "CONFIG_ARM_GIC") +
                        "?): the VM's interrupt controller is the machine's " + gic_name(gic_v3) +
                        " (gic.version=" + (gic_v3 ? "3" : "2") + ")");
}

void check_dtb_gic(const std::vector<std::uint8_t>& dtb, bool gic_v3) {
    const int node = gic_node(dtb, !gic_v3);
    if (node < 0)
        return;
    char path[256] = "?";
    fdt_get_path(dtb.data(), node, path, sizeof path);
    const char* other = gic_name(!gic_v3);
    throw BootError(BootErrorKind::wrong_gic,
                    std::string("device tree: ") + path + " is a " + other +
                        ": the VM's interrupt controller is the machine's " + gic_name(gic_v3) +
                        (gic_v3 ? " (\"arm,gic-v3\" at the platform's gicd/gicr; gic.version=3)"
                                : " (\"arm,cortex-a15-gic\" at the platform's gicd/gicc; "
                                  "gic.version=2)"));
}

std::vector<std::uint8_t> complete_user_dtb(const std::vector<std::uint8_t>& dtb,
                                            const std::string& bootargs, std::uint64_t initrd_start,
                                            std::uint64_t initrd_end, bool gic_v3) {
    check_user_dtb(dtb);
    // Room for the new properties; the blob is packed again afterwards.
    std::size_t room = dtb.size() + bootargs.size() + 1024;
    if (room > kDtbMaxSize)
        room = kDtbMaxSize;
    std::vector<std::uint8_t> out(room);
    fdt_check(fdt_open_into(dtb.data(), out.data(), static_cast<int>(room)), "open");
    int chosen = fdt_path_offset(out.data(), "/chosen");
    if (chosen == -FDT_ERR_NOTFOUND)
        chosen = fdt_add_subnode(out.data(), 0, "chosen");
    fdt_check(chosen, "/chosen");
    fdt_check(fdt_setprop_string(out.data(), chosen, "bootargs", bootargs.c_str()), "bootargs");
    if (initrd_end > initrd_start) {
        fdt_check(fdt_setprop_u64(out.data(), chosen, "linux,initrd-start", initrd_start),
                  "initrd");
        fdt_check(fdt_setprop_u64(out.data(), chosen, "linux,initrd-end", initrd_end), "initrd");
    } else {
        fdt_delprop(out.data(), chosen, "linux,initrd-start"); // stale values would mislead
        fdt_delprop(out.data(), chosen, "linux,initrd-end");
    }
    fdt_check(fdt_pack(out.data()), "pack");
    out.resize(fdt_totalsize(out.data()));
    check_dtb_size(out.size());
    check_dtb_gic(out, gic_v3);
    return out;
}

LinuxBootImages prepare_linux_boot(const LinuxBootSpec& spec) {
    LinuxBootImages b;
    b.kernel = load_kernel_image(spec.kernel);
    check_kernel_drives_gic(b.kernel, spec.kernel, spec.vm.gic_v3);
    if (!spec.initrd.empty())
        b.initrd = read_whole(spec.initrd, "initrd", spec.ram.size, "the VM's RAM",
                              BootErrorKind::does_not_fit);
    b.placement = place_boot_images(spec.ram, b.kernel.header, b.initrd.size());
    if (spec.dtb.empty()) {
        VmDeviceTreeSpec dt = spec.vm;
        dt.bootargs = spec.bootargs;
        dt.initrd_start = b.placement.initrd_start;
        dt.initrd_end = b.placement.initrd_end;
        b.dtb = build_device_tree(dt);
    } else {
        try {
            b.dtb = complete_user_dtb(
                read_whole(spec.dtb, "device tree", kDtbMaxSize,
                           "the 2 MiB the boot protocol allows", BootErrorKind::does_not_fit),
                spec.bootargs, b.placement.initrd_start, b.placement.initrd_end, spec.vm.gic_v3);
        } catch (const BootError& e) {
            if (e.kind() != BootErrorKind::not_device_tree)
                throw;
            throw BootError(e.kind(), "device tree '" + spec.dtb + "': " + e.what());
        }
    }
    b.entry.pc = b.placement.kernel_entry;
    b.entry.x0 = b.placement.dtb;
    return b;
}

} // namespace sim::linux_boot
