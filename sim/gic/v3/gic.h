// The GICv3 as the machine sees it: the distributor (GICD), a redistributor
// per core (GICR), each core's CPU interface and virtual interface as system
// registers, and the generic timers (the same model as on the GICv2). After
// every operation the output lines are recomputed (maintenance interrupt
// first) and changes are reported to a listener (sim/gic/gic_common.h, shared
// with the GICv2).
#pragma once

#include "sim/gic/gic_common.h"
#include "sim/gic/v3/cpu_interface.h"
#include "sim/gic/v3/distributor.h"
#include "sim/gic/v3/redistributor.h"
#include "sim/gic/v3/regs.h"
#include "sim/gic/v3/virtual_interface.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace sim::gic::v3 {

class Gic : public GicCommon<CpuInterface, VirtualInterface> {
  public:
    // config.distributor.affinity_routing is forced on.
    explicit Gic(const GicConfig& config = {});

    // GICD, and the frame pair of redistributor `frame` (offset within it).
    // core is the accessing core. Never fails: bad accesses read 0 and are counted.
    uint64_t distributor_read(unsigned core, uint32_t offset, unsigned size);
    void distributor_write(unsigned core, uint32_t offset, uint64_t value, unsigned size);
    uint64_t redistributor_read(unsigned frame, uint32_t offset, unsigned size);
    void redistributor_write(unsigned frame, uint32_t offset, uint64_t value, unsigned size);

    // A core's CPU-interface system registers. ICH_* (index: the list
    // register) reach the virtual interface's control; ICC_* reach the
    // physical interface, or with `virtual_view` (a hypervisor owns the IRQ,
    // HCR_EL2.IMO) the virtual one, ICV_*.
    uint64_t read_register(unsigned core, CpuRegister reg, unsigned index, bool virtual_view);
    void write_register(unsigned core, CpuRegister reg, uint64_t value, unsigned index,
                        bool virtual_view);

    const gic::Distributor& common() const { return common_; }
    const Distributor& distributor() const { return distributor_; }
    const Redistributor& redistributor(unsigned core) const;
    Diagnostics diagnostics() const;

    // Checkpoints (sim/checkpoint.h): the common parts, then GICD's routes
    // and each redistributor's.
    template <class Archive> void checkpoint(Archive& a) {
        GicCommon::checkpoint(a);
        distributor_.checkpoint(a);
        for (auto& r : redistributors_)
            r->checkpoint(a);
    }

  private:
    static bool is_control(CpuRegister reg) { return reg >= CpuRegister::IchAp0r0El2; }

    Distributor distributor_;
    std::vector<std::unique_ptr<Redistributor>> redistributors_;
};

} // namespace sim::gic::v3
