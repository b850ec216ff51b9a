// Validation of a configuration (hv/core/validate.h): the entry, the
// platform's RAM, device frames and L2, and hv's own region.
#include "hv/core/validate_internal.h"

namespace hv {
namespace validation {

Error Validator::run() {
    if (count_ok("", ~0u, "vms", cfg_.vms.size(), kMaxVms) &&
        count_ok("", ~0u, "shmems", cfg_.shmems.size(), kMaxShmems) && platform() && hyp() &&
        vms() && shmems() && phys_claims()) {
        return Error{};
    }
    return err_;
}

bool Validator::count_ok(const char* field, std::uint32_t i, const char* list, std::size_t n,
                         std::size_t max) {
    if (n <= max) {
        return true;
    }
    Fmt f = fail_cfg();
    f << field;
    if (i != ~0u) {
        f << "[" << i << "].";
    }
    f << list << ": " << static_cast<std::uint64_t>(n) << " entries, at most "
      << static_cast<std::uint64_t>(max);
    return false;
}

bool Validator::aligned(const char* field_prefix, std::uint32_t i, const char* field,
                        const char* what, std::uint64_t v) {
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

bool Validator::inside_ram(std::uint64_t base, std::uint64_t size) const {
    for (const MemRange& r : cfg_.platform.ram) {
        if (range_contains(r.base, r.size, base, size)) {
            return true;
        }
    }
    return false;
}

Validator::Frame Validator::frame(std::uint32_t k) const {
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
Validator::Frame Validator::frame_v3(std::uint32_t k) const {
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
bool Validator::clear_of_ram_and_frames(const char* what, std::uint64_t base, std::uint64_t size,
                                        std::uint32_t n, std::uint32_t first) {
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
bool Validator::platform_frames() {
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
bool Validator::colors_ok(std::uint64_t colors, const char* field) {
    const std::uint32_t n = cfg_.platform.l2.num_colors();
    for (std::uint32_t c = n; c < 64; ++c) {
        if (bit_test(colors, c)) {
            fail_cfg() << field << ": color " << c << " is outside the L2's " << n << " colors (0-"
                       << (n - 1) << ")";
            return false;
        }
    }
    return true;
}

bool Validator::platform() {
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
        l2.size % (static_cast<std::uint64_t>(l2.ways) * kPageSize) != 0 || l2.num_colors() == 0 ||
        l2.num_colors() > kMaxColors) {
        fail_cfg() << "platform.l2: size " << Hex{l2.size} << " with " << l2.ways << " ways and "
                   << l2.line << "-byte lines gives " << l2.num_colors()
                   << " page colors; need whole ways of 4 KiB pages, 1 to " << kMaxColors
                   << " colors and a power-of-two line";
        return false;
    }
    return true;
}

bool Validator::hyp() {
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

} // namespace validation

Error validate(const Config& cfg) {
    // About 4 KiB of state (the claims and owner tables): fits a boot stack.
    validation::Validator v(cfg);
    return v.run();
}

} // namespace hv
