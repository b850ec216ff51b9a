// GICv3 distributor (GICD) with affinity routing: the SPIs' registers, at
// the same offsets as on a GICv2, reach the common distributor logic
// (sim/gic/distributor.*); what GICv3 changes is decoded here: GICD_CTLR's
// ARE and DS, GICD_TYPER's ID bits, GICD_IROUTER in place of ITARGETSR, the
// banked SGI/PPI words moved to the redistributors, GICD_SGIR gone, and the
// ID registers (PIDR2.ArchRev = 3).
#pragma once

#include "sim/gic/distributor.h"
#include "sim/gic/v3/regs.h"

#include <array>
#include <cstdint>

namespace sim::gic::v3 {

class Distributor {
  public:
    // `common` must have been configured with affinity_routing set.
    explicit Distributor(gic::Distributor& common);

    // Register access; size 1, 4 or (IROUTER) 8 bytes.
    uint64_t read(unsigned core, uint32_t offset, unsigned size);
    void write(unsigned core, uint32_t offset, uint64_t value, unsigned size);

    uint64_t router(uint32_t intid) const;
    const Diagnostics& diagnostics() const { return diag_; }

    // Checkpoints (sim/checkpoint.h): the routes; the common distributor is
    // visited by its owner.
    template <class Archive> void checkpoint(Archive& a) {
        a.value(irouter_);
        a.value(diag_);
    }

  private:
    bool forwards_to_common(uint32_t offset) const;
    uint64_t read_router(uint32_t offset, unsigned size) const;
    void write_router(uint32_t offset, uint64_t value, unsigned size);
    void apply_route(uint32_t intid);

    gic::Distributor& common_;
    std::array<uint64_t, kMaxInterrupts> irouter_{}; // reset: every SPI to Aff 0.0.0.0
    Diagnostics diag_;
};

} // namespace sim::gic::v3
