// The GICv3 as the machine sees it: the distributor (GICD), a redistributor
// per core (GICR), each core's CPU interface and virtual interface as system
// registers, and the generic timers (the same model as on the GICv2). After
// every operation the output lines are recomputed (maintenance interrupt
// first) and changes are reported to a listener, as gic::Gic does.
#pragma once

#include "sim/gic/distributor.h"
#include "sim/gic/gic.h"
#include "sim/gic/timer.h"
#include "sim/gic/v3/cpu_interface.h"
#include "sim/gic/v3/distributor.h"
#include "sim/gic/v3/redistributor.h"
#include "sim/gic/v3/regs.h"
#include "sim/gic/v3/virtual_interface.h"

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

namespace sim::gic::v3 {

class Gic {
  public:
    using LineListener = std::function<void(unsigned core, const CoreLines& lines)>;

    // config.distributor.affinity_routing is forced on.
    explicit Gic(const GicConfig& config = {});
    Gic(const Gic&) = delete;
    Gic& operator=(const Gic&) = delete;

    unsigned num_cores() const { return common_.config().num_cores; }

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

    // Interrupt inputs from devices.
    void set_level(uint32_t intid, bool level);
    void set_ppi_level(unsigned core, uint32_t intid, bool level);

    // Generic timers, as gic::Gic's.
    uint64_t timer_read(unsigned core, TimerRegister reg, uint64_t now_cycles);
    void timer_write(unsigned core, TimerRegister reg, uint64_t value, uint64_t now_cycles);
    void update_timers(unsigned core, uint64_t now_cycles);
    uint64_t next_event_cycle(unsigned core) const { return timer_.next_event_cycle(core); }

    CoreLines lines(unsigned core) const { return core < num_cores() ? lines_[core] : CoreLines{}; }
    bool maintenance(unsigned core) const;
    void set_line_listener(LineListener listener) { listener_ = std::move(listener); }

    const gic::Distributor& common() const { return common_; }
    const Distributor& distributor() const { return distributor_; }
    const Redistributor& redistributor(unsigned core) const;
    const CpuInterface& cpu_interface(unsigned core) const;
    const VirtualInterface& virtual_interface(unsigned core) const;
    Diagnostics diagnostics() const;

  private:
    static bool is_control(CpuRegister reg) { return reg >= CpuRegister::IchAp0r0El2; }
    bool valid_core(unsigned core) const { return core < num_cores(); }
    void refresh();

    gic::Distributor common_;
    Distributor distributor_;
    std::vector<std::unique_ptr<Redistributor>> redistributors_;
    std::vector<CpuInterface> cpu_;
    std::vector<VirtualInterface> virtual_;
    GenericTimer timer_;
    std::array<CoreLines, kMaxCores> lines_{};
    bool refreshing_ = false;
    bool refresh_again_ = false;
    LineListener listener_;
    Diagnostics diag_;
};

} // namespace sim::gic::v3
