#include "hv/core/validate.h"

#include "hv/lib/bits.h"

namespace hv {
namespace {

// A physical range somebody claims (hv's region, a placed VM region, a placed
// shared memory, an image load area, a pass-through device): two claims must
// not overlap unless they are the same object.
struct PhysClaim {
    enum Kind : std::uint8_t { Hyp, Region, Shmem, Image } kind;
    std::uint32_t vm;
    std::uint32_t index;
    std::uint64_t base;
    std::uint64_t size;
};

inline constexpr std::size_t kMaxClaims = 1 + kMaxShmems + kMaxVms * (kMaxRegions + 1);

class Validator {
  public:
    explicit Validator(const Config& cfg) : cfg_(cfg) {}

    Error run() {
        if (platform() && hyp() && vms() && shmems() && phys_claims()) {
            return Error{};
        }
        return err_;
    }

  private:
    const Config& cfg_;
    Error err_;
    PhysClaim claims_[kMaxClaims]{};
    std::size_t num_claims_ = 0;

    Fmt fail_cfg() { return fail(err_, ErrorCode::Config); }

    // "vms[0] ("bench")": how other VMs are named in messages.
    void vm_label(Fmt& f, std::uint32_t vm) {
        f << "vms[" << vm << "] (\"" << cfg_.vms[vm].name << "\")";
    }

    bool aligned(const char* field_prefix, std::uint32_t i, const char* field, const char* what,
                 std::uint64_t v) {
        if (is_aligned(v, kPageSize)) {
            return true;
        }
        Fmt f = fail_cfg();
        f << field_prefix;
        if (i != ~0u) {
            f << "[" << i << "]";
        }
        f << field << ": " << what << " " << Hex{v} << " is not 4 KiB aligned";
        return false;
    }

    bool inside_ram(std::uint64_t base, std::uint64_t size) const {
        for (const MemRange& r : cfg_.platform.ram) {
            if (range_contains(r.base, r.size, base, size)) {
                return true;
            }
        }
        return false;
    }

    // The platform's device frames, at fixed physical addresses.
    struct Frame {
        const char* name;
        std::uint64_t base;
        std::uint64_t size;
    };
    static constexpr std::uint32_t kNumFrames = 5;
    Frame frame(std::uint32_t k) const {
        const PlatformConfig& p = cfg_.platform;
        if (p.gic.version == GicVersion::V3) {
            return frame_v3(k);
        }
        switch (k) {
        case 0:
            return {"platform.console_pa", p.console_pa, kPageSize};
        case 1:
            return {"platform.gic.gicd", p.gic.gicd, kGicdFrameSize};
        case 2:
            return {"platform.gic.gicc", p.gic.gicc, kGiccFrameSize};
        case 3:
            return {"platform.gic.gich", p.gic.gich, kGichFrameSize};
        default:
            return {"platform.gic.gicv", p.gic.gicv, kGicvFrameSize};
        }
    }

    // A GICv3's distributor frame and its redistributors (one frame pair per
    // CPU); no CPU-interface frames.
    Frame frame_v3(std::uint32_t k) const {
        const PlatformConfig& p = cfg_.platform;
        switch (k) {
        case 0:
            return {"platform.console_pa", p.console_pa, kPageSize};
        case 1:
            return {"platform.gic.gicd", p.gic.gicd, kGicv3DistSize};
        case 2:
            return {"platform.gic.gicr", p.gic.gicr, p.cpu_num * p.gic.gicr_stride};
        default:
            return {"", 0, 0};
        }
    }

    // `what` [base, base+size) must stay clear of RAM and of frames first..n-1.
    // `what` is a field name, optionally followed by a word ("vms[0].devs[1]: pa").
    bool clear_of_ram_and_frames(const char* what, std::uint64_t base, std::uint64_t size,
                                 std::uint32_t n, std::uint32_t first = 0) {
        auto clash = [&](const char* other, std::uint32_t idx, std::uint64_t b, std::uint64_t s) {
            Fmt f = fail_cfg();
            f << what << " [" << Hex{base} << ", " << Hex{base + size} << ") overlaps " << other;
            if (idx != ~0u) {
                f << "[" << idx << "]";
            }
            f << " [" << Hex{b} << ", " << Hex{b + s} << ")";
            return false;
        };
        if (base >= kIpaLimit || size > kIpaLimit - base) {
            fail_cfg() << what << " [" << Hex{base} << ", " << Hex{base + size}
                       << ") is beyond the 40-bit physical space";
            return false;
        }
        for (std::uint32_t i = 0; i < cfg_.platform.ram.size(); ++i) {
            const MemRange& r = cfg_.platform.ram[i];
            if (ranges_overlap(base, size, r.base, r.size)) {
                return clash("platform.ram", i, r.base, r.size);
            }
        }
        for (std::uint32_t k = first; k < n; ++k) {
            const Frame o = frame(k);
            if (ranges_overlap(base, size, o.base, o.size)) {
                return clash(o.name, ~0u, o.base, o.size);
            }
        }
        return true;
    }

    // The console and GIC frames: page aligned, clear of RAM (and so of hv's
    // region and every VM's memory) and of each other.
    bool platform_frames() {
        for (std::uint32_t k = 0; k < kNumFrames; ++k) {
            const Frame f = frame(k);
            char what[32];
            Fmt(what, sizeof what) << f.name << ":";
            if (!aligned(f.name, ~0u, "", "address", f.base) ||
                !clear_of_ram_and_frames(what, f.base, f.size, k)) {
                return false;
            }
        }
        return true;
    }

    // Reports the first color of `colors` beyond the L2's range.
    bool colors_ok(std::uint64_t colors, const char* field) {
        const std::uint32_t n = cfg_.platform.l2.num_colors();
        for (std::uint32_t c = n; c < 64; ++c) {
            if (bit_test(colors, c)) {
                fail_cfg() << field << ": color " << c << " is outside the L2's " << n
                           << " colors (0-" << (n - 1) << ")";
                return false;
            }
        }
        return true;
    }

    void claim(PhysClaim::Kind kind, std::uint32_t vm, std::uint32_t index, std::uint64_t base,
               std::uint64_t size) {
        if (num_claims_ < kMaxClaims) {
            claims_[num_claims_++] = PhysClaim{kind, vm, index, base, size};
        }
    }

    void claim_name(Fmt& f, const PhysClaim& c, bool with_vm_name) {
        switch (c.kind) {
        case PhysClaim::Hyp:
            f << "hyp.region";
            return;
        case PhysClaim::Shmem:
            f << "shmems[" << c.index << "]";
            return;
        case PhysClaim::Region:
            f << "vms[" << c.vm << "].regions[" << c.index << "]";
            break;
        case PhysClaim::Image:
            f << "vms[" << c.vm << "].image";
            break;
        }
        if (with_vm_name) {
            f << " (\"" << cfg_.vms[c.vm].name << "\")";
        }
    }

    bool platform() {
        const PlatformConfig& p = cfg_.platform;
        if (p.cpu_num == 0 || p.cpu_num > kMaxCpus) {
            fail_cfg() << "platform.cpu_num: " << p.cpu_num << " is not between 1 and " << kMaxCpus;
            return false;
        }
        if (p.ram.empty()) {
            fail_cfg() << "platform.ram: no RAM region is configured";
            return false;
        }
        std::uint64_t total = 0;
        for (std::uint32_t i = 0; i < p.ram.size(); ++i) {
            const MemRange& r = p.ram[i];
            if (!aligned("platform.ram", i, "", "base", r.base) ||
                !aligned("platform.ram", i, "", "size", r.size)) {
                return false;
            }
            if (r.size == 0) {
                fail_cfg() << "platform.ram[" << i << "]: size is 0";
                return false;
            }
            if (r.base >= kIpaLimit || r.size > kIpaLimit - r.base) {
                fail_cfg() << "platform.ram[" << i << "]: [" << Hex{r.base} << ", "
                           << Hex{r.base + r.size} << ") is beyond the 40-bit physical space";
                return false;
            }
            for (std::uint32_t j = 0; j < i; ++j) {
                if (ranges_overlap(r.base, r.size, p.ram[j].base, p.ram[j].size)) {
                    fail_cfg() << "platform.ram[" << i << "]: [" << Hex{r.base} << ", "
                               << Hex{r.base + r.size} << ") overlaps platform.ram[" << j << "]";
                    return false;
                }
            }
            total += r.size;
        }
        if (total > kMaxRamBytes) {
            fail_cfg() << "platform.ram: " << Hex{total}
                       << " bytes of RAM exceed hv's page pool limit of " << Hex{kMaxRamBytes};
            return false;
        }
        if (!platform_frames()) {
            return false;
        }
        if (p.console_irq != 0 && (p.console_irq < kFirstSpi || p.console_irq >= kMaxIntId)) {
            fail_cfg() << "platform.console_irq: " << p.console_irq
                       << " is not a shared peripheral interrupt (" << kFirstSpi << "-"
                       << (kMaxIntId - 1) << ", or 0 for none)";
            return false;
        }
        const L2Geometry& l2 = p.l2;
        if (l2.ways == 0 || l2.line == 0 || !is_pow2(l2.line) ||
            l2.size % (static_cast<std::uint64_t>(l2.ways) * kPageSize) != 0 ||
            l2.num_colors() == 0 || l2.num_colors() > kMaxColors) {
            fail_cfg() << "platform.l2: size " << Hex{l2.size} << " with " << l2.ways
                       << " ways and " << l2.line << "-byte lines gives " << l2.num_colors()
                       << " page colors; need whole ways of 4 KiB pages, 1 to " << kMaxColors
                       << " colors and a power-of-two line";
            return false;
        }
        return true;
    }

    bool hyp() {
        const HypConfig& h = cfg_.hyp;
        if (!colors_ok(h.colors, "hyp.colors") ||
            !aligned("hyp.region", ~0u, "", "base", h.region.base) ||
            !aligned("hyp.region", ~0u, "", "size", h.region.size)) {
            return false;
        }
        if (h.region.size != 0) {
            if (!inside_ram(h.region.base, h.region.size)) {
                fail_cfg() << "hyp.region: [" << Hex{h.region.base} << ", "
                           << Hex{h.region.base + h.region.size}
                           << ") is not inside one of platform.ram";
                return false;
            }
            claim(PhysClaim::Hyp, 0, 0, h.region.base, h.region.size);
        }
        return true;
    }

    bool vms() {
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

    bool vm(std::uint32_t i, std::uint8_t* cpu_owner, std::uint8_t* spi_owner) {
        const VmConfig& v = cfg_.vms[i];
        if (v.name[0] == '\0') {
            fail_cfg() << "vms[" << i << "].name: is empty";
            return false;
        }
        for (std::uint32_t j = 0; j < i; ++j) {
            if (str_equal(v.name, cfg_.vms[j].name, kNameLen)) {
                fail_cfg() << "vms[" << i << "].name: \"" << v.name << "\" is already used by vms["
                           << j << "]";
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
                fail_cfg() << "vms[" << i << "].cpu_affinity: cpu " << c
                           << " is beyond the platform's " << cfg_.platform.cpu_num << " CPUs";
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
        if (!colors_ok(v.colors, field)) {
            return false;
        }
        return regions(i) && image(i) && devs(i, spi_owner) && ipcs(i) && marker(i);
    }

    // What hv puts in every VM's IPA space at the platform's addresses: the
    // virtual UART page (docs/design.md#console), the virtual distributor (trapped) and
    // the GICV frame at the GICC address.
    // A device that passes the console through (is_console_dev) maps its
    // console page exactly there: that page is the VM's virtual UART.
    bool clear_of_emulated(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                           std::uint64_t size, bool console_dev = false) {
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

    bool ipa_range(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
                   std::uint64_t size, bool console_dev = false) {
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
    bool ipa_clear(std::uint32_t i, const char* what, std::uint32_t j, std::uint64_t ipa,
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

    bool regions(std::uint32_t i) {
        const VmConfig& v = cfg_.vms[i];
        if (v.regions.empty()) {
            fail_cfg() << "vms[" << i << "].regions: no memory region is configured";
            return false;
        }
        char prefix[32];
        Fmt(prefix, sizeof prefix) << "vms[" << i << "].regions";
        for (std::uint32_t j = 0; j < v.regions.size(); ++j) {
            const RegionConfig& r = v.regions[j];
            if (!aligned(prefix, j, "", "base", r.base) ||
                !aligned(prefix, j, "", "size", r.size) ||
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

    bool image(std::uint32_t i) {
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
            fail_cfg() << prefix << ": base " << Hex{img.base_ipa} << " is not inside any of vms["
                       << i << "].regions";
            return false;
        }
        const RegionConfig& r = v.regions[k];
        if (img.size > r.size) {
            fail_cfg() << prefix << ": size " << Hex{img.size} << " is larger than vms[" << i
                       << "].regions[" << k << "] (size " << Hex{r.size} << ")";
            return false;
        }
        if (!range_contains(r.base, r.size, img.base_ipa, img.size)) {
            fail_cfg() << prefix << ": [" << Hex{img.base_ipa} << ", "
                       << Hex{img.base_ipa + img.size} << ") runs past the end of vms[" << i
                       << "].regions[" << k << "] at " << Hex{r.base + r.size};
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
    bool interrupts(std::uint32_t i, const char* what, std::uint32_t j,
                    const FixedVec<std::uint32_t, kMaxInterrupts>& list, std::uint8_t* spi_owner,
                    bool console_dev = false) {
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
                           << "]: interrupt " << id
                           << " is the virtual UART's (platform.console_irq)";
                return false;
            }
            // SGIs and PPIs (the timer's 27) are banked per CPU, so every VM
            // may list them; a shared peripheral interrupt has one owner.
            if (spi_owner == nullptr || id < kFirstSpi) {
                continue;
            }
            if (spi_owner[id] != 0) {
                Fmt f = fail_cfg();
                f << "vms[" << i << "]." << what << "[" << j << "].interrupts[" << k
                  << "]: interrupt " << id << " is already owned by ";
                vm_label(f, spi_owner[id] - 1u);
                return false;
            }
            spi_owner[id] = static_cast<std::uint8_t>(i + 1);
        }
        return true;
    }

    bool devs(std::uint32_t i, std::uint8_t* spi_owner) {
        const VmConfig& v = cfg_.vms[i];
        char prefix[32];
        Fmt(prefix, sizeof prefix) << "vms[" << i << "].devs";
        for (std::uint32_t j = 0; j < v.devs.size(); ++j) {
            const DevConfig& d = v.devs[j];
            if (d.size == 0) { // interrupts only, as Bao's {.interrupts = {27}} entries
                if (d.pa != 0 || d.va != 0) {
                    fail_cfg() << prefix << "[" << j << "]: size is 0 but pa " << Hex{d.pa}
                               << " or va " << Hex{d.va} << " is set (a device with no "
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

    bool dev_covers_console(const DevConfig& d) const {
        return ranges_overlap(d.pa, d.size, cfg_.platform.console_pa, kPageSize);
    }

    // A device that passes the console through must show the console's page
    // at the console's own address, where every VM's virtual UART is.
    bool console_in_place(std::uint32_t i, std::uint32_t j) {
        const DevConfig& d = cfg_.vms[i].devs[j];
        const std::uint64_t cons = cfg_.platform.console_pa;
        if (d.pa > cons || d.va + (cons - d.pa) != cons) {
            fail_cfg() << "vms[" << i << "].devs[" << j << "]: pa [" << Hex{d.pa} << ", "
                       << Hex{d.pa + d.size} << ") passes the console at " << Hex{cons}
                       << " through at IPA " << Hex{d.va + (cons - d.pa)}
                       << "; its virtual UART is at " << Hex{cons} << " (va must equal pa)";
            return false;
        }
        return true;
    }

    // A pass-through device has one owner (checked against devices listed
    // before it, in this VM or earlier ones). Several VMs may pass the
    // console through: each gets its own virtual UART on that page.
    bool dev_pa_unique(std::uint32_t i, std::uint32_t j) {
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
                const std::uint64_t hi =
                    d.pa + d.size < e.pa + e.size ? d.pa + d.size : e.pa + e.size;
                if (range_contains(cons, kPageSize, lo, hi - lo)) {
                    continue; // they share only the console's page
                }
                fail_cfg() << "vms[" << i << "].devs[" << j << "]: pa [" << Hex{d.pa} << ", "
                           << Hex{d.pa + d.size} << ") overlaps vms[" << a << "].devs[" << b
                           << "] (\"" << o.name << "\") [" << Hex{e.pa} << ", "
                           << Hex{e.pa + e.size} << ")";
                return false;
            }
        }
        return true;
    }

    bool ipcs(std::uint32_t i) {
        const VmConfig& v = cfg_.vms[i];
        char prefix[32];
        Fmt(prefix, sizeof prefix) << "vms[" << i << "].ipcs";
        for (std::uint32_t j = 0; j < v.ipcs.size(); ++j) {
            const IpcConfig& c = v.ipcs[j];
            if (!aligned(prefix, j, "", "base", c.base) ||
                !aligned(prefix, j, "", "size", c.size) ||
                !ipa_range(i, "ipcs", j, c.base, c.size) ||
                !ipa_clear(i, "ipcs", j, c.base, c.size) ||
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
    bool marker(std::uint32_t i) {
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
                       << ") overlaps vms[" << i << "]." << other << "[" << k << "] [" << Hex{b}
                       << ", " << Hex{b + s} << ")";
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

    bool shmems() {
        for (std::uint32_t i = 0; i < cfg_.shmems.size(); ++i) {
            const ShmemConfig& s = cfg_.shmems[i];
            if (!aligned("shmems", i, "", "size", s.size)) {
                return false;
            }
            if (s.size == 0) {
                fail_cfg() << "shmems[" << i << "]: size is 0";
                return false;
            }
            char field[32];
            Fmt(field, sizeof field) << "shmems[" << i << "].colors";
            if (!colors_ok(s.colors, field)) {
                return false;
            }
            if (s.place_phys) {
                if (!aligned("shmems", i, "", "phys", s.phys)) {
                    return false;
                }
                if (!inside_ram(s.phys, s.size)) {
                    fail_cfg() << "shmems[" << i << "]: phys [" << Hex{s.phys} << ", "
                               << Hex{s.phys + s.size} << ") is not inside one of platform.ram";
                    return false;
                }
                claim(PhysClaim::Shmem, 0, i, s.phys, s.size);
            }
        }
        return true;
    }

    // Physical placements must be disjoint: two VMs (or a VM and hv) sharing
    // memory outside a configured shmem would break isolation.
    bool phys_claims() {
        for (std::size_t a = 0; a < num_claims_; ++a) {
            for (std::size_t b = 0; b < a; ++b) {
                const PhysClaim& x = claims_[a];
                const PhysClaim& y = claims_[b];
                if (!ranges_overlap(x.base, x.size, y.base, y.size)) {
                    continue;
                }
                Fmt f = fail_cfg();
                claim_name(f, x, false);
                f << ": phys [" << Hex{x.base} << ", " << Hex{x.base + x.size} << ") overlaps ";
                claim_name(f, y, true);
                f << " [" << Hex{y.base} << ", " << Hex{y.base + y.size} << ")";
                return false;
            }
        }
        return true;
    }
};

} // namespace

Error validate(const Config& cfg) {
    // About 4 KiB of state (the claims and owner tables): fits a boot stack.
    Validator v(cfg);
    return v.run();
}

} // namespace hv
