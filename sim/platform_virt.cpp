// QEMU's virt board as bao-sim models it (the default platform): Cortex-A53
// cores, a GICv2 with the virtualization extension and the generic timers,
// and a PL011 on SPI 1, at virt's addresses.
#include "sim/cpu/arm64_core.h"
#include "sim/gicv2.h"
#include "sim/machine.h"
#include "sim/pl011.h"
#include "sim/platform.h"

namespace sim {

void build_aarch64_virt(Machine& machine) {
    for (unsigned i = 0; i < machine.params().cores; ++i)
        machine.add_core(std::make_unique<cpu::Arm64Core>(i, machine));
    auto gic = std::make_unique<GicV2>(machine);
    GicV2& g = *gic;
    machine.set_interrupt_controller(std::move(gic));
    g.add_frames(machine.bus(), gic::AddressMap{});
    auto uart = std::make_unique<Pl011>(machine.console());
    uart->set_irq_line([&g](bool level) { g.set_level(pl011_irq, level); });
    machine.add_device({"the PL011", pl011_base, pl011_size, nullptr, false}, std::move(uart));
}

} // namespace sim
