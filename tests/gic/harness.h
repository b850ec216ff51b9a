// Test helpers: register access by frame, and the set-up an OS does before
// interrupts can flow (distributor on, CPU interfaces on, priority mask open).
#pragma once

#include "sim/gic/gic.h"

#include <cstdint>

namespace sim::gic::test {

// The frames by their initials, as the tests write register accesses.
inline constexpr Frame D = Frame::Distributor;
inline constexpr Frame C = Frame::CpuInterface;
inline constexpr Frame H = Frame::VirtualControl;
inline constexpr Frame V = Frame::VirtualCpuInterface;

class Harness {
  public:
    explicit Harness(const GicConfig& config = {}) : gic(config) {}

    uint32_t read(Frame frame, uint32_t offset, unsigned core = 0) {
        return gic.mmio_read(frame, core, offset, 4);
    }
    void write(Frame frame, uint32_t offset, uint32_t value, unsigned core = 0) {
        gic.mmio_write(frame, core, offset, value, 4);
    }

    // Distributor forwarding, every CPU interface enabled with an open mask.
    void enable_all(bool split_eoi = false) {
        write(Frame::Distributor, gicd::kCtlr, gicd::kCtlrEnableGrp0);
        for (unsigned core = 0; core < gic.num_cores(); ++core) {
            write(Frame::CpuInterface, gicc::kCtlr,
                  gicc::kCtlrEnableGrp0 | (split_eoi ? gicc::kCtlrEoiMode : 0), core);
            write(Frame::CpuInterface, gicc::kPmr, 0xFF, core);
        }
    }

    void set_priority(uint32_t intid, uint8_t priority, unsigned core = 0) {
        gic.mmio_write(Frame::Distributor, core, gicd::kIpriorityr + intid, priority, 1);
    }

    void enable(uint32_t intid, unsigned core = 0) {
        write(Frame::Distributor, gicd::kIsenabler + intid / 32 * 4, 1u << (intid % 32), core);
    }

    void enable_spi(uint32_t intid, uint8_t priority, uint8_t targets = 1) {
        set_priority(intid, priority);
        gic.mmio_write(Frame::Distributor, 0, gicd::kItargetsr + intid, targets, 1);
        enable(intid);
    }

    void enable_ppi(unsigned core, uint32_t intid, uint8_t priority) {
        set_priority(intid, priority, core);
        enable(intid, core);
    }

    // Virtual side: list registers on, guest's virtual CPU interface on.
    void enable_virtual(unsigned core, uint32_t hcr_extra = 0) {
        write(Frame::VirtualControl, gich::kHcr, gich::kHcrEn | hcr_extra, core);
        write(Frame::VirtualCpuInterface, gicv::kCtlr, gicv::kCtlrEnableGrp0, core);
        write(Frame::VirtualCpuInterface, gicv::kPmr, 0xFF, core);
    }

    void write_lr(unsigned core, unsigned index, uint32_t value) {
        write(Frame::VirtualControl, gich::kLr0 + 4 * index, value, core);
    }
    uint32_t read_lr(unsigned core, unsigned index) {
        return read(Frame::VirtualControl, gich::kLr0 + 4 * index, core);
    }

    Gic gic;
};

inline uint32_t lr_state(uint32_t lr) {
    return lr >> gich::kLrStateShift & gich::kLrStateMask;
}

} // namespace sim::gic::test
