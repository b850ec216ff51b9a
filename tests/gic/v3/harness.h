// Test helpers for the GICv3 model: register access by frame and system
// register, and the set-up a GICv3 driver does before interrupts flow
// (distributor on, redistributors awake, group 1 on, priority mask open).
#pragma once

#include "sim/gic/v3/gic.h"

#include <cstdint>

namespace sim::gic::v3::test {

using R = CpuRegister;

class Harness {
  public:
    explicit Harness(unsigned cores = 4) : gic(config(cores)) {}

    static GicConfig config(unsigned cores) {
        GicConfig c;
        c.distributor.num_cores = cores;
        return c;
    }

    uint64_t gicd(uint32_t offset, unsigned size = 4) {
        return gic.distributor_read(0, offset, size);
    }
    void set_gicd(uint32_t offset, uint64_t value, unsigned size = 4) {
        gic.distributor_write(0, offset, value, size);
    }
    uint64_t gicr(unsigned core, uint32_t offset, unsigned size = 4) {
        return gic.redistributor_read(core, offset, size);
    }
    void set_gicr(unsigned core, uint32_t offset, uint64_t value, unsigned size = 4) {
        gic.redistributor_write(core, offset, value, size);
    }
    uint64_t icc(unsigned core, R reg) { return gic.read_register(core, reg, 0, false); }
    void icc(unsigned core, R reg, uint64_t value) {
        gic.write_register(core, reg, value, 0, false);
    }
    // The guest's view under a hypervisor (ICV_*).
    uint64_t icv(unsigned core, R reg) { return gic.read_register(core, reg, 0, true); }
    void icv(unsigned core, R reg, uint64_t value) {
        gic.write_register(core, reg, value, 0, true);
    }
    uint64_t lr(unsigned core, unsigned n) {
        return gic.read_register(core, R::IchLrEl2, n, false);
    }
    void lr(unsigned core, unsigned n, uint64_t value) {
        gic.write_register(core, R::IchLrEl2, value, n, false);
    }

    void wake(unsigned core) { set_gicr(core, gicr::kWaker, 0); }

    void enable_all(bool split_eoi = false) {
        set_gicd(gicd::kCtlr, gicd::kCtlrEnableGrp1);
        for (unsigned core = 0; core < gic.num_cores(); ++core) {
            wake(core);
            icc(core, R::IccIgrpen1El1, 1);
            icc(core, R::IccPmrEl1, 0xFF);
            icc(core, R::IccCtlrEl1, split_eoi ? icc::kCtlrEoiMode : 0);
        }
    }

    // An SGI or PPI of `core`, group 1, at `priority`, enabled.
    void enable_private(unsigned core, uint32_t intid, uint8_t priority) {
        const uint32_t sgi = gicr::kSgiBase;
        set_gicr(core, sgi + gicr::kIgroupr0, gicr(core, sgi + gicr::kIgroupr0) | 1u << intid);
        set_gicr(core, sgi + gicr::kIpriorityr + intid, priority, 1);
        set_gicr(core, sgi + gicr::kIsenabler0, 1u << intid);
    }

    // An SPI, group 1, at `priority`, routed by `router` (GICD_IROUTER), enabled.
    void enable_spi(uint32_t intid, uint8_t priority, uint64_t router) {
        const uint32_t word = intid / 32 * 4, bit = 1u << (intid % 32);
        set_gicd(gic::gicd::kIgroupr + word, gicd(gic::gicd::kIgroupr + word) | bit);
        set_gicd(gic::gicd::kIpriorityr + intid, priority, 1);
        set_gicd(gicd::kIrouter + intid * 8, router, 8);
        set_gicd(gic::gicd::kIsenabler + word, bit);
    }

    Gic gic;
};

} // namespace sim::gic::v3::test
