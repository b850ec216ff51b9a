// The fuzz target's port: the tests' FakePort (sparse host memory, recorded
// notifications) plus just enough of a physical GICv2 for hv's vGIC to run
// against: a distributor with set/clear register pairs and byte registers,
// per-CPU list registers whose empty ones ELRSR reports, and a CPU interface
// whose IAR returns the INTID the input chose. It also remembers which pages
// hv wrote itself (page tables) and powers vCPUs on as the simulator does:
// Port::cpu_on runs Hypervisor::cpu_init on the started CPU.
#pragma once

#include <cstdint>
#include <vector>

#include "hv/arch/armv8/gicv2.h"
#include "hv/core/hypervisor.h"
#include "tests/hv/fake_port.h"

namespace hvfuzz {

namespace g2 = hv::armv8::gicv2;

struct FakeGic {
    // Distributor: one word per 4 bytes of the frame. SGI/PPI registers are
    // banked per CPU on hardware; hv writes them only on the CPU it
    // initialises, and the oracle reads only SPI words, so one copy serves.
    std::uint32_t gicd[g2::gicd::kFrameSize / 4]{};
    struct Cpu {
        std::uint32_t hcr = 0;
        std::uint32_t lr[g2::kNumLrs]{};
        std::uint32_t iar = g2::kSpurious; // what the next IAR read returns
    };
    Cpu cpu[hv::kMaxCpus]{};

    std::uint32_t elrsr(std::uint32_t c) const {
        std::uint32_t v = 0;
        for (std::uint32_t n = 0; n < g2::kNumLrs; ++n) {
            if ((cpu[c].lr[n] & g2::gich::LR_STATE_MASK) == 0) {
                v |= 1u << n;
            }
        }
        return v;
    }
    bool spi_enabled(std::uint32_t id) const {
        return ((gicd[(g2::gicd::ISENABLER + 4 * (id / 32)) / 4] >> (id % 32)) & 1u) != 0;
    }
    std::uint8_t target(std::uint32_t id) const {
        const std::uint32_t w = gicd[(g2::gicd::ITARGETSR + (id & ~3u)) / 4];
        return static_cast<std::uint8_t>(w >> (8 * (id % 4)));
    }
};

class FuzzPort final : public hvtest::FakePort {
  public:
    hv::Hypervisor* hv = nullptr;
    hv::GicAddrs gic_addrs{};
    FakeGic gic;
    // Pages hv itself wrote (descriptor writes and table zeroing): its page
    // tables. Boot's recoloring copy writes into VMs' pages through
    // mem_copy, which FakePort implements with mem_write: copies are
    // excluded while `in_copy` is set.
    std::vector<std::uint64_t> hv_written_pages;
    std::uint64_t writes = 0; // generation: any change of physical memory
    std::vector<std::uint32_t> ipis;

    void mem_write(std::uint64_t pa, const void* src, std::size_t len) override {
        if (!in_copy_) {
            note_hv_write(pa, len);
        }
        FakePort::mem_write(pa, src, len);
    }
    void mem_zero(std::uint64_t pa, std::size_t len) override {
        note_hv_write(pa, len);
        FakePort::mem_zero(pa, len);
    }
    void mem_copy(std::uint64_t dst, std::uint64_t src, std::size_t len) override {
        ++writes;
        in_copy_ = true;
        FakePort::mem_copy(dst, src, len);
        in_copy_ = false;
    }

    std::uint64_t dev_read(std::uint64_t pa, std::uint32_t size) override;
    void dev_write(std::uint64_t pa, std::uint32_t size, std::uint64_t value) override;
    void send_ipi(std::uint32_t cpu, std::uint32_t sgi) override {
        (void)sgi;
        ipis.push_back(cpu);
    }
    void cpu_on(std::uint32_t cpu) override;

  private:
    void note_hv_write(std::uint64_t pa, std::size_t len) {
        ++writes;
        for (std::uint64_t p = pa >> 12; p <= (pa + len - 1) >> 12; ++p) {
            if (hv_written_pages.empty() || hv_written_pages.back() != p) {
                hv_written_pages.push_back(p);
            }
        }
    }
    bool in_copy_ = false;
};

} // namespace hvfuzz
