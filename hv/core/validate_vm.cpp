// Validation of each VM (hv/core/validate_internal.h): its CPUs and colors,
// memory regions, image, pass-through devices and their interrupts, IPC
// windows and marker page, each against the platform and the VM's own IPA space.
#include "hv/core/validate_internal.h"

namespace hv::validation {

bool Validator::vms() {
    if (cfg_.vms.empty()) {
        fail_cfg() << "vms: no VM is configured";
        return false;
    }
    // Owner (VM index + 1) of each CPU and each shared peripheral interrupt.
    std::uint8_t cpu_owner[64]{};
    std::uint8_t spi_owner[kMaxIntId]{};
    for (std::uint32_t i = 0; i < cfg_.vms.size(); ++i) {
        if (!vm(i, cpu_owner, spi_owner)) {
            return false;
        }
    }
    return true;
}

bool Validator::vm(std::uint32_t i, std::uint8_t* cpu_owner, std::uint8_t* spi_owner) {
    const VmConfig& v = cfg_.vms[i];
    if (v.name[0] == '\0') {
        fail_cfg() << "vms[" << i << "].name: is empty";
        return false;
    }
    for (std::uint32_t j = 0; j < i; ++j) {
        if (str_equal(v.name, cfg_.vms[j].name, kNameLen)) {
            fail_cfg() << "vms[" << i << "].name: \"" << v.name << "\" is already used by vms[" << j
                       << "]";
            return false;
        }
    }
    if (v.cpu_affinity == 0) {
        fail_cfg() << "vms[" << i << "].cpu_affinity: no CPU is assigned";
        return false;
    }
    for (std::uint32_t c = 0; c < 64; ++c) {
        if (!bit_test(v.cpu_affinity, c)) {
            continue;
        }
        if (c >= cfg_.platform.cpu_num) {
            fail_cfg() << "vms[" << i << "].cpu_affinity: cpu " << c << " is beyond the platform's "
                       << cfg_.platform.cpu_num << " CPUs";
            return false;
        }
        if (cpu_owner[c] != 0) {
            Fmt f = fail_cfg();
            f << "vms[" << i << "].cpu_affinity: cpu " << c << " is already assigned to ";
            vm_label(f, cpu_owner[c] - 1u);
            return false;
        }
        cpu_owner[c] = static_cast<std::uint8_t>(i + 1);
    }
    char field[48];
    Fmt(field, sizeof field) << "vms[" << i << "].colors";
    if (!colors_ok(v.colors, field) ||
        !count_ok("vms", i, "regions", v.regions.size(), kMaxRegions) ||
        !count_ok("vms", i, "devs", v.devs.size(), kMaxDevs) ||
        !count_ok("vms", i, "ipcs", v.ipcs.size(), kMaxIpcs)) {
        return false;
    }
    return regions(i) && image(i) && devs(i, spi_owner) && ipcs(i) && marker(i);
}

// What hv puts in every VM's IPA space at the platform's addresses: the
// virtual UART page (docs/design.md#console), the virtual distributor (trapped) and
// the GICV frame at the GICC address.
// A device that passes the console through (is_console_dev) maps its
// console page exactly there: that page is the VM's virtual UART.
bool Validator::clear_of_emulated(std::uint32_t i, const char* what, std::uint32_t j,
                                  std::uint64_t ipa, std::uint64_t size, bool console_dev) {
    const GicAddrs& gic = cfg_.platform.gic;
    if (!console_dev && ranges_overlap(ipa, size, cfg_.platform.console_pa, kPageSize)) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j << "]: [" << Hex{ipa} << ", "
                   << Hex{ipa + size} << ") overlaps the virtual UART page at "
                   << Hex{cfg_.platform.console_pa};
        return false;
    }
    auto clash = [&](const char* name, std::uint64_t at, std::uint64_t frame_size) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j << "]: [" << Hex{ipa} << ", "
                   << Hex{ipa + size} << ") overlaps the virtual " << name << " at [" << Hex{at}
                   << ", " << Hex{at + frame_size} << ")";
        return false;
    };
    if (gic.version == GicVersion::V3) {
        const std::uint64_t rd_size = cfg_.platform.cpu_num * gic.gicr_stride;
        if (ranges_overlap(ipa, size, gic.gicd, kGicv3DistSize)) {
            return clash("distributor", gic.gicd, kGicv3DistSize);
        }
        if (ranges_overlap(ipa, size, gic.gicr, rd_size)) {
            return clash("redistributors", gic.gicr, rd_size);
        }
        return true;
    }
    if (ranges_overlap(ipa, size, gic.gicd, kGicdFrameSize)) {
        return clash("distributor", gic.gicd, kGicdFrameSize);
    }
    if (ranges_overlap(ipa, size, gic.gicc, kGiccFrameSize)) {
        return clash("CPU interface", gic.gicc, kGiccFrameSize);
    }
    return true;
}

bool Validator::ipa_range(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                          std::uint64_t size, bool console_dev) {
    if (size == 0) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j << "]: size is 0";
        return false;
    }
    if (ipa >= kIpaLimit || size > kIpaLimit - ipa) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j << "]: [" << Hex{ipa} << ", "
                   << Hex{ipa + size} << ") is beyond the 40-bit IPA space";
        return false;
    }
    return clear_of_emulated(i, what, j, ipa, size, console_dev);
}

// An IPA range of VM i must not overlap its regions, devices or IPC
// windows. Each item is compared with those listed before it (regions,
// then devices, then IPC windows), so the later one is named as the fault.
bool Validator::ipa_clear(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                          std::uint64_t size) {
    const VmConfig& v = cfg_.vms[i];
    auto clash = [&](const char* other, std::uint32_t k, std::uint64_t b, std::uint64_t s) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j << "]: [" << Hex{ipa} << ", "
                   << Hex{ipa + size} << ") overlaps vms[" << i << "]." << other << "[" << k
                   << "] [" << Hex{b} << ", " << Hex{b + s} << ")";
        return false;
    };
    const int rank = what[0] == 'r' ? 0 : what[0] == 'd' ? 1 : 2;
    const std::uint32_t nr = rank == 0 ? j : v.regions.size();
    const std::uint32_t nd = rank < 1 ? 0 : rank == 1 ? j : v.devs.size();
    const std::uint32_t ni = rank < 2 ? 0 : j;
    for (std::uint32_t k = 0; k < nr; ++k) {
        if (ranges_overlap(ipa, size, v.regions[k].base, v.regions[k].size)) {
            return clash("regions", k, v.regions[k].base, v.regions[k].size);
        }
    }
    for (std::uint32_t k = 0; k < nd; ++k) {
        if (ranges_overlap(ipa, size, v.devs[k].va, v.devs[k].size)) {
            return clash("devs", k, v.devs[k].va, v.devs[k].size);
        }
    }
    for (std::uint32_t k = 0; k < ni; ++k) {
        if (ranges_overlap(ipa, size, v.ipcs[k].base, v.ipcs[k].size)) {
            return clash("ipcs", k, v.ipcs[k].base, v.ipcs[k].size);
        }
    }
    return true;
}

bool Validator::regions(std::uint32_t i) {
    const VmConfig& v = cfg_.vms[i];
    if (v.regions.empty()) {
        fail_cfg() << "vms[" << i << "].regions: no memory region is configured";
        return false;
    }
    char prefix[32];
    Fmt(prefix, sizeof prefix) << "vms[" << i << "].regions";
    for (std::uint32_t j = 0; j < v.regions.size(); ++j) {
        const RegionConfig& r = v.regions[j];
        if (!aligned(prefix, j, "", "base", r.base) || !aligned(prefix, j, "", "size", r.size) ||
            !ipa_range(i, "regions", j, r.base, r.size) ||
            !ipa_clear(i, "regions", j, r.base, r.size)) {
            return false;
        }
        if (r.place_phys) {
            if (!aligned(prefix, j, "", "phys", r.phys)) {
                return false;
            }
            if (!inside_ram(r.phys, r.size)) {
                fail_cfg() << prefix << "[" << j << "]: phys [" << Hex{r.phys} << ", "
                           << Hex{r.phys + r.size} << ") is not inside one of platform.ram";
                return false;
            }
            claim(PhysClaim::Region, i, j, r.phys, r.size);
        }
    }
    return true;
}

bool Validator::image(std::uint32_t i) {
    const VmConfig& v = cfg_.vms[i];
    const ImageConfig& img = v.image;
    char prefix[32];
    Fmt(prefix, sizeof prefix) << "vms[" << i << "].image";
    if (img.size == 0) {
        fail_cfg() << prefix << ": size is 0";
        return false;
    }
    if (!aligned(prefix, ~0u, "", "base", img.base_ipa)) {
        return false;
    }
    const std::uint32_t k = image_region(v);
    if (k == v.regions.size()) {
        fail_cfg() << prefix << ": base " << Hex{img.base_ipa} << " is not inside any of vms[" << i
                   << "].regions";
        return false;
    }
    const RegionConfig& r = v.regions[k];
    if (img.size > r.size) {
        fail_cfg() << prefix << ": size " << Hex{img.size} << " is larger than vms[" << i
                   << "].regions[" << k << "] (size " << Hex{r.size} << ")";
        return false;
    }
    if (!range_contains(r.base, r.size, img.base_ipa, img.size)) {
        fail_cfg() << prefix << ": [" << Hex{img.base_ipa} << ", " << Hex{img.base_ipa + img.size}
                   << ") runs past the end of vms[" << i << "].regions[" << k << "] at "
                   << Hex{r.base + r.size};
        return false;
    }
    if (!range_contains(img.base_ipa, img.size, img.entry, 1)) {
        fail_cfg() << prefix << ": entry " << Hex{img.entry} << " is outside the image ["
                   << Hex{img.base_ipa} << ", " << Hex{img.base_ipa + img.size} << ")";
        return false;
    }
    if (!is_aligned(img.entry, 4)) {
        fail_cfg() << prefix << ": entry " << Hex{img.entry}
                   << " is not 4-byte aligned (an A64 instruction's address)";
        return false;
    }
    if (img.has_load_pa) {
        if (!aligned(prefix, ~0u, "", "load_pa", img.load_pa)) {
            return false;
        }
        // Where hv copies the image from at boot: RAM, never a device.
        const std::uint64_t bytes = align_up(img.size, kPageSize);
        if (!inside_ram(img.load_pa, bytes)) {
            fail_cfg() << prefix << ": load_pa [" << Hex{img.load_pa} << ", "
                       << Hex{img.load_pa + bytes} << ") is not inside one of platform.ram";
            return false;
        }
        // The image's own final place (a placed region, uncolored) is an
        // in-place load, not a clash.
        if (!image_in_place(v)) {
            claim(PhysClaim::Image, i, 0, img.load_pa, bytes);
        }
    }
    return true;
}

// `console_dev`: the list belongs to a device that passes the console
// through, where the console's interrupt names the virtual UART's.
bool Validator::interrupts(std::uint32_t i, const char* what, std::uint32_t j,
                           std::span<const std::uint32_t> list, std::uint8_t* spi_owner,
                           bool console_dev) {
    if (list.size() > kMaxInterrupts) {
        fail_cfg() << "vms[" << i << "]." << what << "[" << j
                   << "].interrupts: " << static_cast<std::uint64_t>(list.size())
                   << " entries, at most " << static_cast<std::uint64_t>(kMaxInterrupts);
        return false;
    }
    for (std::uint32_t k = 0; k < list.size(); ++k) {
        const std::uint32_t id = list[k];
        if (id >= kMaxIntId) {
            fail_cfg() << "vms[" << i << "]." << what << "[" << j << "].interrupts[" << k
                       << "]: " << id << " is not a valid interrupt ID (0-" << (kMaxIntId - 1)
                       << ")";
            return false;
        }
        // The UART's SPI: the physical one is hv's, and every VM's
        // virtual UART raises it in the VM's own vGIC.
        if (id == cfg_.platform.console_irq && id != 0 && console_dev) {
            continue;
        }
        if (id == cfg_.platform.console_irq) {
            fail_cfg() << "vms[" << i << "]." << what << "[" << j << "].interrupts[" << k
                       << "]: interrupt " << id << " is the virtual UART's (platform.console_irq)";
            return false;
        }
        // SGIs and PPIs (the timer's 27) are banked per CPU, so every VM
        // may list them; a shared peripheral interrupt has one owner.
        if (spi_owner == nullptr || id < kFirstSpi) {
            continue;
        }
        if (spi_owner[id] != 0) {
            Fmt f = fail_cfg();
            f << "vms[" << i << "]." << what << "[" << j << "].interrupts[" << k << "]: interrupt "
              << id << " is already owned by ";
            vm_label(f, spi_owner[id] - 1u);
            return false;
        }
        spi_owner[id] = static_cast<std::uint8_t>(i + 1);
    }
    return true;
}

bool Validator::devs(std::uint32_t i, std::uint8_t* spi_owner) {
    const VmConfig& v = cfg_.vms[i];
    char prefix[32];
    Fmt(prefix, sizeof prefix) << "vms[" << i << "].devs";
    for (std::uint32_t j = 0; j < v.devs.size(); ++j) {
        const DevConfig& d = v.devs[j];
        if (d.size == 0) { // interrupts only, as Bao's {.interrupts = {27}} entries
            if (d.pa != 0 || d.va != 0) {
                fail_cfg() << prefix << "[" << j << "]: size is 0 but pa " << Hex{d.pa} << " or va "
                           << Hex{d.va} << " is set (a device with no "
                           << "registers lists only interrupts)";
                return false;
            }
            if (!interrupts(i, "devs", j, d.interrupts, spi_owner)) {
                return false;
            }
            continue;
        }
        const bool console = dev_covers_console(d);
        if (!aligned(prefix, j, "", "pa", d.pa) || !aligned(prefix, j, "", "va", d.va) ||
            !aligned(prefix, j, "", "size", d.size) || (console && !console_in_place(i, j)) ||
            !ipa_range(i, "devs", j, d.va, d.size, console) ||
            !ipa_clear(i, "devs", j, d.va, d.size)) {
            return false;
        }
        if (!interrupts(i, "devs", j, d.interrupts, spi_owner, console)) {
            return false;
        }
        // A device page mapped to a VM must be that device's: never RAM
        // (hv's region, other VMs' memory) nor a GIC frame hv owns. The
        // console's page is the one exception: it becomes the VM's
        // virtual UART (docs/design.md#console), the physical one stays hv's.
        char what[40];
        Fmt(what, sizeof what) << prefix << "[" << j << "]: pa";
        if (!clear_of_ram_and_frames(what, d.pa, d.size, kNumFrames, console ? 1 : 0) ||
            !dev_pa_unique(i, j)) {
            return false;
        }
    }
    return true;
}

bool Validator::dev_covers_console(const DevConfig& d) const {
    return ranges_overlap(d.pa, d.size, cfg_.platform.console_pa, kPageSize);
}

// A device that passes the console through must show the console's page
// at the console's own address, where every VM's virtual UART is.
bool Validator::console_in_place(std::uint32_t i, std::uint32_t j) {
    const DevConfig& d = cfg_.vms[i].devs[j];
    const std::uint64_t cons = cfg_.platform.console_pa;
    if (d.pa > cons || d.va + (cons - d.pa) != cons) {
        fail_cfg() << "vms[" << i << "].devs[" << j << "]: pa [" << Hex{d.pa} << ", "
                   << Hex{d.pa + d.size} << ") passes the console at " << Hex{cons}
                   << " through at IPA " << Hex{d.va + (cons - d.pa)} << "; its virtual UART is at "
                   << Hex{cons} << " (va must equal pa)";
        return false;
    }
    return true;
}

// A pass-through device has one owner (checked against devices listed
// before it, in this VM or earlier ones). Several VMs may pass the
// console through: each gets its own virtual UART on that page.
bool Validator::dev_pa_unique(std::uint32_t i, std::uint32_t j) {
    const DevConfig& d = cfg_.vms[i].devs[j];
    const std::uint64_t cons = cfg_.platform.console_pa;
    for (std::uint32_t a = 0; a <= i; ++a) {
        const VmConfig& o = cfg_.vms[a];
        const std::uint32_t n = a == i ? j : o.devs.size();
        for (std::uint32_t b = 0; b < n; ++b) {
            const DevConfig& e = o.devs[b];
            if (!ranges_overlap(d.pa, d.size, e.pa, e.size)) {
                continue;
            }
            const std::uint64_t lo = d.pa > e.pa ? d.pa : e.pa;
            const std::uint64_t hi = d.pa + d.size < e.pa + e.size ? d.pa + d.size : e.pa + e.size;
            if (range_contains(cons, kPageSize, lo, hi - lo)) {
                continue; // they share only the console's page
            }
            fail_cfg() << "vms[" << i << "].devs[" << j << "]: pa [" << Hex{d.pa} << ", "
                       << Hex{d.pa + d.size} << ") overlaps vms[" << a << "].devs[" << b << "] (\""
                       << o.name << "\") [" << Hex{e.pa} << ", " << Hex{e.pa + e.size} << ")";
            return false;
        }
    }
    return true;
}

bool Validator::ipcs(std::uint32_t i) {
    const VmConfig& v = cfg_.vms[i];
    char prefix[32];
    Fmt(prefix, sizeof prefix) << "vms[" << i << "].ipcs";
    for (std::uint32_t j = 0; j < v.ipcs.size(); ++j) {
        const IpcConfig& c = v.ipcs[j];
        if (!aligned(prefix, j, "", "base", c.base) || !aligned(prefix, j, "", "size", c.size) ||
            !ipa_range(i, "ipcs", j, c.base, c.size) || !ipa_clear(i, "ipcs", j, c.base, c.size) ||
            !interrupts(i, "ipcs", j, c.interrupts, nullptr)) {
            return false;
        }
        if (c.shmem_id >= cfg_.shmems.size()) {
            fail_cfg() << prefix << "[" << j << "].shmem_id: " << c.shmem_id
                       << " does not name an entry of shmems (" << cfg_.shmems.size()
                       << " configured)";
            return false;
        }
        const ShmemConfig& s = cfg_.shmems[c.shmem_id];
        if (c.size > s.size) {
            fail_cfg() << prefix << "[" << j << "]: size " << Hex{c.size}
                       << " is larger than shmems[" << c.shmem_id << "] (size " << Hex{s.size}
                       << ")";
            return false;
        }
    }
    return true;
}

// The marker page: an emulated page of the VM's IPA space, so it is
// neither RAM nor a device nor a GIC frame (the same address is physical
// in native mode), nor any of the VM's regions, devices or IPC windows.
bool Validator::marker(std::uint32_t i) {
    const VmConfig& v = cfg_.vms[i];
    if (!v.has_marker) {
        return true;
    }
    char what[32];
    Fmt(what, sizeof what) << "vms[" << i << "].marker";
    if (!aligned(what, ~0u, "", "address", v.marker) ||
        !clear_of_ram_and_frames(what, v.marker, kPageSize, kNumFrames)) {
        return false;
    }
    auto clash = [&](const char* other, std::uint32_t k, std::uint64_t b, std::uint64_t s) {
        fail_cfg() << what << " [" << Hex{v.marker} << ", " << Hex{v.marker + kPageSize}
                   << ") overlaps vms[" << i << "]." << other << "[" << k << "] [" << Hex{b} << ", "
                   << Hex{b + s} << ")";
        return false;
    };
    for (std::uint32_t k = 0; k < v.regions.size(); ++k) {
        if (ranges_overlap(v.marker, kPageSize, v.regions[k].base, v.regions[k].size)) {
            return clash("regions", k, v.regions[k].base, v.regions[k].size);
        }
    }
    for (std::uint32_t k = 0; k < v.devs.size(); ++k) {
        if (ranges_overlap(v.marker, kPageSize, v.devs[k].va, v.devs[k].size)) {
            return clash("devs", k, v.devs[k].va, v.devs[k].size);
        }
    }
    for (std::uint32_t k = 0; k < v.ipcs.size(); ++k) {
        if (ranges_overlap(v.marker, kPageSize, v.ipcs[k].base, v.ipcs[k].size)) {
            return clash("ipcs", k, v.ipcs[k].base, v.ipcs[k].size);
        }
    }
    return true;
}

} // namespace hv::validation
