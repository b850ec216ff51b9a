#include "fuzz/fuzz_port.h"

namespace hvfuzz {

namespace {

bool in_frame(std::uint64_t pa, std::uint64_t base, std::uint64_t size, std::uint32_t& off) {
    if (base == 0 || pa < base || pa - base >= size) {
        return false;
    }
    off = static_cast<std::uint32_t>(pa - base);
    return true;
}

// Registers where writing 1 sets (or clears) the bit and 0 does nothing.
bool set_clear_pair(std::uint32_t off, std::uint32_t& target, bool& set) {
    using namespace g2::gicd;
    const std::uint32_t pairs[][2] = {
        {ISENABLER, ICENABLER}, {ISPENDR, ICPENDR}, {ISACTIVER, ICACTIVER}};
    for (const auto& p : pairs) {
        if (off >= p[0] && off < p[0] + 0x80) {
            target = off;
            set = true;
            return true;
        }
        if (off >= p[1] && off < p[1] + 0x80) {
            target = off - (p[1] - p[0]);
            set = false;
            return true;
        }
    }
    return false;
}

// A word-per-4-bytes register frame with set/clear pairs (a distributor, or
// a GICv3 redistributor's SGI_base frame).
std::uint32_t frame_read(const std::uint32_t* regs, std::uint32_t off, std::uint32_t size) {
    std::uint32_t target = off;
    bool set = false;
    set_clear_pair(off, target, set);
    const std::uint32_t w = regs[(target & ~3u) / 4];
    return size >= 4 ? w : (w >> (8 * (target % 4))) & ((1u << (8 * size)) - 1);
}

void frame_write(std::uint32_t* regs, std::uint32_t off, std::uint32_t size, std::uint32_t v) {
    std::uint32_t target = off;
    bool set = false;
    std::uint32_t& w = regs[(off & ~3u) / 4];
    if (set_clear_pair(off, target, set)) {
        std::uint32_t& t = regs[target / 4];
        t = set ? t | v : t & ~v;
    } else if (size >= 4) {
        w = v;
    } else {
        const std::uint32_t shift = 8 * (off % 4);
        const std::uint32_t mask = ((1u << (8 * size)) - 1) << shift;
        w = (w & ~mask) | ((v << shift) & mask);
    }
}

// GICD_IROUTER<n>'s slot for a GICv3 distributor offset, or null.
std::uint64_t* irouter(FakeGic& gic, std::uint32_t off) {
    if (!gic.v3 || off < g3::gicd::IROUTER || off >= g3::gicd::IROUTER_END) {
        return nullptr;
    }
    return &gic.irouter[(off - g3::gicd::IROUTER) / 8];
}

} // namespace

std::uint64_t FuzzPort::dev_read(std::uint64_t pa, std::uint32_t size) {
    std::uint32_t off = 0;
    const std::uint32_t c = current_cpu % hv::kMaxCpus;
    const std::uint64_t dist_size = gic.v3 ? hv::kGicv3DistSize : g2::gicd::kFrameSize;
    if (in_frame(pa, gic_addrs.gicd, dist_size, off)) {
        if (off == g2::gicd::TYPER) {
            return g2::gicd::TYPER_ITLINES;
        }
        if (const std::uint64_t* r = irouter(gic, off)) {
            return off % 8 == 0 ? *r : *r >> 32;
        }
        return off < g2::gicd::kFrameSize ? frame_read(gic.gicd, off, size) : 0;
    }
    if (gic.v3) {
        std::uint32_t rc = 0;
        if (!redistributor(pa, rc, off)) {
            return 0;
        }
        if (off >= hv::kGicrFrameSize && off - hv::kGicrFrameSize < g2::gicd::kFrameSize) {
            return frame_read(gic.cpu[rc].sgi, off - hv::kGicrFrameSize, size);
        }
        return 0; // RD_base: awake (WAKER reads 0), the rest RAZ
    }
    if (in_frame(pa, gic_addrs.gicc, 0x2000, off)) {
        if (off == g2::gicc::IAR) {
            const std::uint32_t v = gic.cpu[c].iar;
            gic.cpu[c].iar = g2::kSpurious;
            return v;
        }
        return 0;
    }
    if (in_frame(pa, gic_addrs.gich, 0x1000, off)) {
        if (off == g2::gich::HCR) {
            return gic.cpu[c].hcr;
        }
        if (off == g2::gich::ELRSR0) {
            return gic.elrsr(c);
        }
        if (off >= g2::gich::LR0 && off < g2::gich::LR0 + 4 * g2::kNumLrs) {
            return gic.cpu[c].lr[(off - g2::gich::LR0) / 4];
        }
        return 0;
    }
    return 0;
}

void FuzzPort::dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) {
    std::uint32_t off = 0;
    const std::uint32_t c = current_cpu % hv::kMaxCpus;
    const auto v = static_cast<std::uint32_t>(value);
    const std::uint64_t dist_size = gic.v3 ? hv::kGicv3DistSize : g2::gicd::kFrameSize;
    if (in_frame(pa, gic_addrs.gicd, dist_size, off)) {
        if (std::uint64_t* r = irouter(gic, off)) {
            if (size == 8) {
                *r = value;
            } else if (off % 8 == 0) {
                *r = (*r & ~0xFFFF'FFFFull) | v;
            } else {
                *r = (*r & 0xFFFF'FFFFull) | (std::uint64_t{v} << 32);
            }
        } else if (off < g2::gicd::kFrameSize) {
            frame_write(gic.gicd, off, size, v);
        }
        return;
    }
    if (gic.v3) {
        std::uint32_t rc = 0;
        if (redistributor(pa, rc, off)) {
            gic.gicr_written |= 1u << rc;
            if (off >= hv::kGicrFrameSize && off - hv::kGicrFrameSize < g2::gicd::kFrameSize) {
                frame_write(gic.cpu[rc].sgi, off - static_cast<std::uint32_t>(hv::kGicrFrameSize),
                            size, v);
            }
        }
        return;
    }
    if (in_frame(pa, gic_addrs.gich, 0x1000, off)) {
        if (off == g2::gich::HCR) {
            gic.cpu[c].hcr = v;
        } else if (off >= g2::gich::LR0 && off < g2::gich::LR0 + 4 * g2::kNumLrs) {
            gic.cpu[c].lr[(off - g2::gich::LR0) / 4] = v;
        }
    }
}

bool FuzzPort::redistributor(std::uint64_t pa, std::uint32_t& cpu, std::uint32_t& off) const {
    const std::uint64_t stride = gic_addrs.gicr_stride;
    if (stride == 0 || pa < gic_addrs.gicr || pa - gic_addrs.gicr >= hv::kMaxCpus * stride) {
        return false;
    }
    cpu = static_cast<std::uint32_t>((pa - gic_addrs.gicr) / stride);
    off = static_cast<std::uint32_t>((pa - gic_addrs.gicr) % stride);
    return true;
}

std::uint64_t FuzzPort::sysreg_read(hv::armv8::SysReg r) {
    using hv::armv8::SysReg;
    FakeGic::Cpu& cpu = gic.cpu[current_cpu % hv::kMaxCpus];
    const auto n = static_cast<std::uint32_t>(r) - static_cast<std::uint32_t>(SysReg::ICH_LR0_EL2);
    if (n < g2::kNumLrs) {
        return cpu.lr64[n];
    }
    switch (r) {
    case SysReg::ICC_IAR1_EL1: {
        const std::uint32_t v = cpu.iar;
        cpu.iar = g2::kSpurious;
        return v;
    }
    case SysReg::ICH_ELRSR_EL2:
        return gic.elrsr(current_cpu % hv::kMaxCpus);
    case SysReg::ICH_EISR_EL2:
        return gic.eisr(current_cpu % hv::kMaxCpus);
    case SysReg::ICH_VTR_EL2:
        return g2::kNumLrs - 1;
    default:
        return FakePort::sysreg_read(r);
    }
}

void FuzzPort::sysreg_write(hv::armv8::SysReg r, std::uint64_t value) {
    using hv::armv8::SysReg;
    const auto n = static_cast<std::uint32_t>(r) - static_cast<std::uint32_t>(SysReg::ICH_LR0_EL2);
    if (n < g2::kNumLrs) {
        gic.cpu[current_cpu % hv::kMaxCpus].lr64[n] = value;
        return;
    }
    FakePort::sysreg_write(r, value);
}

void FuzzPort::cpu_on(std::uint32_t cpu) {
    FakePort::cpu_on(cpu);
    // As the simulator does (HvHost::cpu_on): the started CPU programs its
    // EL2 state for its vCPU before running it.
    const std::uint32_t saved = current_cpu;
    current_cpu = cpu;
    hv->cpu_init();
    current_cpu = saved;
}

} // namespace hvfuzz
