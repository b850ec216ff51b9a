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

} // namespace

std::uint64_t FuzzPort::dev_read(std::uint64_t pa, std::uint32_t size) {
    std::uint32_t off = 0;
    const std::uint32_t c = current_cpu % hv::kMaxCpus;
    if (in_frame(pa, gic_addrs.gicd, g2::gicd::kFrameSize, off)) {
        if (off == g2::gicd::TYPER) {
            return g2::gicd::TYPER_ITLINES;
        }
        std::uint32_t target = off;
        bool set = false;
        set_clear_pair(off, target, set);
        const std::uint32_t w = gic.gicd[(target & ~3u) / 4];
        return size >= 4 ? w : (w >> (8 * (target % 4))) & ((1u << (8 * size)) - 1);
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
    if (in_frame(pa, gic_addrs.gicd, g2::gicd::kFrameSize, off)) {
        std::uint32_t target = off;
        bool set = false;
        std::uint32_t& w = gic.gicd[(off & ~3u) / 4];
        if (set_clear_pair(off, target, set)) {
            std::uint32_t& t = gic.gicd[target / 4];
            t = set ? t | v : t & ~v;
        } else if (size >= 4) {
            w = v;
        } else {
            const std::uint32_t shift = 8 * (off % 4);
            const std::uint32_t mask = ((1u << (8 * size)) - 1) << shift;
            w = (w & ~mask) | ((v << shift) & mask);
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
