// QEMU's virt board as bao-sim models it (the default platform): Cortex-A53
// cores, a GICv2 with the virtualization extension (or, with gic.version = 3,
// a GICv3) and the generic timers, a PL011 on SPI 1 and a second one on SPI 8
// (pass-through), at virt's addresses.
#include "sim/cpu/arm64_core.h"
#include "sim/gicv2.h"
#include "sim/gicv3.h"
#include "sim/machine.h"
#include "sim/pl011.h"
#include "sim/platform.h"

namespace sim {

namespace {

// virt's GIC: a GICv2 (GIC-400: GICD, GICC, GICH, GICV) or, with
// gic.version = 3, a GICv3 (GICD and one redistributor frame pair per core).
InterruptController& add_gic(Machine& machine) {
    if (machine.params().gic_version == 3) {
        auto gic = std::make_unique<GicV3>(machine);
        GicV3& g = *gic;
        machine.set_interrupt_controller(std::move(gic));
        g.add_frames(machine.bus(), gic::v3::AddressMap{});
        return g;
    }
    auto gic = std::make_unique<GicV2>(machine);
    GicV2& g = *gic;
    machine.set_interrupt_controller(std::move(gic));
    g.add_frames(machine.bus(), gic::AddressMap{});
    return g;
}

} // namespace

void build_aarch64_virt(Machine& machine) {
    for (unsigned i = 0; i < machine.params().cores; ++i)
        machine.add_core(std::make_unique<cpu::Arm64Core>(i, machine));
    InterruptController& g = add_gic(machine);
    auto uart = std::make_unique<Pl011>(machine.console());
    uart->set_irq_line([&g](bool level) { g.set_level(pl011_irq, level); });
    machine.add_device({"the PL011", pl011_base, pl011_size, nullptr, false}, std::move(uart));
    // The second PL011, for pass-through (docs/config.md#devs); its output
    // is printed as "[uart1] ...".
    auto uart1 = std::make_unique<Pl011>(machine.console(), "uart1");
    uart1->set_irq_line([&g](bool level) { g.set_level(pl011_1_irq, level); });
    machine.add_device({"the second PL011", pl011_1_base, pl011_size, nullptr, false},
                       std::move(uart1));
}

} // namespace sim
