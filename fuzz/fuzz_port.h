// The fuzz target's port: the tests' FakePort (sparse host memory, recorded
// notifications) plus just enough of a physical GIC for hv's vGIC to run
// against, a GICv2 or a GICv3 as the configuration says: a distributor with
// set/clear register pairs and byte registers (GICv3: and IROUTER), per-CPU
// list registers whose empty ones ELRSR reports (GICH_LR<n>, or
// ICH_LR<n>_EL2 with ICH_ELRSR/EISR_EL2 derived from them), a CPU interface
// whose IAR (GICC_IAR or ICC_IAR1_EL1) returns the INTID the input chose, and
// on a GICv3 each CPU's redistributor (awake once asked, SGI_base registers
// kept). It also remembers which pages hv wrote itself (page tables) and
// which CPUs' redistributors it wrote, and powers vCPUs on as the simulator
// does: Port::cpu_on runs Hypervisor::cpu_init on the started CPU.
#pragma once

#include <cstdint>
#include <vector>

#include "fuzz/hv_writes.h"
#include "hv/arch/armv8/gicv2.h"
#include "hv/arch/armv8/gicv3.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/fake_port.h"

namespace hvfuzz {

namespace g2 = hv::armv8::gicv2;
namespace g3 = hv::armv8::gicv3;

struct FakeGic {
    bool v3 = false;
    // Distributor: one word per 4 bytes of the (GICv2-sized) frame, which
    // holds the SPI registers of both versions. SGI/PPI registers are banked
    // per CPU on hardware; on a GICv2 hv writes them only on the CPU it
    // initialises, and the oracle reads only SPI words, so one copy serves.
    std::uint32_t gicd[g2::gicd::kFrameSize / 4]{};
    std::uint64_t irouter[g2::kMaxIrqs]{}; // GICv3: GICD_IROUTER<n>
    struct Cpu {
        std::uint32_t hcr = 0;
        std::uint32_t lr[g2::kNumLrs]{};   // GICv2: GICH_LR<n>
        std::uint64_t lr64[g2::kNumLrs]{}; // GICv3: ICH_LR<n>_EL2
        std::uint32_t iar = g2::kSpurious; // what the next IAR read returns
        // GICv3: this CPU's redistributor's SGI_base registers (the
        // distributor's layout, first 4 KiB).
        std::uint32_t sgi[g2::gicd::kFrameSize / 4]{};
    };
    Cpu cpu[hv::kMaxCpus]{};
    // GICv3: CPUs whose redistributor hv wrote since the oracle last looked.
    std::uint32_t gicr_written = 0;

    // A list register's state bits (pending 1, active 2), whatever the version.
    std::uint32_t lr_state(std::uint32_t c, std::uint32_t n) const {
        return v3 ? static_cast<std::uint32_t>(cpu[c].lr64[n] >> 62)
                  : (cpu[c].lr[n] & g2::gich::LR_STATE_MASK) >> g2::gich::LR_STATE_SHIFT;
    }
    void set_lr_state(std::uint32_t c, std::uint32_t n, std::uint32_t state) {
        if (v3) {
            cpu[c].lr64[n] = (cpu[c].lr64[n] & ~(3ull << 62)) | (std::uint64_t{state & 3} << 62);
        } else {
            cpu[c].lr[n] = (cpu[c].lr[n] & ~g2::gich::LR_STATE_MASK) |
                           ((state & 3) << g2::gich::LR_STATE_SHIFT);
        }
    }

    // Empty list registers (GICH_ELRSR0, ICH_ELRSR_EL2). GICv3 derives the
    // EOI maintenance ones apart (ICH_EISR_EL2): an invalid LR with EOI set
    // and HW clear is in EISR, not in ELRSR.
    std::uint32_t elrsr(std::uint32_t c) const { return empty_or_eoi(c, false); }
    std::uint32_t eisr(std::uint32_t c) const { return empty_or_eoi(c, true); }
    bool spi_enabled(std::uint32_t id) const {
        return ((gicd[(g2::gicd::ISENABLER + 4 * (id / 32)) / 4] >> (id % 32)) & 1u) != 0;
    }
    // The CPUs SPI `id` is routed to: ITARGETSR's mask, or IROUTER's one
    // CPU (QEMU virt's CPU n has affinity 0.0.0.n) or any CPU (IRM).
    std::uint64_t target(std::uint32_t id) const {
        if (v3) {
            const std::uint64_t r = irouter[id];
            if ((r & g3::gicd::IROUTER_IRM) != 0) {
                return ~0ull;
            }
            return (r & g3::gicd::IROUTER_AFF) < 64 ? 1ull << (r & g3::gicd::IROUTER_AFF) : ~0ull;
        }
        const std::uint32_t w = gicd[(g2::gicd::ITARGETSR + (id & ~3u)) / 4];
        return static_cast<std::uint8_t>(w >> (8 * (id % 4)));
    }

  private:
    std::uint32_t empty_or_eoi(std::uint32_t c, bool eoi) const {
        std::uint32_t v = 0;
        for (std::uint32_t n = 0; n < g2::kNumLrs; ++n) {
            const std::uint64_t l = cpu[c].lr64[n];
            const bool maint = v3 && (l & g3::ich::LR_HW) == 0 && (l & g3::ich::LR_EOI) != 0;
            if (lr_state(c, n) == 0 && maint == eoi) {
                v |= 1u << n;
            }
        }
        return v;
    }
};

class FuzzPort final : public RecordsHvWrites<hvtest::FakePort> {
  public:
    hv::Hypervisor* hv = nullptr;
    hv::GicAddrs gic_addrs{};
    FakeGic gic;
    // The physical GIC's addresses and version, before hv's init.
    void use_gic(const hv::GicAddrs& a) {
        gic_addrs = a;
        gic.v3 = a.version == hv::GicVersion::V3;
    }
    std::vector<std::uint32_t> ipis;

    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override;
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) override;
    std::uint64_t sysreg_read(hv::armv8::SysReg r) override;
    void sysreg_write(hv::armv8::SysReg r, std::uint64_t value) override;
    void send_ipi(std::uint32_t cpu, std::uint32_t sgi) override {
        (void)sgi;
        ipis.push_back(cpu);
    }
    void cpu_on(std::uint32_t cpu) override;

  private:
    // A GICv3 redistributor's CPU and offset for `pa`.
    bool redistributor(std::uint64_t pa, std::uint32_t& cpu, std::uint32_t& off) const;
};

} // namespace hvfuzz
